"""End to end through the command line, on a small generated demo council."""

import hashlib
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import EXIT_OK, app

runner = CliRunner()


@pytest.fixture(scope="module")
def small_demo(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("demo") / "council"
    result = runner.invoke(app, ["demo", str(folder), "--children", "300", "--seed", "3"])
    assert result.exit_code == 0, result.output
    return folder


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_plan_writes_checked_outputs_and_a_summary(small_demo, tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(app, ["plan", "--input", str(small_demo), "--out", str(out)])
    assert result.exit_code == EXIT_OK, result.output
    assert "CP/looked-after children led by an ASYE .. 0" in result.output
    assert "hard violations (independent check) ...... 0" in result.output
    assert sorted(p.name for p in out.iterdir()) == [
        "capacity.csv", "decisions.csv", "explanations.csv", "plan.json", "plan.xlsx",
        "report.html", "transfer_roster.csv"]
    plan = json.loads((out / "plan.json").read_text())
    assert plan["status"].startswith("DRAFT")
    assert plan["check"]["objective"] == plan["solver"]["objective"]
    assert plan["summary"]["allocated"] + plan["summary"]["unallocated"] == len(plan["roster"])
    decisions = (out / "decisions.csv").read_text().splitlines()
    assert len(decisions) - 1 == plan["summary"]["open_children"]
    assert (out / "plan.json").stat().st_mode & 0o077 == 0  # owner-only


def test_same_input_and_seed_give_byte_identical_outputs(small_demo, tmp_path):
    for name in ("a", "b"):
        result = runner.invoke(app, ["plan", "--input", str(small_demo), "--out",
                                     str(tmp_path / name), "--seed", "5"])
        assert result.exit_code == EXIT_OK, result.output
    digests = _digests(tmp_path / "a")
    assert {"plan.xlsx", "report.html"} <= set(digests)  # the reports too, clock or not
    assert digests == _digests(tmp_path / "b")


def test_transfers_lists_decisions_with_clauses(small_demo):
    result = runner.invoke(app, ["transfers", "--input", str(small_demo)])
    assert result.exit_code == 0
    assert "transfer" in result.output and "4.2.2(1)" in result.output


def test_explain_prints_reasons_in_plain_english(small_demo, tmp_path):
    out = tmp_path / "out"
    runner.invoke(app, ["plan", "--input", str(small_demo), "--out", str(out)])
    roster = (out / "transfer_roster.csv").read_text().splitlines()
    child = roster[1].split(",")[0]
    result = runner.invoke(app, ["explain", child, "--input", str(small_demo)])
    assert result.exit_code == 0
    assert "Decision: the child" in result.output and "Why:" in result.output
    assert "clause" in result.output
    assert "Allocated lead worker:" in result.output or "No lead worker could" in result.output
    assert "Cost in the plan:" in result.output


def test_explain_unknown_child_fails_cleanly(small_demo):
    result = runner.invoke(app, ["explain", "NO-SUCH-CHILD", "--input", str(small_demo)])
    assert result.exit_code == 1


def test_plan_runs_on_the_shipped_demo_with_no_arguments(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["plan"])
    assert result.exit_code == EXIT_OK, result.output
    assert (tmp_path / "out" / "transfer_roster.csv").is_file()


@pytest.mark.parametrize("pack", ["stoke", "shropshire", "newham", "mash-cai-fsp"])
def test_plan_with_each_other_pack_on_the_demo_generated_for_it(pack, tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(app, ["plan", "--pack", pack, "--out", str(out)])
    assert result.exit_code == EXIT_OK, result.output
    assert f"policy pack '{pack}'" in result.output
    assert "hard violations (independent check) ...... 0" in result.output
    assert json.loads((out / "plan.json").read_text())["pack"] == pack


def test_transfers_with_another_pack_cites_its_clauses():
    result = runner.invoke(app, ["transfers", "--pack", "shropshire"])
    assert result.exit_code == 0, result.output
    assert "(shropshire)" in result.output


def test_demo_for_an_unknown_pack_is_refused(tmp_path):
    result = runner.invoke(app, ["demo", str(tmp_path / "x"), "--pack", "atlantis"])
    assert result.exit_code == 1
