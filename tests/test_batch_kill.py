"""The kill test: ``caseload batch`` killed (SIGKILL) at random points, in a real process.

After every kill the output folder must hold either the previous complete outputs or the
complete new ones, hash-checked against the run summary and the tracker, and the tracker
must be consistent; the next run must recover and publish. A handful of kills by default;
``CASELOAD_KILL_RUNS=N`` (or the Hypothesis ``ci`` profile, 30) for more, and
``CASELOAD_KILL_SEED`` to replay a sequence.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from test_batch import WEEK, assert_consistent

from allocator import batch as b
from allocator.batch import BatchOptions, run_batch
from cli import shipped_demo

WEEKS = ("2026-11-30", "2026-12-07")


def kill_runs() -> int:
    if "CASELOAD_KILL_RUNS" in os.environ:
        return int(os.environ["CASELOAD_KILL_RUNS"])
    return 30 if os.environ.get("HYPOTHESIS_PROFILE") == "ci" else 4


def command(out: Path, week: str) -> list[str]:
    script = Path(sys.executable).parent / "caseload"
    head = [str(script)] if script.exists() else [sys.executable, "-c",
                                                   "import cli; cli.main()"]
    return head + ["batch", "--out", str(out), "--week", week, "--time-limit", "10"]


def latest_id(out: Path) -> int:
    return json.loads((out / b.LATEST / b.SUMMARY).read_text())["run_id"]


def test_batch_killed_at_random_points_leaves_old_or_new_outputs(tmp_path):
    seed = int(os.environ.get("CASELOAD_KILL_SEED", "2026"))
    rng = random.Random(seed)
    out = tmp_path / "out"
    first = run_batch(BatchOptions(out=out, source=shipped_demo(), week=WEEK, time_limit=10))
    assert first.exit_code == b.EXIT_OK, first.messages
    durations: list[float] = []
    for i in range(kill_runs()):
        before = latest_id(out)
        started = time.monotonic()
        proc = subprocess.Popen(command(out, WEEKS[i % 2]), stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        # Kill anywhere from start-up to just past a typical run's end.
        typical = max(durations) if durations else 4.0
        time.sleep(rng.uniform(0.1, typical * 1.1))
        proc.send_signal(signal.SIGKILL)
        code = proc.wait()
        if code == 0:
            durations.append(time.monotonic() - started)
        after = latest_id(out)
        assert after == before or after > before, f"kill {i} (seed {seed})"
        assert_consistent(out)
    final = subprocess.run(command(out, WEEKS[0]), capture_output=True, text=True, check=False)
    assert final.returncode == b.EXIT_OK, final.stderr
    assert_consistent(out)
    assert not list(out.glob(".staging-*")) and not list(out.glob(".latest-*"))
    recorded = {p.name for p in (out / b.RUNS).iterdir()}
    summary = json.loads(final.stdout.strip().splitlines()[-1])
    assert str(summary["run_id"]) in recorded
