"""The compiled dynamic programme of the worker patterns, against the same recurrence
written plainly: the same best saving at every load and the same option taken."""

from __future__ import annotations

import numpy as np
import pytest

from allocator.solver.knapsack_kernel import fill_tables


def _plain(add_wide, gain_wide, add_rest, gain_rest, who, tops, top, steps):
    wide = add_wide.shape[0]
    most = np.full((len(who), top + 1), -np.inf)
    choice = np.full((steps, len(who), top + 1), -1, dtype=np.int8)
    for i, w in enumerate(who):
        row = np.full(top + 1, -np.inf)
        row[0] = 0.0
        for k in range(steps):
            add, gain = ((add_wide[k, w], gain_wide[k, w]) if k < wide
                         else (add_rest[k - wide, w], gain_rest[k - wide, w]))
            before = row.copy()
            for o in range(len(gain)):
                if gain[o] == -np.inf:
                    continue
                for load in range(add[o], tops[i] + 1):
                    if before[load - add[o]] + gain[o] > row[load]:
                        row[load] = before[load - add[o]] + gain[o]
                        choice[k, i, load] = o
        most[i] = row
    return most, choice


@pytest.mark.parametrize("seed", range(8))
def test_the_compiled_programme_is_the_plain_one(seed: int) -> None:
    rng = np.random.default_rng(seed)
    workers, wide, rest, options = 5, 3, 7, 4
    add_wide = rng.integers(0, 6, (wide, workers, options)).astype(np.int32)
    # Whole-number savings, so that ties (kept by the earlier choice) happen.
    gain_wide = rng.integers(-2, 6, (wide, workers, options)).astype(float)
    gain_wide[rng.random(gain_wide.shape) < 0.3] = -np.inf
    add_rest = rng.integers(0, 6, (rest, workers, 1)).astype(np.int32)
    gain_rest = rng.integers(-2, 6, (rest, workers, 1)).astype(float)
    gain_rest[rng.random(gain_rest.shape) < 0.3] = -np.inf
    who = np.array([0, 2, 3, 4])
    tops = rng.integers(0, 25, len(who))
    top = int(tops.max())
    args = (add_wide, gain_wide, add_rest, gain_rest, who, tops, top, wide + rest)
    most, choice = fill_tables(*args)
    want_most, want_choice = _plain(*args)
    assert np.array_equal(most, want_most)
    assert np.array_equal(choice, want_choice)
