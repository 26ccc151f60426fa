"""Worker patterns: each worker's cheapest pattern is exact, the generated master reaches
the master over every pattern, and the bound stays below every plan wherever it stops."""

from __future__ import annotations

import itertools

import highspy
import numpy as np
import pytest

from allocator.pipeline import PlanRun
from allocator.solver import lagrangian_rows, patterns, row_lp
from allocator.solver.lagrangian import ServiceArrays
from tests.test_lagrangian import planned_cost, priced_services


@pytest.fixture
def weekly(weekly_thousand: PlanRun) -> PlanRun:
    return weekly_thousand


def small_service(seed: int, rows: int = 9, workers: int = 3) -> ServiceArrays:
    """A random service small enough to list every pattern: children of 1 to 15 points,
    some forbidden pairs, two families, and workers with little or much room."""
    rng = np.random.default_rng(seed)
    cost = rng.integers(0, 400, size=(rows, workers)).astype(float)
    cost[rng.random((rows, workers)) < 0.15] = np.inf
    return ServiceArrays(
        cost=cost, points=rng.integers(1, 16, size=rows).astype(float),
        unallocated=np.full(rows, 5000.0), busy=rng.integers(0, 30, size=workers).astype(float),
        full=rng.integers(5, 40, size=workers).astype(float), balance=20.0, overload=100.0,
        family=np.array([[0, 1, 2], [3, 4, -1]]), split=300.0)


def load_cost(arrays: ServiceArrays, w: int, load: float) -> float:
    return (arrays.balance * max(0.0, load - arrays.busy[w])
            + arrays.overload * max(0.0, load - arrays.full[w]))


def pattern_cost(arrays: ServiceArrays, w: int, rows: tuple[int, ...], price: np.ndarray) -> float:
    """A pattern's cost written out: its children's costs less their prices, the load cost
    of their points together and a split for every family it holds part of."""
    families = {f for f, members in enumerate(arrays.family) for r in rows if r in members}
    return (sum(arrays.cost[r, w] - price[r] for r in rows)
            + load_cost(arrays, w, sum(arrays.points[r] for r in rows))
            + arrays.split * len(families))


def every_pattern(arrays: ServiceArrays, w: int) -> list[tuple[int, ...]]:
    allowed = [r for r in range(len(arrays.points)) if np.isfinite(arrays.cost[r, w])]
    return [s for k in range(len(allowed) + 1) for s in itertools.combinations(allowed, k)]


@pytest.mark.parametrize("seed", range(8))
def test_each_workers_cheapest_pattern_is_exact(seed: int) -> None:
    """Against every subset of children, at prices from low (nothing worth taking) to high
    (children saving more than any load could cost, taken before the table)."""
    arrays = small_service(seed)
    rng = np.random.default_rng(100 + seed)
    for scale in (0.0, 300.0, 1500.0, 4000.0):
        price = rng.random(len(arrays.points)) * scale
        found = patterns.cheapest_patterns(arrays, arrays.cost, price,
                                           patterns.families_kept(arrays))
        assert found is not None
        for w in range(arrays.cost.shape[1]):
            best = min(pattern_cost(arrays, w, s, price) for s in every_pattern(arrays, w))
            assert found.value[w] == pytest.approx(best, abs=1e-6), (scale, w)
            taken = tuple(sorted(found.row[found.worker == w].tolist()))
            assert pattern_cost(arrays, w, taken, price) == pytest.approx(best, abs=1e-6)


def every_pattern_master(arrays: ServiceArrays) -> float:
    """The master programme with every pattern of every worker as a column, solved whole:
    what column generation must reach."""
    rows, workers = arrays.cost.shape
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.addRows(rows + workers, np.r_[np.ones(rows), np.full(workers, -highspy.kHighsInf)],
              np.ones(rows + workers), 0, np.zeros(rows + workers, dtype=np.int32),
              np.zeros(0, dtype=np.int32), np.zeros(0))
    for r in range(rows):
        h.addCol(float(arrays.unallocated[r]), 0.0, highspy.kHighsInf, 1,
                 np.array([r], dtype=np.int32), np.array([1.0]))
    for w in range(workers):
        for s in every_pattern(arrays, w):
            if not s:
                continue
            index = np.array(list(s) + [rows + w], dtype=np.int32)
            h.addCol(pattern_cost(arrays, w, s, np.zeros(rows)), 0.0, highspy.kHighsInf,
                     len(index), index, np.ones(len(index)))
    h.run()
    assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    return h.getInfo().objective_function_value - arrays.split * len(arrays.family)


