"""The same plan model solved by a MIP solver (HiGHS), beside CP-SAT.

    python benchmarks/highs.py --sizes 1000 3000 --time-limit 30
    python benchmarks/highs.py --smoke     # one 300-child council

A bridge (``to_highs``) reads a CP-SAT model's proto and builds the identical mixed-integer
program in HiGHS: integer and boolean variables with their domains, linear rows, bool_or,
bool_and, at_most_one and exactly_one rows, enforcement literals, ``lin_max`` (linearised
exactly with one binary per argument and big-M values from the variable domains), and the
objective with its offset and scaling. Any other constraint type raises ``Unsupported``, so
the comparison never runs on a model HiGHS does not see whole.

``highs_compare`` solves every service of a weekly plan both ways: CP-SAT as the planner
does (``solve_service``, with its lazy limits) and HiGHS on the full model of the service
(``build_service_model`` with every meeting team, weekly limit and date modelled), whose
optimum is the same. It reports each solver's objective, bound and time, and HiGHS' time to
the same quality: the first moment its incumbent is as good as CP-SAT's final plan.
Each size runs in its own process; figures are printed and written as CSV, never asserted.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import highspy
import numpy as np
from ortools.sat.python import cp_model

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from common import run_instance, write_rows  # noqa: E402

INF = float("inf")
INT64_MAX = 2**63 - 1
SUPPORTED = frozenset({"linear", "bool_or", "bool_and", "at_most_one", "exactly_one",
                       "lin_max"})


class Unsupported(ValueError):
    """The CP-SAT model holds something the bridge cannot state as a MIP row."""


@dataclass
class _Row:
    """sum(coef * column) in [lower, upper], built up before it is handed to HiGHS."""

    coefs: dict[int, float]
    lower: float
    upper: float


@dataclass
class HighsModel:
    """The MIP built from a CP-SAT proto: HiGHS columns 0..n-1 are the CP-SAT variables (in
    order), any after them are the binaries that linearise ``lin_max``."""

    lp: highspy.HighsLp
    proto_vars: int
    objective_scale: float  # CP-SAT objective = scale * (HiGHS objective)
    rows: int = 0
    extra_binaries: int = 0


def _bound(value: int) -> float:
    """CP-SAT's int64 extremes mean unbounded."""
    if value >= INT64_MAX:
        return INF
    if value <= -INT64_MAX:
        return -INF
    return float(value)


class _Builder:
    """Collects columns and rows while reading the proto; knows every column's bounds, which
    the big-M values of enforcement literals and ``lin_max`` are computed from."""

    def __init__(self, proto: Any):
        self.lower: list[float] = []
        self.upper: list[float] = []
        for i, var in enumerate(proto.variables):
            dom = list(var.domain)
            if len(dom) != 2:
                raise Unsupported(f"variable {i} ({var.name!r}) has a domain with holes: {dom}")
            self.lower.append(_bound(dom[0]))
            self.upper.append(_bound(dom[1]))
        self.rows: list[_Row] = []
        self.proto_vars = len(proto.variables)

    def new_binary(self) -> int:
        self.lower.append(0.0)
        self.upper.append(1.0)
        return len(self.lower) - 1

    def literal(self, ref: int) -> tuple[dict[int, float], float]:
        """A CP-SAT literal as (terms, constant): ``x`` or, negated, ``1 - x``."""
        if ref >= 0:
            return {ref: 1.0}, 0.0
        return {-ref - 1: -1.0}, 1.0

    def expr_range(self, coefs: dict[int, float], constant: float) -> tuple[float, float]:
        """The least and greatest value a linear expression takes over the column bounds."""
        lo = hi = constant
        for j, c in coefs.items():
            if c == 0:
                continue
            a, b = c * self.lower[j], c * self.upper[j]
            lo += min(a, b)
            hi += max(a, b)
        return lo, hi

    def add(self, coefs: dict[int, float], constant: float, lower: float, upper: float,
            enforcement: list[int]) -> None:
        """lower <= expr + constant <= upper, only when every enforcement literal is true.

        An enforced row is relaxed by big-M times the number of false literals, M being
        exactly what the row can be violated by over the column bounds.
        """
        coefs = {j: c for j, c in coefs.items() if c != 0}
        lower, upper = lower - constant, upper - constant
        if enforcement:
            lo, hi = self.expr_range(coefs, 0.0)
            k = len(enforcement)
            if lower > -INF:
                self._relaxed(coefs, lower, lower - lo, enforcement, k, is_lower=True)
            if upper < INF:
                self._relaxed(coefs, upper, hi - upper, enforcement, k, is_lower=False)
            return
        self.rows.append(_Row(coefs, lower, upper))

    def _relaxed(self, coefs: dict[int, float], rhs: float, big_m: float,
                 enforcement: list[int], k: int, is_lower: bool) -> None:
        if big_m <= 0:
            return  # the bounds already imply the row
        if big_m == INF:
            raise Unsupported("an enforced row over an unbounded variable has no big-M")
        # expr >= rhs - M * sum(1 - lit)   or   expr <= rhs + M * sum(1 - lit)
        sign = 1.0 if is_lower else -1.0
        row = dict(coefs)
        const = 0.0
        for ref in enforcement:
            terms, c0 = self.literal(ref)  # lit = terms + c0; (1 - lit) = -terms + 1 - c0
            for j, c in terms.items():
                row[j] = row.get(j, 0.0) - sign * big_m * c
            const += sign * big_m * (1 - c0)
        if is_lower:
            self.rows.append(_Row(row, rhs - const, INF))
        else:
            self.rows.append(_Row(row, -INF, rhs - const))

    def linear_expr(self, expr: Any) -> tuple[dict[int, float], float]:
        """A LinearExpressionProto as (terms, constant); negative refs mean ``-x``."""
        coefs: dict[int, float] = {}
        for ref, c in zip(expr.vars, expr.coeffs):
            j, c = (ref, float(c)) if ref >= 0 else (-ref - 1, -float(c))
            coefs[j] = coefs.get(j, 0.0) + c
        return coefs, float(expr.offset)


