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
    for r in ctx.requests:
        for w, x in ctx.worker_vars(r):
            for t in r.dates:
                if t not in w.available:
                    ctx.model.AddBoolOr([x.Not(), ctx.day[r.id, t].Not()]).OnlyEnforceIf(
                        ctx.guard(NAME, RULE))


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
