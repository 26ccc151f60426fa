"""The plan as an Excel workbook, for managers who read plans in a spreadsheet.

Every sheet starts with the DRAFT line and a title in row 1, column headers in row 2 (frozen,
with filters) and data from row 3. Dates are real Excel dates. Text that a spreadsheet would
run as a formula is neutralised exactly as in the CSVs. The file is byte-identical for the
same plan: document properties carry the plan's week, not the clock, and every zip entry
carries the same fixed time.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from allocator.io.writer import safe_cell
from allocator.report.data import ReportData, headline_figures

DATE_FORMAT = "ddd dd mmm yyyy"
HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")
OVER_FILL = PatternFill("solid", fgColor="F8C9C4")
DRAFT_FONT = Font(bold=True, color="9C2A00")
ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can carry


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    width: int
    kind: str = "text"  # text | date | number


ROSTER = (
    Column("child_id", "Child", 11), Column("family_id", "Family", 10),
    Column("outcome", "Outcome", 14), Column("role", "Role", 6),
    Column("from_team", "From team", 9), Column("from_worker", "From worker", 11),
    Column("to_team", "To team", 9), Column("to_worker", "To worker", 13),
    Column("to_worker_name", "To worker name", 18),
    Column("co_worker", "Co-worker", 10), Column("transfer_point", "Transfer point", 36),
    Column("transfer_date", "Transfer date", 16, "date"),
    Column("transfer_meeting", "Transfer meeting", 16, "date"),
    Column("notice_working_days", "Notice (working days)", 10, "number"),
    Column("joint_visit_by", "Joint visit by", 16, "date"),
    Column("introduction_by", "Introduction letter by", 16, "date"),
    Column("flags", "Flags", 16), Column("clause", "Clause", 10),
    Column("reason", "Reason", 60),
)
TEAM = (
    Column("child_id", "Child", 11), Column("family_id", "Family", 10),
    Column("role", "Role", 6), Column("to_worker", "Worker", 13),
    Column("to_worker_name", "Worker name", 18),
    Column("transfer_date", "Transfer date", 16, "date"),
    Column("transfer_meeting", "Transfer meeting", 16, "date"),
    Column("from_team", "From team", 9), Column("from_worker", "From worker", 11),
    Column("transfer_point", "Transfer point", 36), Column("flags", "Flags", 16),
    Column("clause", "Clause", 10),
)
CAPACITY = (
    Column("worker_id", "Worker", 10), Column("worker_name", "Name", 20),
    Column("team", "Team", 8), Column("service", "Service", 11),
    Column("asye", "ASYE", 6), Column("fte", "FTE", 6, "number"),
    Column("capacity", "Capacity (points)", 10, "number"),
    Column("load_before", "Load before", 10, "number"),
    Column("load_after", "Load after", 10, "number"),
    Column("over_capacity", "Over capacity by", 10, "number"),
    Column("new_children", "New children", 9, "number"),
)
EXCEPTIONS = (
    Column("kind", "Exception", 24), Column("child_id", "Child", 11),
    Column("family_id", "Family", 10), Column("team", "Team", 8),
    Column("detail", "Detail", 70), Column("clause", "Clause or id", 12),
    Column("cost", "Cost", 10, "number"),
)
EXPLANATIONS = (
    Column("child_id", "Child", 11), Column("role", "Role", 6),
    Column("worker", "Worker", 13), Column("team", "Team", 8),
    Column("transfer_date", "Transfer date", 16, "date"),
    Column("transfer_meeting", "Transfer meeting", 16, "date"),
    Column("ruled_out", "Ruled out by hard rules", 30),
    Column("eligible_workers", "Workers left", 8, "number"),
    Column("cost_terms", "Cost terms", 30),
    Column("best_alternative", "Best alternative", 13),
    Column("alternative_extra_cost", "Alternative extra cost", 11, "number"),
    Column("explanation", "Explanation", 100),
)


def workbook_bytes(data: ReportData) -> bytes:
    """The whole workbook, byte-identical for the same report data."""
    wb = Workbook()
    _summary_sheet(wb.active, data)
    roster = [_with_names(r, data) for r in data.rows.roster]
    _table(wb.create_sheet("Transfer roster"), "Transfer roster", ROSTER, roster, data)
    for title, team, rows in _team_groups(roster, data):
        name = data.team_names.get(team, "")
        _table(wb.create_sheet(title), f"Allocations to team {team} {name}".strip(), TEAM,
               rows, data)
    cap = wb.create_sheet("Capacity")
    _table(cap, "Weighted caseload per worker, before and after the plan", CAPACITY,
           data.rows.capacity, data)
    _mark_overload(cap, len(data.rows.capacity))
    _table(wb.create_sheet("Exceptions"), "For a manager's attention", EXCEPTIONS,
           data.exceptions, data)
    _table(wb.create_sheet("Explanations"), "Why each child was allocated as they were",
           EXPLANATIONS, data.rows.explanations, data)
    stamp = datetime(data.week.year, data.week.month, data.week.day)
    wb.properties.created = wb.properties.modified = stamp
    wb.properties.creator = wb.properties.lastModifiedBy = "caseload " + data.version
    wb.properties.title = f"Caseload plan, week beginning {data.week.isoformat()}"
    wb.properties.description = data.draft
    return _fixed_zip_times(_save(wb))


def excel_value(value: object) -> object:
    """A cell value: dates and numbers as themselves, text as in the CSVs (formula-like
    text neutralised with a leading apostrophe), minus characters Excel refuses."""
    if value is None or isinstance(value, (date, int, float)) and not isinstance(value, bool):
        return value
    return ILLEGAL_CHARACTERS_RE.sub("", safe_cell(value))


def _summary_sheet(ws: Worksheet, data: ReportData) -> None:
    ws.title = "Summary"
    ws["A1"] = excel_value(data.draft)
    ws["A1"].font = DRAFT_FONT
    ws["A2"] = excel_value(f"{data.council}: caseload plan for the week beginning")
    ws["B2"] = data.week
    ws["B2"].number_format = DATE_FORMAT
    ws["A3"] = excel_value(f"Policy pack: {data.pack_title} ({data.pack_id}); solver seed "
                           f"{data.seed}; caseload {data.version}")
    for i, (label, value) in enumerate(headline_figures(data), start=5):
        ws.cell(i, 1, excel_value(label))
        ws.cell(i, 2, excel_value(value))
    ws.column_dimensions["A"].width = 48
    ws.column_dimensions["B"].width = 28


def _table(ws: Worksheet, title: str, columns: Sequence[Column],
           rows: Iterable[Mapping[str, object]], data: ReportData) -> None:
    """Title row, frozen filtered header row, typed data rows, column widths."""
    ws.cell(1, 1, excel_value(f"{title}, week beginning {data.week.isoformat()}. {data.draft}"))
    ws.cell(1, 1).font = DRAFT_FONT
    for c, col in enumerate(columns, start=1):
        cell = ws.cell(2, c, col.header)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.column_dimensions[get_column_letter(c)].width = col.width
    n = 2
    for n, row in enumerate(rows, start=3):
        for c, col in enumerate(columns, start=1):
            cell = ws.cell(n, c, excel_value(row.get(col.key)))
            if col.kind == "date":
                cell.number_format = DATE_FORMAT
    ws.freeze_panes = "A3"
    ws.auto_filter.ref = f"A2:{get_column_letter(len(columns))}{max(n, 3)}"


def _mark_overload(ws: Worksheet, rows: int) -> None:
    """Red fill on a worker's row when the load after the plan is above capacity."""
    last = get_column_letter(len(CAPACITY))
    load_after = get_column_letter(_index(CAPACITY, "load_after"))
    capacity = get_column_letter(_index(CAPACITY, "capacity"))
    ws.conditional_formatting.add(
        f"A3:{last}{max(3, rows + 2)}",
        FormulaRule(formula=[f"${load_after}3>${capacity}3"], fill=OVER_FILL, stopIfTrue=False))


