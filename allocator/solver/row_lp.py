"""Prices for the Lagrangian bound from the row-priced relaxation's linear programme.

The bound of allocator.solver.lagrangian_rows holds at any prices on the one-worker rows,
the meeting slots and the weekly limits; its subgradient search finds good ones slowly.
Here the same relaxation is written as a linear programme, one column per (request,
worker, date option, meeting day), and solved exactly by HiGHS: its optimal duals are the
best prices for the continuous relaxation, and children taken whole at those prices
(lagrangian.lagrangian_whole) bound higher still. On the 12,000-child week's assessment
service the continuous value is 25,590 against the search's 24,665 after 600 steps.

Columns are generated: the programme starts from each pair's cheapest date and meeting at
no prices and, at each optimum's prices, adds every pair whose cheapest column at those
prices has a negative reduced cost (``RowPricing.costs`` finds them for every pair at
once), until none has. The programme is only a source of prices: the bound itself is
computed from them by the Lagrangian functions, which hold at any prices, so neither an
early stop nor the solver's tolerances can make it invalid.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from allocator.solver import lagrangian as lag

if TYPE_CHECKING:
    from allocator.solver.lagrangian_rows import RowPricing

# At most this many re-solves after adding columns: the 12,000- and 30,000-child weeks'
# services needed 3 to 6.
ROUNDS = 30
TOLERANCE = 1e-6  # a column is added when its reduced cost is below minus this


@dataclass(frozen=True)
class RowPrices:
    """Prices read from the programme's duals: per request (one-worker rows), per team
    meeting day (slots, ``mu >= 0``), per worker week (limits, ``nu >= 0``) and per point of
    each worker's load (its load rows)."""

    pi: np.ndarray  # (R,)
    mu: np.ndarray  # (T, J)
    nu: np.ndarray  # (W, weeks)
    per_point: np.ndarray  # (W,)
    # No column is left with a negative reduced cost: these are the programme's optimal
    # duals. Otherwise they are a restricted programme's, a bound all the same but
    # possibly a poor one.
    optimal: bool = True


@dataclass
class _Columns:
    """Columns as arrays: the request row, the worker, the slot row (team * J + day, or
    -1), the limit row (worker * weeks + week, or -1) and the cost at no prices."""

    row: np.ndarray
    worker: np.ndarray
    slot: np.ndarray
    week: np.ndarray
    cost: np.ndarray

    @staticmethod
    def concat(parts: list[_Columns]) -> _Columns:
        return _Columns(*(np.concatenate([getattr(p, f) for p in parts])
                          for f in ("row", "worker", "slot", "week", "cost")))


def lp_prices(arrays: lag.ServiceArrays, pricing: RowPricing,
              rounds: int = ROUNDS) -> RowPrices | None:
    """The relaxation's optimal prices after at most ``rounds`` of added columns (marked
    not optimal if columns were still being added), or None if HiGHS does not solve a
    restricted programme."""
    import highspy

    rows, cols = arrays.cost.shape
    slots_n = pricing.meeting_days.size
    weeks_n = cols * pricing.weeks
    load_row = rows + slots_n + weeks_n  # first of the two load rows per worker
    zero_mu, zero_nu = pricing.zero_prices()
    columns = _Columns.concat([_unpriced_columns(arrays, pricing),
                               _priced_columns(arrays, pricing, zero_mu, zero_nu, None)])
    h = _highs()
    inf = highspy.kHighsInf
    # Rows: one per request (its columns and u sum to 1), slots, limits, two load rows per
    # worker (points taken less the slack over busy, and over full, at most busy and full).
    lower = np.concatenate([np.ones(rows), np.full(slots_n + weeks_n + 2 * cols, -inf)])
    upper = np.concatenate([np.ones(rows), np.repeat(pricing.slots, pricing.meeting_days.shape[1]),
                            np.repeat(pricing.limit, pricing.weeks), arrays.busy, arrays.full])
    h.addRows(len(lower), lower, upper, 0, np.zeros(len(lower), dtype=np.int32),
              np.zeros(0, dtype=np.int32), np.zeros(0))
    # u_r (unallocated) and each worker's two slacks.
    _add(h, np.concatenate([arrays.unallocated, np.full(cols, arrays.balance),
                            np.full(cols, arrays.overload)]),
         [[r] for r in range(rows)] + [[load_row + w] for w in range(cols)]
         + [[load_row + cols + w] for w in range(cols)],
         [[1.0]] * rows + [[-1.0]] * (2 * cols))
    _add_columns(h, columns, arrays, rows, slots_n, load_row, cols)
    known = _codes(columns, pricing, cols)
    prices = None
    for _ in range(rounds + 1):
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None if prices is None else replace(prices, optimal=False)
        dual = np.asarray(h.getSolution().row_dual)
        prices = RowPrices(
            pi=dual[:rows],
            mu=np.maximum(0.0, -dual[rows:rows + slots_n]).reshape(pricing.meeting_days.shape),
            nu=np.maximum(0.0, -dual[rows + slots_n:load_row]).reshape(cols, pricing.weeks),
            per_point=np.maximum(0.0, -(dual[load_row:load_row + cols]
                                        + dual[load_row + cols:load_row + 2 * cols])))
        fresh = _priced_columns(arrays, pricing, prices.mu, prices.nu, prices)
        code = _codes(fresh, pricing, cols)
        new = ~np.isin(code, known)
        if not new.any():
            return prices
        fresh = _Columns(*(getattr(fresh, f)[new] for f in ("row", "worker", "slot", "week",
                                                           "cost")))
        # Added columns keep the basis primal feasible: primal simplex re-solves in a few
        # hundred iterations where the dual simplex took thousands (a 30,000-child
        # safeguarding service: 2 s each against 0.2-0.5 s).
        h.setOptionValue("simplex_strategy", 4)
        known = np.concatenate([known, code[new]])
        _add_columns(h, fresh, arrays, rows, slots_n, load_row, cols)
    return None if prices is None else replace(prices, optimal=False)


