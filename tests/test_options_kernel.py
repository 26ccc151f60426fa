"""The worker patterns' options, made in compiled code: which options each worker gets,
which children are counted in from the start, and the order the table takes them in (ties
in the table keep the earlier option, so the order decides which of equal patterns is
made)."""

from __future__ import annotations

import numpy as np
import pytest

from allocator.solver.options_kernel import make_options

SLOPE = 120.0  # the load cost's steepest slope: balance and overload together
SPLIT = 50.0


def random_service(seed: int) -> dict[str, np.ndarray]:
    """Savings of 40 children at 5 workers, whole-number points (some repeated, some
    savings tied), three families of two to four children, and kinks with their slopes."""
    rng = np.random.default_rng(seed)
    rows, workers = 40, 5
    saving = np.round(rng.normal(200, 400, size=(rows, workers)), -1)
    points = rng.integers(1, 5, size=rows).astype(np.int64)
    useful = (saving > 0) & (rng.random((rows, workers)) < 0.85)
    families = np.array([[1, 7, -1, -1], [10, 11, 12, 13], [20, 25, 30, -1]], dtype=np.int64)
    in_family = np.zeros(rows, dtype=bool)
    in_family[families[families >= 0]] = True
    slopes = np.array([[SLOPE] * workers, [20.0] * workers, [0.0] * workers])
    kinks = rng.integers(0, 30, size=(3, workers)).astype(np.int64)
    return {"saving": saving, "useful": useful, "points": points, "in_family": in_family,
            "families": families, "slopes": slopes, "kinks": np.sort(kinks, axis=0)[::-1]}


def made(s: dict[str, np.ndarray]) -> tuple:
    return make_options(s["saving"], s["useful"], s["points"], s["in_family"], s["families"],
                        SPLIT, SLOPE, s["slopes"], s["kinks"].copy())


@pytest.mark.parametrize("seed", range(6))
def test_children_saving_more_than_any_load_costs_are_counted_in_from_the_start(
        seed: int) -> None:
    s = random_service(seed)
    sure, base, base_gain, worker, group, *_ = made(s)
    single = s["useful"] & ~s["in_family"][:, None]
    expected = single & (s["saving"] >= SLOPE * s["points"][:, None])
    assert np.array_equal(sure, expected)
    assert np.array_equal(base, (expected * s["points"][:, None]).sum(axis=0))
    assert np.allclose(base_gain, np.where(expected, s["saving"], 0.0).sum(axis=0))
    rows = len(s["points"])
    for w, g in zip(worker, group):  # a child counted in is never an option too
        assert g >= rows or not sure[g, w]


@pytest.mark.parametrize("seed", range(6))
def test_each_family_subset_that_saves_is_an_option_within_the_cap(seed: int) -> None:
    s = random_service(seed)
    _, _, _, worker, group, points, gain, mask, cap, _ = made(s)
    rows = len(s["points"])
    found = {(int(w), int(g - rows), int(m)): (int(p), float(v))
             for w, g, p, v, m in zip(worker, group, points, gain, mask) if g >= rows}
    for f, members in enumerate(s["families"]):
        for w in range(s["saving"].shape[1]):
            for subset in range(1, 16):
                children = [members[k] for k in range(4) if subset >> k & 1]
                if any(r < 0 for r in children):
                    continue
                saves = all(s["useful"][r, w] for r in children)
                value = sum(s["saving"][r, w] for r in children) - SPLIT
                pts = int(sum(s["points"][r] for r in children))
                expected = saves and value > 0 and pts <= cap[w]
                assert ((w, f, subset) in found) == expected, (w, f, subset)
                if expected:
                    assert found[w, f, subset] == (pts, pytest.approx(value))


@pytest.mark.parametrize("seed", range(6))
def test_options_come_worker_by_worker_families_first_then_children_saving_most(
        seed: int) -> None:
    """Within a worker: each family's subsets by family, points, saving most, then subset;
    then single children by points, saving most, then row; of single children of the same
    points only as many as the cap holds, those saving most."""
    s = random_service(seed)
    sure, _, _, worker, group, points, gain, mask, cap, _ = made(s)
    rows = len(s["points"])
    assert np.all(np.diff(worker) >= 0)
    for w in np.unique(worker):
        at = worker == w
        g, p, v, m = group[at], points[at], gain[at], mask[at]
        family = g >= rows
        assert not np.any(np.diff(family.astype(int)) > 0), "families come first"
        keys = [(g[i], p[i], -v[i], m[i]) for i in np.flatnonzero(family)]
        assert keys == sorted(keys)
        keys = [(p[i], -v[i], g[i]) for i in np.flatnonzero(~family)]
        assert keys == sorted(keys)
        single = s["useful"][:, w] & ~s["in_family"] & ~sure[:, w]
        for pts in np.unique(s["points"][single]):
            candidates = np.flatnonzero(single & (s["points"] == pts))
            best_first = candidates[np.argsort(-s["saving"][candidates, w], kind="stable")]
            kept = best_first[:cap[w] // pts] if pts <= cap[w] else best_first[:0]
            assert g[~family & (p == pts)].tolist() == kept.tolist()