KINDS = ("linear", "bool_or", "bool_and", "at_most_one", "exactly_one", "lin_max",
         "bool_xor", "int_div", "int_mod", "int_prod", "element", "table", "automaton",
         "inverse", "reservoir", "interval", "no_overlap", "no_overlap_2d", "cumulative",
         "circuit", "routes", "all_diff", "dummy_constraint")


def _kind(ct: Any) -> str:
    """Which constraint a proto row holds (protobuf's oneof, or the has_ accessors of the
    proto class OR-Tools' Python layer returns)."""
    if hasattr(ct, "WhichOneof"):
        return str(ct.WhichOneof("constraint"))
    return next((k for k in KINDS if getattr(ct, f"has_{k}")()), "empty")


def _add_constraint(b: _Builder, index: int, ct: Any) -> None:
    kind = _kind(ct)
    enforce = list(ct.enforcement_literal)
    if kind == "linear":
        dom = list(ct.linear.domain)
        if len(dom) != 2:
            raise Unsupported(f"constraint {index}: a linear domain with holes ({dom})")
        coefs: dict[int, float] = {}
        for ref, c in zip(ct.linear.vars, ct.linear.coeffs):
            j, c = (ref, float(c)) if ref >= 0 else (-ref - 1, -float(c))
            coefs[j] = coefs.get(j, 0.0) + c
        b.add(coefs, 0.0, _bound(dom[0]), _bound(dom[1]), enforce)
    elif kind in ("bool_or", "at_most_one", "exactly_one"):
        coefs, constant = _literal_sum(b, getattr(ct, kind).literals)
        lower = 1.0 if kind != "at_most_one" else -INF
        upper = 1.0 if kind != "bool_or" else INF
        b.add(coefs, constant, lower, upper, enforce)
    elif kind == "bool_and":
        for ref in ct.bool_and.literals:
            terms, constant = b.literal(ref)
            b.add(terms, constant, 1.0, 1.0, enforce)
    elif kind == "lin_max":
        if enforce:
            raise Unsupported(f"constraint {index}: lin_max with enforcement literals")
        _add_lin_max(b, index, ct.lin_max)
    else:
        raise Unsupported(f"constraint {index}: CP-SAT constraint type {kind!r} is not "
                          f"supported by the HiGHS bridge (supported: {sorted(SUPPORTED)})")


