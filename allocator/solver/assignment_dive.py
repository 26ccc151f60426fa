"""A start for the assignment core: column generation over agents' item sets, dived to a plan.

The core's neighbourhood search (allocator.solver.assignment) keeps most of a plan and
re-solves a few agents at a time, so where it ends depends on where it starts. This module
makes a start from the Dantzig-Wolfe master of the problem: one column per agent per set
of items that fits its capacity, each item covered once, each agent taking at most one
column. Its linear optimum, reached by column generation with an exact 0/1 knapsack per
agent as the pricing problem, is the Lagrangian bound with the capacities kept, far
tighter than the assignment LP's (chu1997/d20100: 6,176 against 6,143, the optimum
6,185). Its solution is nearly a plan: most agents hold one column at weight 1.

The dive turns it into one: the columns at weight 1 (or, if none, the heaviest) are
fixed, their agents and items leave the pricing, columns are generated again, and so on
until every item is covered. A fixing that leaves no plan (the master needs its
artificial columns) is undone and its columns barred.

Everything is counted, not timed: the knapsack tables' cells and HiGHS' simplex
iterations are charged as deterministic seconds at fixed rates, so the same problem gives
the same start, and the work stops at a limit in those seconds.
"""

from __future__ import annotations

from dataclasses import dataclass

import highspy
import numpy as np
from numba import njit

from allocator.solver.assignment import UNASSIGNED, AssignmentProblem, regret_start
from allocator.solver.lagrangian import SAFETY
from allocator.solver.row_lp import add_columns, quiet_highs

# Charged as deterministic seconds (measured on the 2-core machine: about 0.8 ns a knapsack
# cell, 0.1 ms a simplex iteration of a 220-row master of a few thousand columns).
SECONDS_PER_CELL = 1e-9
# A simplex iteration, per entry of the master plus ten per column (the 5-agent
# instances' columns hold about 40 items each, the 20-agent ones' 5 to 10).
SECONDS_PER_ITERATION_ENTRY = 3.2e-9
ENTRIES_PER_COLUMN = 10
ROUNDS_PER_FIXING = 500  # generation rounds after each fixing, at most
# Columns at least this heavy are fixed together; if none is, the heaviest alone. Fixing
# every column above 0.6, or re-generating only 5 rounds after a fixing, was faster at
# first but needed undoing more often and dived worse (e20100: 8,460 and 8,549 against
# 8,459; d20200: no plan within 20 s).
FIX_AT = 1.0 - 1e-6
BACKTRACKS = 20  # fixings undone, at most, before the dive gives up
SMOOTHING = 0.5  # prices moved this share of the way back to the best so far


@njit(cache=True, nogil=True)
def knapsack(profit: np.ndarray, weight: np.ndarray, capacity: int) -> tuple[float, np.ndarray]:
    """The largest total ``profit`` of items whose ``weight`` fits ``capacity``, and which
    items (a mask), by dynamic programming over capacity. The worker patterns' programme
    (allocator.solver.knapsack_kernel) runs the same recurrence over exact loads; taking
    its best load instead of reading back from the full capacity settles ties between
    equally good sets the other way, and the dive follows whichever set it is given."""
    n = profit.shape[0]
    best = np.zeros(capacity + 1)
    took = np.zeros((n, capacity + 1), dtype=np.bool_)
    for i in range(n):
        w, p = weight[i], profit[i]
        for c in range(capacity, w - 1, -1):
            value = best[c - w] + p
            if value > best[c]:
                best[c] = value
                took[i, c] = True
    taken = np.zeros(n, dtype=np.bool_)
    c = capacity
    for i in range(n - 1, -1, -1):
        if took[i, c]:
            taken[i] = True
            c -= weight[i]
    return best[capacity], taken


@dataclass(frozen=True)
class Dive:
    """The dive's plan (an agent per item, -1 unassigned; None if it found none), the
    bound proved at the root, and the deterministic seconds charged."""

    agent_of: np.ndarray | None
    bound: float
    seconds: float


