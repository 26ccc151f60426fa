"""The worker patterns' options, made in compiled code.

Before :func:`allocator.solver.patterns.cheapest_patterns` fills each worker's table
(allocator.solver.knapsack_kernel), it makes the options the table chooses from: each single
child that saves at the worker, each subset of a family whose children all save there less
the family's split, each worker's sure children (those that belong to some best pattern
whatever else it holds) counted in from the start, the load past which no best pattern
reaches, and the options in the order the table takes them, those that cannot be held
dropped. Made with whole-array NumPy over every worker at once, a re-allocation's pricing
sorted and gathered a million options several times (about 0.23 s of the 12,000-child
safeguarding service's 0.4 s a pricing); here each worker's options are made, ordered and
kept in one compiled pass (about 0.075 s), with the same sums in the same order: the same
options in the same order, so the same patterns and the same bound.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def make_options(saving: np.ndarray, useful: np.ndarray, points: np.ndarray,
                 in_family: np.ndarray, families: np.ndarray, split: float,
                 sure_slope: float, slopes: np.ndarray, kinks: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray,
                            np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Every worker's options for the table, and what the table starts from.

    ``saving`` (R, W) is what each child saves at each worker and ``useful`` where that
    counts; ``points`` each child's whole points; ``families`` (F, K) the priced families'
    rows (-1: none), whose children ``in_family`` marks; ``sure_slope`` the load cost's
    steepest slope; ``slopes`` and ``kinks`` (3, W) each worker's slope past each of its
    three kinks and the kink's load rounded up.

    Returns ``sure`` (R, W), the children counted in from the start; each worker's ``base``
    load and ``base_gain`` from them; the options kept, worker by worker (each family's
    subsets first, by family, points, saving most and subset; then single children by
    points, saving most and row): their worker, group (a child's row, or R + its family),
    points, saving and children (a bit per family column; 1 for a single child); and each
    worker's ``cap`` (the load past which no best pattern reaches) and ``total`` (the most
    its groups can add).
    """
    rows_n, workers_n = saving.shape
    sure = np.zeros((rows_n, workers_n), dtype=np.bool_)
    base = np.zeros(workers_n, dtype=np.int64)
    base_gain = np.zeros(workers_n, dtype=np.float64)
    cap = np.zeros(workers_n, dtype=np.int64)
    total = np.zeros(workers_n, dtype=np.int64)
    # Each worker's single children and families' subsets, found row by row (the tables
    # are row-major) and placed worker by worker: counted first, then filled.
    s_count = np.zeros(workers_n + 1, dtype=np.int64)
    for r in range(rows_n):
        if in_family[r]:
            continue
        for w in range(workers_n):
            if useful[r, w]:
                gain = saving[r, w]
                if gain >= sure_slope * points[r]:
                    sure[r, w] = True
                    base[w] += points[r]
                    base_gain[w] += gain
                else:
                    s_count[w + 1] += 1
    s_start = np.cumsum(s_count)
    s_row = np.empty(s_start[-1], dtype=np.int64)
    s_points = np.empty(s_start[-1], dtype=np.int64)
    s_gain = np.empty(s_start[-1], dtype=np.float64)
    s_at = s_start[:-1].copy()
    for r in range(rows_n):
        if in_family[r]:
            continue
        for w in range(workers_n):
            if useful[r, w] and not sure[r, w]:
                i = s_at[w]
                s_row[i], s_points[i], s_gain[i] = r, points[r], saving[r, w]
                s_at[w] += 1
    f_count = np.zeros(workers_n + 1, dtype=np.int64)
    none_i, none_f = np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float64)
    _family_subsets(useful, saving, points, families, split, f_count, False,
                    none_i, none_i, none_i, none_f)
    f_start = np.cumsum(f_count)
    f_family = np.empty(f_start[-1], dtype=np.int64)
    f_subset = np.empty(f_start[-1], dtype=np.int64)
    f_points = np.empty(f_start[-1], dtype=np.int64)
    f_gain = np.empty(f_start[-1], dtype=np.float64)
    _family_subsets(useful, saving, points, families, split,
                    f_start[:-1].copy(), True, f_family, f_subset, f_points, f_gain)
    # Every worker's kept options, in order.
    size = s_start[-1] + f_start[-1]
    out_worker = np.empty(size, dtype=np.int64)
    out_group = np.empty(size, dtype=np.int64)
    out_points = np.empty(size, dtype=np.int64)
    out_gain = np.empty(size, dtype=np.float64)
    out_mask = np.empty(size, dtype=np.int64)
    n = 0
    for w in range(workers_n):
        s0, singles = s_start[w], s_start[w + 1] - s_start[w]
        f0, subsets = f_start[w], f_start[w + 1] - f_start[w]
        # The load past which no best pattern reaches (see cheapest_patterns).
        largest = 0
        group_total = 0
        for i in range(singles):
            largest = max(largest, s_points[s0 + i])
            group_total += s_points[s0 + i]
        held = np.zeros(3, dtype=np.int64)
        for i in range(singles):
            density = s_gain[s0 + i] / max(s_points[s0 + i], 1)
            for j in range(3):
                if density > slopes[j, w]:
                    held[j] += s_points[s0 + i]
        i = 0
        while i < subsets:
            f = f_family[f0 + i]
            group_points = 0
            density = -np.inf
            while i < subsets and f_family[f0 + i] == f:
                largest = max(largest, f_points[f0 + i])
                group_points = max(group_points, f_points[f0 + i])
                density = max(density, f_gain[f0 + i] / max(f_points[f0 + i], 1))
                i += 1
            group_total += group_points
            for j in range(3):
                if density > slopes[j, w]:
                    held[j] += group_points
        limit = group_total
        for j in range(3):
            above = max(0, kinks[j, w] - base[w])
            limit = min(limit, above + held[j] + largest - 1)
        limit = max(0, min(limit, group_total))
        cap[w], total[w] = limit, group_total
        # Families' subsets by family, points, saving most and subset; singles by points,
        # saving most and row. Stable sorts, least significant key first.
        f_order = _family_order(f_family[f0:f0 + subsets], f_points[f0:f0 + subsets],
                                f_gain[f0:f0 + subsets])
        s_order = _by_points(s_points[s0:s0 + singles],
                             np.argsort(-s_gain[s0:s0 + singles], kind="mergesort"))
        for i in f_order:
            if f_points[f0 + i] <= limit:
                out_worker[n], out_group[n] = w, rows_n + f_family[f0 + i]
                out_points[n], out_gain[n] = f_points[f0 + i], f_gain[f0 + i]
                out_mask[n] = f_subset[f0 + i]
                n += 1
        # Of single children of the same points, as many as fit, saving most first.
        rank = 0
        for place in range(singles):
            i = s_order[place]
            if place > 0 and s_points[s0 + i] != s_points[s0 + s_order[place - 1]]:
                rank = 0
            if rank < limit // max(s_points[s0 + i], 1) and s_points[s0 + i] <= limit:
                out_worker[n], out_group[n] = w, s_row[s0 + i]
                out_points[n], out_gain[n], out_mask[n] = s_points[s0 + i], s_gain[s0 + i], 1
                n += 1
            rank += 1
    return (sure, base, base_gain, out_worker[:n], out_group[:n], out_points[:n],
            out_gain[:n], out_mask[:n], cap, total)


