"""Soft: hold the transfer meeting on or before the transfer date, so the receiving worker
is agreed and briefed before the child moves (group supervision before the conference)."""

from __future__ import annotations

from allocator.calendar import working_days_between
from allocator.plan import Penalty, Plan
from allocator.problem import AllocationProblem
from allocator.solver.context import ServiceModel

NAME = "late_meeting"
KIND = "soft"
RULE = "The transfer meeting comes before the transfer."


def add(ctx: ServiceModel) -> None:
    """``late >= meeting - transfer``, both in working days from the plan date."""
    weight = ctx.problem.config.weights.late_meeting
    start = ctx.problem.plan_date
    for r in ctx.requests:
        meets = [(working_days_between(start, t), v)
                 for (rid, _), pairs in ctx.meeting.items() if rid == r.id for t, v in pairs]
        if not meets or max(k for k, _ in meets) <= working_days_between(start, r.dates[0]):
            continue  # every possible meeting is on or before the earliest transfer date
        transfer = sum(working_days_between(start, t) * ctx.day[r.id, t] for t in r.dates)
        late = ctx.model.NewIntVar(0, max(k for k, _ in meets), f"late_meeting[{r.id}]")
        ctx.model.Add(late >= sum(k * v for k, v in meets) - transfer)
        ctx.add_term(NAME, weight, late, (r.id,))


def penalties(plan: Plan, problem: AllocationProblem) -> list[Penalty]:
    weight = problem.config.weights.late_meeting
    out = []
    for a in plan.assignments:
        if a.meeting is not None and a.on is not None and a.meeting > a.on:
            late = working_days_between(a.on, a.meeting)
            out.append(Penalty(NAME, (a.request_id,), weight * late,
                               f"meeting {late} working days after the transfer"))
    return out
