"""Soft: keep a child with a receiving team in the same locality as the team that holds them
now, where both teams have a locality (travel, schools and partner agencies stay the same)."""

from __future__ import annotations

from allocator.plan import Penalty, Plan
from allocator.problem import AllocationProblem
from allocator.solver.context import ServiceModel

NAME = "locality"
KIND = "soft"
RULE = "Prefer a receiving team in the child's locality."


def add(ctx: ServiceModel) -> None:
    weight = ctx.problem.config.weights.locality
    for r in ctx.requests:
        if r.locality is None:
            continue
        away = [x for w, x in ctx.worker_vars(r)
                if w.locality is not None and w.locality != r.locality]
        if away:
            ctx.add_term(NAME, weight, sum(away), (r.id,))


def penalties(plan: Plan, problem: AllocationProblem) -> list[Penalty]:
    weight = problem.config.weights.locality
    requests = {r.id: r for r in problem.requests}
    out = []
    for a in plan.assignments:
        r = requests[a.request_id]
        if a.worker is None or r.locality is None:
            continue
        there = problem.workers[a.worker].locality
        if there is not None and there != r.locality:
            out.append(Penalty(NAME, (a.request_id,), weight, f"moves from {r.locality} to {there}"))
    return out
