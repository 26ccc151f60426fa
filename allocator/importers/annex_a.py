"""Import an Ofsted Annex A workbook (Lists 6, 7, 8 and 9) into an :class:`Extract`.

Why these lists: they hold the children a council's teams currently work with, with the
allocated team and worker by name: List 6 children in need (CIN start and closure, primary
need), List 7 child protection plans (start, end, latest review conference), List 8
looked-after children (period of care, legal status and its start, latest review,
placement type, UASC), List 9 care leavers. Lists 1-5 are contacts, referrals,
assessments and enquiries already finished or not yet cases; Lists 10-11 are adoption
work. Annex A has no sibling (family) keys, no worker ids and nothing about a worker beyond
a name: the report says so and how to supply them.

Only the columns below are read (data minimisation): gender, ethnicity, postcodes, visit
dates and the rest are never read. Column headers are matched as liia-tools' Annex A
specification matches them (``annex-a-merge.yml``): case and spacing ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from allocator.importers.cells import (
    CellError,
    name_key,
    parse_date,
    parse_id,
    parse_optional_date,
    parse_yes_no,
)
from allocator.importers.extract import Allocation, Extract, Origin, Staged
from allocator.importers.mappings import Mappings
from allocator.importers.report import ImportFailed, ImportReport, Issue
from allocator.importers.sources import SourceTable, read_workbook


@dataclass(frozen=True)
class Column:
    """A column read from a list: its name in the Annex A specification, the pattern its
    header must match (case and spacing ignored), and whether the list needs it."""

    name: str
    pattern: str
    required: bool = False


COMMON = {
    "child_id": Column("Child Unique ID", r"child.*\bid\b", True),
    "dob": Column("Date of Birth", r"date.*birth", True),
    "disability": Column("Does the Child have a Disability", r"does the child have a disability"),
    "team": Column("Allocated Team", r"allocated team", True),
    "worker": Column("Allocated Worker", r"allocated worker", True),
}
LISTS: dict[int, dict[str, Column]] = {
    6: {"cin_start": Column("CIN Start Date", r"cin start date", True),
        "cin_close": Column("CIN Closure Date", r"cin closure date"),
        "need": Column("Primary Need Code", r"primary need code")},
    7: {"cp_start": Column("Child Protection Plan Start Date",
                           r"child protection plan start date", True),
        "cp_end": Column("Child Protection Plan End Date", r"child protection plan end date"),
        "review": Column("Date of latest review conference", r"date of latest review conference")},
    8: {"uasc": Column("Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months (Y/N)",
                       r".*unaccompanied asylum seeking child.*"),
        "cla_start": Column("Date Started to be Looked After",
                            r"date started to be looked after", True),
        "legal_start": Column("Start date of current legal status",
                              r"start date of current legal status", True),
        "legal": Column("Child's Legal Status", r".*child.*legal status.*", True),
        "review": Column("Date of Latest Statutory Review", r"date of latest statutory review"),
        "ceased": Column("Date Ceased to be Looked After", r"date ceased to be looked after"),
        "placement": Column("Placement Type", r"placement type")},
    9: {},
}
PRECEDENCE = {8: 3, 7: 2, 6: 1, 9: 0}  # a child on several lists keeps the most statutory lead
DISABILITY_CODE = "UNSPEC"  # Annex A says whether, not how, a child is disabled


@dataclass
class _Row:
    """One list row being read: its cells by key, and where it is."""

    table: SourceTable
    number: int
    cells: dict[str, str]
    headers: dict[str, str]

    @property
    def origin(self) -> Origin:
        return Origin(self.table.file, self.table.sheet, self.number)

    def text(self, key: str) -> str:
        return self.cells.get(key, "")

    def day(self, key: str) -> date:
        return parse_date(self.text(key), self.headers.get(key, key)) if self.text(key) else \
            _blank(self.headers.get(key, key))

    def optional_day(self, key: str) -> date | None:
        return parse_optional_date(self.text(key), self.headers.get(key, key))


def _blank(column: str) -> date:
    raise CellError("MISSING_VALUE", f"{column} is blank; this list needs it", column)


def read_annex_a(path: Path, mappings: Mappings, report: ImportReport) -> Extract:
    """Lists 6-9 of an Annex A workbook as an extract; rows that cannot be read are
    rejected in ``report``; a workbook with none of the lists stops the import."""
    if path.suffix.lower() != ".xlsx":
        raise ImportFailed([Issue(path.name, None, None, None, "NOT_XLSX",
                                  "an Annex A return must be an .xlsx workbook")])
    sheets = read_workbook(path, report, lambda title: any(
        _list_name(n).match(title) for n in LISTS))
    extract = Extract(format="annex-a")
    found = {n: _find_sheet(sheets, n) for n in LISTS}
    if not any(found.values()):
        raise ImportFailed([Issue(path.name, None, None, None, "NOT_ANNEX_A",
                                  "has no sheet named List 6, 7, 8 or 9: is it an Annex A "
                                  "return?")])
    problems: list[Issue] = []
    for number, table in found.items():
        if table is None:
            report.add_missing(f"Annex A List {number}", "the workbook has no such sheet, so "
                               "none of its children were imported.",
                               f"add the 'List {number}' sheet to the workbook")
            continue
        headers = _headers(table, number, problems, report)
        if headers is not None:
            table.report_errors(report, set(headers.values()))
            _read_list(number, table, headers, extract, mappings, report)
    if problems:
        raise ImportFailed(problems)
    _report_gaps(report)
    return extract


def _list_name(number: int) -> re.Pattern[str]:
    return re.compile(rf"^\s*list\s*{number}\b", re.IGNORECASE)


def _find_sheet(sheets: dict[str, SourceTable], number: int) -> SourceTable | None:
    return next((t for name, t in sheets.items() if _list_name(number).match(name)), None)


def _headers(table: SourceTable, number: int, problems: list[Issue],
             report: ImportReport) -> dict[str, str] | None:
    """key -> the sheet's header for it; None (with a warning) for an empty sheet."""
    report.table(table.file, table.sheet)
    if not table.header:
        report.warn(table.where(None, None, "EMPTY_SHEET", "the sheet is empty (no header "
                                "row): no children were read from it"))
        return None
    out: dict[str, str] = {}
    columns = COMMON | LISTS[number]
    for key, column in columns.items():
        regex = re.compile(rf"^(?:{column.pattern})$", re.IGNORECASE)
        match = next((h for h in table.header if regex.match(name_key(h))), None)
        if match is not None:
            out[key] = match
        elif column.required:
            problems.append(table.where(table.header_row, column.name, "MISSING_COLUMN",
                                        f"List {number} needs this column; check the header "
                                        "row"))
    return out if all(k in out for k, c in columns.items() if c.required) else None


