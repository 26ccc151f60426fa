"""Staff lists (CSV and .xlsx), matched to Annex A's worker names, or generated."""

from pathlib import Path

import openpyxl
import pytest

from allocator.importers.api import ImportOptions, run_import
from allocator.importers.report import ImportFailed, ImportReport
from allocator.importers.staff import read_staff
from allocator.io.reader import read_caseload

ANNEX_A = Path(__file__).parents[2] / "shared" / "data" / "annex-a" / "liia-tools-sample-Annex_A.xlsx"

HEADER = "Worker ID,Name,Team,Role,Experience,FTE,Capacity,Working days,Leave\n"


def _write(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "staff.csv"
    path.write_text(HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


def test_staff_rows_are_parsed_with_defaults(tmp_path):
    path = _write(tmp_path,
                  "0042,Ann Smith,Locality 4 Unit 1,Social Worker,ASYE,1,,,",
                  'W2,Bo Li,Locality 4 Unit 1,Senior,experienced,0.6,120,"Mon,Tue,Wed",'
                  "01/03/2021-05/03/2021; 10/03/2021-12/03/2021")
    report = ImportReport("staff", "x")
    first, second = read_staff(path, report)
    assert first.worker_id == "0042" and first.asye and first.capacity == 152  # 190 x 0.8
    assert second.capacity == 120 and second.working_days == "Mon,Tue,Wed"
    assert len(second.leave) == 2


@pytest.mark.parametrize("row, column, code", [
    ("W1,A,T,R,senior,1,,,", "experience", "BAD_CODE"),
    ("W1,A,T,R,ASYE,1.4,,,", "fte", "BAD_NUMBER"),
    ("W1,A,T,R,ASYE,1,,Sat,", "working_days", "BAD_DAYS"),
    ("W1,A,T,R,ASYE,1,,,05/03/2021-01/03/2021", "leave", "BAD_DATE"),
    ("W1,A,,R,ASYE,1,,,", "team", "MISSING_VALUE"),
])
def test_bad_staff_rows_are_rejected_with_their_column(tmp_path, row, column, code):
    report = ImportReport("staff", "x")
    assert read_staff(_write(tmp_path, row), report) == []
    [issue] = report.rejections
    assert (issue.row, issue.column, issue.code) == (2, column, code)


def test_duplicate_worker_ids_and_missing_columns(tmp_path):
    report = ImportReport("staff", "x")
    read_staff(_write(tmp_path, "W1,A,T,R,ASYE,1,,,", "W1,B,T,R,ASYE,1,,,"), report)
    assert [(i.row, i.code) for i in report.rejections] == [(3, "DUPLICATE_ID")]
    bad = tmp_path / "bad.csv"
    bad.write_text("worker_id,name\nW1,A\n")
    with pytest.raises(ImportFailed) as err:
        read_staff(bad, ImportReport("staff", "x"))
    assert {i.column for i in err.value.issues} == {"team", "experience", "fte"}


def test_staff_workbook_is_read(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Staff"
    sheet.append(["worker_id", "name", "team", "experience", "fte"])
    sheet.append(["W1", "A B", "Locality 4 Unit 1", "experienced", 1])
    path = tmp_path / "staff.xlsx"
    book.save(path)
    [member] = read_staff(path, ImportReport("staff", "x"))
    assert (member.worker_id, member.fte, member.capacity) == ("W1", 1.0, 190)


def test_staff_import_alone_gives_teams_and_workers(tmp_path):
    path = _write(tmp_path, "W1,A,Locality 4 Unit 1,SW,experienced,1,,,01/12/2026-04/12/2026")
    result = run_import("staff", path, tmp_path / "out", ImportOptions())
    caseload = read_caseload(tmp_path / "out")
    assert [w.wlea_professional_id for w in caseload.tables["csl_worker_leave"]] == ["W1"]
    assert result.complete


@pytest.mark.skipif(not ANNEX_A.exists(), reason="needs ../shared/data")
def test_annex_a_workers_are_matched_by_name_within_their_team(tmp_path):
    path = _write(tmp_path,
                  "W1,Petra Wills,Locality 4 Unit 1,SW,experienced,1,,,",
                  "W2,Ezra  Leigh,locality 4 unit 1,SW,ASYE,1,,,")  # spacing and case differ
    result = run_import("annex-a", ANNEX_A, tmp_path / "out", ImportOptions(staff=path))
    caseload = read_caseload(tmp_path / "out")
    workers = {i.invo_professional_id for i in caseload.tables["ssd_involvements"]}
    assert workers == {"W1", "W2"}
    unmatched = [w for w in result.report.warnings if w.code == "WORKER_NOT_IN_STAFF"]
    assert unmatched and all(w.row is not None for w in unmatched)
