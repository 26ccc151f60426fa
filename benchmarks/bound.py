"""The Lagrangian lower bound (allocator.solver.lagrangian) per service of demo councils.

    python benchmarks/bound.py                          # weekly plans at 1,000 / 3,000 / 12,000
    python benchmarks/bound.py --reallocate --sizes 3000 12000
    python benchmarks/bound.py --sizes 1000 --cpsat 10  # and CP-SAT's bound, 10 s a service
    python benchmarks/bound.py --sizes 3000 --reallocate --lp   # and the relaxation's optimum

For each service: requests, workers, the bound and its seconds (with meeting slots and
weekly limits priced, allocator.solver.lagrangian_rows, and without them: the greedy
plan's objective is the target of both), and the greedy plan's objective (an upper
bound). ``--cpsat SECONDS`` adds ``solve_service``'s status, objective and bound; ``--lp``
the exact optimum of the same relaxation by HiGHS, which the bound approaches from below.
The problem is built as ``run_plan`` builds it, without solving. Figures are printed and
written as CSV; nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from common import write_rows

from allocator.alternatives import service_problem
from allocator.checker import check_plan
from allocator.config import PlanConfig
from allocator.demo import write_demo
from allocator.io.reader import read_caseload
from allocator.pipeline import decide, default_week
from allocator.problem import AllocationProblem, ProblemBuilder
from allocator.rules.pack import load_pack
from allocator.solver.greedy import greedy_plan
from allocator.solver.lagrangian import ServiceArrays, service_arrays, service_lower_bound

COLUMNS = ("kind", "children", "service", "requests", "workers", "bound_rows_dropped",
           "bound_rows_dropped_s", "bound", "bound_s",
           "greedy_objective", "lp", "lp_s", "cpsat_status", "cpsat_objective", "cpsat_bound",
           "cpsat_s")


def demo_problem(children: int, seed: int, reallocate: bool) -> AllocationProblem:
    """A demo council's problem for its coming week, as ``run_plan`` builds it."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_demo(Path(tmp) / "council", children, seed, date(2026, 11, 20))
        caseload = read_caseload(folder)
    pack = load_pack(caseload.manifest.pack)
    states, decisions, engine = decide(caseload, pack, default_week(caseload), reallocate)
    return ProblemBuilder(caseload, pack, PlanConfig(), engine.plan_date,
                          engine.horizon_end).build(states, decisions)


def relaxation_optimum(arrays: ServiceArrays) -> float:
    """The relaxation the bound is the dual of, solved as an LP by HiGHS: shares ``x`` of
    allowed pairs, ``u`` unallocated, and per worker the points above each load line."""
    import highspy

    rows, cols = np.nonzero(np.isfinite(arrays.cost))
    n_req, n_work = arrays.cost.shape
    pairs = len(rows)
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    inf = highspy.kHighsInf
    n = pairs + n_req + 2 * n_work
    h.addVars(n, np.zeros(n), np.concatenate([np.ones(pairs + n_req), np.full(2 * n_work, inf)]))
    h.changeColsCost(n, np.arange(n, dtype=np.int32), np.concatenate(
        [arrays.cost[rows, cols], arrays.unallocated, np.full(n_work, arrays.balance),
         np.full(n_work, arrays.overload)]))
    edge = np.searchsorted(rows, np.arange(n_req + 1))  # pairs come row by row
    _add_rows(h, [np.append(np.arange(edge[r], edge[r + 1]), pairs + r) for r in range(n_req)],
              lambda idx: np.ones(len(idx)), np.ones(n_req), np.ones(n_req))
    order = np.argsort(cols, kind="stable")
    edge = np.searchsorted(cols[order], np.arange(n_work + 1))
    for line, first in ((arrays.busy, pairs + n_req), (arrays.full, pairs + n_req + n_work)):
        members = [np.append(order[edge[w]:edge[w + 1]], first + w) for w in range(n_work)]
        _add_rows(h, members, lambda idx: np.append(arrays.points[rows[idx[:-1]]], -1.0),
                  np.full(n_work, -inf), line)
    h.run()
    return float(h.getInfo().objective_function_value)


def _add_rows(h: Any, members: list[np.ndarray], values: Any, lower: np.ndarray,
              upper: np.ndarray) -> None:
    starts = np.cumsum([0] + [len(m) for m in members[:-1]]).astype(np.int32)
    index = np.concatenate(members).astype(np.int32)
    value = np.concatenate([values(m) for m in members]).astype(float)
    h.addRows(len(members), lower, upper, len(index), starts, index, value)


def measure(children: int, seed: int, reallocate: bool, cpsat: float | None,
            lp: bool) -> list[dict[str, object]]:
    problem = demo_problem(children, seed, reallocate)
    out = []
    for service in problem.services:
        greedy = check_plan(greedy_plan(problem, service),
                            service_problem(problem, service)).objective
        t = time.perf_counter()
        dropped = service_lower_bound(problem, service, upper=greedy, with_rows=False)
        dropped_s = time.perf_counter() - t
        t = time.perf_counter()
        bound = service_lower_bound(problem, service, upper=greedy)
        row: dict[str, object] = {
            "kind": "reallocate" if reallocate else "weekly", "children": children,
            "service": service, "requests": len(problem.requests_in(service)),
            "workers": len(problem.service_workers.get(service, ())),
            "bound_rows_dropped": dropped, "bound_rows_dropped_s": round(dropped_s, 2),
            "bound": bound, "bound_s": round(time.perf_counter() - t, 2),
            "greedy_objective": greedy}
        if lp:
            t = time.perf_counter()
            row["lp"] = round(relaxation_optimum(service_arrays(problem, service)), 1)
            row["lp_s"] = round(time.perf_counter() - t, 2)
        if cpsat is not None:
            from allocator.solver.model import solve_service

            t = time.perf_counter()
            solved = solve_service(problem, service, seed, cpsat)
            row.update(cpsat_status=solved.status, cpsat_objective=solved.objective,
                       cpsat_bound=solved.bound, cpsat_s=round(time.perf_counter() - t, 2))
        print("  ".join(f"{k}={row[k]}" for k in COLUMNS if k in row), flush=True)
        out.append(row)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 3000, 12000],
                        help="open children per demo council")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--reallocate", action="store_true",
                        help="the council's full re-allocation instead of its weekly plan")
    parser.add_argument("--cpsat", type=float, metavar="SECONDS",
                        help="also solve each service with CP-SAT for this long")
    parser.add_argument("--lp", action="store_true",
                        help="also solve the relaxation exactly with HiGHS")
    parser.add_argument("--csv", type=Path, default=ROOT / "out" / "bound_results.csv")
    args = parser.parse_args()
    rows = [row for size in args.sizes
            for row in measure(size, args.seed, args.reallocate, args.cpsat, args.lp)]
    write_rows(args.csv, COLUMNS, rows)


if __name__ == "__main__":
    main()
