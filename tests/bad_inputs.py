"""A corpus of malformed council inputs, generated into a folder (no binary blobs committed).

Each case starts from a small valid generated council (a folder of CSV tables, or the same
as one .xlsx workbook) and breaks it one way: truncated files, wrong encodings, huge cells,
formula payloads, XML bombs and external entities in a workbook, wrong types, a child in
two families, impossible dates, broken references. Each carries the place the error must
name (file, and row and field where there is one), so a test can check that the message
points a person at the problem without quoting the data.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import openpyxl

from allocator.demo import write_demo

EXTRACT = date(2026, 11, 20)


@dataclass(frozen=True)
class BadInput:
    name: str
    path: Path  # a folder or an .xlsx file
    where: str  # text the error must contain: the file, row and field it names


# --- helpers that break one table --------------------------------------------------------

def _rows(folder: Path, table: str) -> list[list[str]]:
    with open(folder / f"{table}.csv", newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


def _write(folder: Path, table: str, rows: list[list[str]]) -> None:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    (folder / f"{table}.csv").write_text(buf.getvalue(), encoding="utf-8")


def set_cell(table: str, column: str, value: str, row: int = 2) -> Callable[[Path], str]:
    """Put ``value`` in ``column`` of spreadsheet row ``row`` (header = 1)."""
    def edit(folder: Path) -> str:
        rows = _rows(folder, table)
        rows[row - 1][rows[0].index(column)] = value
        _write(folder, table, rows)
        return f"{table}.csv, row {row}, field {column}"
    return edit


def _raw(table: str, data: bytes, where: str | None = None) -> Callable[[Path], str]:
    def edit(folder: Path) -> str:
        (folder / f"{table}.csv").write_bytes(data)
        return where or f"{table}.csv"
    return edit


def _bytes_of(table: str, change: Callable[[bytes], bytes],
              where: str | None = None) -> Callable[[Path], str]:
    def edit(folder: Path) -> str:
        path = folder / f"{table}.csv"
        path.write_bytes(change(path.read_bytes()))
        return where or f"{table}.csv"
    return edit


def _where(edit: Callable[[Path], str], where: str) -> Callable[[Path], str]:
    """``edit``, with the error expected somewhere else than the edited cell."""
    def wrapped(folder: Path) -> str:
        edit(folder)
        return where
    return wrapped


def _truncate_mid_row(folder: Path) -> str:
    path = folder / "ssd_person.csv"
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(lines[:5]) + lines[5][:9])  # row 6 cut after the id
    return "ssd_person.csv, row 6"


def _header(table: str, change: Callable[[list[str]], list[str]],
            where: str) -> Callable[[Path], str]:
    def edit(folder: Path) -> str:
        rows = _rows(folder, table)
        rows[0] = change(rows[0])
        _write(folder, table, rows)
        return where
    return edit


def _manifest(text: str, where: str = "caseload.json") -> Callable[[Path], str]:
    def edit(folder: Path) -> str:
        (folder / "caseload.json").write_text(text, encoding="utf-8")
        return where
    return edit


def _remove(name: str, where: str) -> Callable[[Path], str]:
    def edit(folder: Path) -> str:
        (folder / name).unlink()
        return where
    return edit


def _duplicate_row(table: str) -> Callable[[Path], str]:
    def edit(folder: Path) -> str:
        rows = _rows(folder, table)
        rows.append(list(rows[1]))
        _write(folder, table, rows)
        return f"{table}.csv, row {len(rows)}"
    return edit


def _second_family(folder: Path) -> str:
    """A child in two families: siblings that loop (A with B in F1, B with C in F2 ...)."""
    rows = _rows(folder, "ssd_family")
    header = rows[0]
    person = rows[1][header.index("fami_person_id")]
    other = next(r[header.index("fami_family_id")] for r in rows[1:]
                 if r[header.index("fami_family_id")] != rows[1][header.index("fami_family_id")])
    extra = dict(zip(header, rows[1]))
    extra.update(fami_table_id="LOOP1", fami_family_id=other, fami_person_id=person)
    rows.append([extra[h] for h in header])
    _write(folder, "ssd_family", rows)
    return f"ssd_family.csv, row {len(rows)}, field fami_family_id"


def _second_lead(folder: Path) -> str:
    rows = _rows(folder, "ssd_involvements")
    h = rows[0]
    lead = next(r for r in rows[1:] if r[h.index("invo_professional_role_id")]
                == "Allocated Case Worker" and not r[h.index("invo_involvement_end_date")])
    extra = list(lead)
    extra[h.index("invo_involvements_id")] = "DUPLEAD1"
    rows.append(extra)
    _write(folder, "ssd_involvements", rows)
    return f"ssd_involvements.csv, row {len(rows)}, field invo_person_id"


# The folder cases: (name, edit returning where the error must point).
FOLDER_CASES: list[tuple[str, Callable[[Path], str]]] = [
    ("truncated_mid_row", _truncate_mid_row),
    ("truncated_to_nothing", _raw("ssd_person", b"")),
    ("truncated_in_quotes", _bytes_of("ssd_professionals", lambda b: b + b'P9,"unclosed')),
    ("utf16", _bytes_of("ssd_person", lambda b: b.decode().encode("utf-16"))),
    ("latin1", _bytes_of("ssd_department", lambda b: b + "Caf\u00e9 team,T99\n".encode("latin-1"))),
    ("cp1252_pound", _bytes_of("ssd_professionals", lambda b: b + b"\xa3\n")),
    ("nul_bytes", _bytes_of("ssd_cp_plans", lambda b: b[:40] + b"\x00\x00" + b[40:])),
    ("binary_garbage", _raw("ssd_legal_status", bytes(range(256)) * 4)),
    ("xlsx_bytes_as_csv", _raw("csl_team_profile", b"PK\x03\x04" + b"\x00" * 64)),
    ("huge_cell", set_cell("ssd_professionals", "prof_professional_name", "x" * 100_000)),
    ("huge_id", set_cell("ssd_person", "pers_person_id", "P" * 65)),
    # An id is text, so a formula-like id is read (and neutralised in every output); the
    # child's other rows then point at an id that no longer exists.
    ("formula_in_id", _where(set_cell("ssd_person", "pers_person_id", "=cmd|' /C calc'!A0"),
                             "field fami_person_id: refers to a person (ssd_person)")),
    ("formula_in_date", set_cell("ssd_person", "pers_dob", "=TODAY()")),
    ("formula_in_number", set_cell("csl_worker_capacity", "wcap_capacity_points", "=1+1")),
    ("formula_in_flag", set_cell("csl_worker_capacity", "wcap_asye", "=TRUE()")),
    ("control_char_in_id", set_cell("ssd_family", "fami_family_id", "F\x07\x1b[31m")),
    ("date_31_feb", set_cell("ssd_person", "pers_dob", "2020-02-31")),
    ("date_uk_style", set_cell("ssd_person", "pers_dob", "31/02/2020")),
    ("date_month_13", set_cell("ssd_cp_plans", "cppl_cp_plan_start_date", "2026-13-01")),
    ("date_excel_serial", set_cell("ssd_cin_episodes", "cine_referral_date", "45000")),
    ("date_words", set_cell("csl_key_dates", "kdat_event_date", "next Tuesday")),
    ("date_compact", set_cell("ssd_involvements", "invo_involvement_start_date", "20261120")),
    ("date_year_zero", set_cell("ssd_person", "pers_dob", "0000-01-01")),
    ("end_before_start", set_cell("ssd_cp_plans", "cppl_cp_plan_end_date", "1990-01-01")),
    ("fte_text", set_cell("ssd_professionals", "prof_full_time_equivalency", "full")),
    ("fte_over_one", set_cell("ssd_professionals", "prof_full_time_equivalency", "2.5")),
    ("fte_nan", set_cell("ssd_professionals", "prof_full_time_equivalency", "nan")),
    ("capacity_negative", set_cell("csl_worker_capacity", "wcap_capacity_points", "-5")),
    ("capacity_float", set_cell("csl_worker_capacity", "wcap_capacity_points", "12.5")),
    ("capacity_huge", set_cell("csl_worker_capacity", "wcap_capacity_points", "1e400")),
    ("flag_maybe", set_cell("csl_worker_capacity", "wcap_asye", "maybe")),
    ("weekday_unknown", set_cell("csl_worker_capacity", "wcap_working_days", "Mon,Funday")),
    ("weekday_saturday", set_cell("csl_team_profile", "tpro_meeting_days", "Sat")),
    ("slots_zero", set_cell("csl_team_profile", "tpro_meeting_slots", "0")),
    ("role_unknown", set_cell("ssd_involvements", "invo_professional_role_id", "Boss")),
    ("legal_status_unknown", set_cell("ssd_legal_status", "lega_legal_status", "Z9")),
    ("event_type_unknown", set_cell("csl_key_dates", "kdat_event_type", "party")),
    ("service_bad_chars", set_cell("csl_team_profile", "tpro_service", "Family Support!")),
    ("service_not_in_pack", set_cell("csl_team_profile", "tpro_service", "nowhere")),
    ("empty_required_id", set_cell("ssd_involvements", "invo_person_id", "")),
    ("unknown_person", set_cell("ssd_involvements", "invo_person_id", "NOBODY")),
    ("unknown_team", set_cell("ssd_professionals", "prof_professional_department", "T404")),
    ("unknown_worker", set_cell("csl_worker_leave", "wlea_professional_id", "W404")),
    ("child_in_two_families", _second_family),
    ("two_open_leads", _second_lead),
    ("duplicate_id", _duplicate_row("ssd_person")),
    ("short_row", _bytes_of("ssd_department", lambda b: b + b"T77\n",
                            "ssd_department.csv, row")),
    ("long_row", _bytes_of("ssd_department", lambda b: b + b"T77,Team,T001,extra,more\n",
                           "ssd_department.csv, row")),
    ("missing_column", _header("ssd_person", lambda h: ["nope"] + h[1:],
                               "ssd_person.csv, row 1, field pers_person_id")),
    ("unknown_column", _header("ssd_person", lambda h: h[:-1] + ["pers_name"],
                               "ssd_person.csv, row 1, field pers_name")),
    ("duplicate_column", _header("ssd_person", lambda h: h[:-1] + [h[0]],
                                 "ssd_person.csv, row 1")),
    ("unknown_table", lambda f: (shutil.copy(f / "ssd_person.csv", f / "ssd_people.csv"),
                                 "ssd_people.csv")[1]),
    ("missing_table", _remove("ssd_person.csv", "ssd_person.csv")),
    ("missing_manifest", _remove("caseload.json", "caseload.json")),
    ("manifest_not_json", _manifest("{council: Demo")),
    ("manifest_a_list", _manifest("[1, 2, 3]")),
    ("manifest_version_2", _manifest(json.dumps({"format_version": 2, "council": "D",
                                                 "pack": "southwark",
                                                 "extract_date": "2026-11-20"}),
                                     "caseload.json, field format_version")),
    ("manifest_31_feb", _manifest(json.dumps({"council": "D", "pack": "southwark",
                                              "extract_date": "2026-02-31"}),
                                  "caseload.json, field extract_date")),
    ("manifest_pack_path", _manifest(json.dumps({"council": "D", "pack": "../../etc/passwd",
                                                 "extract_date": "2026-11-20"}),
                                     "caseload.json, field pack")),
    ("manifest_huge", _manifest(json.dumps({"council": "D" * 100_000, "pack": "southwark",
                                            "extract_date": "2026-11-20"}),
                                "caseload.json, field council")),
]


# --- workbook cases ----------------------------------------------------------------------

BOMB_DTD = (
    '<!DOCTYPE lolz [<!ENTITY lol "lollollollollollollollollollol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
              for i in range(1, 10))
    + "]>"
)
XXE_DTD = '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


def to_workbook(folder: Path, path: Path) -> Path:
    """The council folder as one workbook: a ``caseload`` sheet and a sheet per table."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    sheet = book.create_sheet("caseload")
    sheet.append(["key", "value"])
    for k, v in json.loads((folder / "caseload.json").read_text()).items():
        if k != "format_version":  # the reader reads cells as text and wants the number 1
            sheet.append([k, v])
    for csv_path in sorted(folder.glob("*.csv")):
        sheet = book.create_sheet(csv_path.stem)
        with open(csv_path, newline="", encoding="utf-8") as fh:
            for row in csv.reader(fh):
                sheet.append(row)
    book.save(path)
    return path