def _literal_sum(b: _Builder, refs: Any) -> tuple[dict[int, float], float]:
    coefs: dict[int, float] = {}
    constant = 0.0
    for ref in refs:
        terms, c0 = b.literal(ref)
        for j, c in terms.items():
            coefs[j] = coefs.get(j, 0.0) + c
        constant += c0
    return coefs, constant


def _add_lin_max(b: _Builder, index: int, ct: Any) -> None:
    """target = max(exprs), exactly: target >= every expr, and target <= expr_k + M_k (1 -
    z_k) for binaries z_k of which exactly one is 1 (the argument that attains the max)."""
    target, t_const = b.linear_expr(ct.target)
    exprs = [b.linear_expr(e) for e in ct.exprs]
    if not exprs:
        raise Unsupported(f"constraint {index}: lin_max of nothing")
    _, t_hi = b.expr_range(target, t_const)
    choose: dict[int, float] = {}
    for coefs, const in exprs:
        diff = dict(target)
        for j, c in coefs.items():
            diff[j] = diff.get(j, 0.0) - c
        b.add(diff, t_const - const, 0.0, INF, [])  # target - expr >= 0
        if len(exprs) == 1:
            b.add(diff, t_const - const, -INF, 0.0, [])
            continue
        e_lo, _ = b.expr_range(coefs, const)
        big_m = t_hi - e_lo
        if big_m == INF:
            raise Unsupported(f"constraint {index}: lin_max over unbounded variables")
        z = b.new_binary()
        choose[z] = 1.0
        row = dict(diff)
        row[z] = row.get(z, 0.0) + big_m  # target - expr + M z <= M
        b.add(row, t_const - const, -INF, big_m, [])
    if choose:
        b.add(choose, 0.0, 1.0, 1.0, [])


def _has(message: Any, name: str) -> bool:
    if hasattr(message, "HasField"):
        return bool(message.HasField(name))
    return bool(getattr(message, f"has_{name}")())


def to_highs(proto: Any) -> HighsModel:
    """The MIP of a CP-SAT model, or ``Unsupported`` naming what it cannot translate."""
    if _has(proto, "floating_point_objective"):
        raise Unsupported("a floating-point objective is not supported")
    b = _Builder(proto)
    for ref in proto.assumptions:  # an assumed literal is true in every solution
        terms, constant = b.literal(ref)
        b.add(terms, constant, 1.0, 1.0, [])
    for i, ct in enumerate(proto.constraints):
        _add_constraint(b, i, ct)
    return _assemble(b, proto)


def _assemble(b: _Builder, proto: Any) -> HighsModel:
    """Hand the columns and rows to HiGHS in one row-wise matrix."""
    n = len(b.lower)
    lp = highspy.HighsLp()
    lp.num_col_ = n
    lp.num_row_ = len(b.rows)
    cost = np.zeros(n)
    obj = proto.objective
    scale = obj.scaling_factor or 1.0
    for ref, c in zip(obj.vars, obj.coeffs):
        j, c = (ref, float(c)) if ref >= 0 else (-ref - 1, -float(c))
        cost[j] += c
    offset = float(obj.offset)
    # CP-SAT minimises sum + offset, then reports scale * (sum + offset); a maximisation is
    # stored with a negative scale, so minimising here is right in both cases.
    lp.col_cost_ = cost
    lp.offset_ = offset
    lp.col_lower_ = np.array(b.lower)
    lp.col_upper_ = np.array(b.upper)
    lp.row_lower_ = np.array([r.lower for r in b.rows])
    lp.row_upper_ = np.array([r.upper for r in b.rows])
    starts, index, value = [0], [], []
    for r in b.rows:
        for j, c in r.coefs.items():
            if c != 0:
                index.append(j)
                value.append(c)
        starts.append(len(index))
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.start_ = np.array(starts, dtype=np.int32)
    lp.a_matrix_.index_ = np.array(index, dtype=np.int32)
    lp.a_matrix_.value_ = np.array(value, dtype=float)
    lp.a_matrix_.num_col_ = n
    lp.a_matrix_.num_row_ = len(b.rows)
    lp.integrality_ = [highspy.HighsVarType.kInteger] * n
    return HighsModel(lp, b.proto_vars, scale, len(b.rows), n - b.proto_vars)


