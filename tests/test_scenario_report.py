"""`caseload scenario run` and `compare`: the report files, safe and figures-only."""

from __future__ import annotations

import io
import json
from pathlib import Path

from openpyxl import load_workbook
from test_scenario_simulation import SCENARIO, one_leaver_council
from typer.testing import CliRunner

from allocator.simulation.figures import FIGURES, WeekFigures
from allocator.simulation.report import html_page, workbook
from allocator.simulation.run import ScenarioResult
from allocator.simulation.spread import spreads
from cli import app


def scenario_file(tmp_path: Path, name: str) -> Path:
    council = one_leaver_council(tmp_path)
    path = tmp_path / f"{name}.toml"
    path.write_text(SCENARIO.format(council=council).replace("One leaver", name), encoding="utf-8")
    return path


def test_compare_writes_html_excel_and_json(tmp_path: Path) -> None:
    a, b = scenario_file(tmp_path, "A <b>"), scenario_file(tmp_path, "B")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["scenario", "compare", str(a), str(b), "--out", str(out)])
    assert result.exit_code == 0, result.output
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    assert "A &lt;b&gt;" in page and "<b>" not in page.replace("<body>", "")
    assert page.count("<svg") == len(FIGURES)  # one chart per figure; one seed, no spread
    assert "Spread over seeds" not in page
    figures = json.loads((out / "figures.json").read_text(encoding="utf-8"))
    assert [f["totals"]["unallocated_child_days"] for f in figures["runs"]] == [10, 10]
    assert figures["spread"] == []
    wb = load_workbook(out / "scenarios.xlsx")
    assert wb.sheetnames[0] == "Totals" and len(wb.sheetnames) == 3
    assert "Unallocated child-days, all" in result.output
    assert "Tracker items escalated at a week's end, weekly mean" in result.output
    # each run's transfer tracker is a real database beside the report
    assert sorted(p.name for p in (out / "tracker").iterdir()) == ["a-b-seed0.sqlite",
                                                                  "b-seed0.sqlite"]


def test_run_reports_a_bad_file_by_field(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "x"\nstart = 2026-11-23\nweeks = 0\n', encoding="utf-8")
    result = CliRunner().invoke(app, ["scenario", "run", str(bad), "--out", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert "bad.toml: weeks:" in result.output
    assert not (tmp_path / "o").exists()


def week(on: str, waiting: int, escalated: int) -> WeekFigures:
    return WeekFigures(week=on, open_children=100, workers=10, arrivals=2, closures=2,
                       unallocated_child_days=waiting, unallocated_child_days_statutory=0,
                       asye_leading_statutory=0, workers_over_capacity=1, worker_changes=1,
                       worker_changes_per_100_children=1.0, transfers_late=0,
                       sibling_groups_split=0, plan_status="OPTIMAL",
                       items_escalated=escalated, statutory_escalated=0)


def seeds_of(name: str, waiting: list[tuple[int, int]]) -> list[ScenarioResult]:
    """One run per seed of a two-week scenario: each seed's unallocated child-days."""
    return [ScenarioResult(name, seed, (week("2026-11-23", a, seed), week("2026-11-30", b, 0)))
            for seed, (a, b) in enumerate(waiting, 1)]


def test_spread_over_seeds_in_page_workbook_and_data() -> None:
    runs = seeds_of("Base", [(10, 20), (30, 20), (20, 50)]) + seeds_of("Six", [(40, 0), (60, 0)])
    base, six = spreads(runs)
    assert (base.name, base.seeds, six.seeds) == ("Base", (1, 2, 3), (1, 2))
    waiting = base.figures["unallocated_child_days"]
    assert [(s.mean, s.low, s.high) for s in waiting] == [(20, 10, 30), (30, 20, 50)]
    assert base.totals["unallocated_child_days"].as_dict() == {"mean": 50, "min": 30,
                                                              "max": 70}
    assert base.as_dict()["figures"]["items_escalated"] == {"mean": [2, 0], "min": [1, 0],
                                                           "max": [3, 0]}
    page = html_page(runs)
    assert "Spread over seeds" in page and "Base (3 seeds)" in page and "50 (30-70)" in page
    assert page.count("<polygon") == 2 * len(FIGURES)  # a band per scenario per figure
    assert "mean 20, range 10 to 30" in page
    assert page.count("<svg") == 2 * len(FIGURES)
    wb = load_workbook(io.BytesIO(workbook(runs)))
    assert wb.sheetnames[:3] == ["Totals", "Spread totals", "Spread"]
    rows = list(wb["Spread"].iter_rows(values_only=True))
    assert rows[0] == ("Figure", "Scenario", "Week", "Seeds", "Mean", "Min", "Max")
    assert ("Unallocated child-days", "Six", "2026-11-23", 2, 50, 40, 60) in rows
    assert len(rows) == 1 + len(FIGURES) * 2 * 2  # per figure, scenario and week


def test_one_seed_per_scenario_has_no_spread() -> None:
    runs = seeds_of("Base", [(10, 20)]) + seeds_of("Six", [(40, 0)])
    assert spreads(runs) == []
    assert "Spread over seeds" not in html_page(runs)
