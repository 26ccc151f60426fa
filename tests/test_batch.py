"""``caseload batch``: the lock, atomic outputs, the run summary, exit statuses, recovery
after a run stopped at each step, and approval."""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import pytest
from test_tracker_store import open_database
from typer.testing import CliRunner

import cli
from allocator import batch as b
from allocator.batch import BatchOptions, folder_matches, run_batch
from allocator.tracker.record import sha256_file
from allocator.tracker.store import open_tracker
from cli import app, shipped_demo

runner = CliRunner()
WEEK = date(2026, 11, 23)


def options(out: Path, week: date = WEEK, **extra) -> BatchOptions:
    return BatchOptions(out=out, source=shipped_demo(), week=week, time_limit=10, **extra)


def published(out: Path) -> dict[str, str]:
    """The output files ``latest`` names, by hash (the run summary aside)."""
    folder = out / b.LATEST
    return {p.name: sha256_file(p) for p in folder.iterdir() if p.name != b.SUMMARY}


def assert_consistent(out: Path) -> None:
    """``latest`` names a complete run the tracker recorded with exactly these files, and
    no recorded run's items or files are missing."""
    store = open_tracker(b.default_tracker_url(out))
    try:
        summary = json.loads((out / b.LATEST / b.SUMMARY).read_text())
        run = store.run(summary["run_id"])
        assert run.status == "completed"
        assert run.hashes == summary["output_hashes"] == published(out)
        for r in store.runs():
            if r.status == "completed":
                assert folder_matches(out / b.RUNS / str(r.id), r.hashes)
        starting = {r.id for r in store.runs() if r.status != "completed"}
        assert not any(i.run_id in starting or i.last_run_id in starting
                       for i in store.items())
        for i in store.items():
            assert store.history(i.id)[-1].to_state == i.state
    finally:
        store.close()


def test_exit_statuses_are_the_commands():
    assert (b.EXIT_OK, b.EXIT_BAD_INPUT, b.EXIT_UNALLOCATED_STATUTORY, b.EXIT_PLAN_REJECTED,
            b.EXIT_INTERNAL, b.EXIT_LOCKED) == (
        cli.EXIT_OK, cli.EXIT_BAD_INPUT, cli.EXIT_UNALLOCATED_STATUTORY,
        cli.EXIT_PLAN_REJECTED, cli.EXIT_INTERNAL, cli.EXIT_LOCKED)


@pytest.fixture(scope="module")
def first_run(tmp_path_factory) -> Path:
    """An output folder after one successful batch run (copied by tests that change it)."""
    out = tmp_path_factory.mktemp("batch") / "out"
    result = run_batch(options(out))
    assert result.exit_code == b.EXIT_OK, result.messages
    return out


def copy_of(folder: Path, tmp_path: Path) -> Path:
    import shutil

    dest = tmp_path / "out"
    shutil.copytree(folder, dest, symlinks=True)
    return dest


def test_a_run_publishes_a_recorded_draft_with_its_summary(first_run):
    assert os.readlink(first_run / b.LATEST) == "runs/1"
    summary = json.loads((first_run / b.LATEST / b.SUMMARY).read_text())
    assert summary["plan_status"] == "DRAFT" and summary["exit_code"] == 0
    assert summary["counts"]["allocated"] == 30
    assert json.loads((first_run / b.LAST_RUN).read_text()) == summary
    assert (first_run / "tracker.sqlite").stat().st_mode & 0o077 == 0
    assert (first_run / b.LATEST / "plan.json").stat().st_mode & 0o077 == 0
    assert_consistent(first_run)


def test_a_second_run_while_one_holds_the_lock_exits_6_and_touches_nothing(first_run,
                                                                              tmp_path):
    out = copy_of(first_run, tmp_path)
    before = sorted(p.name for p in out.rglob("*"))
    with b.output_lock(out):
        result = runner.invoke(app, ["batch", "--out", str(out), "--week", "2026-11-23"])
    assert result.exit_code == b.EXIT_LOCKED
    assert "holds the lock" in result.output
    assert sorted(p.name for p in out.rglob("*")) == before