@dataclass
class HighsRun:
    """One HiGHS solve: objective and bound in CP-SAT's units, status, time, and every
    improving incumbent as (seconds, objective)."""

    status: str
    objective: float | None
    bound: float | None
    seconds: float
    incumbents: list[tuple[float, float]]
    values: list[float] | None = None  # the CP-SAT variables' values, in proto order

    def time_to(self, target: float) -> float | None:
        """The first time the incumbent was as good as ``target`` (None: never)."""
        return next((t for t, v in self.incumbents if v <= target + 1e-6), None)


def solve_highs(model: HighsModel, time_limit: float, threads: int = 1,
                seed: int = 0) -> HighsRun:
    """Solve with HiGHS, recording each improving incumbent through its callback."""
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", float(time_limit))
    h.setOptionValue("threads", threads)
    h.setOptionValue("random_seed", seed)
    h.setOptionValue("mip_rel_gap", 0.0)
    h.setOptionValue("mip_abs_gap", 0.0)
    h.passModel(model.lp)
    incumbents: list[tuple[float, float]] = []

    def improving(event: Any) -> None:
        out = event.data_out
        incumbents.append((float(out.running_time),
                           model.objective_scale * float(out.objective_function_value)))

    h.cbMipImprovingSolution.subscribe(improving)
    started = time.perf_counter()
    h.run()
    seconds = time.perf_counter() - started
    status = h.modelStatusToString(h.getModelStatus())
    info = h.getInfo()
    has_solution = info.primal_solution_status == 2  # kSolutionStatusFeasible
    objective = model.objective_scale * info.objective_function_value if has_solution else None
    bound = model.objective_scale * info.mip_dual_bound if info.mip_dual_bound > -INF else None
    values = list(h.getSolution().col_value[:model.proto_vars]) if has_solution else None
    return HighsRun(status, objective, bound, seconds, incumbents, values)


# ----------------------------------------------------------------- the weekly-plan comparison


def highs_compare(problem: Any, seed: int, time_limit: float) -> dict[str, Any]:
    """Every service solved by CP-SAT (as the planner does) and by HiGHS (full model).

    Returns ``{"services": [row per service], "total": row}``: CP-SAT's objective, bound and
    seconds as the planner solves the service; CP-SAT's on the full model HiGHS gets (the
    like-for-like figure); HiGHS' objective, bound and seconds at ``time_limit``; and HiGHS'
    seconds to the planner's objective ("not reached" if it never got there). Each service
    gets the whole ``time_limit`` in every solve.
    """
    from allocator.solver.model import build_service_model, solve_service

    rows = []
    for service in problem.services:
        if not problem.requests_in(service):
            continue
        t0 = time.perf_counter()
        cp = solve_service(problem, service, seed, time_limit)
        cp_s = time.perf_counter() - t0
        full = _cpsat_full(problem, service, seed, time_limit)
        t0 = time.perf_counter()
        mip = to_highs(build_service_model(problem, service).model.Proto())
        build_s = time.perf_counter() - t0
        run = solve_highs(mip, time_limit, seed=seed)
        reached = run.time_to(cp.objective)
        rows.append({
            "service": service, "requests": len(problem.requests_in(service)),
            "cpsat_status": cp.status, "cpsat_objective": cp.objective,
            "cpsat_bound": cp.bound, "cpsat_s": round(cp_s, 2), **full,
            "highs_status": run.status, "highs_objective": _num(run.objective),
            "highs_bound": _num(run.bound), "highs_build_s": round(build_s, 2),
            "highs_s": round(run.seconds, 2),
            "highs_to_cpsat_s": round(reached, 2) if reached is not None else "not reached",
            "highs_rows": mip.rows, "highs_cols": mip.lp.num_col_,
        })
    return {"services": rows, "total": _total(rows)}


def _cpsat_full(problem: Any, service: str, seed: int, time_limit: float) -> dict[str, Any]:
    """CP-SAT on exactly the model HiGHS gets (the full model, no lazy stages), from the
    greedy plan as the planner starts, with the planner's deterministic parameters."""
    from allocator.solver.greedy import greedy_plan
    from allocator.solver.model import STATUS_NAMES, _solver, add_hint, build_service_model

    ctx = build_service_model(problem, service)
    add_hint(ctx, greedy_plan(problem, service))
    solver = _solver(seed, time_limit)
    t0 = time.perf_counter()
    status = solver.Solve(ctx.model)
    found = solver.ObjectiveValue() if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) else None
    return {"cpsat_full_status": STATUS_NAMES.get(status, str(status)),
            "cpsat_full_objective": _num(found),
            "cpsat_full_bound": _num(solver.BestObjectiveBound() if found is not None else None),
            "cpsat_full_s": round(time.perf_counter() - t0, 2)}