class _Master:
    """The restricted master in HiGHS. Rows: each item's columns sum to 1, each agent's to
    at most 1. Columns: one per item first (its penalty for being left unassigned or, where
    every item must be placed, an artificial one at a prohibitive cost), then the agents'
    item sets."""

    def __init__(self, problem: AssignmentProblem):
        self.problem = problem
        n, m = problem.items, problem.agents
        self.n = n
        self.h = h = quiet_highs()
        h.addRows(n + m, np.r_[np.ones(n), np.full(m, -np.inf)], np.ones(n + m), 0,
                  np.zeros(n + m, dtype=np.int32), np.zeros(0, dtype=np.int32), np.zeros(0))
        self.legit_unassigned = problem.penalty is not None
        if self.legit_unassigned:
            leave = problem.penalty.astype(float)
        else:
            leave = np.full(n, 10.0 * (float(np.abs(problem.cost).max()) + 1.0) * max(n, 1))
        add_columns(h, leave, [[i] for i in range(n)], [[1.0]] * n)
        self.columns: list[tuple[int, np.ndarray]] = []
        self.seen: set[tuple[int, tuple[int, ...]]] = set()
        self.seconds = 0.0
        self.fixed_agent = np.zeros(m, dtype=bool)
        self.covered = np.zeros(n, dtype=bool)
        self.fixed_column: set[int] = set()
        self.converged = False  # whether the last generation ended with nothing to add
        self.failed = False  # whether HiGHS once found no optimum (the dive then stops)
        self.entries = n  # the master's nonzeros

    def add(self, sets: list[tuple[int, np.ndarray]]) -> int:
        """Add the item sets not already held; how many were added."""
        costs, index = [], []
        for a, items in sets:
            key = (a, tuple(items.tolist()))
            if key in self.seen:
                continue
            self.seen.add(key)
            self.columns.append((a, items))
            costs.append(float(self.problem.cost[a, items].sum()))
            index.append(items.tolist() + [self.n + a])
            self.entries += len(items) + 1
        if costs:
            add_columns(self.h, np.array(costs), index, [[1.0] * len(i) for i in index])
        return len(costs)

    def solve(self) -> tuple[np.ndarray, np.ndarray] | None:
        """Re-solve; the item prices and the agents' duals. At the root the primal simplex
        goes on from the last basis (columns added keep it primal feasible: 3.4 s against
        6.9 s on chu1997/d20200); once columns are fixed, the dual simplex (30% fewer
        iterations there)."""
        self.h.setOptionValue("simplex_strategy", 1 if self.fixed_agent.any() else 4)
        self.h.run()
        self.seconds += (SECONDS_PER_ITERATION_ENTRY * self.h.getInfo().simplex_iteration_count
                         * (self.entries + ENTRIES_PER_COLUMN * (self.n + len(self.columns))))
        if self.h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            self.failed = True
            return None
        y = np.asarray(self.h.getSolution().row_dual)
        return y[:self.n].copy(), y[self.n:].copy()

    def price(self, pi: np.ndarray) -> tuple[float, list[tuple[int, np.ndarray]]]:
        """The Lagrangian value at item prices ``pi`` over the open items and agents, and
        each open agent's best item set (those that save anything)."""
        p = self.problem
        best_sets = []
        total = 0.0
        open_items = ~self.covered
        for a in np.flatnonzero(~self.fixed_agent):
            profit = pi - p.cost[a]
            idx = np.flatnonzero(p.allowed[a] & open_items & (profit > 1e-9))
            if not len(idx):
                continue
            capacity = int(p.capacity[a])
            self.seconds += SECONDS_PER_CELL * len(idx) * (capacity + 1)
            value, taken = knapsack(profit[idx].astype(np.float64),
                                    p.weight[a, idx].astype(np.int64), capacity)
            if value > 1e-9:
                total += value
                best_sets.append((int(a), np.sort(idx[taken])))
        priced = pi[open_items]
        value = float(priced.sum()) - total
        if self.legit_unassigned:
            value += float(np.minimum(0.0, p.penalty[open_items] - priced).sum())
        scale = float(np.abs(priced).sum()) + total + 1.0
        return value - SAFETY * scale, best_sets

    def generate(self, rounds: int, smoothing: float, limit: float) -> float:
        """Column generation until no column prices out at the master's duals (or
        ``rounds`` or the deterministic ``limit``); the best Lagrangian value seen. Prices
        are smoothed towards the best so far (Wentges): ``smoothing`` of the way."""
        best, centre = -np.inf, None
        self.converged = False
        for _ in range(rounds):
            duals = self.solve()
            if duals is None or self.seconds >= limit:
                break
            pi, sigma = duals
            added = 0
            for weight in ((smoothing, 0.0) if centre is not None else (0.0,)):
                trial = pi if weight == 0.0 else weight * centre + (1.0 - weight) * pi
                value, sets = self.price(trial)
                if value > best:
                    best, centre = value, trial
                added = self.add([(a, s) for a, s in sets
                                  if self.problem.cost[a, s].sum() - pi[s].sum() - sigma[a]
                                  < -1e-6])
                if added:
                    break
            if not added:
                self.converged = True
                break
        return best

    def values(self) -> tuple[np.ndarray, np.ndarray]:
        """The item columns' values and the agents' columns' values."""
        x = np.asarray(self.h.getSolution().col_value)
        return x[:self.n], x[self.n:]

    def needs_artificial(self) -> bool:
        """Whether some item is covered only by its artificial column: no plan here."""
        return not self.legit_unassigned and float(self.values()[0].max()) > 1e-6

    def fix(self, j: int) -> None:
        """Column ``j`` taken: its agent and items leave the pricing."""
        self._set(j, taken=True)

    def bar(self, j: int) -> None:
        """A fixing undone: column ``j`` is barred, its agent and items open again."""
        self._set(j, taken=False)

    def _set(self, j: int, taken: bool) -> None:
        a, items = self.columns[j]
        value = 1.0 if taken else 0.0
        self.h.changeColBounds(self.n + j, value, value)
        if taken:
            self.fixed_column.add(j)
        else:
            self.fixed_column.discard(j)
        self.fixed_agent[a] = taken
        self.covered[items] = taken


