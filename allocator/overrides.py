"""Manager overrides, resolved against the week's requests before the model is built.

An override names a child; it applies to that child's lead request this week (or co-worker
request if the child only needs a co-worker). An override for a child who is not moving or
awaiting allocation this week, or naming an unknown worker, is an input error: nothing is
dropped silently.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from allocator import domain as d
from allocator.errors import InputProblem


@dataclass(frozen=True)
class ResolvedOverride:
    id: str
    row: int
    request_id: str
    child_id: str
    action: str  # pin_worker | pin_date | forbid_worker
    worker: str | None
    on: date | None
    reason: str
    by: str | None

    def describe(self, blocked: dict[str, str] | None = None) -> str:
        """The override in words, naming the hard rule that already rules its worker out."""
        what = {"pin_worker": f"pins child {self.child_id} to worker {self.worker}",
                "pin_date": f"pins child {self.child_id}'s transfer to {self.on}",
                "forbid_worker": f"forbids worker {self.worker} for child {self.child_id}"}
        text = f"manager override {self.id} (row {self.row}) {what[self.action]}"
        if blocked and self.worker in blocked:
            text += f", but hard rule {blocked[self.worker]} rules that worker out"
        return text


def resolve_overrides(rows: tuple[d.Row, ...], request_ids: dict[str, list[str]],
                      workers: set[str], file: str) -> tuple[list[ResolvedOverride],
                                                             list[InputProblem]]:
    """Attach each override to its request; problems for any that cannot apply."""
    out: list[ResolvedOverride] = []
    problems: list[InputProblem] = []
    for i, row in enumerate(rows, start=2):
        assert isinstance(row, d.Override)
        requests = sorted(request_ids.get(row.over_person_id, []))
        if not requests:
            problems.append(InputProblem(file, i, "over_person_id",
                                         "child is not moving or awaiting allocation this week"))
            continue
        if row.over_professional_id is not None and row.over_professional_id not in workers:
            problems.append(InputProblem(file, i, "over_professional_id",
                                         "not a case-holding worker in the input"))
            continue
        lead = [r for r in requests if r.endswith(":lead")]
        out.append(ResolvedOverride(
            id=row.over_override_id, row=i, request_id=(lead or requests)[0],
            child_id=row.over_person_id, action=row.over_action,
            worker=row.over_professional_id, on=row.over_date, reason=row.over_reason,
            by=row.over_by))
    return out, problems
