"""Read a council's staff list (CSV or .xlsx): the worker facts no national return holds.

Why it exists: Annex A names workers but says nothing of them; SSDA903 has only worker ids;
the product needs each worker's team, ASYE status, FTE, capacity, working days and leave.
A staff list is the one file a council must add. Columns (header names are matched
ignoring case, spaces and underscores): ``worker_id``, ``name``, ``team``, ``role``,
``experience`` (``ASYE`` or ``experienced``), ``fte``, ``capacity`` (points; default from
FTE), ``working_days`` (``Mon,Tue,...``; default Mon-Fri), ``leave``
(``dd/mm/yyyy-dd/mm/yyyy``, several separated by ``;``), ``agency`` (Y/N),
``start_date``, ``leaving_date``, ``max_new_per_week``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from allocator.calendar import parse_weekdays
from allocator.importers.cells import (
    CellError,
    parse_id,
    parse_number,
    parse_optional_date,
    parse_yes_no,
)
from allocator.importers.extract import Origin
from allocator.importers.report import ImportFailed, ImportReport
from allocator.importers.sources import SourceTable, read_csv, read_workbook

FULL_TIME_POINTS = 190  # as the demo council: 16 ordinary cases ~ 90% of a full-time worker
ASYE_SHARE = 0.8  # an ASYE's protected caseload
COLUMNS = ("worker_id", "name", "team", "role", "experience", "fte", "capacity",
           "working_days", "leave", "agency", "start_date", "leaving_date", "max_new_per_week")
REQUIRED = ("worker_id", "team", "experience", "fte")
_ALIASES = {"asye": "experience", "asye_or_experienced": "experience", "job_title": "role",
            "worker": "worker_id", "id": "worker_id", "staff_id": "worker_id",
            "capacity_points": "capacity", "days": "working_days", "team_name": "team"}


@dataclass(frozen=True)
class StaffMember:
    """One worker, parsed."""

    worker_id: str
    name: str
    team: str
    role: str
    asye: bool
    fte: float
    capacity: int
    working_days: str
    leave: tuple[tuple[date, date], ...]
    agency: bool
    start_date: date | None
    leaving_date: date | None
    origin: Origin
    synthetic: bool = False
    max_new_per_week: int | None = None  # None: the product's default


def read_staff(path: Path, report: ImportReport) -> list[StaffMember]:
    """Every acceptable worker of a staff list; rejected rows are in ``report``."""
    table = _staff_table(path, report)
    table.header = [_canonical(h) for h in table.header]
    table.rows = [(n, {_canonical(k): v for k, v in cells.items()}) for n, cells in table.rows]
    missing = [c for c in REQUIRED if c not in table.header]
    if missing:
        raise ImportFailed([table.where(table.header_row, c, "MISSING_COLUMN",
                                        "required column missing; a staff list needs "
                                        + ", ".join(REQUIRED)) for c in missing])
    for column in table.header:
        if column and column not in COLUMNS:
            report.note(f"{table.file}: column '{column}' not read (not a staff-list column)")
    counter = report.table(table.file, table.sheet)
    staff: list[StaffMember] = []
    seen: dict[str, int] = {}
    for number, cells in table.rows:
        counter.read += 1
        origin = Origin(table.file, table.sheet, number)
        try:
            member = _member(cells, origin)
        except CellError as exc:
            report.reject(table.where(number, exc.column, exc.code, str(exc)))
            continue
        if member.worker_id in seen:
            report.reject(table.where(number, "worker_id", "DUPLICATE_ID",
                                      f"worker id already used on row {seen[member.worker_id]}"))
            continue
        seen[member.worker_id] = number
        staff.append(member)
    return staff


def _staff_table(path: Path, report: ImportReport) -> SourceTable:
    if path.suffix.lower() == ".xlsx":
        sheets = read_workbook(path, report)
        chosen = next((t for name, t in sheets.items() if name.casefold() == "staff"),
                      next(iter(sheets.values()), None))
        if chosen is None or not chosen.header:
            raise ImportFailed([SourceTable(path.name, None, []).where(
                None, None, "EMPTY", "the workbook has no sheet with a header row")])
        chosen.report_errors(report)
        return chosen
    return read_csv(path, report)


def _canonical(name: str) -> str:
    key = re.sub(r"[^a-z0-9]+", "_", name.casefold()).strip("_")
    return _ALIASES.get(key, key)


def _member(cells: dict[str, str], origin: Origin) -> StaffMember:
    get = lambda c: cells.get(c, "")
    asye = _experience(get("experience"))
    fte = parse_number(get("fte"), "fte", 0.01, 1.0)
    capacity = (round(parse_number(get("capacity"), "capacity", 0, 10_000)) if get("capacity")
                else round(FULL_TIME_POINTS * fte * (ASYE_SHARE if asye else 1.0)))
    team = get("team")
    if not team:
        raise CellError("MISSING_VALUE", "team is blank")
    return StaffMember(
        worker_id=parse_id(get("worker_id"), "worker_id"), name=get("name"), team=team,
        role=get("role")[:200], asye=asye, fte=fte, capacity=capacity,
        working_days=_working_days(get("working_days")), leave=_leave(get("leave")),
        agency=bool(parse_yes_no(get("agency"), "agency")),
        start_date=parse_optional_date(get("start_date"), "start_date"),
        leaving_date=parse_optional_date(get("leaving_date"), "leaving_date"), origin=origin,
        max_new_per_week=(round(parse_number(get("max_new_per_week"), "max_new_per_week", 0, 100))
                          if get("max_new_per_week") else None))


def _experience(text: str) -> bool:
    key = text.strip().casefold()
    if key in ("asye", "y", "yes", "nqsw"):
        return True
    if key in ("experienced", "n", "no", "qualified"):
        return False
    raise CellError("BAD_CODE", "experience must be ASYE or experienced")


def _working_days(text: str) -> str:
    if not text:
        return "Mon,Tue,Wed,Thu,Fri"
    try:
        days = parse_weekdays(text)
    except (ValueError, KeyError):
        days = frozenset()
    if not days or any(d > 4 for d in days):
        raise CellError("BAD_DAYS", "working_days must name weekdays Mon to Fri, such as "
                        "Mon,Tue,Thu")
    return ",".join(("Mon", "Tue", "Wed", "Thu", "Fri")[d] for d in sorted(days))


def _leave(text: str) -> tuple[tuple[date, date], ...]:
    periods = []
    for part in filter(None, (p.strip() for p in text.split(";"))):
        bits = [b.strip() for b in re.split(r"\s+-\s+|(?<=\d)-(?=\d{1,2}/)|\bto\b", part)]
        if len(bits) != 2:
            raise CellError("BAD_DATE", "leave must be periods written dd/mm/yyyy-dd/mm/yyyy, "
                            "separated by ;")
        start = parse_optional_date(bits[0], "leave")
        end = parse_optional_date(bits[1], "leave")
        if start is None or end is None or end < start:
            raise CellError("BAD_DATE", "leave period must have a start and an end, in order")
        periods.append((start, end))
    return tuple(periods)
