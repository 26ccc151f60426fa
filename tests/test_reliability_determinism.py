"""Determinism: repeated runs of the demo plan give one SHA-256 for every output file.

Each run goes through the whole pipeline (read, decide, solve, check) and writes every
output into a folder of its own; every file must hash the same in every run. Twenty runs by
default (the figure in docs/reliability.md); ``CASELOAD_DETERMINISM_RUNS=N`` for another
count. tests/test_cli.py checks the same through the command on a generated council.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from allocator.io.writer import write_plan
from allocator.pipeline import run_plan
from cli import shipped_demo


def runs() -> int:
    return int(os.environ.get("CASELOAD_DETERMINISM_RUNS", "20"))


def digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.iterdir()) if p.is_file()}


def test_repeated_demo_runs_give_one_hash_per_output(tmp_path):
    seen: dict[str, set[str]] = {}
    for i in range(runs()):
        out = tmp_path / f"run{i}"
        write_plan(run_plan(shipped_demo(), seed=0, time_limit=30), out)
        for name, digest in digests(out).items():
            seen.setdefault(name, set()).add(digest)
    print(f"{runs()} runs, {len(seen)} outputs, distinct hashes per output: "
          f"{max(len(v) for v in seen.values())}")
    assert len(seen) >= 7  # the four CSVs, plan.json, plan.xlsx, report.html
    assert all(len(hashes) == 1 for hashes in seen.values()), \
        {name: len(hashes) for name, hashes in seen.items()}
