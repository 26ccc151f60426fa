"""Annex A import: the shared sample, and deliberately broken copies of it."""

import json
import re
from pathlib import Path

import openpyxl
import pytest

from allocator.importers.api import ImportOptions, run_import
from allocator.importers.report import ImportFailed
from allocator.io.reader import read_caseload

SAMPLE = Path(__file__).parents[2] / "shared" / "data" / "annex-a" / "liia-tools-sample-Annex_A.xlsx"
pytestmark = pytest.mark.skipif(not SAMPLE.exists(), reason="needs ../shared/data")


def _import(source: Path, out: Path, **options):
    return run_import("annex-a", source, out, ImportOptions(**options))


def _broken(tmp_path: Path, edit) -> Path:
    """A copy of the sample with ``edit(workbook)`` applied."""
    book = openpyxl.load_workbook(SAMPLE)
    edit(book)
    path = tmp_path / "broken.xlsx"
    book.save(path)
    return path


def _column(sheet, header: str) -> int:
    return next(c.column for c in sheet[1] if c.value == header)


def test_sample_every_row_accounted_and_output_valid(tmp_path):
    result = _import(SAMPLE, tmp_path / "out", generate_staff=True)
    report = result.report
    counts = {t.sheet: (t.read, t.accepted, t.rejected) for t in report.tables.values()}
    assert counts == {"List 6": (5, 5, 0), "List 7": (7, 7, 0), "List 8": (5, 5, 0),
                      "List 9": (6, 6, 0)}
    assert report.balanced() and result.complete
    caseload = read_caseload(tmp_path / "out")
    assert len(caseload.tables["ssd_person"]) == 23
    legal = {r.lega_legal_status for r in caseload.tables["ssd_legal_status"]}
    assert legal == {"C1", "C2", "E1"}
    # #N/A team cells are read as blank and reported, one warning per cell read
    assert sum(w.code == "EXCEL_ERROR" for w in report.warnings) == 10
    assert [u.value for u in report.unmapped] == ["PSRMEM - Support with memory and cognition"]
    missing = " ".join(m.what for m in report.missing)
    assert "sibling groups" in missing and "worker ids" in missing


def test_report_names_no_child_and_no_worker(tmp_path):
    _import(SAMPLE, tmp_path / "out", generate_staff=True)
    text = (tmp_path / "out" / "import_report.txt").read_text()
    doc = json.loads((tmp_path / "out" / "import_report.json").read_text())
    for secret in ("1761444", "Eugene Swift", "Dustin", "2002-02-13"):
        assert secret not in text and secret not in json.dumps(doc)
    assert doc["balanced"] is True


def test_without_staff_the_output_is_written_but_incomplete(tmp_path):
    result = _import(SAMPLE, tmp_path / "out")
    assert not result.complete
    assert (tmp_path / "out" / "ssd_professionals.csv").read_text().count("\n") == 1
    assert any(m.what == "staff list" for m in result.report.missing)


def test_missing_column_stops_the_import_naming_sheet_and_column(tmp_path):
    def drop_team(book):
        sheet = book["List 7"]
        sheet.cell(1, _column(sheet, "Allocated Team")).value = "Team?"
    with pytest.raises(ImportFailed) as err:
        _import(_broken(tmp_path, drop_team), tmp_path / "out")
    issue = err.value.issues[0]
    assert (issue.code, issue.sheet, issue.row, issue.column) == ("MISSING_COLUMN", "List 7", 1,
                                                                  "Allocated Team")
    assert not (tmp_path / "out").exists()


def test_bad_date_rejects_the_row_with_its_location(tmp_path):
    def bad_date(book):
        sheet = book["List 7"]
        sheet.cell(3, _column(sheet, "Child Protection Plan Start Date")).value = "31/02/2021"
    result = _import(_broken(tmp_path, bad_date), tmp_path / "out", generate_staff=True)
    [issue] = result.report.rejections
    assert (issue.sheet, issue.row, issue.column, issue.code) == (
        "List 7", 3, "Child Protection Plan Start Date", "BAD_DATE")
    t = result.report.tables[("broken.xlsx", "List 7")]
    assert (t.read, t.accepted, t.rejected) == (7, 6, 1)


def test_a_serial_is_a_date_only_where_the_sheet_stores_a_date(tmp_path):
    def serial(book):
        cell = book["List 8"].cell(2, _column(book["List 8"], "Date Started to be Looked After"))
        cell.value, cell.number_format = 40031, "General"  # a number, not a stored date
    result = _import(_broken(tmp_path, serial), tmp_path / "out", generate_staff=True)
    assert [(i.sheet, i.row, i.code) for i in result.report.rejections] == [("List 8", 2, "BAD_DATE")]


