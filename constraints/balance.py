"""Soft: balance load across a service by keeping its highest load-over-capacity low."""

from __future__ import annotations

from collections import defaultdict

from allocator.plan import Penalty, Plan
from allocator.problem import AllocationProblem
from allocator.solver.context import ServiceModel
from constraints.capacity import loads_after

NAME = "balance"
KIND = "soft"
RULE = "Spread new children so no worker is far above the rest."


def add(ctx: ServiceModel) -> None:
    if not ctx.requests or not ctx.workers:
        return
    weight = ctx.problem.config.weights.balance_point
    lo = min(w.base_load - w.capacity for w in ctx.workers)
    hi = max(w.base_load + sum(r.points for r in ctx.requests) - w.capacity for w in ctx.workers)
    peak = ctx.model.NewIntVar(lo, hi, f"peak[{ctx.service}]")
    for w in ctx.workers:
        ctx.model.Add(peak >= ctx.load_expr(w) - w.capacity)
    ctx.add_term(NAME, weight, peak, (ctx.service,))


def penalties(plan: Plan, problem: AllocationProblem) -> list[Penalty]:
    weight = problem.config.weights.balance_point
    loads = loads_after(plan, problem)
    peaks: dict[str, int] = defaultdict(lambda: -10**9)
    for wid, load in loads.items():
        w = problem.workers[wid]
        peaks[w.service] = max(peaks[w.service], load - w.capacity)
    return [Penalty(NAME, (s,), weight * peaks[s], f"highest load is {peaks[s]} over capacity")
            for s in problem.services if s in peaks]
