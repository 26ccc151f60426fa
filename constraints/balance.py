"""Soft: balance load across a service by pricing new points given to workers already busy.

Points the plan adds above three quarters of a worker's capacity (or above their current
load, if higher) cost a little; with the steeper capacity term beyond 100%, the price of a
child rises with how full the receiving worker is, so new children go first to workers
with room. Like ``capacity``, it prices only what the plan adds.
"""

from __future__ import annotations

import numpy as np

from allocator.plan import Penalty, Plan
from allocator.config import Weights
from allocator.problem import AllocationProblem, Worker
from allocator.solver.context import ServiceModel
from constraints.capacity import loads_after

NAME = "balance"
KIND = "soft"
RULE = "Spread new children so that busy workers take fewer of them."
BUSY_PERCENT = 75


def busy_line(capacity: int, base_load: int) -> int:
    """Load above which new points count as going to a busy worker."""
    return max(base_load, capacity * BUSY_PERCENT // 100)


def load_cost(weights: Weights, w: Worker, load: int) -> int:
    """The capacity and balance terms together for ``w`` holding ``load`` points: what the
    solver's local searches and shortlists price a worker's load at."""
    return lines_cost(weights, load, busy_line(w.capacity, w.base_load),
                      max(w.capacity, w.base_load))


def lines_cost(weights: Weights, load: int, busy: int, full: int) -> int:
    """:func:`load_cost` of a worker whose busy line and capacity (``max(capacity,
    base_load)``) are already known: a local search prices one worker hundreds of
    thousands of times."""
    return (weights.overload_point * max(0, load - full)
            + weights.balance_point * max(0, load - busy))


def load_costs(weights: Weights, load: np.ndarray, busy: np.ndarray,
               full: np.ndarray) -> np.ndarray:
    """:func:`load_cost` for many workers at once: ``load`` points held by workers whose
    busy lines and capacities (``max(capacity, base_load)``) are ``busy`` and ``full``."""
    return (weights.overload_point * np.maximum(0, load - full)
            + weights.balance_point * np.maximum(0, load - busy))


def add(ctx: ServiceModel) -> None:
    weight = ctx.problem.config.weights.balance_point
    for w in ctx.workers:
        ctx.add_points_above(NAME, weight, w, lambda w: busy_line(w.capacity, w.base_load))


def penalties(plan: Plan, problem: AllocationProblem) -> list[Penalty]:
    weight = problem.config.weights.balance_point
    out = []
    for wid, load in sorted(loads_after(plan, problem).items()):
        w = problem.workers[wid]
        busy = load - busy_line(w.capacity, w.base_load)
        if busy > 0:
            out.append(Penalty(NAME, (wid,), weight * busy,
                               f"{busy} new points above {BUSY_PERCENT}% of capacity"))
    return out
