"""The worker patterns' dynamic programme, compiled.

:func:`allocator.solver.patterns.cheapest_patterns` finds every worker's cheapest pattern
by dynamic programming over points added, one group of options (a single child, or the
subsets of a family) per step. Done step by step in NumPy over every worker at once, each
step copies and gathers whole tables, about 20 million cells a second; the 12,000-child
re-allocation's safeguarding service has about 77 million cells a pricing (348 workers,
600 steps, loads to 440 points), so generation stopped after a few re-solves. Here each
worker's table is filled in one compiled loop, up to the points its steps so far can add,
with the same comparisons in the same order: the same best value at every load and the
same option taken at every step, so the same patterns and the same bound.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def fill_tables(add_wide: np.ndarray, gain_wide: np.ndarray, add_rest: np.ndarray,
                gain_rest: np.ndarray, who: np.ndarray, tops: np.ndarray, top: int,
                steps: int) -> tuple[np.ndarray, np.ndarray]:
    """For workers ``who`` over the first ``steps`` steps: the largest saving of options
    adding exactly each load of points (-inf where none does), ``(n, top + 1)``, and the
    option taken at each step and load (-1: none), ``(steps, n, top + 1)``.

    ``add_wide``/``gain_wide`` hold the first steps with every option, ``(wide, workers,
    options)``; ``add_rest``/``gain_rest`` the rest with one, ``(steps - wide, workers,
    1)``. Worker i's loads stop at ``tops[i]``. An option replaces what the table holds
    only if it saves strictly more, options in order, so ties keep the earlier choice."""
    wide = add_wide.shape[0]
    n = who.shape[0]
    most = np.full((n, top + 1), -np.inf)
    choice = np.full((steps, n, top + 1), -1, dtype=np.int8)
    before = np.empty(top + 1)
    for i in range(n):
        w = who[i]
        cap = tops[i]
        row = most[i]
        row[0] = 0.0
        reach = 0  # the largest load some set of the steps so far adds
        for k in range(steps):
            if k < wide:
                add, gain, options = add_wide[k, w], gain_wide[k, w], add_wide.shape[2]
            else:
                add, gain, options = add_rest[k - wide, w], gain_rest[k - wide, w], 1
            largest = -1  # the most points an option of this step adds; -1: no option
            for o in range(options):
                if gain[o] != -np.inf and add[o] > largest:
                    largest = add[o]
            if largest < 0:
                continue
            end = min(cap, reach + largest)
            for load in range(end + 1):
                before[load] = row[load]
            for o in range(options):
                g = gain[o]
                if g == -np.inf:
                    continue
                a = add[o]
                for load in range(a, end + 1):
                    taken = before[load - a] + g
                    if taken > row[load]:
                        row[load] = taken
                        choice[k, i, load] = o
            reach = end
    return most, choice