def _rezip(source: Path, target: Path, change: Callable[[str, bytes], bytes]) -> Path:
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            zout.writestr(item, change(item.filename, zin.read(item.filename)))
    return target


def _with_doctype(part: str, dtd: str) -> Callable[[str, bytes], bytes]:
    """Put ``dtd`` before the root element of ``part``."""
    def change(name: str, data: bytes) -> bytes:
        if name != part:
            return data
        text = data.decode("utf-8")
        head, sep, rest = text.partition("?>")
        return (head + sep + dtd + rest if sep else dtd + text).encode("utf-8")
    return change


SHARED = "xl/sharedStrings.xml"
SHARED_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"


def with_shared_strings(source: Path, target: Path, dtd: str, entity: str) -> Path:
    """The workbook with a shared-strings part whose one string uses ``entity`` (declared
    in ``dtd``), and the manifest sheet's first cell pointing at it: Excel's usual layout
    (openpyxl itself writes inline strings)."""
    sst = (f'<?xml version="1.0" encoding="UTF-8"?>{dtd}<sst xmlns="http://schemas.'
           f'openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
           f'<si><t>{entity}</t></si></sst>')

    def change(name: str, data: bytes) -> bytes:
        text = data.decode("utf-8")
        if name == "[Content_Types].xml":
            return text.replace("</Types>", f'<Override PartName="/{SHARED}" '
                                f'ContentType="{SHARED_TYPE}"/></Types>').encode("utf-8")
        if name == "xl/worksheets/sheet1.xml":  # the first cell becomes shared string 0
            return text.replace('<c r="A1" t="inlineStr"><is><t>key</t></is></c>',
                                '<c r="A1" t="s"><v>0</v></c>', 1).encode("utf-8")
        return data

    _rezip(source, target, change)
    with zipfile.ZipFile(target, "a") as z:
        z.writestr(SHARED, sst)
    return target


