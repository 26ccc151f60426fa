"""Import SSDA903 (children looked after return) CSVs into an :class:`Extract`.

Files, found in the source folder by name (case ignored): ``header.csv`` (CHILD, DOB),
``episodes.csv`` (CHILD, DECOM, RNE, LS, CIN, PLACE, DEC, REC), and optionally
``reviews.csv`` (CHILD, REVIEW), ``uasc.csv`` (CHILD, DUC) and ``sw_episodes.csv``
(CHILD, SW_ID, SW_DECOM, SW_DEC). Only these columns are read (no UPN, postcodes or
placement providers). Dates are ``dd/mm/yyyy``.

What the return lacks: teams and worker names (sw_episodes carries worker ids only), sibling
keys, and any referral record. Each period of care (consecutive episodes joined by reason
for ending ``X1``) becomes a looked-after period and, so that the child is placed in a team,
a referral in ``--default-team``; the report says so and how to supply real teams.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from allocator.importers.cells import CellError, parse_date, parse_id, parse_optional_date
from allocator.importers.extract import Allocation, Extract, Origin, Staged
from allocator.importers.mappings import Mappings
from allocator.importers.report import ImportFailed, ImportReport, Issue
from allocator.importers.sources import SourceTable, read_csv

FILES: dict[str, tuple[tuple[str, ...], bool]] = {  # name -> (columns read, required file)
    "header": (("CHILD", "DOB"), True),
    "episodes": (("CHILD", "DECOM", "LS", "PLACE", "DEC", "REC"), True),
    "reviews": (("CHILD", "REVIEW"), False),
    "uasc": (("CHILD", "DUC"), False),
    "sw_episodes": (("CHILD", "SW_ID", "SW_DECOM", "SW_DEC"), False),
}
OPTIONAL_COLUMNS = {"episodes": ("CIN",)}
CONTINUES = "X1"  # reason episode ceased: the child stays looked after
DEFAULT_TEAM = "Children Looked After (SSDA903 import)"


@dataclass
class _Episode:
    child: str
    start: date
    end: date | None
    reason: str
    legal: str
    place: str
    need: str
    origin: Origin


def read_ssda903(folder: Path, mappings: Mappings, report: ImportReport,
                 default_team: str = DEFAULT_TEAM) -> Extract:
    """The return's files as an extract; unreadable rows are rejected in ``report``."""
    tables = _tables(folder, report)
    extract = Extract(format="ssda903", default_team=default_team)
    _header(tables["header"], extract, report)
    periods = _episodes(tables["episodes"], extract, mappings, report)
    if "reviews" in tables:
        _reviews(tables["reviews"], periods, extract, report)
    if "uasc" in tables:
        _uasc(tables["uasc"], extract, report)
    if "sw_episodes" in tables:
        _sw_episodes(tables["sw_episodes"], extract, report)
    _report_gaps(report, default_team, "sw_episodes" in tables)
    return extract


def _tables(folder: Path, report: ImportReport) -> dict[str, SourceTable]:
    if not folder.is_dir():
        raise ImportFailed([Issue(folder.name, None, None, None, "NOT_FOLDER",
                                  "SSDA903 import needs the folder holding header.csv, "
                                  "episodes.csv and the other files")])
    by_name = {p.name.casefold(): p for p in folder.iterdir() if p.is_file()}
    out: dict[str, SourceTable] = {}
    problems: list[Issue] = []
    for name, (columns, required) in FILES.items():
        path = by_name.get(f"{name}.csv")
        if path is None:
            if required:
                problems.append(Issue(f"{name}.csv", None, None, None, "FILE_MISSING",
                                      "required SSDA903 file not found in the folder"))
            continue
        table = read_csv(path, report)
        missing = [c for c in columns if c not in table.header]
        if missing:
            problems += [table.where(1, c, "MISSING_COLUMN", f"not an SSDA903 {name} file: "
                                     "this column is missing") for c in missing]
            continue
        report.table(table.file)
        out[name] = table
    if problems:
        raise ImportFailed(problems)
    return out


def _rows(table: SourceTable, report: ImportReport):  # type: ignore[no-untyped-def]
    counter = report.table(table.file)
    for number, cells in table.rows:
        counter.read += 1
        yield Origin(table.file, None, number), cells


def _reject(report: ImportReport, origin: Origin, exc: CellError) -> None:
    report.reject(Issue(origin.file, None, origin.row, exc.column, exc.code, str(exc)))


