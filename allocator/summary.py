"""The plan's headline figures, computed from the plan itself for people to read."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import asdict, dataclass

from allocator.pipeline import PlanRun
from constraints.capacity import loads_after


@dataclass(frozen=True)
class Summary:
    week: str
    pack: str
    open_children: int
    decisions: dict[str, int]  # outcome -> children
    moving: int  # children with a transfer, allocation or co-working due in this plan
    allocated: int
    unallocated: int
    unallocated_statutory: int
    manager_decisions: int
    sibling_groups_split: int
    workers_over_capacity: int
    statutory_led_by_asye: int
    hard_violations: int
    objective: int
    bound: int
    solver_status: str
    kept: int = 0  # children planned but kept with their current lead (a re-allocation)

    def as_dict(self) -> dict[str, object]:
        return asdict(self)

    def lines(self) -> list[str]:
        return [
            f"Week beginning {self.week}, policy pack '{self.pack}'",
            f"  open children ............................ {self.open_children}",
            f"  children moving or allocated this plan ... {self.moving}",
            f"  allocated ................................ {self.allocated}",
            *([f"  kept with their current worker ........... {self.kept}"] if self.kept else []),
            f"  unallocated (statutory) .................. {self.unallocated} "
            f"({self.unallocated_statutory})",
            f"  manager decisions needed ................. {self.manager_decisions}",
            f"  sibling groups split ..................... {self.sibling_groups_split}",
            f"  workers over capacity .................... {self.workers_over_capacity}",
            f"  CP/looked-after children led by an ASYE .. {self.statutory_led_by_asye}",
            f"  hard violations (independent check) ...... {self.hard_violations}",
            f"  objective / bound ........................ {self.objective} / {self.bound} "
            f"({self.solver_status})",
        ]


def summarise(run: PlanRun) -> Summary:
    plan, problem = run.result.plan, run.problem
    requests = {r.id: r for r in problem.requests}
    lead_after = dict(problem.current_lead)
    for a in plan.assignments:
        if a.role == "lead" and a.worker:
            lead_after[a.child_id] = a.worker
    family_workers: dict[tuple[str, str], set[str]] = defaultdict(set)
    for a in plan.assignments:
        r = requests[a.request_id]
        if r.role == "lead" and a.worker:
            family_workers[r.family_id, r.service].add(a.worker)
    loads = loads_after(plan, problem)
    return Summary(
        week=run.week.isoformat(), pack=run.pack.pack.id, open_children=len(run.states),
        decisions=dict(sorted(Counter(d.outcome for d in run.decisions).items())),
        moving=len({a.child_id for a in plan.assignments}),
        allocated=sum(1 for a in plan.assignments if a.worker),
        unallocated=len(plan.unallocated),
        unallocated_statutory=len(run.statutory_unallocated),
        manager_decisions=sum(1 for d in run.decisions if d.outcome == "manager_decision"),
        sibling_groups_split=sum(1 for ws in family_workers.values() if len(ws) > 1),
        workers_over_capacity=sum(1 for w, load in loads.items()
                                  if load > problem.workers[w].capacity),
        statutory_led_by_asye=sum(1 for c, w in lead_after.items()
                                  if c in problem.statutory_children and w in problem.asye_ids),
        hard_violations=len(run.check.violations), objective=run.check.objective,
        bound=run.result.bound, solver_status=run.result.status,
        kept=sum(1 for a in plan.assignments if a.worker and requests[a.request_id].restructure
                 and requests[a.request_id].keeps(a.worker)),
    )
