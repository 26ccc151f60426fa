"""What an importer reads out of a national format, before teams and workers are resolved.

Why it exists: Annex A, SSDA903 and SSD extracts differ in shape but say the same kinds of
thing (a child, a referral, a plan, a period of care, an allocation to a named team and
worker). Each importer fills an :class:`Extract`; one assembler
(:mod:`allocator.importers.assemble`) turns any extract into the product's tables, so team
mapping, staff matching and the referential checks are written once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from allocator.importers.staff import StaffMember


@dataclass(frozen=True, order=True)
class Origin:
    """The source row a fact came from (header = row 1)."""

    file: str
    sheet: str | None
    row: int


@dataclass(frozen=True)
class Staged:
    """A product-table row in text cells, with the source row it came from.

    The table's key column is left out: the assembler numbers rows, so no id is made
    from a child's id. ``team_column`` names a cell holding a free-text team name for the
    assembler to resolve.
    """

    table: str
    cells: dict[str, str]
    origin: Origin
    person: str | None = None  # the child the row is about, for the referential check
    team_column: str | None = None


@dataclass(frozen=True)
class Allocation:
    """A child's worker as the source states it: by worker id, or by team and worker name."""

    child: str
    origin: Origin
    team_name: str | None
    worker_name: str | None = None
    worker_id: str | None = None
    start: date | None = None
    end: date | None = None
    role: str = "Allocated Case Worker"
    precedence: int = 0  # when a child has two leads, the higher precedence is kept


@dataclass
class Extract:
    """Everything an importer read, in the product's terms but with teams unresolved."""

    format: str
    people: dict[str, tuple[date | None, Origin]] = field(default_factory=dict)
    staged: list[Staged] = field(default_factory=list)
    allocations: list[Allocation] = field(default_factory=list)
    latest_date: date | None = None  # the latest event date seen: the default extract date
    default_team: str | None = None  # where a child with no team is placed, if anywhere
    has_families: bool = False
    expected_dob: dict[str, str] = field(default_factory=dict)  # child -> ISO, when no dob
    professionals: list[StaffMember] = field(default_factory=list)  # workers the source holds
    _counter: int = 0

    def new_id(self, prefix: str) -> str:
        """A fresh id for a row the source has no key for (never built from a child's id)."""
        self._counter += 1
        return f"{prefix}-{self._counter}"

    def saw(self, *days: date | None) -> None:
        """Track the latest non-birth date, for the default extract date."""
        for day in days:
            if day is not None and (self.latest_date is None or day > self.latest_date):
                self.latest_date = day
