"""Hard: the transfer date is a working day inside the rule's window, inside the plan's
horizon, and after the notice period (unless the decision records short notice)."""

from __future__ import annotations

from allocator.calendar import add_working_days, is_working_day
from allocator.plan import Plan, Violation
from allocator.problem import AllocationProblem
from allocator.solver.context import ServiceModel

NAME = "date_in_window"
KIND = "hard"
RULE = "The transfer date is a working day in the window, after notice."


def restrict(ctx: ServiceModel) -> None:
    """Dates outside the window have no variable: the request's dates are the window."""


def add(ctx: ServiceModel) -> None:
    """A dated request has one date unless unallocated; an undated one takes its worker's
    first usable day, which is in the window by construction."""
    for r in ctx.requests:
        if ctx.is_dated(r):
            ctx.model.Add(sum(ctx.day[r.id, t] for t in r.dates) + ctx.u[r.id] == 1)


def check(plan: Plan, problem: AllocationProblem) -> list[Violation]:
    out = []
    requests = {r.id: r for r in problem.requests}
    for a in plan.assignments:
        if a.worker is None or a.request_id not in requests:
            continue  # one_worker reports requests nobody made
        dec = requests[a.request_id].decision
        if a.on is None:
            out.append(Violation(NAME, (a.request_id,), "allocated with no transfer date"))
            continue
        notice_from = add_working_days(problem.plan_date, dec.notice_working_days) \
            if dec.notice_working_days else problem.plan_date
        problems = []
        if not is_working_day(a.on):
            problems.append("not a working day")
        if dec.date_from is None or dec.date_to is None or not dec.date_from <= a.on <= dec.date_to:
            problems.append("outside the rule's window")
        if a.on > problem.horizon_end or a.on < problem.plan_date:
            problems.append("outside the plan's horizon")
        if a.on < notice_from and "short_notice" not in dec.flags:
            problems.append("before the notice period ends")
        out += [Violation(NAME, (a.request_id,), p) for p in problems]
    return out
