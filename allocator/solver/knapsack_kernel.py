"""The worker patterns' dynamic programme, compiled.

:func:`allocator.solver.patterns.cheapest_patterns` finds every worker's cheapest pattern
by dynamic programming over points added, one group of options (a single child, or the
subsets of a family) per step. Done step by step in NumPy over every worker at once, each
step copied and gathered whole tables, about 20 million cells a second; the 12,000-child
re-allocation's safeguarding service has about 77 million cells a pricing (348 workers,
600 steps, loads to 440 points). Here each worker's table is filled in one compiled loop,
up to the points its steps so far can add, with the same comparisons in the same order as
the recurrence: the same best value at every load and the same option taken at every
step, so the same patterns and the same bound.

Options come packed: worker w's groups are ``worker_groups[w]`` to ``worker_groups[w +
1]``, group g's options ``group_options[g]`` to ``group_options[g + 1]``, each with the
points it adds and what it saves.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def fill_tables(worker_groups: np.ndarray, group_options: np.ndarray, add: np.ndarray,
                gain: np.ndarray, tops: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each worker's largest saving of options adding exactly each load of points, up to
    its ``tops`` (-inf where no set does), ``(W, max top + 1)``, and the choices that
    :func:`taken_options` reads back: at each of a worker's groups and loads, which of the
    group's options was taken (-1: none). An option replaces what the table holds only if
    it saves strictly more, options in order, so ties keep the earlier choice."""
    workers = tops.shape[0]
    top = 0
    for w in range(workers):
        top = max(top, tops[w])
    most = np.full((workers, top + 1), -np.inf)
    choice = np.full(_choice_cells(worker_groups, tops), -1, dtype=np.int8)
    before = np.empty(top + 1)
    at = 0  # where this worker's choices start
    for w in range(workers):
        cap = tops[w]
        width = cap + 1
        row = most[w]
        row[0] = 0.0
        reach = 0  # the largest load some set of the groups so far adds
        first = worker_groups[w]
        for g in range(first, worker_groups[w + 1]):
            largest = 0
            for o in range(group_options[g], group_options[g + 1]):
                largest = max(largest, add[o])
            end = min(cap, reach + largest)
            for load in range(end + 1):
                before[load] = row[load]
            base = at + (g - first) * width
            for o in range(group_options[g], group_options[g + 1]):
                a, saves = add[o], gain[o]
                for load in range(a, end + 1):
                    taken = before[load - a] + saves
                    if taken > row[load]:
                        row[load] = taken
                        choice[base + load] = o - group_options[g]
            reach = end
        at += (worker_groups[w + 1] - first) * width
    return most, choice


@njit(cache=True, nogil=True)
def taken_options(worker_groups: np.ndarray, group_options: np.ndarray, add: np.ndarray,
                  tops: np.ndarray, choice: np.ndarray,
                  loads: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The options taken by each worker's best set adding ``loads[w]`` points, read back
    through ``choice`` from the last group to the first: (worker, its group's place at the
    worker, option) for each."""
    count = worker_groups[-1]
    worker = np.empty(count, dtype=np.int64)
    place = np.empty(count, dtype=np.int64)
    option = np.empty(count, dtype=np.int64)
    n = 0
    at = 0
    for w in range(tops.shape[0]):
        width = tops[w] + 1
        first = worker_groups[w]
        here = loads[w]
        for g in range(worker_groups[w + 1] - 1, first - 1, -1):
            o = choice[at + (g - first) * width + here]
            if o >= 0:
                worker[n], place[n] = w, g - first
                option[n] = group_options[g] + o
                here -= add[option[n]]
                n += 1
        at += (worker_groups[w + 1] - first) * width
    return worker[:n], place[:n], option[:n]


@njit(cache=True, nogil=True)
def _choice_cells(worker_groups: np.ndarray, tops: np.ndarray) -> int:
    cells = 0
    for w in range(tops.shape[0]):
        cells += (worker_groups[w + 1] - worker_groups[w]) * (tops[w] + 1)
    return cells