def _workbook_cases(valid_folder: Path, root: Path) -> list[BadInput]:
    good = to_workbook(valid_folder, root / "good.xlsx")
    out: list[BadInput] = []

    def add(name: str, path: Path, where: str) -> None:
        out.append(BadInput(f"xlsx_{name}", path, where))

    add("bomb_shared_strings", with_shared_strings(good, root / "bomb.xlsx", BOMB_DTD,
                                                    "&lol9;"), "bomb.xlsx")
    add("external_entity", with_shared_strings(good, root / "xxe.xlsx", XXE_DTD, "&xxe;"),
        "xxe.xlsx")
    add("bomb_sheet", _rezip(good, root / "bomb_sheet.xlsx",
                             _with_doctype("xl/worksheets/sheet2.xml", BOMB_DTD)),
        "bomb_sheet.xlsx")
    add("bomb_workbook_part", _rezip(good, root / "bomb_wb.xlsx",
                                     _with_doctype("xl/workbook.xml", BOMB_DTD)),
        "bomb_wb.xlsx")
    (root / "text.xlsx").write_text("council,pack\nDemo,southwark\n")
    add("not_a_zip", root / "text.xlsx", "text.xlsx")
    (root / "truncated.xlsx").write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    add("truncated", root / "truncated.xlsx", "truncated.xlsx")
    (root / "empty.xlsx").write_bytes(b"")
    add("empty", root / "empty.xlsx", "empty.xlsx")
    add("missing_part", _rezip_without(good, root / "nopart.xlsx", "xl/workbook.xml"),
        "nopart.xlsx")
    book = openpyxl.load_workbook(good)
    book["ssd_person"]["B3"] = "31/02/2020"
    book["csl_worker_capacity"]["C2"] = "lots"
    del book["caseload"]
    book.save(root / "bad_cells.xlsx")
    add("bad_cells_no_manifest", root / "bad_cells.xlsx", "bad_cells.xlsx[ssd_person], row 3")
    return out


def _rezip_without(source: Path, target: Path, part: str) -> Path:
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w") as zout:
        for item in zin.infolist():
            if item.filename != part:
                zout.writestr(item, zin.read(item.filename))
    return target


def valid_council(root: Path) -> Path:
    """A small valid council folder (100 children) the corpus is made from."""
    return write_demo(root / "valid", 100, 2, EXTRACT)


def corpus(root: Path) -> list[BadInput]:
    """Every malformed input, written under ``root``; at least 50 of them."""
    valid = valid_council(root)
    cases: list[BadInput] = []
    for name, edit in FOLDER_CASES:
        folder = root / name
        shutil.copytree(valid, folder)
        cases.append(BadInput(name, folder, edit(folder)))
    cases += _workbook_cases(valid, root)
    cases.append(BadInput("input_missing", root / "nowhere", "nowhere"))
    (root / "plain.csv").write_text("a,b\n")
    cases.append(BadInput("input_a_csv_file", root / "plain.csv", "plain.csv"))
    return cases
