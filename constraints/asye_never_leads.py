"""Hard: no ASYE leads a child on a CP plan, looked after, or in care proceedings.

The ASYE may co-work; an ASYE who led such a child stays on as co-worker.
"""

from __future__ import annotations

from allocator.plan import Plan, Violation
from allocator.problem import AllocationProblem
from allocator.solver.context import ServiceModel

NAME = "asye_never_leads"
KIND = "hard"
RULE = "An ASYE never leads CP, looked-after or proceedings work."


def restrict(ctx: ServiceModel) -> None:
    for r in ctx.requests:
        if r.role == "lead" and r.statutory:
            for w in ctx.pool(r):
                if w.asye:
                    ctx.forbid(r, w, NAME)


def add(ctx: ServiceModel) -> None:
    """Enforced by ``restrict``: no variable exists for a forbidden pair."""


def check(plan: Plan, problem: AllocationProblem) -> list[Violation]:
    """Every statutory child's lead after the plan is not an ASYE.

    A child whose lead request is listed unallocated has no acceptable lead: they are
    escalated, not left with the ASYE, so they are not counted here.
    """
    lead_after: dict[str, str | None] = dict(problem.current_lead)
    for a in plan.assignments:
        if a.role == "lead":
            lead_after[a.child_id] = a.worker
    return [Violation(NAME, (child, worker), "statutory child led by an ASYE")
            for child, worker in sorted(lead_after.items(), key=lambda kv: kv[0])
            if child in problem.statutory_children and worker in problem.asye_ids]
