"""Soft (with an overwhelming weight): listing a child as unallocated.

Capacity never blocks a transfer; only a hard rule can leave a child without a worker, and
then the plan names the child with what blocked them, for senior managers.
"""

from __future__ import annotations

from allocator.plan import Penalty, Plan
from allocator.problem import AllocationProblem
from allocator.solver.context import ServiceModel

NAME = "unallocated"
KIND = "soft"
RULE = "Every child needing a worker gets one; statutory children above all."


def add(ctx: ServiceModel) -> None:
    w = ctx.problem.config.weights
    for r in ctx.requests:
        weight = w.unallocated_statutory if r.statutory else w.unallocated
        ctx.add_term(NAME, weight, ctx.u[r.id], (r.id,))


def penalties(plan: Plan, problem: AllocationProblem) -> list[Penalty]:
    w = problem.config.weights
    requests = {r.id: r for r in problem.requests}
    return [Penalty(NAME, (a.request_id,),
                    w.unallocated_statutory if requests[a.request_id].statutory else w.unallocated)
            for a in plan.assignments if a.worker is None]
