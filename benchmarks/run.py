"""Benchmarks: time per stage, peak memory, objective, bound and gap, hard violations, and
the model against the greedy baseline a manager would apply by hand.

    python benchmarks/run.py            # weekly plans at 1,000 / 3,000 / 12,000 / 30,000
    python benchmarks/run.py --smoke    # one small instance (what the test suite runs)
    python benchmarks/run.py --sizes 3000 --time-limit 60 --csv out.csv
    python benchmarks/run.py --sizes 1000 3000 --highs   # and the same models in HiGHS
    python benchmarks/run.py --reallocate   # full re-allocations at 1,000 / 3,000 / 12,000

Each instance runs in its own process, so its peak memory is its own. Figures are printed
as a table and written as CSV; nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from common import run_instance, write_rows  # noqa: E402

COLUMNS = ("kind", "children", "requests", "load_validate_s", "rules_s", "build_s", "solve_s",
           "check_s", "write_s", "total_s", "peak_mib", "status", "objective", "bound", "gap",
           "hard_violations", "greedy_objective", "model_unallocated", "greedy_unallocated",
           "model_split", "greedy_split", "model_over_capacity", "greedy_over_capacity",
           "model_overload_points", "greedy_overload_points", "model_asye_led",
           "greedy_asye_led", "model_worker_changes", "greedy_worker_changes", "highs_objective", "highs_bound",
           "highs_s", "highs_to_model_quality_s")


def measure(children: int, seed: int, time_limit: float,
            highs: bool = False, reallocate: bool = False) -> dict[str, object]:
    """One instance, end to end, in this process; with ``highs``, each service's full model
    is also solved by HiGHS (benchmarks/highs.py) for time to the same quality. With
    ``reallocate``, the full re-allocation of the council (a restructure) instead of its
    weekly plan."""
    from allocator.checker import check_plan
    from allocator.demo import write_demo
    from allocator.io.writer import write_plan
    from allocator.pipeline import run_plan
    from allocator.solver.greedy import greedy_plan

    with tempfile.TemporaryDirectory() as tmp:
        folder = write_demo(Path(tmp) / "council", children, seed, date(2026, 11, 20))
        t = time.perf_counter()
        run = run_plan(folder, seed=seed, time_limit=time_limit, reallocate=reallocate)
        t_write = time.perf_counter()
        write_plan(run, Path(tmp) / "out")
        write_s = time.perf_counter() - t_write
        total = time.perf_counter() - t
        greedy = greedy_plan(run.problem)
        greedy_check = check_plan(greedy, run.problem)
        model, base = _quality(run.result.plan, run.problem), _quality(greedy, run.problem)
    # Large plans solve services in worker processes: the peak is the larger of the two.
    peak = max(_own_peak_kib(), resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
    mip: dict[str, object] = {}
    if highs:
        from highs import highs_compare

        both = highs_compare(run.problem, seed, time_limit)["total"]
        mip = {"highs_objective": both["highs_objective"], "highs_bound": both["highs_bound"],
               "highs_s": both["highs_s"], "highs_to_model_quality_s": both["highs_to_cpsat_s"]}
    return {
        "kind": "reallocation" if reallocate else "weekly",
        "children": children, "requests": len(run.problem.requests),
        "load_validate_s": run.timings["load_validate"], "rules_s": run.timings["rules"],
        "build_s": run.timings["model_build"], "solve_s": run.timings["solve"],
        "check_s": run.timings["check"], "write_s": write_s, "total_s": total,
        "peak_mib": peak, "status": run.result.status, "objective": run.check.objective,
        "bound": run.result.bound, "gap": run.result.gap,
        "hard_violations": len(run.check.violations),
        "greedy_objective": greedy_check.objective if greedy_check.ok else "infeasible",
        "model_unallocated": model["unallocated"], "greedy_unallocated": base["unallocated"],
        "model_split": model["split"], "greedy_split": base["split"],
        "model_over_capacity": model["over"], "greedy_over_capacity": base["over"],
        "model_overload_points": model["overload"], "greedy_overload_points": base["overload"],
        "model_asye_led": model["asye_led"], "greedy_asye_led": base["asye_led"],
        "model_worker_changes": model["changes"], "greedy_worker_changes": base["changes"],
        **{c: mip.get(c, "") for c in COLUMNS if c.startswith("highs")},
    }


def _own_peak_kib() -> int:
    """This process's peak resident memory. Linux's VmHWM starts afresh at exec, whereas
    getrusage's maximum keeps the size of the process that started this one (a large test
    runner, say) from before the exec."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _quality(plan, problem) -> dict[str, int]:
    """The figures a manager compares plans by, computed from the plan alone: children
    unallocated, sibling groups split, workers over capacity and the points they are over
    by, CP and looked-after children led by an ASYE, and children changing worker."""
    requests = {r.id: r for r in problem.requests}
    loads = {w.id: w.base_load for w in problem.workers.values()}
    lead_after = dict(problem.current_lead)
    for a in plan.assignments:
        if a.role == "lead" and a.worker:
            lead_after[a.child_id] = a.worker
    families: dict[tuple[str, str], set[str]] = {}
    changes = 0
    for a in plan.assignments:
        r = requests[a.request_id]
        if a.worker:
            loads[a.worker] += r.points
            if r.role == "lead":
                families.setdefault((r.family_id, r.service), set()).add(a.worker)
            if r.decision.from_worker and a.worker != r.decision.from_worker:
                changes += 1
    return {"unallocated": len(plan.unallocated),
            "split": sum(1 for ws in families.values() if len(ws) > 1),
            "over": sum(1 for w, load in loads.items() if load > problem.workers[w].capacity),
            "overload": sum(max(0, load - problem.workers[w].capacity)
                            for w, load in loads.items()),
            "asye_led": sum(1 for c, w in lead_after.items()
                            if c in problem.statutory_children and w in problem.asye_ids),
            "changes": changes}