def _known_child(cells: dict[str, str], extract: Extract) -> str:
    child = parse_id(cells["CHILD"], "CHILD")
    if child not in extract.people:
        raise CellError("UNKNOWN_CHILD", "CHILD is not in header.csv", "CHILD")
    return child


def _header(table: SourceTable, extract: Extract, report: ImportReport) -> None:
    for origin, cells in _rows(table, report):
        try:
            child = parse_id(cells["CHILD"], "CHILD")
            dob = parse_date(cells["DOB"], "DOB") if cells["DOB"] else _blank("DOB")
            if child in extract.people:
                raise CellError("DUPLICATE_ID", f"CHILD already on row "
                                f"{extract.people[child][1].row}", "CHILD")
        except CellError as exc:
            _reject(report, origin, exc)
            continue
        extract.people[child] = (dob, origin)


def _blank(column: str) -> date:
    raise CellError("MISSING_VALUE", f"{column} is blank", column)


def _episodes(table: SourceTable, extract: Extract, mappings: Mappings,
              report: ImportReport) -> dict[str, list[tuple[str, date, date | None]]]:
    """Periods of care per child: (period id, start, end)."""
    by_child: dict[str, list[_Episode]] = defaultdict(list)
    for origin, cells in _rows(table, report):
        try:
            episode = _episode(cells, origin, extract)
        except CellError as exc:
            _reject(report, origin, exc)
            continue
        by_child[episode.child].append(episode)
    periods: dict[str, list[tuple[str, date, date | None]]] = {}
    for child, episodes in by_child.items():
        chain = _consistent(sorted(episodes, key=lambda e: (e.start, e.origin.row)), report)
        periods[child] = [_period(child, p, extract, mappings, report) for p in _split(chain)]
    return periods


def _episode(cells: dict[str, str], origin: Origin, extract: Extract) -> _Episode:
    child = _known_child(cells, extract)
    start = parse_date(cells["DECOM"], "DECOM") if cells["DECOM"] else _blank("DECOM")
    end = parse_optional_date(cells["DEC"], "DEC")
    if end is not None and end < start:
        raise CellError("DATE_ORDER", "DEC is before DECOM", "DEC")
    if end is not None and not cells["REC"]:
        raise CellError("MISSING_VALUE", "REC is blank but the episode has ended (DEC)", "REC")
    extract.saw(start, end)
    return _Episode(child, start, end, cells["REC"].upper(), cells["LS"], cells["PLACE"],
                    cells.get("CIN", ""), origin)


def _consistent(episodes: list[_Episode], report: ImportReport) -> list[_Episode]:
    """Episodes in order with no overlap; an overlapping or duplicate one is rejected."""
    kept: list[_Episode] = []
    for e in episodes:
        last = kept[-1] if kept else None
        if last is not None and (last.end is None or e.start < last.end):
            code = "DUPLICATE_ROW" if e.start == last.start else "OVERLAP"
            report.reject(Issue(e.origin.file, None, e.origin.row, "DECOM", code,
                                f"episode starts before the episode on row {last.origin.row} "
                                "ends (or that one has no end date)"))
            continue
        kept.append(e)
    return kept


def _split(chain: list[_Episode]) -> list[list[_Episode]]:
    periods: list[list[_Episode]] = []
    for e in chain:
        joined = periods and periods[-1][-1].reason == CONTINUES and periods[-1][-1].end == e.start
        if joined:
            periods[-1].append(e)
        else:
            periods.append([e])
    return periods


def _period(child: str, episodes: list[_Episode], extract: Extract, mappings: Mappings,
            report: ImportReport) -> tuple[str, date, date | None]:
    first, last = episodes[0], episodes[-1]
    period = extract.new_id("cla")
    start, end = first.start, last.end
    iso = lambda x: x.isoformat() if x else ""
    extract.staged.append(Staged("ssd_cla_episodes", {
        "clae_person_id": child, "clae_cla_episode_start_date": iso(start),
        "clae_cla_episode_ceased_date": iso(end), "clae_cla_id": period}, first.origin, child))
    need = mappings.code("primary_need", first.need) if first.need else None
    extract.staged.append(Staged("ssd_cin_episodes", {
        "cine_person_id": child, "cine_referral_date": iso(start), "cine_close_date": iso(end),
        "cine_cin_primary_need_code": need or "", "cine_referral_team": extract.default_team or ""},
        first.origin, child, "cine_referral_team"))
    for e in episodes:
        _legal_and_flags(e, extract, mappings, report)
    return period, start, end


