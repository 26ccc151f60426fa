"""The compiled dynamic programme of the worker patterns, against the same recurrence
written plainly: the same best saving at every load and the same options taken."""

from __future__ import annotations

import numpy as np
import pytest

from allocator.solver.knapsack_kernel import fill_tables, taken_options


def _packed(rng: np.random.Generator, workers: int):
    """Random groups of 1-4 options per worker, whole-number savings (so ties happen)."""
    groups = rng.integers(0, 8, workers)
    sizes = rng.integers(1, 5, int(groups.sum()))
    worker_groups = np.r_[0, np.cumsum(groups)].astype(np.int64)
    group_options = np.r_[0, np.cumsum(sizes)].astype(np.int64)
    add = rng.integers(0, 6, int(sizes.sum())).astype(np.int64)
    gain = rng.integers(-2, 6, int(sizes.sum())).astype(float)
    tops = rng.integers(0, 25, workers).astype(np.int64)
    return worker_groups, group_options, add, gain, tops


def _plain(worker_groups, group_options, add, gain, tops):
    """Each worker's table after each group, kept whole, and the option each group took
    at each load."""
    most, choices = [], []
    for w in range(len(tops)):
        row = np.full(tops[w] + 1, -np.inf)
        row[0] = 0.0
        chosen = []
        for g in range(worker_groups[w], worker_groups[w + 1]):
            before, pick = row.copy(), np.full(tops[w] + 1, -1)
            for k, o in enumerate(range(group_options[g], group_options[g + 1])):
                for load in range(add[o], tops[w] + 1):
                    if before[load - add[o]] + gain[o] > row[load]:
                        row[load] = before[load - add[o]] + gain[o]
                        pick[load] = k
            chosen.append(pick)
        most.append(row)
        choices.append(chosen)
    return most, choices


@pytest.mark.parametrize("seed", range(8))
def test_the_compiled_programme_is_the_plain_one(seed: int) -> None:
    rng = np.random.default_rng(seed)
    packed = _packed(rng, 6)
    worker_groups, group_options, add, gain, tops = packed
    most, choice = fill_tables(*packed)
    want_most, want_choices = _plain(*packed)
    for w, row in enumerate(want_most):
        assert np.array_equal(most[w, :len(row)], row)
        assert np.isneginf(most[w, len(row):]).all()
    # Read back from each worker's best load, the options are the plain recurrence's.
    loads = np.array([int(np.argmax(row)) for row in want_most])
    worker, place, option = taken_options(worker_groups, group_options, add, tops, choice,
                                          loads)
    for w in range(len(tops)):
        want, here = [], loads[w]
        for k in range(len(want_choices[w]) - 1, -1, -1):
            pick = want_choices[w][k][here]
            if pick >= 0:
                o = group_options[worker_groups[w] + k] + pick
                want.append((k, o))
                here -= add[o]
        got = [(p, o) for x, p, o in zip(worker, place, option) if x == w]
        assert got == want
        assert sum(add[o] for _, o in got) == loads[w]