@njit(cache=True, nogil=True)
def _family_subsets(useful: np.ndarray, saving: np.ndarray, points: np.ndarray,
                    families: np.ndarray, split: float, at: np.ndarray, fill: bool,
                    family: np.ndarray, subset_of: np.ndarray, points_of: np.ndarray,
                    gain_of: np.ndarray) -> None:
    """Each family's subsets whose children all save at a worker, by more than the split:
    counted per worker into ``at[w + 1]``, or, with ``fill``, written from ``at[w]`` on
    (family, subset, points, saving), families and subsets in ascending order. Only the
    subsets of the children that save at the worker are visited."""
    width = families.shape[1]
    for f in range(families.shape[0]):
        for w in range(useful.shape[1]):
            saves = 0  # the members that save at the worker, a bit each
            for k in range(width):
                r = families[f, k]
                if r >= 0 and useful[r, w]:
                    saves |= 1 << k
            subset = (0 - saves) & saves  # the subsets of ``saves``, in ascending order
            while subset:
                gain = 0.0
                pts = 0
                first = True
                for k in range(width):
                    if subset >> k & 1:
                        r = families[f, k]
                        gain = saving[r, w] if first else gain + saving[r, w]
                        first = False
                        pts += points[r]
                if gain - split > 0:
                    if fill:
                        i = at[w]
                        family[i], subset_of[i] = f, subset
                        points_of[i], gain_of[i] = pts, gain - split
                        at[w] += 1
                    else:
                        at[w + 1] += 1
                subset = (subset - saves) & saves


@njit(cache=True, nogil=True)
def _by_points(points: np.ndarray, order: np.ndarray) -> np.ndarray:
    """``order`` stably sorted by ``points`` (small whole numbers): a counting sort."""
    top = 0
    for i in range(len(points)):
        top = max(top, points[i])
    start = np.zeros(top + 2, dtype=np.int64)
    for i in range(len(points)):
        start[points[i] + 1] += 1
    start = np.cumsum(start)
    out = np.empty(len(order), dtype=np.int64)
    for i in order:
        out[start[points[i]]] = i
        start[points[i]] += 1
    return out


@njit(cache=True, nogil=True)
def _family_order(family: np.ndarray, points: np.ndarray, gain: np.ndarray) -> np.ndarray:
    """The order of one worker's family subsets (in family order already) by family,
    points, saving most, then as given: an insertion sort within each family, whose
    subsets are few."""
    order = np.arange(len(family))
    for i in range(1, len(order)):
        j = i
        while j > 0 and family[order[j - 1]] == family[order[j]] and (
                points[order[j - 1]] > points[order[j]]
                or (points[order[j - 1]] == points[order[j]]
                    and gain[order[j - 1]] < gain[order[j]])):
            order[j - 1], order[j] = order[j], order[j - 1]
            j -= 1
    return order
