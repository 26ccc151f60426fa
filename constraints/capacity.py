"""Soft: weighted caseload within capacity, counting each worker's existing caseload.

Overload is never a reason to leave a child unallocated: it is costed per point the plan
adds above capacity (or above the worker's current load, if they are already over) and
reported; the receiving team manages it (the policies' own words). Costing only what the
plan adds keeps the price of a child the same whoever else is in the team, so removing a
worker can never make a plan cheaper.
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
        ctx.add_points_above(NAME, weight, w, lambda w: max(w.capacity, w.base_load))


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
    out = []
    for wid, load in sorted(loads_after(plan, problem).items()):
        w = problem.workers[wid]
        over = load - max(w.capacity, w.base_load)
        if over > 0:
            out.append(Penalty(NAME, (wid,), weight * over,
                               f"plan adds {over} points above capacity"))
    return out