def _read_list(number: int, table: SourceTable, headers: dict[str, str], extract: Extract,
               mappings: Mappings, report: ImportReport) -> None:
    counter = report.table(table.file, table.sheet)
    reader = {6: _list6, 7: _list7, 8: _list8, 9: _list9}[number]
    for row_no, cells in table.rows:
        counter.read += 1
        row = _Row(table, row_no, {k: cells.get(h, "") for k, h in headers.items()}, headers)
        try:
            child = _child(row, extract)
            staged, allocation = reader(row, child, extract, mappings, report)
        except CellError as exc:
            report.reject(table.where(row_no, exc.column, exc.code, str(exc)))
            continue
        extract.staged.extend(staged)
        if row.text("disability") and parse_yes_no(row.text("disability"), "disability"):
            extract.staged.append(Staged("ssd_disability", {"disa_person_id": child,
                                         "disa_disability_code": DISABILITY_CODE},
                                         row.origin, child))
        if allocation is not None:
            extract.allocations.append(allocation)
        else:
            report.warn(table.where(row_no, headers.get("team"), "NO_TEAM",
                                    "no allocated team or worker: the child is imported as "
                                    "waiting for allocation at the front door"))


def _child(row: _Row, extract: Extract) -> str:
    child = parse_id(row.text("child_id"), row.headers["child_id"])
    dob = row.optional_day("dob")
    if dob is None:
        raise CellError("MISSING_VALUE", "Date of Birth is blank; the product needs each "
                        "child's date of birth", row.headers["dob"])
    parse_yes_no(row.text("disability"), row.headers.get("disability", "disability"))
    known = extract.people.get(child)
    if known is not None and known[0] != dob:
        raise CellError("CONFLICT", f"date of birth differs from {known[1].sheet} row "
                        f"{known[1].row} for the same child", row.headers["dob"])
    if known is None:
        extract.people[child] = (dob, row.origin)
    return child


def _allocation(row: _Row, child: str, number: int, start: date | None,
                end: date | None) -> Allocation | None:
    team, worker = row.text("team") or None, row.text("worker") or None
    if team is None and worker is None:
        return None
    return Allocation(child, row.origin, team, worker_name=worker, start=start, end=end,
                      precedence=PRECEDENCE[number])


Result = tuple[list[Staged], Allocation | None]


def _list6(row: _Row, child: str, extract: Extract, mappings: Mappings,
           report: ImportReport) -> Result:
    start, close = row.day("cin_start"), row.optional_day("cin_close")
    _order(row, "cin_start", start, "cin_close", close)
    need = ""
    if row.text("need"):
        need = mappings.code("primary_need", row.text("need")) or ""
        if not need:
            _unmapped(report, "primary_need", row, "need", mappings)
    extract.saw(start, close)
    cells = {"cine_person_id": child, "cine_referral_date": start.isoformat(),
             "cine_cin_primary_need_code": need,
             "cine_close_date": close.isoformat() if close else "",
             "cine_referral_team": row.text("team")}
    staged = [Staged("ssd_cin_episodes", cells, row.origin, child, "cine_referral_team")]
    return staged, _allocation(row, child, 6, start, close)


