"""The same council read from one .xlsx workbook (a sheet per table) as from CSV files."""

import csv
import json
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from allocator.errors import InputError
from allocator.io.reader import read_caseload
from factory import sfs_council


def _to_workbook(folder: Path, path: Path, as_dates: bool = True) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    manifest = json.loads((folder / "caseload.json").read_text())
    sheet = book.create_sheet("caseload")
    sheet.append(["key", "value"])
    for k, v in manifest.items():
        sheet.append([k, v])
    for csv_path in sorted(folder.glob("*.csv")):
        sheet = book.create_sheet(csv_path.stem)
        with open(csv_path, newline="", encoding="utf-8") as fh:
            for i, row in enumerate(csv.reader(fh)):
                cells: list[object] = list(row)
                if as_dates and i > 0:  # store dates as real Excel dates, as councils do
                    cells = [date.fromisoformat(c) if len(c) == 10 and c[4] == "-" else c
                             for c in row]
                sheet.append(cells)
    book.save(path)
    return path


@pytest.fixture
def council_folder(tmp_path) -> Path:
    c = sfs_council()
    c.child("C1", date(2020, 1, 1), "TA", "WA", family="F1").cp_plan("C1")
    c.event("C1", "icpc", date(2026, 12, 8))
    return c.write(tmp_path / "csv")


def test_workbook_reads_the_same_as_the_folder(council_folder, tmp_path):
    book = _to_workbook(council_folder, tmp_path / "council.xlsx")
    from_csv, from_xlsx = read_caseload(council_folder), read_caseload(book)
    assert from_csv.tables == from_xlsx.tables
    assert from_csv.manifest == from_xlsx.manifest


def test_workbook_problems_name_the_sheet_and_row(council_folder, tmp_path):
    book_path = _to_workbook(council_folder, tmp_path / "council.xlsx")
    book = openpyxl.load_workbook(book_path)
    book["ssd_person"]["B2"] = "not a date"
    book.save(book_path)
    with pytest.raises(InputError) as info:
        read_caseload(book_path)
    assert [str(p) for p in info.value.problems] == [
        "council.xlsx[ssd_person], row 2, field pers_dob: must be a date written YYYY-MM-DD"]


def test_a_file_that_is_not_a_workbook(tmp_path):
    fake = tmp_path / "council.xlsx"
    fake.write_text("name,dob\n")
    with pytest.raises(InputError) as info:
        read_caseload(fake)
    assert str(info.value.problems[0]) == "council.xlsx: is not a readable .xlsx workbook"


def test_a_workbook_may_state_its_format_version(council_folder, tmp_path):
    """The manifest sheet's cells are read as text; the version is still the number 1,
    and any other version is refused by name."""
    manifest = json.loads((council_folder / "caseload.json").read_text())
    for version, ok in ((1, True), ("1", True), (2, False)):
        (council_folder / "caseload.json").write_text(
            json.dumps({**manifest, "format_version": version}))
        book = _to_workbook(council_folder, tmp_path / f"v{version}.xlsx")
        if ok:
            assert read_caseload(book).manifest.format_version == 1
        else:
            with pytest.raises(InputError) as err:
                read_caseload(book)
            assert any(p.field == "format_version" for p in err.value.problems)
