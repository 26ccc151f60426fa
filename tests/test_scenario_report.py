"""`caseload scenario run` and `compare`: the report files, safe and figures-only."""

from __future__ import annotations

import json
from pathlib import Path

from openpyxl import load_workbook
from test_scenario_simulation import SCENARIO, one_leaver_council
from typer.testing import CliRunner

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
    assert page.count("<svg") == 9  # one chart per figure
    figures = json.loads((out / "figures.json").read_text(encoding="utf-8"))
    assert [f["totals"]["unallocated_child_days"] for f in figures] == [10, 10]
    wb = load_workbook(out / "scenarios.xlsx")
    assert wb.sheetnames[0] == "Totals" and len(wb.sheetnames) == 3
    assert "Unallocated child-days, all" in result.output


def test_run_reports_a_bad_file_by_field(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "x"\nstart = 2026-11-23\nweeks = 0\n', encoding="utf-8")
    result = CliRunner().invoke(app, ["scenario", "run", str(bad), "--out", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert "bad.toml: weeks:" in result.output
    assert not (tmp_path / "o").exists()