def _child(args: argparse.Namespace) -> None:
    print(json.dumps(measure(args.one, args.seed, args.time_limit, args.highs, args.reallocate),
                     default=str))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="one small instance")
    parser.add_argument("--sizes", type=int, nargs="*",
                        help="children per council (default 1,000 / 3,000 / 12,000 / 30,000; "
                        "re-allocations 1,000 / 3,000 / 12,000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--time-limit", type=float,
                        help="deterministic seconds (default 30; re-allocations 120)")
    parser.add_argument("--reallocate", action="store_true",
                        help="full re-allocations (a restructure) instead of weekly plans")
    parser.add_argument("--csv", type=Path, default=Path("benchmarks/results.csv"))
    parser.add_argument("--highs", action="store_true",
                        help="also solve each service's full model with HiGHS")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.time_limit is None:
        args.time_limit = 120.0 if args.reallocate else 30.0
    if args.one:
        return _child(args)
    default = [1000, 3000, 12000] if args.reallocate else [1000, 3000, 12000, 30000]
    sizes = [300] if args.smoke else (args.sizes or default)
    rows = []
    for n in sizes:
        rows.append(run_instance(__file__, [str(n), "--seed", str(args.seed), "--time-limit",
                                            str(args.time_limit)]
                                 + (["--highs"] if args.highs else [])
                                 + (["--reallocate"] if args.reallocate else [])))
        _print_row(rows[-1], header=len(rows) == 1)
    write_rows(args.csv, COLUMNS, rows)


def _print_row(row: dict[str, object], header: bool) -> None:
    shown = ("kind", "children", "requests", "total_s", "build_s", "solve_s", "peak_mib", "status",
             "objective", "bound", "gap", "hard_violations", "greedy_objective")
    if row.get("highs_objective") != "":
        shown += ("highs_objective", "highs_bound", "highs_s", "highs_to_model_quality_s")
    if header:
        print(" ".join(f"{c:>16}" for c in shown))
    cells = []
    for c in shown:
        v = row[c]
        cells.append(f"{v:>16.3f}" if isinstance(v, float) else f"{v!s:>16}")
    print(" ".join(cells), flush=True)


if __name__ == "__main__":
    main()