def test_bad_input_exits_1_records_the_failure_and_keeps_the_outputs(first_run, tmp_path):
    out = copy_of(first_run, tmp_path)
    bad = tmp_path / "overrides.csv"
    bad.write_text("over_override_id,over_person_id,over_action,over_professional_id,"
                   "over_date,over_reason,over_by\nO1,NOBODY,pin_worker,W0001,,"
                   "no such child here,SM\n", encoding="utf-8")
    before = published(out)
    result = run_batch(options(out, overrides=bad))
    assert result.exit_code == b.EXIT_BAD_INPUT
    last = json.loads((out / b.LAST_RUN).read_text())
    assert (last["status"], last["exit_code"]) == ("failed", 1)
    assert published(out) == before
    store = open_tracker(b.default_tracker_url(out))
    assert store.run(last["run_id"]).status == "failed"
    store.close()
    assert_consistent(out)


def test_an_internal_error_exits_5_and_is_recorded(first_run, tmp_path, monkeypatch):
    out = copy_of(first_run, tmp_path)

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("allocator.pipeline.run_plan", broken)
    result = run_batch(options(out))
    assert result.exit_code == b.EXIT_INTERNAL
    assert "RuntimeError" in result.messages[0] and "boom" not in result.messages[0]
    assert_consistent(out)


@pytest.mark.parametrize("stop_in", ["write_files_atomically", "complete_run", "point_latest"])
def test_a_run_stopped_at_any_step_leaves_a_consistent_folder_and_the_next_run_recovers(
        first_run, tmp_path, monkeypatch, stop_in):
    """Stopped before its files are written, before they are recorded, or after recording
    but before ``latest`` moves: the folder still names a complete recorded run, and the
    next run cleans up (or rolls forward) and publishes."""
    out = copy_of(first_run, tmp_path)
    before = published(out)

    class Killed(BaseException):
        pass

    def stop(*args, **kwargs):
        if stop_in == "complete_run":  # the files are in place, the commit is not
            raise Killed
        if stop_in == "write_files_atomically":
            real_write(*args, **kwargs)
            raise Killed
        raise Killed

    from allocator.io import writer
    from allocator.tracker.store import Tracker

    real_write = writer.write_files_atomically
    if stop_in == "write_files_atomically":
        monkeypatch.setattr(writer, "write_files_atomically",
                            lambda folder, files: stop(folder, files)
                            if b.RUNS in Path(folder).parts else real_write(folder, files))
    elif stop_in == "complete_run":
        monkeypatch.setattr(Tracker, "complete_run", stop)
    else:
        monkeypatch.setattr(b, "point_latest", stop)
    with pytest.raises(Killed):
        run_batch(options(out, week=date(2026, 11, 30)))
    assert published(out) == before  # the previous complete outputs
    monkeypatch.undo()
    result = run_batch(options(out, week=date(2026, 11, 30)))
    assert result.exit_code == b.EXIT_OK, result.messages
    if stop_in == "point_latest":
        assert any("latest now names recorded run" in m for m in result.messages)
    else:
        assert any("abandoned" in m for m in result.messages)
    assert_consistent(out)
    assert not list(out.glob(".staging-*")) and not list(out.glob(".latest-*"))