@pytest.mark.parametrize("seed", range(4))
def test_generated_patterns_reach_the_master_over_every_pattern(seed: int) -> None:
    """From prices of nothing, generation with its moving box ends at the optimum of the
    master written out with every pattern."""
    arrays = small_service(seed)
    rows, workers = arrays.cost.shape
    found = patterns.generate_patterns(arrays, None, np.zeros(rows), np.zeros((0, 0)),
                                       np.zeros((workers, 0)), target=np.inf)
    assert found is not None
    assert found.value == pytest.approx(every_pattern_master(arrays), abs=1e-4)


def test_the_bound_stays_below_every_plan_wherever_it_stops(weekly: PlanRun) -> None:
    """After any number of rounds, the bound at the prices reached is below the service's
    plan, and never below what the row programme's prices gave on their own."""
    problem = weekly.problem
    seen = 0
    for service, arrays, pricing in priced_services(problem):
        planned = planned_cost(weekly, service)
        found = row_lp.lp_prices(arrays, pricing)
        assert found is not None
        start = lagrangian_rows.value_at(arrays, pricing, found.pi, found.mu, found.nu,
                                         found.per_point)
        for limits in (patterns.Limits(rounds=0), patterns.Limits(rounds=3),
                       patterns.Limits(work=0), patterns.pattern_limits(weekly=False),
                       patterns.Limits()):
            generated = patterns.generate_patterns(arrays, pricing, found.pi, found.mu,
                                                   found.nu, target=np.inf, limits=limits)
            assert generated is not None
            assert generated.value <= planned, (service, limits)
        assert generated.value >= start - 1e-3, service  # each less its own float margin
        seen += 1
    assert seen >= 2


def test_a_family_split_is_priced() -> None:
    """Two siblings whose cheapest workers differ: the plain relaxation splits them for
    free; every plan pays either the split or the dearer worker, and so does the bound."""
    arrays = ServiceArrays(
        cost=np.array([[0.0, 100.0], [100.0, 0.0]]), points=np.array([5.0, 5.0]),
        unallocated=np.full(2, 5000.0), busy=np.full(2, 50.0), full=np.full(2, 50.0),
        balance=20.0, overload=100.0, family=np.array([[0, 1]]), split=300.0)
    found = patterns.generate_patterns(arrays, None, np.zeros(2), np.zeros((0, 0)),
                                       np.zeros((2, 0)), target=np.inf)
    assert found is not None
    assert found.value == pytest.approx(100.0, abs=1e-4)  # together on either worker: 100


@pytest.mark.parametrize("seed", range(4))
def test_forgetting_idle_patterns_still_reaches_the_master_over_every_pattern(
        seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Patterns dropped from the master after one re-solve out of its basis can be priced
    out and added again, so generation still ends at the optimum; and the master's
    columns stay in step with the patterns they stand for."""
    monkeypatch.setattr(patterns, "IDLE_ROUNDS", 1)
    monkeypatch.setattr(patterns, "FORGET_AT_LEAST", 1)
    dropped = []
    forget = patterns._Master.forget_idle

    def counting(master: patterns._Master) -> None:
        before = len(master.patterns)
        forget(master)
        dropped.append(before - len(master.patterns))
        lp = master.h.getLp()
        first = master.box_first + 2 * master.n
        assert lp.num_col_ == first + len(master.patterns)
        start, index = np.asarray(lp.a_matrix_.start_), np.asarray(lp.a_matrix_.index_)
        for j, (w, rows) in enumerate(master.patterns):
            column = index[start[first + j]:start[first + j + 1]]
            assert set(column.tolist()) == set(rows.tolist()) | {master.rows_n + w}

    monkeypatch.setattr(patterns._Master, "forget_idle", counting)
    arrays = small_service(seed)
    rows, workers = arrays.cost.shape
    found = patterns.generate_patterns(arrays, None, np.zeros(rows), np.zeros((0, 0)),
                                       np.zeros((workers, 0)), target=np.inf)
    assert found is not None
    assert sum(dropped) > 0
    assert found.value == pytest.approx(every_pattern_master(arrays), abs=1e-4)
