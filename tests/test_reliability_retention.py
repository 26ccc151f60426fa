"""Retention: `caseload retention OUT --days N` lists, then with --apply deletes, plan
outputs older than N days, and nothing else."""

from __future__ import annotations

import os
import time
from pathlib import Path

from typer.testing import CliRunner

from allocator.retention import delete, expired
from cli import app

runner = CliRunner()
DAY = 86_400


def _age(path: Path, days: float) -> None:
    """Set ``path`` (and everything under it) ``days`` days into the past."""
    when = time.time() - days * DAY
    for root, _, files in os.walk(path) if path.is_dir() else [(path.parent, [], [path.name])]:
        for name in files:
            os.utime(Path(root) / name, (when, when))
    os.utime(path, (when, when))


def _folder(tmp_path: Path) -> Path:
    out = tmp_path / "out"
    (out / "runs" / "1").mkdir(parents=True)
    (out / "runs" / "2").mkdir()
    (out / "runs" / "3").mkdir()
    for n in ("1", "2", "3"):
        (out / "runs" / n / "plan.json").write_text("{}")
    os.symlink("runs/3", out / "latest")
    for name in ("transfer_roster.csv", "plan.json", "report.html"):
        (out / name).write_text("x")
    (out / ".staging-abc").mkdir()
    (out / "tracker.sqlite").write_text("db")
    (out / "notes.csv").write_text("a council's own file")
    for p in out.iterdir():
        if not p.is_symlink():
            _age(p, 100)
    _age(out / "runs" / "1", 100)
    _age(out / "runs" / "3", 100)
    _age(out / "report.html", 1)  # recent: kept
    return out


def test_expired_finds_only_old_plan_outputs(tmp_path):
    out = _folder(tmp_path)
    found = {(p.path.relative_to(out).as_posix(), p.kind) for p in expired(out, 30)}
    assert found == {("transfer_roster.csv", "plan file"), ("plan.json", "plan file"),
                     (".staging-abc", "staging leftover"), ("runs/1", "run folder")}


def test_the_run_latest_names_is_kept_however_old(tmp_path):
    out = _folder(tmp_path)
    assert "runs/3" not in {p.path.relative_to(out).as_posix() for p in expired(out, 0)}


def test_delete_removes_them_and_nothing_else(tmp_path):
    out = _folder(tmp_path)
    delete(expired(out, 30))
    left = sorted(p.relative_to(out).as_posix() for p in out.rglob("*"))
    assert left == ["latest", "notes.csv", "report.html", "runs", "runs/2", "runs/2/plan.json",
                    "runs/3", "runs/3/plan.json", "tracker.sqlite"]


def test_a_symlink_is_never_followed(tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "plan.json").write_text("keep")
    _age(outside / "plan.json", 100)
    out = tmp_path / "out"
    out.mkdir()
    os.symlink(outside / "plan.json", out / "plan.json")
    os.symlink(outside, out / ".staging-x")
    assert expired(out, 1) == []


def test_command_is_a_dry_run_unless_told_to_apply(tmp_path):
    out = _folder(tmp_path)
    dry = runner.invoke(app, ["retention", str(out), "--days", "30"])
    assert dry.exit_code == 0, dry.output
    assert "would delete run folder" in dry.output and "--apply" in dry.output
    assert (out / "runs" / "1").exists()
    done = runner.invoke(app, ["retention", str(out), "--days", "30", "--apply"])
    assert done.exit_code == 0, done.output
    assert "4 expired item(s)" in done.output
    assert not (out / "runs" / "1").exists() and not (out / "plan.json").exists()
    assert (out / "runs" / "2").exists() and (out / "tracker.sqlite").exists()


def test_negative_days_are_refused(tmp_path):
    result = runner.invoke(app, ["retention", str(tmp_path), "--days", "-1"])
    assert result.exit_code != 0