def _legal_and_flags(e: _Episode, extract: Extract, mappings: Mappings,
                     report: ImportReport) -> None:
    iso = lambda x: x.isoformat() if x else ""
    legal = mappings.code("legal_status", e.legal) if e.legal else None
    if legal is None:
        report.warn(Issue(e.origin.file, None, e.origin.row, "LS", "UNMAPPED_CODE",
                          "legal status code not in the [legal_status] mapping; imported "
                          "without it"))
        report.unmapped_code("legal_status", e.legal or "(blank)", mappings.codes_file)
    else:
        extract.staged.append(Staged("ssd_legal_status", {
            "lega_person_id": e.child, "lega_legal_status": legal,
            "lega_legal_status_start_date": iso(e.start),
            "lega_legal_status_end_date": iso(e.end)}, e.origin, e.child))
    flag = mappings.code("placement_flags", e.place) if e.place else None
    if flag:
        extract.staged.append(Staged("csl_child_flags", {
            "cfla_person_id": e.child, "cfla_flag": flag, "cfla_start_date": iso(e.start),
            "cfla_end_date": iso(e.end)}, e.origin, e.child))


def _reviews(table: SourceTable, periods: dict[str, list[tuple[str, date, date | None]]],
             extract: Extract, report: ImportReport) -> None:
    seen: dict[tuple[str, date], int] = {}
    for origin, cells in _rows(table, report):
        try:
            child = _known_child(cells, extract)
            when = parse_date(cells["REVIEW"], "REVIEW") if cells["REVIEW"] else _blank("REVIEW")
            if (child, when) in seen:
                raise CellError("DUPLICATE_ROW", "the same review is already on row "
                                f"{seen[(child, when)]}", "REVIEW")
            if not periods.get(child):
                raise CellError("NO_PERIOD", "the child has no accepted episode in "
                                "episodes.csv, so the review belongs to no period of care",
                                "REVIEW")
            period = next((p for p, start, end in periods[child]
                           if start <= when and (end is None or when <= end)), None)
            if period is None:
                raise CellError("OUTSIDE_PERIOD", "REVIEW falls in no accepted period of "
                                "care for this child (episodes.csv)", "REVIEW")
        except CellError as exc:
            _reject(report, origin, exc)
            continue
        seen[(child, when)] = origin.row
        extract.staged.append(Staged("ssd_cla_reviews", {"clar_cla_id": period,
                                                         "clar_cla_review_date": when.isoformat()},
                                     origin, child))


def _uasc(table: SourceTable, extract: Extract, report: ImportReport) -> None:
    for origin, cells in _rows(table, report):
        try:
            child = _known_child(cells, extract)
            ceased = parse_optional_date(cells["DUC"], "DUC")
        except CellError as exc:
            _reject(report, origin, exc)
            continue
        extract.staged.append(Staged("ssd_immigration_status", {
            "immi_person_id": child, "immi_immigration_status": "UASC",
            "immi_immigration_status_end_date": ceased.isoformat() if ceased else ""},
            origin, child))


def _sw_episodes(table: SourceTable, extract: Extract, report: ImportReport) -> None:
    for origin, cells in _rows(table, report):
        try:
            child = _known_child(cells, extract)
            worker = parse_id(cells["SW_ID"], "SW_ID")
            start = parse_date(cells["SW_DECOM"], "SW_DECOM") if cells["SW_DECOM"] else \
                _blank("SW_DECOM")
            end = parse_optional_date(cells["SW_DEC"], "SW_DEC")
            if end is not None and end < start:
                raise CellError("DATE_ORDER", "SW_DEC is before SW_DECOM", "SW_DEC")
        except CellError as exc:
            _reject(report, origin, exc)
            continue
        extract.allocations.append(Allocation(child, origin, None, worker_id=worker,
                                              start=start, end=end))


def _report_gaps(report: ImportReport, default_team: str, has_workers: bool) -> None:
    report.add_missing(
        "teams", "SSDA903 records no team, so every period of care was written as a "
        f"looked-after period and a referral held by the team '{default_team}'.",
        "name another team with --default-team, or import an SSD extract or Annex A "
        "(List 8 holds each child's allocated team)")
    report.add_missing(
        "workers", "SSDA903 holds worker ids only in sw_episodes.csv, and nothing about "
        "the workers." + ("" if has_workers else " This return has no sw_episodes.csv."),
        "pass a staff list with --staff FILE (worker_id must match SW_ID); or "
        "--generate-staff for a labelled synthetic list")
    report.add_missing(
        "sibling groups (ssd_family)", "SSDA903 has no sibling key.",
        "add ssd_family.csv to the output folder, or import an SSD extract")
