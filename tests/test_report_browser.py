"""The HTML report in a real browser: headless Chromium (Debian's package, installed by
.ci/setup.d/10-chromium.sh) opens the file, every part renders, search filters the roster,
and no request leaves the file. Skipped without Chromium on a developer's machine; on CI
(CI set) a missing browser fails the suite instead of hiding it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_report_html import SCRIPT_WORKER, planted_demo

from allocator.io.writer import write_plan
from allocator.pipeline import run_plan
from cli import shipped_demo

CHROMIUM = Path("/usr/bin/chromium")


def _browser_or_skip() -> None:
    missing = None
    if not CHROMIUM.exists():
        missing = f"{CHROMIUM} is not installed (run .ci/setup.d/10-chromium.sh)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            missing = "Playwright for Python is not installed (pip install -e '.[test]')"
    if missing is None:
        return
    if os.environ.get("CI"):
        pytest.fail(missing)
    pytest.skip(missing)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    _browser_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def demo_report(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("out")
    write_plan(run_plan(shipped_demo()), out)
    return out / "report.html"


class Opened:
    """A page with the report loaded and everything it asked the network for recorded."""

    def __init__(self, browser, report: Path) -> None:
        self.url = report.resolve().as_uri()
        self.requests: list[str] = []
        self.console: list[str] = []
        self.dialogs: list[str] = []
        self.page = browser.new_page(viewport={"width": 1280, "height": 900})
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("console", lambda m: self.console.append(m.text))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.goto(self.url)
        self.page.wait_for_load_state("load")


@pytest.fixture(scope="module")
def opened(browser, demo_report) -> Iterator[Opened]:
    view = Opened(browser, demo_report)
    yield view
    view.page.close()


def test_no_request_leaves_the_file_and_the_csp_blocks_nothing_of_ours(opened):
    assert opened.requests == [opened.url]
    assert not [m for m in opened.console if "Content Security Policy" in m]
    # the stylesheet ran under the CSP: the draft banner has its own background
    colour = opened.page.eval_on_selector(".draft", "e => getComputedStyle(e).backgroundColor")
    assert colour == "rgb(255, 244, 229)"


def test_summary_and_draft_notice_render(opened):
    page = opened.page
    assert page.inner_text("#draft").startswith("DRAFT")
    assert "week beginning Monday 23 November 2026" in page.inner_text("h1")
    cards = page.locator("#summary .card")
    assert cards.count() == 6
    assert "Manager decisions needed" in cards.nth(2).inner_text()


def test_every_chart_draws_as_svg(opened):
    page = opened.page
    for chart in ("#chart-teams", "#chart-before-after", "#chart-workers", "#chart-days",
                  "#chart-siblings"):
        svg = page.locator(f"{chart} svg")
        assert svg.count() == 1, chart
        assert svg.locator("rect").count() > 0, chart
        box = svg.bounding_box()
        assert box is not None and box["width"] > 300 and box["height"] > 30, chart
    over = page.locator("#summary .card").nth(3)
    assert "Workers over capacity" in over.inner_text()
    red = page.locator("#chart-workers svg g.bar.over").count()
    assert red == int(over.locator(".n").inner_text()) > 0  # the chart agrees with the card


def test_search_filters_the_roster(opened):
    page = opened.page
    rows = page.locator("#roster-table tbody tr")
    total = rows.count()
    assert total == 30
    child = rows.nth(3).locator("td").first.inner_text()
    page.fill("input[data-table=roster-table]", child)
    visible = page.locator("#roster-table tbody tr:not([hidden])")
    assert visible.count() == 1 and child in visible.first.inner_text()
    assert page.inner_text("#roster-count") == "1"
    page.fill("input[data-table=roster-table]", "")
    assert page.locator("#roster-table tbody tr:not([hidden])").count() == total


def test_per_child_explanations_are_there(opened):
    rows = opened.page.locator("#explanations-table tbody tr")
    assert rows.count() == 30
    text = rows.first.inner_text()
    assert "Allocated lead worker" in text or "No lead worker" in text
    assert "clause" in text


def test_a_screenshot_can_be_made_for_the_docs(opened, tmp_path):
    png = tmp_path / "report.png"
    opened.page.screenshot(path=str(png))
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000


def test_planted_markup_never_runs(browser, tmp_path):
    out = tmp_path / "out"
    write_plan(run_plan(planted_demo(tmp_path / "council")), out)
    view = Opened(browser, out / "report.html")
    try:
        assert view.dialogs == []
        assert view.requests == [view.url]
        assert SCRIPT_WORKER in view.page.inner_text("#chart-workers")  # shown as text
    finally:
        view.page.close()
