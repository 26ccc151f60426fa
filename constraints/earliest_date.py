"""Soft: transfer on the first usable date in the window."""

from __future__ import annotations

from allocator.calendar import working_days_between
from allocator.plan import Penalty, Plan
from allocator.problem import AllocationProblem
from allocator.solver.context import ServiceModel

NAME = "earliest_date"
KIND = "soft"
RULE = "Transfer as early in the window as the worker's diary allows."


def add(ctx: ServiceModel) -> None:
    weight = ctx.problem.config.weights.date_delay
    for r in ctx.requests:
        if len(r.dates) > 1:
            index = {t: i for i, t in enumerate(r.dates)}
            delay = [(index[t], lit) for t, lit in ctx.date_terms(r) if index[t]]
            if delay:
                ctx.add_term(NAME, weight, sum(i * lit for i, lit in delay), (r.id,))


def penalties(plan: Plan, problem: AllocationProblem) -> list[Penalty]:
    weight = problem.config.weights.date_delay
    requests = {r.id: r for r in problem.requests}
    out = []
    for a in plan.assignments:
        r = requests[a.request_id]
        if a.on is not None and r.dates:
            late = working_days_between(r.dates[0], a.on)
            if late:
                out.append(Penalty(NAME, (a.request_id,), weight * late,
                                   f"{late} working days after the first usable date"))
    return out
