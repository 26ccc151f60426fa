"""Safe files: plan outputs are owner-only and written atomically; `caseload plan` killed
(SIGKILL) at random points leaves every output file complete, the old or the new.

The run alternates between two plan weeks, so the old and the new outputs differ; both are
computed in-process beforehand (a plan is deterministic) and every file left after a kill
must hash as one of the two. A handful of kills by default; ``CASELOAD_KILL_RUNS=N`` (or
the Hypothesis ``ci`` profile, 100) for more, ``CASELOAD_KILL_SEED`` to replay a sequence.
tests/test_batch_kill.py does the same for `caseload batch`, where the whole set moves at
once through the ``latest`` link.
"""

from __future__ import annotations

import hashlib
import os
import random
import signal
import stat
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from allocator.io.writer import plan_files, write_plan
from allocator.pipeline import run_plan
from cli import shipped_demo

WEEKS = ("2026-11-23", "2026-11-30")


def kill_runs() -> int:
    if "CASELOAD_KILL_RUNS" in os.environ:
        return int(os.environ["CASELOAD_KILL_RUNS"])
    return 100 if os.environ.get("HYPOTHESIS_PROFILE") == "ci" else 4


def command(out: Path, week: str) -> list[str]:
    script = Path(sys.executable).parent / "caseload"
    head = [str(script)] if script.exists() else [sys.executable, "-c", "import cli; cli.main()"]
    return head + ["plan", "--out", str(out), "--week", week]


def expected(week: str) -> dict[str, str]:
    run = run_plan(shipped_demo(), week=date.fromisoformat(week), seed=0, time_limit=30.0)
    return {name: hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data)
            .hexdigest() for name, data in plan_files(run).items()}


def on_disk(out: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in out.iterdir() if p.is_file()}


def test_outputs_are_owner_only(tmp_path):
    out = tmp_path / "out"
    written = write_plan(run_plan(shipped_demo(), time_limit=30), out)
    assert stat.S_IMODE(out.stat().st_mode) & 0o077 == 0
    for path in written:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name


def test_plan_killed_at_random_points_leaves_old_or_new_complete_files(tmp_path):
    seed = int(os.environ.get("CASELOAD_KILL_SEED", "2026"))
    rng = random.Random(seed)
    versions = {week: expected(week) for week in WEEKS}
    out = tmp_path / "out"
    first = subprocess.run(command(out, WEEKS[0]), capture_output=True, check=False)
    assert first.returncode == 0, first.stderr
    assert on_disk(out) == versions[WEEKS[0]]
    typical, finished, mixed = 2.5, 0, 0
    for i in range(kill_runs()):
        started = time.monotonic()
        proc = subprocess.Popen(command(out, WEEKS[(i + 1) % 2]), stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.05, typical * 1.1))  # anywhere from start-up to past the end
        proc.send_signal(signal.SIGKILL)
        if proc.wait() == 0:
            finished += 1
            typical = max(typical * 0.8, time.monotonic() - started)
        files = on_disk(out)
        assert set(files) == set(versions[WEEKS[0]]), f"kill {i} (seed {seed}): a file is missing"
        whose = set()
        for name, digest in files.items():
            owner = [w for w in WEEKS if versions[w][name] == digest]
            assert owner, f"kill {i} (seed {seed}): {name} is neither old nor new"
            if len(owner) == 1:  # a file the same in both weeks says nothing of which run
                whose.add(owner[0])
        mixed += len(whose) > 1
    print(f"{kill_runs()} kills: every file old or new and complete; {finished} runs finished "
          f"before the kill; {mixed} left a mix of old and new files")
    for stray in out.glob(".staging-*"):  # a killed run's private staging folder
        assert stat.S_IMODE(stray.stat().st_mode) & 0o077 == 0
