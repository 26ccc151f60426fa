"""Import the shared samples with a generated staff list, then plan them: a checked plan."""

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from allocator.pipeline import run_plan
from cli import app

SHARED = Path(__file__).parents[2] / "shared" / "data"
ANNEX_A = SHARED / "annex-a" / "liia-tools-sample-Annex_A.xlsx"
SSDA903 = SHARED / "ssda903"
pytestmark = pytest.mark.skipif(not SHARED.exists(), reason="needs ../shared/data")
runner = CliRunner()


def _trimmed_903(tmp_path: Path, children: int) -> Path:
    """The first ``children`` of the sample return with their rows: a plan of the whole
    fake return (1,385 children waiting for a worker in one team) is a benchmark, not a test."""
    folder = tmp_path / "903"
    shutil.copytree(SSDA903, folder)
    header = (folder / "header.csv").read_text().splitlines()[:children + 1]
    kept = {line.split(",")[0] for line in header[1:]}
    (folder / "header.csv").write_text("\n".join(header) + "\n")
    for name in ("episodes.csv", "reviews.csv", "uasc.csv"):
        lines = (folder / name).read_text(encoding="utf-8-sig").splitlines()
        (folder / name).write_text("\n".join(
            [lines[0], *(ln for ln in lines[1:] if ln.split(",")[0] in kept)]) + "\n")
    return folder


def test_annex_a_sample_imports_and_plans_through_the_cli(tmp_path):
    inp, plan = tmp_path / "input", tmp_path / "plan"
    result = runner.invoke(app, ["import", "annex-a", str(ANNEX_A), str(inp), "--generate-staff"])
    assert result.exit_code == 0, result.output
    assert "List 7]" in result.output and "read      7 = accepted      7" in result.output
    assert runner.invoke(app, ["validate", str(inp)]).exit_code == 0
    result = runner.invoke(app, ["plan", "--input", str(inp), "--out", str(plan)])
    assert result.exit_code == 0, result.output
    assert "hard violations (independent check) ...... 0" in result.output


def test_annex_a_plan_is_checked(tmp_path):
    runner.invoke(app, ["import", "annex-a", str(ANNEX_A), str(tmp_path / "in"),
                        "--generate-staff"])
    run = run_plan(tmp_path / "in", time_limit=10)
    assert run.check.ok and run.check.objective == run.result.objective
    assert not run.statutory_unallocated
    assert {s.child_id for s in run.states} >= {"1761444", "5358472"}  # CLA, CP


def test_ssda903_sample_imports_and_plans(tmp_path):
    inp = tmp_path / "input"
    result = runner.invoke(app, ["import", "ssda903", str(_trimmed_903(tmp_path, 150)), str(inp),
                                 "--generate-staff"])
    assert result.exit_code == 0, result.output
    run = run_plan(inp, time_limit=10)
    assert run.check.ok and run.check.objective == run.result.objective
    assert run.states and all("cla" in s.flags for s in run.states)


def test_import_without_staff_exits_incomplete_and_bad_source_exits_1(tmp_path):
    result = runner.invoke(app, ["import", "annex-a", str(ANNEX_A), str(tmp_path / "a")])
    assert result.exit_code == 7 and "INCOMPLETE" in result.output
    result = runner.invoke(app, ["import", "ssda903", str(ANNEX_A), str(tmp_path / "b")])
    assert result.exit_code == 1 and "NOT_FOLDER" in result.output
    assert not (tmp_path / "b").exists()
    result = runner.invoke(app, ["import", "annex-a", str(ANNEX_A), str(tmp_path / "a")])
    assert result.exit_code == 1 and "OUT_EXISTS" in result.output


def test_pseudonymised_plan_is_reidentified_only_with_the_key(tmp_path):
    key = tmp_path / "private" / "council.key"
    key.parent.mkdir()
    inp, plan, back = tmp_path / "input", tmp_path / "plan", tmp_path / "back"
    result = runner.invoke(app, ["import", "annex-a", str(ANNEX_A), str(inp), "--generate-staff",
                                 "--pseudonymise", str(key), "--new-key"])
    assert result.exit_code == 0, result.output
    assert runner.invoke(app, ["plan", "--input", str(inp), "--out", str(plan)]).exit_code == 0
    decisions = (plan / "decisions.csv").read_text()
    assert "1761444" not in decisions
    result = runner.invoke(app, ["reidentify", str(plan), str(key), "--out", str(back)])
    assert result.exit_code == 0, result.output
    assert "1761444" in (back / "decisions.csv").read_text()
