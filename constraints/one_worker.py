"""Hard: every request gets exactly one worker in its receiving service, or is listed
unallocated with what blocked it. No child is dropped and none is allocated twice."""

from __future__ import annotations

from collections import Counter

from allocator.plan import Plan, Violation
from allocator.problem import AllocationProblem
from allocator.solver.context import ServiceModel

NAME = "one_worker"
KIND = "hard"
RULE = "Every child needing allocation has exactly one worker in the receiving service."


def restrict(ctx: ServiceModel) -> None:
    """Nothing to forbid: receiving-service membership is built into the service model."""


def add(ctx: ServiceModel) -> None:
    for r in ctx.requests:
        ctx.model.Add(sum(v for _, v in ctx.worker_vars(r)) + ctx.u[r.id] == 1)


def check(plan: Plan, problem: AllocationProblem) -> list[Violation]:
    out: list[Violation] = []
    wanted = {r.id: r for r in problem.requests}
    seen = Counter(a.request_id for a in plan.assignments)
    for rid in sorted(set(wanted) - set(seen)):
        out.append(Violation(NAME, (rid,), "request missing from the plan"))
    for rid, n in sorted(seen.items()):
        if n > 1:
            out.append(Violation(NAME, (rid,), f"request appears {n} times"))
        if rid not in wanted:
            out.append(Violation(NAME, (rid,), "plan holds a request nobody made"))
    for a in plan.assignments:
        r = wanted.get(a.request_id)
        if r is None:
            continue
        if a.worker is None:
            if not a.blocked_by:
                out.append(Violation(NAME, (a.request_id,), "unallocated with no reason given"))
            continue
        worker = problem.workers.get(a.worker)
        if worker is None:
            out.append(Violation(NAME, (a.request_id, a.worker), "worker is not case-holding"))
        elif problem.team_service.get(worker.team) != r.service:
            out.append(Violation(NAME, (a.request_id, a.worker),
                                 "worker is not in the receiving service"))
        elif a.team != worker.team:
            out.append(Violation(NAME, (a.request_id, a.worker), "team does not match worker"))
    in_plan = {a.child_id for a in plan.assignments}
    for child in problem.due_children:
        if child not in in_plan:
            out.append(Violation(NAME, (child,), "child due for allocation is not in the plan"))
    return out
