"""The benchmark suite's small variant runs, so it never rots (figures are not asserted)."""

import csv
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parent.parent


def test_smoke_benchmark_writes_a_row_with_zero_hard_violations(tmp_path):
    out = tmp_path / "bench.csv"
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "run.py"), "--smoke", "--csv",
                    str(out), "--time-limit", "10"], check=True, capture_output=True)
    [row] = list(csv.DictReader(open(out)))
    assert row["children"] == "300" and row["hard_violations"] == "0"
    assert row["status"] in ("OPTIMAL", "FEASIBLE")
    assert row["greedy_objective"] != "infeasible"
