"""Hard: the receiving worker is at work on the transfer date (working pattern, leave,
start and leaving dates)."""

from __future__ import annotations

from allocator.plan import Plan, Violation
from allocator.problem import AllocationProblem, Request
from allocator.solver.context import ServiceModel

NAME = "worker_available"
KIND = "hard"
RULE = "The worker works on the transfer date."


def restrict(ctx: ServiceModel) -> None:
    for r in ctx.requests:
        for w in ctx.pool(r):
            if not exempt(r, w.id) and not any(t in w.available for t in r.dates):
                ctx.forbid(r, w, NAME)


def add(ctx: ServiceModel) -> None:
    """If w takes r, r's date is one of the days w is at work (one row per pair). An undated
    request's date is its worker's first usable day at work, so needs no row."""
    for r in ctx.requests:
        if not ctx.is_dated(r):
            continue
        for w, x in ctx.worker_vars(r):
            if exempt(r, w.id):
                continue
            days = [ctx.day[r.id, t] for t in r.dates if t in w.available]
            if len(days) < len(r.dates):
                ctx.enforce(ctx.model.Add(sum(days) >= x), NAME, RULE)


def exempt(request: Request, worker: str) -> bool:
    """A re-allocated child kept with their current lead does not move: whether the worker
    is at work on a given day does not matter."""
    return request.restructure and request.keeps(worker)


def check(plan: Plan, problem: AllocationProblem) -> list[Violation]:
    requests = {r.id: r for r in problem.requests}
    out = []
    for a in plan.assignments:
        if a.worker is None:
            continue
        worker = problem.workers.get(a.worker)
        if a.request_id in requests and exempt(requests[a.request_id], a.worker):
            continue
        if worker is None or a.on is None or a.on not in worker.available:
            out.append(Violation(NAME, (a.request_id, a.worker),
                                 "worker is not at work on the transfer date"))
    return out