def test_approve_marks_the_run_approved(first_run, tmp_path):
    out = copy_of(first_run, tmp_path)
    result = runner.invoke(app, ["approve", "1", "--by", "Service manager", "--out", str(out)])
    assert result.exit_code == 0, result.output
    summary = json.loads((out / b.LATEST / b.SUMMARY).read_text())
    assert summary["plan_status"] == "APPROVED"
    assert summary["approvals"][0]["by"] == "Service manager"
    listing = runner.invoke(app, ["tracker", "runs", "--out", str(out)])
    assert "approved by Service manager" in listing.output
    missing = runner.invoke(app, ["approve", "99", "--by", "SM", "--out", str(out)])
    assert missing.exit_code == 1 and "no run 99" in missing.output


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_plan_with_a_tracker_writes_the_same_plan_and_records_the_run(kind, tmp_path,
                                                                        request):
    db = open_database(kind, tmp_path, request)
    plain, tracked = tmp_path / "plain", tmp_path / "tracked"
    assert runner.invoke(app, ["plan", "--out", str(plain)]).exit_code == 0
    result = runner.invoke(app, ["plan", "--out", str(tracked), "--tracker", db.url])
    assert result.exit_code == 0, result.output
    assert "Recorded in the tracker as run 1" in result.output
    for p in plain.iterdir():
        assert sha256_file(p) == sha256_file(tracked / p.name), p.name
    store = open_tracker(db.url)
    assert len(store.items()) == 30 and store.run(1).kind == "plan"
    store.close()


def test_tracker_commands_change_states_and_refuse_what_the_machine_forbids(first_run,
                                                                              tmp_path):
    out = copy_of(first_run, tmp_path)
    base = ["tracker", "--out", str(out)]
    ok = runner.invoke(app, base + ["agree", "1", "--by", "TM", "--date", "2026-11-30"])
    assert ok.exit_code == 0 and "now agreed for 2026-11-30" in ok.output
    no_reason = runner.invoke(app, base + ["delay", "1", "--by", "TM", "--reason", " "])
    assert no_reason.exit_code == 1 and "needs a reason" in no_reason.output
    assert runner.invoke(app, base + ["complete", "1", "--by", "TM"]).exit_code == 0
    again = runner.invoke(app, base + ["cancel", "1", "--by", "TM", "--reason", "dup"])
    assert again.exit_code == 1 and "cannot become cancelled" in again.output
    history = runner.invoke(app, base + ["history", "1"])
    assert "proposed -> agreed" in history.output and "agreed -> completed" in history.output


def test_a_statutory_child_left_unallocated_exits_3_escalates_and_needs_a_reasoned_approval(
        first_run, tmp_path):
    """Forbidding every Safeguarding worker for a child on a CP plan leaves the child
    unallocated: the plan is still written and recorded, the exit status is 3, the tracker
    escalates the child at once, and approval needs a reason."""
    from allocator.pipeline import run_plan
    from allocator.tracker.escalation import review, rules_for

    out = copy_of(first_run, tmp_path)
    problem = run_plan(shipped_demo(), week=WEEK).problem
    child = "P000012"  # on a CP plan, moving to sfs
    rows = [f"O{n},{child},forbid_worker,{w},,not suitable for this family,SM"
            for n, w in enumerate(problem.service_workers["sfs"])]
    overrides = tmp_path / "overrides.csv"
    overrides.write_text("over_override_id,over_person_id,over_action,over_professional_id,"
                         "over_date,over_reason,over_by\n" + "\n".join(rows) + "\n",
                         encoding="utf-8")
    result = runner.invoke(app, ["batch", "--out", str(out), "--week", "2026-11-23",
                                 "--overrides", str(overrides)])
    assert result.exit_code == b.EXIT_UNALLOCATED_STATUTORY, result.output
    summary = json.loads((out / b.LATEST / b.SUMMARY).read_text())
    assert summary["counts"]["unallocated_statutory"] == 1
    assert_consistent(out)
    store = open_tracker(b.default_tracker_url(out))
    (item,) = [i for i in store.items() if i.child_id == child and i.state == "proposed"]
    assert item.worker is None
    statuses = review([item], WEEK, rules_for(None))
    assert [s.category for s in statuses] == ["escalated"] and statuses[0].raised
    store.close()
    refused = runner.invoke(app, ["approve", str(summary["run_id"]), "--by", "SM",
                                  "--out", str(out)])
    assert refused.exit_code == 1 and "needs a reason" in refused.output