def _index(columns: Sequence[Column], key: str) -> int:
    return next(i for i, c in enumerate(columns, start=1) if c.key == key)


def _with_names(row: Mapping[str, object], data: ReportData) -> dict[str, object]:
    return {**row, "to_worker_name": data.worker_names.get(str(row.get("to_worker")))}


def _team_groups(roster: list[dict[str, object]],
                 data: ReportData) -> list[tuple[str, str, list[dict[str, object]]]]:
    """One sheet per receiving team, in team order, with a safe and unique sheet title."""
    by_team: dict[str, list[dict[str, object]]] = {}
    for row in roster:
        if row.get("to_team"):
            by_team.setdefault(str(row["to_team"]), []).append(row)
    out: list[tuple[str, str, list[dict[str, object]]]] = []
    used: set[str] = set()
    for team in sorted(by_team):
        title = _sheet_title("Team " + team, used)
        out.append((title, team, by_team[team]))
    return out


def _sheet_title(wanted: str, used: set[str]) -> str:
    """Excel refuses some characters and more than 31 in a sheet name, and names must be
    unique regardless of case."""
    base = re.sub(r"[\[\]:*?/\\']", "_", wanted)[:28]
    title, k = base, 1
    while title.lower() in used:
        k += 1
        title = f"{base[:25]}_{k}"
    used.add(title.lower())
    return title


def _save(wb: Workbook) -> bytes:
    """Save without openpyxl's save_workbook, which stamps the current time as modified.
    The parts are stored uncompressed here: :func:`_fixed_zip_times` compresses them once."""
    buf = io.BytesIO()
    archive = zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED, allowZip64=True)
    ExcelWriter(wb, archive).save()  # writes every part and closes the archive
    return buf.getvalue()


def _fixed_zip_times(content: bytes) -> bytes:
    """The same zip, compressed, with every entry stamped at one fixed time, in the same
    order."""
    src = zipfile.ZipFile(io.BytesIO(content))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            dst.writestr(entry, src.read(info.filename))
    return buf.getvalue()
