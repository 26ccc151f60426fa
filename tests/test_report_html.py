"""The HTML report: self-contained, locked down by its CSP, escaped, deterministic."""

from __future__ import annotations

import base64
import hashlib
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from allocator.io.writer import plan_files
from allocator.pipeline import PlanRun, run_plan
from allocator.report.html_report import SEARCH_SCRIPT, STYLE
from cli import shipped_demo

FORMULA_CHILD = "=2+5"  # replaces child P000012, who transfers in the demo plan
FORMULA_WORKER = "=cmd|' /C calc'!A0"  # the name of W0023, who receives that child
SCRIPT_WORKER = "<script>alert(1)</script>"  # the name of W0024
SCRIPT_TEAM = "<img src=x onerror=alert(2)> South"  # the name of team T004


def planted_demo(folder: Path) -> Path:
    """The shipped demo with hostile text planted where a council's extract could carry it:
    a child id that is a spreadsheet formula, worker and team names that are HTML."""
    shutil.copytree(shipped_demo(), folder)
    for table in folder.glob("*.csv"):
        text = table.read_text(encoding="utf-8").replace("P000012", FORMULA_CHILD)
        table.write_text(text, encoding="utf-8")
    swaps = {"ssd_professionals.csv": {"Worker 0023": FORMULA_WORKER,
                                       "Worker 0024": SCRIPT_WORKER},
             "ssd_department.csv": {"Safeguarding and Family Support South": SCRIPT_TEAM}}
    for name, pairs in swaps.items():
        path = folder / name
        text = path.read_text(encoding="utf-8")
        for old, new in pairs.items():
            assert old in text
            text = text.replace(old, new)
        path.write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def planted_run(tmp_path_factory) -> PlanRun:
    return run_plan(planted_demo(tmp_path_factory.mktemp("planted") / "council"))


@pytest.fixture(scope="module")
def page(planted_run) -> str:
    html = plan_files(planted_run)["report.html"]
    assert isinstance(html, str)
    return html


def _hash(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()


def test_the_page_carries_a_csp_that_allows_only_its_own_style_and_script(page):
    csp = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', page)
    assert csp is not None
    policy = csp.group(1)
    assert "default-src 'none'" in policy and "connect-src 'none'" in policy
    assert f"style-src '{_hash(STYLE)}'" in policy
    assert f"script-src '{_hash(SEARCH_SCRIPT)}'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert page.count(f"<style>{STYLE}</style>") == 1
    assert page.count(f"<script>{SEARCH_SCRIPT}</script>") == 1


class Tags(HTMLParser):
    """Every tag and attribute the browser would see, escaped text left as text."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def test_nothing_is_loaded_from_outside_the_file(page):
    assert not re.search(r"https?:|//[a-z0-9]", page, re.IGNORECASE)
    parser = Tags()
    parser.feed(page)
    names = {tag for tag, _ in parser.tags}
    assert not names & {"link", "img", "iframe", "object", "embed", "base", "form", "image",
                        "use", "audio", "video", "source"}
    for tag, attrs in parser.tags:
        assert not set(attrs) & {"src", "srcset", "style", "xlink:href", "action"}, tag
        assert all((v or "").startswith("#") for k, v in attrs.items() if k == "href"), tag
        assert not any(k.startswith("on") for k in attrs), tag
    assert "@import" not in STYLE and "url(" not in STYLE


def test_planted_markup_is_escaped_and_only_our_own_script_tag_exists(page):
    assert page.count("<script") == 1
    assert "<img" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(2)&gt; South" in page


def test_the_page_says_draft_and_shows_every_part(page, planted_run):
    assert "DRAFT: a recommendation for a manager to approve" in page
    for part in ('id="summary"', 'id="chart-teams"', 'id="chart-workers"', 'id="chart-days"',
                 'id="chart-siblings"', 'id="chart-before-after"', 'id="roster-table"',
                 'id="explanations-table"', 'id="exceptions"'):
        assert part in page, part
    assert page.count("<svg") == 5
    roster = page.split('id="roster-table"')[1].split("</table>")[0]
    assert roster.count("<tr") - 1 == len(planted_run.result.plan.assignments)
    assert FORMULA_CHILD in roster


def test_the_page_is_the_same_for_the_same_run(planted_run, page):
    assert plan_files(planted_run)["report.html"] == page


def test_charts_draw_with_nothing_to_show():
    from allocator.report import charts

    assert "No transfers dated" in charts.column_chart([], "Transfers by day")
    assert "none in this plan" in charts.split_bars([("Sibling groups placed", [
        ("together", 0, charts.KEPT), ("split", 0, charts.SPLIT)])], "Siblings")
    assert charts.load_chart([], "Per worker").startswith("<svg")
    assert "<rect" in charts.paired_bars([("Workers over capacity", 0, 0)], "Before and after")


def test_an_unallocated_child_is_shown_as_an_exception_in_both_reports(tmp_path):
    """The Transition team's only worker is on leave all plan: the child due to move there
    (P000053) cannot be allocated, and both reports must say so."""
    import io

    from openpyxl import load_workbook

    folder = planted_demo(tmp_path / "council")
    with (folder / "csl_worker_leave.csv").open("a", encoding="utf-8") as fh:
        fh.write("L00099,W0046,2026-11-16,2027-02-26\n")
    files = plan_files(run_plan(folder))
    page = files["report.html"]
    assert isinstance(page, str)
    assert '<tr class="unallocated"><td>P000053</td>' in page
    exceptions = page.split('id="exceptions-table"')[1].split("</table>")[0]
    assert "<td>Unallocated</td><td>P000053</td>" in exceptions
    book = load_workbook(io.BytesIO(files["plan.xlsx"]))  # type: ignore[arg-type]
    kinds = {(r[0], r[1]) for r in book["Exceptions"].iter_rows(min_row=3, values_only=True)}
    assert ("Unallocated", "P000053") in kinds
