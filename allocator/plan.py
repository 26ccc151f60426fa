"""A finished plan: one assignment per request, as plain data the checker can read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Assignment:
    """The worker and date chosen for one request, or why none could be."""

    request_id: str
    child_id: str
    role: str
    service: str
    worker: str | None
    team: str | None
    on: date | None
    blocked_by: tuple[str, ...] = ()  # for an unallocated child: what stood in the way
    meeting: date | None = None  # the receiving team's transfer meeting for this child


@dataclass(frozen=True)
class Plan:
    assignments: tuple[Assignment, ...]

    def by_request(self) -> dict[str, Assignment]:
        return {a.request_id: a for a in self.assignments}

    @property
    def unallocated(self) -> list[Assignment]:
        return [a for a in self.assignments if a.worker is None]


@dataclass(frozen=True)
class Violation:
    constraint: str
    ids: tuple[str, ...]
    message: str

    def __str__(self) -> str:
        return f"{self.constraint}: {self.message} ({', '.join(self.ids)})"


@dataclass(frozen=True)
class Penalty:
    """One named cost in the objective: which term, for which ids, how much."""

    term: str
    ids: tuple[str, ...]
    cost: int
    detail: str = ""
