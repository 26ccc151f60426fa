"""Hard: the receiving worker is at work on the transfer date (working pattern, leave,
start and leaving dates)."""

from __future__ import annotations

from allocator.plan import Plan, Violation
from allocator.problem import AllocationProblem
from allocator.solver.context import ServiceModel

NAME = "worker_available"
KIND = "hard"
RULE = "The worker works on the transfer date."


def restrict(ctx: ServiceModel) -> None:
    for r in ctx.requests:
        for w in ctx.workers:
            if not any(t in w.available for t in r.dates):
                ctx.forbid(r, w, NAME)


def add(ctx: ServiceModel) -> None:
    """If w takes r, r's date is one of the days w is at work (one row per pair). An undated
    request's date is its worker's first usable day at work, so needs no row."""
    for r in ctx.requests:
        if not ctx.is_dated(r):
            continue
        for w, x in ctx.worker_vars(r):
            days = [ctx.day[r.id, t] for t in r.dates if t in w.available]
            if len(days) < len(r.dates):
                ctx.enforce(ctx.model.Add(sum(days) >= x), NAME, RULE)


def check(plan: Plan, problem: AllocationProblem) -> list[Violation]:
    out = []
    for a in plan.assignments:
        if a.worker is None:
            continue
        worker = problem.workers.get(a.worker)
        if worker is None or a.on is None or a.on not in worker.available:
            out.append(Violation(NAME, (a.request_id, a.worker),
                                 "worker is not at work on the transfer date"))
    return out
