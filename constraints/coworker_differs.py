"""Hard: a co-worker is never the child's lead worker."""

from __future__ import annotations

from allocator.plan import Plan, Violation
from allocator.problem import AllocationProblem
from allocator.solver.context import ServiceModel

NAME = "coworker_differs"
KIND = "hard"
RULE = "A co-worker differs from the lead worker."


def restrict(ctx: ServiceModel) -> None:
    for r in ctx.requests:
        for w in ctx.pool(r):
            if w.id in r.not_worker:
                ctx.forbid(r, w, NAME)


def add(ctx: ServiceModel) -> None:
    """A child's new lead and new co-worker in the same service are different people."""
    by_child: dict[str, dict[str, str]] = {}
    for r in ctx.requests:
        by_child.setdefault(r.child_id, {})[r.role] = r.id
    for roles in by_child.values():
        if "lead" in roles and "co" in roles:
            for w in ctx.workers:
                pair = [ctx.x[rid, w.id] for rid in roles.values() if (rid, w.id) in ctx.x]
                if len(pair) == 2:
                    ctx.enforce(ctx.model.Add(sum(pair) <= 1), NAME, RULE)


def check(plan: Plan, problem: AllocationProblem) -> list[Violation]:
    lead_after = dict(problem.current_lead)
    for a in plan.assignments:
        if a.role == "lead" and a.worker is not None:
            lead_after[a.child_id] = a.worker
    return [Violation(NAME, (a.child_id, a.worker), "co-worker is also the lead")
            for a in plan.assignments
            if a.role == "co" and a.worker is not None and lead_after.get(a.child_id) == a.worker]