def _list7(row: _Row, child: str, extract: Extract, mappings: Mappings,
           report: ImportReport) -> Result:
    start, end = row.day("cp_start"), row.optional_day("cp_end")
    _order(row, "cp_start", start, "cp_end", end)
    review = row.optional_day("review")
    extract.saw(start, end, review)
    staged = [Staged("ssd_cp_plans", {"cppl_person_id": child,
                                      "cppl_cp_plan_start_date": start.isoformat(),
                                      "cppl_cp_plan_end_date": end.isoformat() if end else ""},
                     row.origin, child)]
    if review is not None:
        staged.append(Staged("csl_key_dates", {"kdat_person_id": child, "kdat_event_type": "rcpc",
                                               "kdat_event_date": review.isoformat(),
                                               "kdat_status": "held"}, row.origin, child))
    return staged, _allocation(row, child, 7, start, end)


def _list8(row: _Row, child: str, extract: Extract, mappings: Mappings,
           report: ImportReport) -> Result:
    start, ceased = row.day("cla_start"), row.optional_day("ceased")
    _order(row, "cla_start", start, "ceased", ceased)
    legal_start, review = row.day("legal_start"), row.optional_day("review")
    extract.saw(start, ceased, legal_start, review)
    period = extract.new_id("cla")
    staged = [Staged("ssd_cla_episodes", {
        "clae_person_id": child, "clae_cla_episode_start_date": start.isoformat(),
        "clae_cla_episode_ceased_date": ceased.isoformat() if ceased else "",
        "clae_cla_id": period}, row.origin, child)]
    legal = mappings.code("legal_status", row.text("legal")) if row.text("legal") else None
    if legal is None:
        _unmapped(report, "legal_status", row, "legal", mappings)
    else:
        staged.append(Staged("ssd_legal_status", {
            "lega_person_id": child, "lega_legal_status": legal,
            "lega_legal_status_start_date": legal_start.isoformat(),
            "lega_legal_status_end_date": ceased.isoformat() if ceased else ""},
            row.origin, child))
    if review is not None:
        staged.append(Staged("ssd_cla_reviews", {"clar_cla_id": period,
                                                 "clar_cla_review_date": review.isoformat()},
                             row.origin, child))
    if parse_yes_no(row.text("uasc"), row.headers.get("uasc", "UASC")):
        staged.append(Staged("ssd_immigration_status", {"immi_person_id": child,
                                                        "immi_immigration_status": "UASC"},
                             row.origin, child))
    flag = mappings.code("placement_flags", row.text("placement")) if row.text("placement") else None
    if flag:
        staged.append(Staged("csl_child_flags", {"cfla_person_id": child, "cfla_flag": flag},
                             row.origin, child))
    return staged, _allocation(row, child, 8, start, ceased)


def _list9(row: _Row, child: str, extract: Extract, mappings: Mappings,
           report: ImportReport) -> Result:
    allocation = _allocation(row, child, 9, None, None)
    if allocation is None or allocation.worker_name is None:
        report.warn(row.table.where(row.number, row.headers["worker"], "NOT_OPEN",
                                    "care leaver with no allocated worker: Annex A gives no "
                                    "other open episode, so the product will not see an "
                                    "open case"))
    return [], allocation


def _order(row: _Row, start_key: str, start: date, end_key: str, end: date | None) -> None:
    if end is not None and end < start:
        raise CellError("DATE_ORDER", f"{row.headers[end_key]} is before "
                        f"{row.headers[start_key]}", row.headers[end_key])


def _unmapped(report: ImportReport, section: str, row: _Row, key: str, mappings: Mappings) -> None:
    report.warn(row.table.where(row.number, row.headers.get(key), "UNMAPPED_CODE",
                                f"code not in the [{section}] mapping; imported without it"))
    report.unmapped_code(section, row.text(key), mappings.codes_file)


def _report_gaps(report: ImportReport) -> None:
    report.add_missing(
        "sibling groups (ssd_family)", "Annex A has no family or sibling key, so the plan "
        "cannot keep siblings with one worker.",
        "add an ssd_family.csv (fami_table_id, fami_family_id, fami_person_id) to the output "
        "folder, or import an SSD extract, which holds ssd_family")
    report.add_missing(
        "worker ids and worker details", "Annex A names each allocated worker in free text "
        "and holds nothing else about them (ASYE status, FTE, capacity, working days, leave).",
        "pass a staff list with --staff FILE (columns worker_id, name, team, role, "
        "experience, fte, capacity, working_days, leave); workers are matched to Annex A by "
        "name within their team. --generate-staff builds a labelled synthetic list instead")
    report.add_missing(
        "future key dates (csl_key_dates)", "Annex A holds dates of past events only; "
        "transfer points such as the next conference or hearing are not in it.",
        "add csl_key_dates.csv rows to the output folder")