def test_duplicate_child_with_a_different_birth_date_is_refused(tmp_path):
    def duplicate(book):
        sheet = book["List 7"]
        sheet.cell(3, 1).value = sheet.cell(2, 1).value
    result = _import(_broken(tmp_path, duplicate), tmp_path / "out", generate_staff=True)
    assert [(i.row, i.code) for i in result.report.rejections] == [(3, "CONFLICT")]


def test_unknown_legal_status_is_listed_with_its_mapping_file(tmp_path):
    def unknown(book):
        sheet = book["List 8"]
        sheet.cell(2, _column(sheet, "Child's Legal Status")).value = "Z9: Not a status"
    result = _import(_broken(tmp_path, unknown), tmp_path / "out", generate_staff=True)
    [entry] = [u for u in result.report.unmapped if u.kind == "legal_status"]
    assert entry.value == "Z9: Not a status" and entry.rows == 1
    assert "codes.toml" in entry.mapping_file
    assert not result.report.rejections  # the child is kept, without a legal status


def test_unmapped_team_is_listed_and_a_teams_file_resolves_it(tmp_path):
    def rename(book):
        sheet = book["List 9"]
        for row in range(2, sheet.max_row + 1):
            sheet.cell(row, _column(sheet, "Allocated Team")).value = "Blue Zone"
    path = _broken(tmp_path, rename)
    result = _import(path, tmp_path / "out", generate_staff=True)
    [entry] = [u for u in result.report.unmapped if u.kind == "team"]
    assert (entry.value, entry.rows) == ("Blue Zone", 6)
    template = (tmp_path / "out" / "import_mappings" / "teams.csv").read_text()
    assert "Blue Zone,,,,," in template
    teams = tmp_path / "teams.csv"
    teams.write_text(template.replace("Blue Zone,,,,,", "Blue Zone,blue,care,,,"))
    again = _import(path, tmp_path / "out2", generate_staff=True, teams=teams)
    assert not again.report.unmapped_by_key.get(("team", "Blue Zone"))
    assert "blue" in (tmp_path / "out2" / "ssd_department.csv").read_text()


def test_empty_sheet_is_warned_and_read_as_no_rows(tmp_path):
    def empty(book):
        sheet = book["List 7"]
        sheet.delete_rows(1, sheet.max_row)
    result = _import(_broken(tmp_path, empty), tmp_path / "out", generate_staff=True)
    assert any(w.code == "EMPTY_SHEET" and w.sheet == "List 7" for w in result.report.warnings)
    assert result.report.balanced()


def test_a_file_that_is_not_a_workbook_is_refused(tmp_path):
    fake = tmp_path / "annex.xlsx"
    fake.write_text("Child Unique ID,Date of Birth\n1,01/01/2010\n")
    with pytest.raises(ImportFailed) as err:
        _import(fake, tmp_path / "out")
    assert err.value.issues[0].code == "NOT_XLSX"


def test_a_workbook_with_no_lists_is_not_annex_a(tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "Staff"
    path = tmp_path / "other.xlsx"
    book.save(path)
    with pytest.raises(ImportFailed) as err:
        _import(path, tmp_path / "out")
    assert err.value.issues[0].code == "NOT_ANNEX_A"


def test_zero_padded_id_format_keeps_leading_zeros(tmp_path):
    def padded(book):
        cell = book["List 9"].cell(2, 1)
        cell.value, cell.number_format = 42, "00000000"
    _import(_broken(tmp_path, padded), tmp_path / "out", generate_staff=True)
    people = (tmp_path / "out" / "ssd_person.csv").read_text()
    assert "00000042," in people


MERGE_SPEC = SAMPLE.parent / "annex-a-merge.yml"


def _spec_columns(number: int) -> list[str]:
    """Column names of one list in liia-tools' annex-a-merge.yml (keys at the column level)."""
    text = MERGE_SPEC.read_text(encoding="utf-8")
    section = re.split(r"^    List \d+:\s*$", text, flags=re.MULTILINE)[number]
    names = re.findall(r"^        (\S[^:\n]*|\"[^\"]+\"):", section, flags=re.MULTILINE)
    return [n.strip('"') for n in names]


@pytest.mark.parametrize("number", [6, 7, 8, 9])
def test_columns_read_match_the_annex_a_specification(number):
    from allocator.importers.annex_a import COMMON, LISTS
    from allocator.importers.cells import name_key


    spec = _spec_columns(number)
    for column in (COMMON | LISTS[number]).values():
        matches = [n for n in spec if re.fullmatch(column.pattern, name_key(n), re.IGNORECASE)]
        assert matches, (number, column.name)