def dive(problem: AssignmentProblem, limit: float, root_limit: float,
         smoothing: float = SMOOTHING) -> Dive:
    """A plan from the master dived to integers, and the bound at its root, within
    ``limit`` deterministic seconds (:class:`Dive`). If the root's generation has not
    converged within ``root_limit``, there is no dive: the root is the slow part, and one
    that slow leaves too little of the limit for the fixings."""
    master = _Master(problem)
    bound = master.generate(ROUNDS_PER_FIXING, smoothing, min(limit, root_limit))
    if not master.converged:
        return Dive(None, bound, master.seconds)
    last: list[int] = []
    undone = 0
    while True:
        if master.seconds >= limit or master.failed:
            return Dive(_completed(problem, master), bound, master.seconds)
        if master.needs_artificial():
            if not last or undone >= BACKTRACKS:
                return Dive(_completed(problem, master), bound, master.seconds)
            undone += 1
            for j in last:
                master.bar(j)
            last = []
            master.generate(ROUNDS_PER_FIXING, smoothing, limit)
            continue
        _, x = master.values()
        agents_of = np.array([a for a, _ in master.columns], dtype=np.int64)
        open_columns = np.flatnonzero((x > 1e-6) & ~master.fixed_agent[agents_of])
        if not len(open_columns):
            break
        heaviest = open_columns[np.argsort(-x[open_columns], kind="stable")]
        chosen = [j for j in heaviest if x[j] > FIX_AT] or [int(heaviest[0])]
        last = []
        for j in chosen:
            a, items = master.columns[j]
            if master.fixed_agent[a] or master.covered[items].any():
                continue
            master.fix(j)
            last.append(j)
        if not last:  # only columns overlapping the fixed ones: the LP's tolerance
            return Dive(_completed(problem, master), bound, master.seconds)
        master.generate(ROUNDS_PER_FIXING, smoothing, limit)
    agent_of = np.full(problem.items, UNASSIGNED, dtype=np.int64)
    _, x = master.values()
    for j in np.flatnonzero(x > 0.5):
        a, items = master.columns[j]
        agent_of[items] = a
    if problem.violations(agent_of):
        return Dive(None, bound, master.seconds)
    return Dive(agent_of, bound, master.seconds)


def _completed(problem: AssignmentProblem, master: _Master) -> np.ndarray | None:
    """The columns fixed so far, the other items placed by regret; None if some item
    finds no room (where every item must be placed)."""
    given = np.full(problem.items, UNASSIGNED, dtype=np.int64)
    for j in sorted(master.fixed_column):
        a, items = master.columns[j]
        given[items] = a
    agent_of = regret_start(problem, given)
    if problem.violations(agent_of):
        return None
    return agent_of
