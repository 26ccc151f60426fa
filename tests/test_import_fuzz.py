"""Fuzzing the readers: whatever the bytes or cells, only documented errors escape.

A source either imports (every row read is accepted or rejected, and what is written
validates) or stops with :class:`ImportFailed`. An ``OUTPUT_INVALID`` failure would mean
the importer accepted a row the product refuses: that is a bug, so it fails these tests.
"""

import tempfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from allocator.importers.api import ImportOptions, run_import
from allocator.importers.report import ImportFailed

FUZZ = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Writing a workbook per example is slow: a third of the profile's examples (20 by default,
# 333 under the ci profile).
FUZZ_XLSX = settings(FUZZ, max_examples=max(10, settings.default.max_examples // 3))

CELL_TEXT = st.one_of(
    st.sampled_from(["", " ", "01/02/2018", "31/02/2018", "2018-02-01", "1/1/1900", "X1",
                     "E11", "C2", "V2", "P1", "N1", "Q9", "007", "#N/A", "\u00a0C1\u00a0",
                     "a) Yes", "b) No", "Locality 1 Unit 2", "Children in Care Team 1"]),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12),
)


def _ok_or_documented(fmt: str, source: Path, out: Path, **options) -> None:
    try:
        result = run_import(fmt, source, out, ImportOptions(**options))
    except ImportFailed as exc:
        assert exc.issues and all(i.code != "OUTPUT_INVALID" for i in exc.issues), exc.issues
        assert not out.exists()
        return
    assert result.report.balanced()


@FUZZ
@given(header=st.binary(max_size=200), episodes=st.binary(max_size=300))
def test_ssda903_arbitrary_bytes(header, episodes):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "903"
        folder.mkdir()
        (folder / "header.csv").write_bytes(b"CHILD,DOB\n" + header)
        (folder / "episodes.csv").write_bytes(b"CHILD,DECOM,RNE,LS,PLACE,DEC,REC\n" + episodes)
        _ok_or_documented("ssda903", folder, Path(tmp) / "out", generate_staff=True)


ROWS = st.lists(st.lists(CELL_TEXT, min_size=7, max_size=8), max_size=8)


@FUZZ
@given(people=st.lists(st.tuples(st.sampled_from(["1", "2", "3", "007", ""]), CELL_TEXT),
                       max_size=5), episodes=ROWS, reviews=st.lists(
                           st.tuples(st.sampled_from(["1", "2", "9"]), CELL_TEXT), max_size=5))
def test_ssda903_arbitrary_cells(people, episodes, reviews):
    import csv

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "903"
        folder.mkdir()
        for name, header, rows in (
            ("header.csv", ["CHILD", "DOB"], [list(p) for p in people]),
            ("episodes.csv", ["CHILD", "DECOM", "RNE", "LS", "PLACE", "DEC", "REC"],
             [["1", *r[1:7]] if r else r for r in episodes]),
            ("reviews.csv", ["CHILD", "REVIEW"], [list(r) for r in reviews]),
        ):
            with open(folder / name, "w", encoding="utf-8", newline="") as f:
                csv.writer(f).writerows([header, *rows])
        _ok_or_documented("ssda903", folder, Path(tmp) / "out", generate_staff=True)


WORKBOOK_TEXT = st.one_of(  # openpyxl cannot store control characters in a cell
    CELL_TEXT.filter(lambda t: not any(ord(c) < 32 for c in t)),
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=12))
WORKBOOK_CELL = st.one_of(WORKBOOK_TEXT, st.none(), st.integers(-5, 10**9),
                          st.floats(allow_nan=False, allow_infinity=False, width=32),
                          st.datetimes(min_value=datetime(1990, 1, 1),
                                       max_value=datetime(2030, 1, 1)),
                          st.dates(min_value=date(1990, 1, 1), max_value=date(2030, 1, 1)))
LIST_8 = ["Child Unique ID", "Date of Birth", "Does the Child have a Disability",
          "Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months (Y/N)",
          "Date Started to be Looked After", "Start date of current legal status",
          "Child's Legal Status", "Date of Latest Statutory Review",
          "Date Ceased to be Looked After", "Placement Type", "Allocated Team",
          "Allocated Worker"]


@FUZZ_XLSX
@given(rows=st.lists(st.lists(WORKBOOK_CELL, min_size=len(LIST_8), max_size=len(LIST_8)),
                     max_size=5), drop=st.sampled_from([None, *LIST_8[:3]]))
def test_annex_a_arbitrary_cells(rows, drop):
    with tempfile.TemporaryDirectory() as tmp:
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.title = "List 8"
        sheet.append([None if h == drop else h for h in LIST_8])
        for row in rows:
            sheet.append(row)
        path = Path(tmp) / "annex.xlsx"
        book.save(path)
        _ok_or_documented("annex-a", path, Path(tmp) / "out", generate_staff=True)


@FUZZ
@given(body=st.binary(max_size=300))
def test_staff_list_arbitrary_bytes(body):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "staff.csv"
        path.write_bytes(b"worker_id,name,team,experience,fte,capacity,working_days,leave\n" + body)
        _ok_or_documented("staff", path, Path(tmp) / "out")
