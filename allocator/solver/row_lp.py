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

Siblings: a family spread over workers pays a split per worker beyond the first. Where the
first programme's plan splits a family and the service's families have few pairs
(lagrangian_rows.priced_rows_bound decides), a second programme adds, for each family
request and worker,
``x[r, w] <= z[f, w]`` with ``z`` in [0, 1] at one split each (less one split per family);
its rows are added a whole family at a time once the solution splits that family. Their
duals (``sigma``) enter the bound as lagrangian_rows.value_at says.
"""

from __future__ import annotations

import contextlib
import os
import sys
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
# Sibling rows (x[r, w] <= z[f, w] for each family request and worker) are added where the
# families have at most this many (request, worker) pairs: the 30,000-child week's
# disability service (4,641 pairs) rose from 4,302 to 5,020 in 0.4 s and the 3,000-child
# re-allocation's assessment service (13,405) from 41,980 to 42,960 in 1 s, while the
# 30,000-child week's assessment service (61,372) gained 64 for 83 s.
SIBLING_PAIRS_UP_TO = 15_000
# Pairs of requests without dates (a re-allocation's kept children) join as columns all at
# once up to this many, or else each request's FIRST_PAIRS cheapest, the rest as priced out.
ALL_PAIRS_UP_TO = 200_000
FIRST_PAIRS = 10
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
    # (R, W) per family request and worker, the price of its sibling row (x <= z); 0 where
    # the programme has no such row
    sigma: np.ndarray | None = None
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


def lp_prices(arrays: lag.ServiceArrays, pricing: RowPricing, rounds: int = ROUNDS,
              siblings: bool = False) -> RowPrices | None:
    """The relaxation's optimal prices after at most ``rounds`` of added columns (and,
    with ``siblings``, sibling rows), marked not optimal if they were still being added;
    None if HiGHS does not solve a restricted programme."""
    import highspy

    programme = _Programme(arrays, pricing, siblings)
    prices = None
    for _ in range(rounds + 1):
        programme.h.run()
        if programme.h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None if prices is None else replace(prices, optimal=False)
        prices = programme.prices()
        if not programme.extend(prices):
            return prices
    return None if prices is None else replace(prices, optimal=False)


class _Programme:
    """The restricted programme in HiGHS and what it holds.

    Rows: one per request (its columns and u sum to 1), slots, limits, two load rows per
    worker (points taken less the slack over busy, and over full, at most busy and full),
    then sibling rows as they are needed. Columns: u per request, the two slacks per worker,
    then (request, worker, date, meeting) columns and each family's ``z`` per worker.
    """

    def __init__(self, arrays: lag.ServiceArrays, pricing: RowPricing, siblings: bool):
        import highspy

        self.arrays, self.pricing = arrays, pricing
        rows, cols = arrays.cost.shape
        self.rows, self.cols = rows, cols
        self.slots_n = pricing.meeting_days.size
        self.load_row = rows + self.slots_n + cols * pricing.weeks
        self.h = h = quiet_highs()
        inf = highspy.kHighsInf
        lower = np.concatenate([np.ones(rows), np.full(self.load_row - rows + 2 * cols, -inf)])
        upper = np.concatenate([np.ones(rows),
                                np.repeat(pricing.slots, pricing.meeting_days.shape[1]),
                                np.repeat(pricing.limit, pricing.weeks), arrays.busy,
                                arrays.full])
        h.addRows(len(lower), lower, upper, 0, np.zeros(len(lower), dtype=np.int32),
                  np.zeros(0, dtype=np.int32), np.zeros(0))
        add_columns(h, np.concatenate([arrays.unallocated, np.full(cols, arrays.balance),
                                       np.full(cols, arrays.overload)]),
                    [[r] for r in range(rows)] + [[self.load_row + w] for w in range(cols)]
                    + [[self.load_row + cols + w] for w in range(cols)],
                    [[1.0]] * rows + [[-1.0]] * (2 * cols))
        # Siblings: each family's lead requests (arrays.family), the sibling row of each
        # (request, worker) pair once it has one, and each family's z column per worker.
        self.family_of = np.full(rows, -1)
        for f, members in enumerate(arrays.family if siblings else ()):
            self.family_of[members[members >= 0]] = f
        self.sibling_row = np.full((rows, cols), -1)
        self.z_column: dict[tuple[int, int], int] = {}
        self.columns: list[_Columns] = []
        self.index: list[np.ndarray] = []  # each column's index in HiGHS
        zero_mu, zero_nu = pricing.zero_prices()
        first = _Columns.concat([_unpriced_columns(arrays, pricing, None),
                                 priced_columns(arrays, pricing, zero_mu, zero_nu, None)])
        self.known = _codes(first, pricing, cols)
        self._add_columns(first)

    def prices(self) -> RowPrices:
        """The duals of the last optimum as prices."""
        dual = np.asarray(self.h.getSolution().row_dual)
        rows, cols, load = self.rows, self.cols, self.load_row
        sigma = None
        if (self.family_of >= 0).any():
            sigma = np.zeros((rows, cols))
            held = self.sibling_row >= 0
            sigma[held] = np.maximum(0.0, -dual[self.sibling_row[held]])
        return RowPrices(
            pi=dual[:rows],
            mu=np.maximum(0.0, -dual[rows:rows + self.slots_n]).reshape(
                self.pricing.meeting_days.shape),
            nu=np.maximum(0.0, -dual[rows + self.slots_n:load]).reshape(
                cols, self.pricing.weeks),
            per_point=np.maximum(0.0, -(dual[load:load + cols]
                                        + dual[load + cols:load + 2 * cols])),
            sigma=sigma)

    def extend(self, prices: RowPrices) -> bool:
        """Add the sibling rows the last solution breaks, or else the columns priced out at
        ``prices``; False if there is nothing to add (the programme is solved)."""
        if self._add_sibling_rows():
            # Added rows keep the basis dual feasible: the dual simplex re-solves.
            self.h.setOptionValue("simplex_strategy", 1)
            return True
        fresh = _Columns.concat([
            _unpriced_columns(self.arrays, self.pricing, prices),
            priced_columns(self.arrays, self.pricing, prices.mu, prices.nu, prices)])
        code = _codes(fresh, self.pricing, self.cols)
        new = ~np.isin(code, self.known)
        if not new.any():
            return False
        # Added columns keep the basis primal feasible: primal simplex re-solves in a few
        # hundred iterations where the dual simplex took thousands (a 30,000-child
        # safeguarding service: 2 s each against 0.2-0.5 s).
        self.h.setOptionValue("simplex_strategy", 4)
        self.known = np.concatenate([self.known, code[new]])
        self._add_columns(_Columns(*(getattr(fresh, f)[new]
                                     for f in ("row", "worker", "slot", "week", "cost"))))
        return True

    def _add_sibling_rows(self) -> bool:
        """For each family's request and worker the solution joins (any share) without a
        row yet: the row ``x[r, w] <= z[f, w]``, with ``z[f, w]`` (cost: one split) if new."""
        if not (self.family_of >= 0).any():
            return False
        columns, index = _Columns.concat(self.columns), np.concatenate(self.index)
        value = np.asarray(self.h.getSolution().col_value)[index]
        member = self.family_of[columns.row] >= 0
        share = np.zeros((self.rows, self.cols))
        np.add.at(share, (columns.row[member], columns.worker[member]), value[member])
        r, w = np.nonzero((share > 1e-9) & (self.sibling_row < 0))
        if len(r) == 0:
            return False
        # Every row of each family concerned at once: added only where the solution
        # went, a family's share moved on to another worker each round (the 12,000-child
        # assessment service: 200 rounds without an optimum).
        families = np.unique(self.family_of[r])
        r, w = np.nonzero(np.isin(self.family_of, families)[:, None]
                          & np.isfinite(self.arrays.cost) & (self.sibling_row < 0))
        f = self.family_of[r]
        for key in sorted(set(zip(f.tolist(), w.tolist()))):
            if key not in self.z_column:
                self.z_column[key] = self.h.getNumCol()
                add_columns(self.h, np.array([self.arrays.split]), [[]], [[]], upper=1.0)
        first_row = self.h.getNumRow()
        self.sibling_row[r, w] = first_row + np.arange(len(r))
        # Each new row: the pair's columns (+1) and the family's z (-1).
        pair = columns.row * self.cols + columns.worker
        rows_of_column = self.sibling_row.reshape(-1)[pair]
        hit = rows_of_column >= first_row
        entries = [(int(row), int(col), 1.0) for row, col in zip(rows_of_column[hit], index[hit])]
        entries += [(first_row + k, self.z_column[int(f[k]), int(w[k])], -1.0)
                    for k in range(len(r))]
        entries.sort()
        counts = np.bincount([e[0] - first_row for e in entries], minlength=len(r))
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int32)
        self.h.addRows(len(r), np.full(len(r), -np.inf), np.zeros(len(r)), len(entries),
                       starts, np.array([e[1] for e in entries], dtype=np.int32),
                       np.array([e[2] for e in entries]))
        return True

    def _add_columns(self, columns: _Columns) -> None:
        """Add columns: each is in its request's row, its slot and limit rows if any, its
        worker's two load rows (its points) and its pair's sibling row if it has one."""
        n = len(columns.row)
        first = self.h.getNumCol()
        points = self.arrays.points[columns.row]
        sibling = self.sibling_row[columns.row, columns.worker]
        rows, load = self.rows, self.load_row
        index = np.stack([columns.row, rows + columns.slot, rows + self.slots_n + columns.week,
                          load + columns.worker, load + self.cols + columns.worker, sibling],
                         axis=1)
        value = np.stack([np.ones(n), np.ones(n), np.ones(n), points, points, np.ones(n)], axis=1)
        keep = np.stack([np.ones(n, bool), columns.slot >= 0, columns.week >= 0,
                         np.ones(n, bool), np.ones(n, bool), sibling >= 0], axis=1)
        counts = keep.sum(axis=1)
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int32)
        self.h.addCols(n, columns.cost, np.zeros(n), np.full(n, np.inf), int(counts.sum()),
                       starts, index[keep].astype(np.int32), value[keep])
        self.columns.append(columns)
        self.index.append(first + np.arange(n))


def _unpriced_columns(arrays: lag.ServiceArrays, pricing: RowPricing,
                      prices: RowPrices | None) -> _Columns:
    """Pairs of the requests the row prices leave alone (one column each: the pair's
    cost). At first, every pair, or where they are more than :data:`ALL_PAIRS_UP_TO`,
    each request's :data:`FIRST_PAIRS` cheapest with the load cost of the child alone;
    with ``prices``, those whose reduced cost is negative."""
    mask = np.isfinite(arrays.cost)
    mask[pricing.rows] = False
    if prices is not None:
        reduced = arrays.cost + np.outer(arrays.points, prices.per_point) - prices.pi[:, None]
        if prices.sigma is not None:
            reduced = reduced + prices.sigma
        with np.errstate(invalid="ignore"):
            mask &= reduced < -TOLERANCE * (1.0 + np.abs(prices.pi)[:, None])
    elif mask.sum() > ALL_PAIRS_UP_TO:
        alone = np.where(mask, arrays.cost + lag._load_cost(
            arrays, arrays.points[None, :], np.arange(arrays.cost.shape[1])).T, np.inf)
        keep = min(FIRST_PAIRS, alone.shape[1])
        cheapest = np.argpartition(alone, keep - 1, axis=1)[:, :keep]
        picked = np.zeros_like(mask)
        np.put_along_axis(picked, cheapest, True, axis=1)
        mask &= picked
    r, w = np.nonzero(mask)
    none = np.full(len(r), -1)
    return _Columns(r, w, none, none.copy(), arrays.cost[r, w])


def priced_columns(arrays: lag.ServiceArrays, pricing: RowPricing, mu: np.ndarray,
                   nu: np.ndarray, prices: RowPrices | None) -> _Columns:
    """Each priced pair's cheapest column at ``mu`` and ``nu``; with ``prices``, only those
    whose reduced cost is negative."""
    best, option, meeting = pricing.costs(mu, nu)
    finite = np.isfinite(best)
    if prices is not None:
        reduced = (best + np.outer(arrays.points[pricing.rows], prices.per_point)
                   - prices.pi[pricing.rows][:, None])
        if prices.sigma is not None:
            reduced = reduced + prices.sigma[pricing.rows]
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


def add_columns(h: object, cost: np.ndarray, index: list[list[int]],
                value: list[list[float]], upper: float = np.inf) -> None:
    """Add columns given as lists of (row, value) entries, between 0 and ``upper``."""
    counts = np.array([len(i) for i in index])
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int32)
    h.addCols(len(cost), cost, np.zeros(len(cost)), np.full(len(cost), upper),
              int(counts.sum()), starts, np.array([x for i in index for x in i], dtype=np.int32),
              np.array([x for v in value for x in v], dtype=float))


def quiet_highs() -> object:
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
    """Standard output (the file descriptor, which C++ writes to) sent to /dev/null."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
            yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)
