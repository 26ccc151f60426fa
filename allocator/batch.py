"""Scheduled batch runs: one at a time, outputs all-or-nothing, every run in the tracker.

``caseload batch`` is what cron or a systemd timer runs each week. The output folder holds:

    OUT/.lock            the lock: a second run while one holds it exits 6 at once
    OUT/tracker.sqlite   the default tracker (or ``--tracker URL``)
    OUT/runs/N/          run N's plan files and run_summary.json, written atomically
    OUT/latest           a symbolic link to the newest recorded run's folder
    OUT/last_run.json    the machine-readable summary of the latest invocation, whatever
                         its outcome

Order, so that a run killed at any point leaves tracker and outputs consistent: the run is
inserted as "started"; the plan is computed and checked; its files are written into
``runs/N`` (staged, fsynced, renamed); the run's results, output hashes and items are
recorded in one transaction, which is the commit point; only then does ``latest`` move, by
an atomic rename. ``latest`` therefore always names a complete, recorded run. A run killed
before its commit leaves a "started" row and perhaps a ``runs/N`` folder: the next batch
run, holding the lock, marks it abandoned and removes the folder. A run killed after its
commit but before ``latest`` moved is rolled forward by the next run.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:  # imported where used, so `caseload --help` stays quick
    from allocator.pipeline import PlanRun
    from allocator.tracker.pins import PinReport
    from allocator.tracker.store import RunRecord, Tracker

# The command's exit statuses (cli.py uses the same numbers).
EXIT_OK = 0
EXIT_BAD_INPUT = 1
EXIT_UNALLOCATED_STATUTORY = 3
EXIT_PLAN_REJECTED = 4
EXIT_INTERNAL = 5
EXIT_LOCKED = 6

LOCK_NAME = ".lock"
RUNS = "runs"
LATEST = "latest"
LAST_RUN = "last_run.json"
SUMMARY = "run_summary.json"


@dataclass(frozen=True)
class BatchOptions:
    out: Path
    source: Path
    week: date | None = None
    pack: str | None = None
    seed: int = 0
    time_limit: float = 30.0
    config: Path | None = None
    overrides: Path | None = None
    tracker_url: str | None = None  # default: sqlite:///OUT/tracker.sqlite


@dataclass
class BatchResult:
    exit_code: int
    summary: dict[str, object] = field(default_factory=dict)
    messages: list[str] = field(default_factory=list)


class LockHeld(Exception):
    """Another batch run holds the output folder's lock."""


def default_tracker_url(out: Path) -> str:
    return f"sqlite:///{Path(out).resolve() / 'tracker.sqlite'}"


@contextmanager
def output_lock(out: Path) -> Iterator[IO[str]]:
    """Hold an exclusive lock on ``OUT/.lock`` for the run; raise LockHeld if another has it.

    ``flock`` is released by the kernel when the holder exits, killed or not, so a stale
    lock never blocks the next week's run.
    """
    out.mkdir(parents=True, exist_ok=True, mode=0o700)
    fh = os.fdopen(os.open(out / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600), "r+")
    try:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise LockHeld(str(out)) from None
        yield fh
    finally:
        fh.close()


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def point_latest(out: Path, run_id: int) -> None:
    """Make ``OUT/latest`` name ``runs/<run_id>`` in one atomic rename."""
    tmp = out / f".latest-{os.getpid()}"
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    os.symlink(f"{RUNS}/{run_id}", tmp)
    os.replace(tmp, out / LATEST)
    fsync_dir(out)


def latest_run_id(out: Path) -> int | None:
    link = out / LATEST
    if not link.is_symlink():
        return None
    try:
        return int(os.readlink(link).rsplit("/", 1)[-1])
    except ValueError:
        return None


def folder_matches(folder: Path, hashes: dict[str, str]) -> bool:
    """True when ``folder`` holds every file in ``hashes`` with exactly those contents."""
    from allocator.tracker.record import sha256_file

    return bool(hashes) and all((folder / name).is_file()
                                and sha256_file(folder / name) == digest
                                for name, digest in hashes.items())


def recover(out: Path, tracker: Tracker) -> list[str]:
    """Bring the folder and tracker back to a consistent state after a killed run. Call
    only while holding the lock. Returns what it did, for the log."""
    done = []
    abandoned = tracker.abandon_started_runs()
    if abandoned:
        done.append(f"runs {abandoned} were stopped before being recorded: marked abandoned")
    recorded = {r.id for r in tracker.runs() if r.status == "completed"}
    runs_dir = out / RUNS
    if runs_dir.is_dir():
        for folder in runs_dir.iterdir():
            if not (folder.name.isdigit() and int(folder.name) in recorded):
                shutil.rmtree(folder, ignore_errors=True)
                done.append(f"removed unrecorded output folder runs/{folder.name}")
    for stray in out.glob(".staging-*"):
        shutil.rmtree(stray, ignore_errors=True)
    for stray in out.glob(".latest-*"):
        stray.unlink(missing_ok=True)
    last = tracker.last_completed_run(str(out.resolve()))
    if last is not None and latest_run_id(out) != last.id and \
            folder_matches(runs_dir / str(last.id), last.hashes):
        point_latest(out, last.id)
        done.append(f"latest now names recorded run {last.id}")
    return done


def write_json_atomically(folder: Path, name: str, data: dict[str, object]) -> None:
    from allocator.io.writer import write_files_atomically

    write_files_atomically(folder, {name: json.dumps(data, indent=1, sort_keys=True,
                                                     default=str) + "\n"})


