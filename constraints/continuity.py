"""Soft: keep a worker who already knows the child (current worker in the receiving
service, a co-worker who becomes lead, or a worker who holds a sibling)."""

from __future__ import annotations

from allocator.plan import Penalty, Plan
from allocator.problem import AllocationProblem
from allocator.solver.context import ServiceModel

NAME = "continuity"
KIND = "soft"
RULE = "Fewest changes of worker: keep a worker who knows the child or family."


def add(ctx: ServiceModel) -> None:
    weight = ctx.problem.config.weights.continuity
    for r in ctx.requests:
        if not r.preferred:
            continue
        kept = [ctx.x[r.id, w] for w in r.preferred if (r.id, w) in ctx.x]
        ctx.add_term(NAME, weight, 1 - sum(kept), (r.id,))


def penalties(plan: Plan, problem: AllocationProblem) -> list[Penalty]:
    weight = problem.config.weights.continuity
    requests = {r.id: r for r in problem.requests}
    out = []
    for a in plan.assignments:
        r = requests[a.request_id]
        if r.preferred and a.worker not in r.preferred:
            out.append(Penalty(NAME, (a.request_id,), weight, "a known worker was not kept"))
    return out
