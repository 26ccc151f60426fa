"""The assignment core on the public Generalized Assignment Problem instances.

    python benchmarks/gap.py                    # every type D and E instance, 10 s each
    python benchmarks/gap.py --all              # every instance in the data folder
    python benchmarks/gap.py --smoke            # two small cattrysse instances
    python benchmarks/gap.py chu1997/d20200 --time-limit 30

A GAP instance maps onto the core as workers = agents, children = items, with a weight and a
cost for every pair: the same shape as the weighted-capacity part of a plan, with a
best-known value to measure against. The instances (OR-Library format) and their best-known
values are in ``../shared/data/gap`` beside the repository; all of them are minimisation
problems (cattrysse1994 in its minimisation form, chu1997 types A-D, yagiura2004 type E).

Each instance runs in its own process. The table gives the objective, the best-known value,
the gap to it in percent, the proven lower bound, the wall and deterministic seconds and
the status; it is written as CSV too. Nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from common import run_instance, write_rows  # noqa: E402

from allocator.solver.assignment import AssignmentProblem, solve_assignment

DATA = ROOT.parent / "shared" / "data" / "gap"
SMOKE = ("cattrysse1994/gap1-0", "cattrysse1994/gap2-0")
COLUMNS = ("instance", "items", "agents", "objective", "best_known", "gap_pct", "bound",
           "time_s", "deterministic_s", "status")


@dataclass(frozen=True)
class BestKnown:
    """One row of ``best-known.csv``: sizes, the best bound, the optimum where proven, and
    the best value known."""

    items: int
    agents: int
    bound: int | None
    optimum: int | None
    value: int


def read_gap(path: Path) -> AssignmentProblem:
    """An OR-Library GAP file: ``m n``, then the m x n costs, the m x n weights and the m
    capacities, as whitespace-separated integers (line breaks carry no meaning)."""
    numbers = [int(tok) for tok in path.read_text().split()]
    if len(numbers) < 2:
        raise ValueError(f"{path}: not a GAP instance")
    m, n = numbers[0], numbers[1]
    expected = 2 + 2 * m * n + m
    if len(numbers) != expected:
        raise ValueError(f"{path}: {len(numbers)} numbers, expected {expected} for "
                         f"{m} agents and {n} items")
    body = np.array(numbers[2:], np.int64)
    cost = body[:m * n].reshape(m, n)
    weight = body[m * n:2 * m * n].reshape(m, n)
    capacity = body[2 * m * n:]
    return AssignmentProblem.dense(cost, weight, capacity)


def read_best_known(data: Path = DATA) -> dict[str, BestKnown]:
    """``best-known.csv`` by instance path (``chu1997/d05100``)."""
    def num(text: str) -> int | None:
        return int(text) if text.strip() else None

    out = {}
    with open(data / "best-known.csv", newline="") as fh:
        for row in csv.DictReader(fh):
            out[row["Path"]] = BestKnown(int(row["Item number"]), int(row["Agent number"]),
                                         num(row["Best known bound"]), num(row["Optimum"]),
                                         int(row["Best known solution value"]))
    return out


def default_instances(data: Path = DATA, everything: bool = False) -> list[str]:
    """Type D and E instances (the hard ones), or every instance listed."""
    names = list(read_best_known(data))
    if everything:
        return names
    return [p for p in names if p.startswith(("chu1997/d", "yagiura2004/e"))]


def measure(instance: str, seed: int, time_limit: float, workers: int,
            data: Path = DATA) -> dict[str, object]:
    """One instance solved by the assignment core, in this process."""
    problem = read_gap(data / instance)
    known = read_best_known(data)[instance]
    result = solve_assignment(problem, seed=seed, time_limit=time_limit, workers=workers)
    objective = result.objective
    if objective is not None:
        # The core's answer is re-priced from the instance: the table never trusts it.
        agent_of = np.array(result.agent_of)
        if problem.violations(agent_of) or problem.objective(agent_of) != objective:
            raise RuntimeError(f"{instance}: the assignment returned does not check")
    gap = None if objective is None else 100 * (objective - known.value) / known.value
    return {"instance": instance, "items": problem.items, "agents": problem.agents,
            "objective": objective, "best_known": known.value,
            "gap_pct": None if gap is None else round(gap, 3), "bound": result.bound,
            "time_s": round(result.seconds, 2),
            "deterministic_s": round(result.deterministic_seconds, 2),
            "status": result.status}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("instances", nargs="*", help="paths such as chu1997/d05100")
    parser.add_argument("--all", action="store_true", help="every instance in the data folder")
    parser.add_argument("--smoke", action="store_true", help="two small cattrysse instances")
    parser.add_argument("--time-limit", type=float, default=10.0,
                        help="per instance, in CP-SAT's deterministic seconds")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=1, help="interleaved CP-SAT workers")
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--csv", type=Path, default=ROOT / "benchmarks" / "gap_results.csv")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        row = measure(args.one, args.seed, args.time_limit, args.workers, args.data)
        print(json.dumps(row))
        return
    names = (list(SMOKE) if args.smoke else args.instances
             or default_instances(args.data, args.all))
    rows = []
    for name in names:
        rows.append(run_instance(__file__, [name, "--seed", str(args.seed), "--time-limit",
                                            str(args.time_limit), "--workers",
                                            str(args.workers), "--data", str(args.data)]))
        _print_row(rows[-1], header=len(rows) == 1)
    write_rows(args.csv, COLUMNS, rows)


def _print_row(row: dict[str, object], header: bool) -> None:
    widths = [max(10, len(c) + 2) for c in COLUMNS[1:]]
    if header:
        print(f"{'instance':<22}" + "".join(f"{c:>{w}}" for c, w in zip(COLUMNS[1:], widths)))
    print(f"{row['instance']!s:<22}"
          + "".join(f"{row[c]!s:>{w}}" for c, w in zip(COLUMNS[1:], widths)), flush=True)


if __name__ == "__main__":
    main()