def _unpriced_columns(arrays: lag.ServiceArrays, pricing: RowPricing) -> _Columns:
    """Every allowed pair of the requests the row prices leave alone, at its cost."""
    mask = np.isfinite(arrays.cost)
    mask[pricing.rows] = False
    r, w = np.nonzero(mask)
    none = np.full(len(r), -1)
    return _Columns(r, w, none, none.copy(), arrays.cost[r, w])


def _priced_columns(arrays: lag.ServiceArrays, pricing: RowPricing, mu: np.ndarray,
                    nu: np.ndarray, prices: RowPrices | None) -> _Columns:
    """Each priced pair's cheapest column at ``mu`` and ``nu``; with ``prices``, only those
    whose reduced cost is negative."""
    best, option, meeting = pricing.costs(mu, nu)
    finite = np.isfinite(best)
    if prices is not None:
        reduced = (best + np.outer(arrays.points[pricing.rows], prices.per_point)
                   - prices.pi[pricing.rows][:, None])
        finite &= reduced < -TOLERANCE * (1.0 + np.abs(prices.pi[pricing.rows])[:, None])
    i, w = np.nonzero(finite)
    o, j = option[i, w], meeting[i, w]
    team = pricing.team_of[w]
    new = pricing.new[i, w]
    held = j >= 0
    day = np.where(held, pricing.meeting_days[team, np.maximum(j, 0)], 0.0)
    late = np.where(held, pricing.late * np.maximum(0.0, day - pricing.day[o]), 0.0)
    cost = pricing.extra[i, w] + pricing.delay[o] + late
    return _Columns(pricing.rows[i], w,
                    np.where(held, team * pricing.meeting_days.shape[1] + j, -1),
                    np.where(new, w * pricing.weeks + pricing.week[o], -1), cost)


def _codes(columns: _Columns, pricing: RowPricing, workers: int) -> np.ndarray:
    """One integer per distinct column (its request row, worker, slot and limit rows)."""
    slots = pricing.meeting_days.size + 1
    weeks = workers * pricing.weeks + 1
    return ((columns.row.astype(np.int64) * workers + columns.worker) * slots
            + columns.slot + 1) * weeks + columns.week + 1


def _add_columns(h: object, columns: _Columns, arrays: lag.ServiceArrays, rows: int,
                 slots_n: int, load_row: int, workers: int) -> None:
    """Add columns: each is in its request's row, its slot and limit rows if any, and its
    worker's two load rows (its points)."""
    n = len(columns.row)
    points = arrays.points[columns.row]
    index = np.stack([columns.row, rows + columns.slot, rows + slots_n + columns.week,
                      load_row + columns.worker, load_row + workers + columns.worker], axis=1)
    value = np.stack([np.ones(n), np.ones(n), np.ones(n), points, points], axis=1)
    keep = np.stack([np.ones(n, bool), columns.slot >= 0, columns.week >= 0,
                     np.ones(n, bool), np.ones(n, bool)], axis=1)
    counts = keep.sum(axis=1)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int32)
    h.addCols(n, columns.cost, np.zeros(n), np.full(n, np.inf), int(counts.sum()), starts,
              index[keep].astype(np.int32), value[keep])


def _add(h: object, cost: np.ndarray, index: list[list[int]], value: list[list[float]]) -> None:
    counts = np.array([len(i) for i in index])
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int32)
    h.addCols(len(cost), cost, np.zeros(len(cost)), np.full(len(cost), np.inf),
              int(counts.sum()), starts, np.array([x for i in index for x in i], dtype=np.int32),
              np.array([x for v in value for x in v], dtype=float))


def _highs() -> object:
    """A silent single-thread HiGHS (deterministic, and safe in a forked worker process).
    HiGHS prints a banner on its first construction in a process, before any option can be
    set; standard output is the plan's summary, so the banner goes to /dev/null."""
    import highspy

    with _quiet_stdout():
        h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    h.setOptionValue("random_seed", 0)
    return h


@contextlib.contextmanager
def _quiet_stdout() -> Iterator[None]:
    import sys

    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
            yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)