def _num(value: float | None) -> float | str:
    return "none" if value is None else round(value, 1)


def _total(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Sums over services; HiGHS reaches CP-SAT's quality overall only if it does in each."""
    def total(key: str) -> float | str:
        values = [r[key] for r in rows]
        if any(isinstance(v, str) for v in values):
            return "none" if "none" in values else "not reached"
        return round(sum(values), 2)


    reached = [r["highs_to_cpsat_s"] for r in rows]
    return {
        "service": "total", "requests": sum(r["requests"] for r in rows),
        "cpsat_status": "OPTIMAL" if all(r["cpsat_status"] == "OPTIMAL" for r in rows)
        else "FEASIBLE",
        "cpsat_objective": total("cpsat_objective"), "cpsat_bound": total("cpsat_bound"),
        "cpsat_s": total("cpsat_s"),
        "cpsat_full_status": "OPTIMAL" if all(r["cpsat_full_status"] == "OPTIMAL" for r in rows)
        else "FEASIBLE",
        "cpsat_full_objective": total("cpsat_full_objective"),
        "cpsat_full_bound": total("cpsat_full_bound"), "cpsat_full_s": total("cpsat_full_s"),
        "highs_status": "Optimal" if all(r["highs_status"] == "Optimal" for r in rows)
        else "mixed",
        "highs_objective": total("highs_objective"), "highs_bound": total("highs_bound"),
        "highs_build_s": total("highs_build_s"), "highs_s": total("highs_s"),
        "highs_to_cpsat_s": "not reached" if any(isinstance(v, str) for v in reached)
        else round(sum(reached), 2),
        "highs_rows": sum(r["highs_rows"] for r in rows),
        "highs_cols": sum(r["highs_cols"] for r in rows),
    }


COLUMNS = ("children", "service", "requests", "cpsat_status", "cpsat_objective", "cpsat_bound",
           "cpsat_s", "cpsat_full_status", "cpsat_full_objective", "cpsat_full_bound",
           "cpsat_full_s", "highs_status", "highs_objective", "highs_bound", "highs_build_s",
           "highs_s", "highs_to_cpsat_s", "highs_rows", "highs_cols")
SHOWN = ("children", "service", "requests", "cpsat_objective", "cpsat_bound", "cpsat_s",
         "cpsat_full_objective", "cpsat_full_bound", "cpsat_full_s", "highs_objective", "highs_bound", "highs_s", "highs_to_cpsat_s")


def measure(children: int, seed: int, time_limit: float) -> list[dict[str, Any]]:
    """One demo council of ``children``: its week's plan compared service by service."""
    from allocator.demo import write_demo
    from allocator.pipeline import run_plan

    with tempfile.TemporaryDirectory() as tmp:
        folder = write_demo(Path(tmp) / "council", children, seed, date(2026, 11, 20))
        # Only the problem is wanted here; the plan's own solve is given little time.
        problem = run_plan(folder, seed=seed, time_limit=min(5.0, time_limit)).problem
    out = highs_compare(problem, seed, time_limit)
    return [{"children": children, **row} for row in out["services"] + [out["total"]]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="one 300-child council")
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 3000])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--time-limit", type=float, default=30.0)
    parser.add_argument("--csv", type=Path, default=ROOT / "benchmarks" / "highs_results.csv")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.one, args.seed, args.time_limit), default=str))
        return
    rows: list[dict[str, Any]] = []
    for n in [300] if args.smoke else args.sizes:
        part = run_instance(__file__, [str(n), "--seed", str(args.seed), "--time-limit",
                                       str(args.time_limit)])
        for row in part:
            _print_row(row, header=not rows)
            rows.append(row)
    write_rows(args.csv, COLUMNS, rows)


def _print_row(row: dict[str, Any], header: bool) -> None:
    if header:
        print(" ".join(f"{c:>16}" for c in SHOWN))
    print(" ".join(f"{row[c]!s:>16}" for c in SHOWN), flush=True)


if __name__ == "__main__":
    main()
