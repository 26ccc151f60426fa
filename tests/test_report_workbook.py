"""The Excel workbook: the sheets a manager expects, typed cells, neutralised formulas,
and the same bytes for the same plan."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime

import pytest
from openpyxl import load_workbook
from test_report_html import FORMULA_CHILD, FORMULA_WORKER, planted_demo

from allocator.io.writer import plan_files
from allocator.pipeline import PlanRun, run_plan


@pytest.fixture(scope="module")
def planted_run(tmp_path_factory) -> PlanRun:
    return run_plan(planted_demo(tmp_path_factory.mktemp("planted") / "council"))


@pytest.fixture(scope="module")
def content(planted_run) -> bytes:
    data = plan_files(planted_run)["plan.xlsx"]
    assert isinstance(data, bytes)
    return data


@pytest.fixture(scope="module")
def book(content):
    return load_workbook(io.BytesIO(content))


def test_sheets_summary_roster_teams_capacity_exceptions_explanations(book, planted_run):
    names = book.sheetnames
    assert names[:2] == ["Summary", "Transfer roster"]
    assert names[-3:] == ["Capacity", "Exceptions", "Explanations"]
    teams = sorted({a.team for a in planted_run.result.plan.assignments if a.team})
    assert names[2:-3] == [f"Team {t}" for t in teams]
    assert book["Summary"]["A1"].value.startswith("DRAFT")
    for ws in book.worksheets[1:]:
        assert "DRAFT" in ws["A1"].value, ws.title


def test_table_sheets_have_a_frozen_filtered_header_row(book):
    for ws in book.worksheets[1:]:
        assert ws.freeze_panes == "A3", ws.title
        assert ws.auto_filter.ref.startswith("A2:"), ws.title
        assert ws["A2"].font.b
        assert ws.column_dimensions["A"].width > 5


def test_every_roster_row_is_there_with_real_dates(book, planted_run):
    ws = book["Transfer roster"]
    header = [c.value for c in ws[2]]
    rows = list(ws.iter_rows(min_row=3, values_only=True))
    assert len(rows) == len(planted_run.result.plan.assignments)
    dates = header.index("Transfer date")
    allocated = [r for r in rows if r[header.index("To worker")] != "UNALLOCATED"]
    assert allocated and all(isinstance(r[dates], datetime) for r in allocated)
    cell = ws.cell(3, dates + 1)
    assert cell.is_date and "yyyy" in cell.number_format


def test_overload_is_marked_by_conditional_formatting(book):
    ws = book["Capacity"]
    rules = [(str(rng.sqref), rule) for rng in ws.conditional_formatting for rule in rng.rules]
    assert len(rules) == 1
    sqref, rule = rules[0]
    header = [c.value for c in ws[2]]
    after = chr(ord("A") + header.index("Load after"))
    cap = chr(ord("A") + header.index("Capacity (points)"))
    assert sqref.startswith("A3:") and rule.formula == [f"${after}3>${cap}3"]
    assert rule.dxf.fill is not None


def test_formula_like_text_is_neutralised_everywhere(book):
    seen = set()
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate)
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(("=", "+", "-", "@", "\t")), cell.value
                    seen.add(cell.value)
    assert "'" + FORMULA_CHILD in seen
    assert "'" + FORMULA_WORKER in seen


def test_the_file_is_byte_identical_and_carries_no_clock_time(planted_run, content):
    assert plan_files(planted_run)["plan.xlsx"] == content
    archive = zipfile.ZipFile(io.BytesIO(content))
    assert {i.date_time for i in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    core = archive.read("docProps/core.xml").decode()
    week = planted_run.week.isoformat()
    assert core.count(f"{week}T00:00:00Z") == 2  # created and modified
    book = load_workbook(io.BytesIO(content))
    assert book.properties.description.startswith("DRAFT")
