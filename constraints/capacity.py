"""Soft: weighted caseload within capacity, counting each worker's existing caseload.

Overload is never a reason to leave a child unallocated: it is costed per point and
reported, and the receiving team manages it (the policies' own words).
"""

from __future__ import annotations

from collections import defaultdict

from allocator.plan import Penalty, Plan
from allocator.problem import AllocationProblem
from allocator.solver.context import ServiceModel

NAME = "capacity"
KIND = "soft"
RULE = "Keep each worker's weighted load within their capacity."


def add(ctx: ServiceModel) -> None:
    weight = ctx.problem.config.weights.overload_point
    for w in ctx.workers:
        top = w.base_load + sum(r.points for r, _ in ctx.request_vars(w))
        over = ctx.model.NewIntVar(0, max(0, top - w.capacity), f"over[{w.id}]")
        ctx.model.Add(over >= ctx.load_expr(w) - w.capacity)
        ctx.add_term(NAME, weight, over, (w.id,))


def loads_after(plan: Plan, problem: AllocationProblem) -> dict[str, int]:
    """Each case-holding worker's weighted load once the plan is carried out."""
    requests = {r.id: r for r in problem.requests}
    load = {w.id: w.base_load for w in problem.workers.values()}
    added: dict[str, int] = defaultdict(int)
    for a in plan.assignments:
        if a.worker is not None:
            added[a.worker] += requests[a.request_id].points
    return {w: load[w] + added[w] for w in load}


def penalties(plan: Plan, problem: AllocationProblem) -> list[Penalty]:
    weight = problem.config.weights.overload_point
    services = set(problem.services)
    out = []
    for wid, load in sorted(loads_after(plan, problem).items()):
        over = load - problem.workers[wid].capacity
        if problem.workers[wid].service in services and over > 0:
            out.append(Penalty(NAME, (wid,), weight * over, f"{over} points over capacity"))
    return out
