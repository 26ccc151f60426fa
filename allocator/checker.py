"""The independent checker: every hard rule and objective term recomputed from the plan.

It reads only the plan and the problem data, never the solver, through each constraint
module's ``check`` and ``penalties``. A plan with any violation is not written.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import constraints
from allocator.plan import Penalty, Plan, Violation
from allocator.problem import AllocationProblem


@dataclass(frozen=True)
class CheckReport:
    violations: tuple[Violation, ...]
    penalties: tuple[Penalty, ...]

    @property
    def ok(self) -> bool:
        return not self.violations

    @property
    def objective(self) -> int:
        return sum(p.cost for p in self.penalties)

    @property
    def terms(self) -> dict[str, int]:
        out: dict[str, int] = defaultdict(int)
        for p in self.penalties:
            out[p.term] += p.cost
        return dict(out)


def check_plan(plan: Plan, problem: AllocationProblem) -> CheckReport:
    """Recompute every hard rule and soft term of ``plan``."""
    violations: list[Violation] = []
    for module in constraints.HARD:
        violations.extend(module.check(plan, problem))
    # Soft terms are priced on the assignments the problem knows; anything else has
    # already been reported as a violation by one_worker.
    known_requests = {r.id for r in problem.requests}
    priced = Plan(tuple(a for a in plan.assignments if a.request_id in known_requests
                        and (a.worker is None or a.worker in problem.workers)))
    penalties: list[Penalty] = []
    for module in constraints.SOFT:
        penalties.extend(module.penalties(priced, problem))
    return CheckReport(tuple(violations), tuple(penalties))
