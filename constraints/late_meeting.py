"""Soft: hold the transfer meeting on or before the transfer date, so the receiving worker
is agreed and briefed before the child moves (group supervision before the conference)."""

from __future__ import annotations

from datetime import date

from allocator.calendar import working_days_between
from allocator.plan import Penalty, Plan
from allocator.problem import AllocationProblem, Request
from allocator.solver.context import ServiceModel
from allocator.problem import last_meeting_day

NAME = "late_meeting"
KIND = "soft"
RULE = "The transfer meeting comes before the transfer."


def first_meeting_day(problem: AllocationProblem, team: str, request: Request) -> date:
    """The earliest day the team could hold the request's meeting, slots aside."""
    return problem.meeting_days(team, last_meeting_day(request))[0]


def add(ctx: ServiceModel) -> None:
    """``late >= meeting - transfer`` in working days from the plan date.

    The meeting is the modelled meeting variable where the team's slots are modelled, else
    the team's first meeting day (slots there are checked after the solve, see
    allocator.solver.meetings).
    """
    weight = ctx.problem.config.weights.late_meeting
    start = ctx.problem.plan_date
    for r in ctx.requests:
        if not r.needs_meeting:
            continue
        meets = [(working_days_between(start, t), v)
                 for team in {w.team for w, _ in ctx.worker_vars(r)}
                 for t, v in ctx.meeting.get((r.id, team), [])]
        meets += [(working_days_between(start, first_meeting_day(ctx.problem, w.team, r)), x)
                  for w, x in ctx.worker_vars(r) if w.team not in ctx.meeting_teams]
        transfers = [(working_days_between(start, t), lit) for t, lit in ctx.date_terms(r)]
        if not meets or max(k for k, _ in meets) <= min(k for k, _ in transfers):
            continue  # every possible meeting is on or before the earliest transfer date
        late = ctx.model.NewIntVar(0, max(k for k, _ in meets), f"late_meeting[{r.id}]")
        ctx.model.AddMaxEquality(  # exact at any solution, not only an optimal one
            late, [0, sum(k * v for k, v in meets) - sum(k * v for k, v in transfers)])
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