def run_batch(opts: BatchOptions) -> BatchResult:
    """One scheduled run: lock, recover, plan with the tracker's pins, write, record."""
    out = Path(opts.out)
    try:
        with output_lock(out):
            return _locked_run(opts, out.resolve())
    except LockHeld:
        held = f"another caseload batch run holds the lock on {out}; nothing was done"
        return BatchResult(EXIT_LOCKED, {"status": "locked", "exit_code": EXIT_LOCKED}, [held])


def _locked_run(opts: BatchOptions, out: Path) -> BatchResult:
    from allocator.tracker.store import open_tracker

    tracker = open_tracker(opts.tracker_url or default_tracker_url(out))
    try:
        messages = recover(out, tracker)
        result = _plan_and_record(opts, out, tracker)
        result.messages[:0] = messages
        write_json_atomically(out, LAST_RUN, result.summary)
        return result
    finally:
        tracker.close()


def _plan_and_record(opts: BatchOptions, out: Path, tracker: Tracker) -> BatchResult:
    from allocator.config import load_config
    from allocator.errors import InputError, NoPlanError, PlanCheckError
    from allocator.io.writer import plan_files, write_files_atomically
    from allocator.pipeline import run_plan
    from allocator.tracker.pins import PinReport, plan_with_pins
    from allocator.tracker.record import (
        code_version,
        config_hash,
        input_hash,
        run_record,
        sha256_text,
    )

    configuration = run_configuration(opts)
    run_id = tracker.start_run("batch", opts.seed, configuration, input_hash(opts.source),
                               config_hash(configuration), code_version(), str(out))
    pins = PinReport()
    try:
        config = load_config(opts.config)
        run = plan_with_pins(lambda source: run_plan(
            opts.source, week=opts.week, pack_name=opts.pack, seed=opts.seed,
            time_limit=opts.time_limit, config=config, overrides=opts.overrides,
            pins=source), tracker, pins)
    except (InputError, NoPlanError) as exc:
        return _failed(tracker, run_id, EXIT_BAD_INPUT, _describe(exc))
    except PlanCheckError as exc:
        return _failed(tracker, run_id, EXIT_PLAN_REJECTED,
                       [(f"the plan failed its independent check ({len(exc.violations)} "
                         "violation(s)); nothing was written")])
    except Exception as exc:  # recorded without its message: it could carry a child's data
        if os.environ.get("CASELOAD_DEBUG") == "1":
            raise
        return _failed(tracker, run_id, EXIT_INTERNAL,
                       [f"internal error ({type(exc).__name__}); nothing was written"])
    exit_code = EXIT_UNALLOCATED_STATUTORY if run.statutory_unallocated else EXIT_OK
    files = plan_files(run)
    hashes = {name: sha256_text(text) for name, text in sorted(files.items())}
    record = run_record(run, hashes, exit_code)
    summary = run_summary(run_id, run, record, hashes, pins, configuration)
    files[SUMMARY] = json.dumps(summary, indent=1, sort_keys=True, default=str) + "\n"
    (out / RUNS).mkdir(exist_ok=True, mode=0o700)
    write_files_atomically(out / RUNS / str(run_id), files)
    fsync_dir(out / RUNS)  # the new folder's own entry is on disk before the commit
    tracker.complete_run(run_id, record)  # the commit point
    point_latest(out, run_id)
    messages = [(f"run {run_id} recorded; plan written to {out / LATEST}/ (DRAFT until a "
                 f"manager approves it: caseload approve {run_id} --by NAME)")]
    messages += [f"tracker item {i} not pinned: {why}" for i, why in pins.unpinned]
    return BatchResult(exit_code, summary, messages)


def run_configuration(opts: BatchOptions) -> dict[str, object]:
    """The options a run was made with, as recorded in the tracker (paths by name only)."""
    return {"week": opts.week, "pack": opts.pack, "seed": opts.seed,
            "time_limit": opts.time_limit,
            "config": Path(opts.config).name if opts.config else None,
            "overrides": Path(opts.overrides).name if opts.overrides else None}


def run_summary(run_id: int, run: PlanRun, record: RunRecord, hashes: dict[str, str],
                pins: PinReport, configuration: dict[str, object]) -> dict[str, object]:
    """The machine-readable summary written beside the plan and as ``last_run.json``."""
    from allocator.summary import summarise
    from allocator.tracker.record import code_version

    return {
        "run_id": run_id, "status": "completed", "plan_status": "DRAFT",
        "exit_code": record.exit_code, "week": record.week, "council": record.council,
        "pack": record.pack, "seed": run.seed, "configuration": configuration,
        "code_version": code_version(), "solver_status": record.solver_status,
        "check": {"ok": record.check_ok, "objective": record.check_objective},
        "counts": summarise(run).as_dict(), "output_hashes": hashes,
        "manager_overrides": record.manager_overrides,
        "tracker_pins": {"pinned_items": pins.pinned,
                         "not_pinned": [{"item": i, "why": w} for i, w in pins.unpinned]},
    }


def _failed(tracker: Tracker, run_id: int, exit_code: int, lines: list[str]) -> BatchResult:
    tracker.fail_run(run_id, exit_code, lines[0] if lines else "failed")
    return BatchResult(exit_code, {"run_id": run_id, "status": "failed",
                                   "exit_code": exit_code, "messages": lines}, lines)


def _describe(exc: Exception) -> list[str]:
    from allocator.errors import InputError, NoPlanError

    if isinstance(exc, InputError):
        return [f"input is not valid: {len(exc.problems)} problem(s); nothing was written",
                *(str(p) for p in exc.problems[:50])]
    assert isinstance(exc, NoPlanError)
    return [("no plan honours every hard rule, override and tracker pin together; "
             "nothing was written"), *exc.conflicts]
