"""A sweep on a real Dask cluster: a `dask scheduler` and two `dask worker` processes on
127.0.0.1, started as a cluster's operators would, and `caseload scenario sweep
--scheduler` pointed at them. Its figures equal running each scenario and seed in turn."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import asdict
from datetime import date
from pathlib import Path

import pytest

from allocator.demo import write_demo
from allocator.simulation.model import load_scenario
from allocator.simulation.sweep import sweep_serial

distributed = pytest.importorskip("dask.distributed")

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
WORKERS = 2


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def scheduler(tmp_path: Path) -> Iterator[str]:
    """The address of a scheduler with two single-threaded workers, torn down after."""
    address = f"tcp://127.0.0.1:{free_port()}"
    env = dict(os.environ, PYTHONPATH=str(REPO))  # workers import allocator from the repo
    log = open(tmp_path / "dask.log", "wb")  # noqa: SIM115 - closed in finally
    common = {"cwd": REPO, "env": env, "stdout": log, "stderr": subprocess.STDOUT}
    procs = [subprocess.Popen([str(BIN / "dask"), "scheduler", "--host", "127.0.0.1",
                               "--port", address.rsplit(":", 1)[1], "--no-dashboard"],
                              **common)]  # type: ignore[call-overload]
    try:
        procs += [subprocess.Popen([str(BIN / "dask"), "worker", address, "--nthreads", "1",
                                    "--no-nanny", "--no-dashboard", "--host", "127.0.0.1",
                                    "--local-directory", str(tmp_path / f"worker{i}")],
                                   **common)  # type: ignore[call-overload]
                  for i in range(WORKERS)]
        with distributed.Client(address, timeout=60) as client:
            client.wait_for_workers(WORKERS, timeout=60)
        yield address
    finally:
        for p in reversed(procs):  # workers first, then the scheduler
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        log.close()


def tiny_scenario(folder: Path) -> Path:
    """A 100-child demo council with more referrals, two weeks, one solver second a week."""
    council = write_demo(folder / "council", children=100, seed=5,
                         extract_date=date(2026, 11, 20))
    path = folder / "more.yaml"
    path.write_text(f"name: More referrals\ncouncil: {council}\nstart: 2026-11-23\n"
                    "weeks: 2\ntime_limit: 1.0\ndemand:\n  closure_rate: 0.03\n"
                    "  referral_change: 0.5\n", encoding="utf-8")
    return path


def test_sweep_on_a_real_cluster_equals_serial(tmp_path: Path, scheduler: str) -> None:
    file = tiny_scenario(tmp_path)
    out = tmp_path / "sweep"
    done = subprocess.run([str(BIN / "caseload"), "scenario", "sweep", str(file), "--seeds",
                           "1-2", "--scheduler", scheduler, "--out", str(out)],
                          check=False, cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    figures = json.loads((out / "figures.json").read_text(encoding="utf-8"))
    serial = sweep_serial([load_scenario(file)], [1, 2])
    assert [(r["name"], r["seed"]) for r in figures["runs"]] == [("More referrals", 1),
                                                                 ("More referrals", 2)]
    assert [r["weeks"] for r in figures["runs"]] == [[asdict(w) for w in s.weeks]
                                                     for s in serial]
    assert [r["totals"] for r in figures["runs"]] == [s.totals() for s in serial]
    assert figures["runs"][0]["weeks"] != figures["runs"][1]["weeks"]  # the seeds differ
    assert [s["scenario"] for s in figures["spread"]] == ["More referrals"]
    assert not (out / "tracker").exists()  # remote workers keep temporary trackers
