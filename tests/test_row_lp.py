"""The bound's linear programme: its generated columns reach the programme over every
column, its prices give a bound below every plan wherever it stops, the bound stands
without it, and it writes nothing to standard output."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import highspy
import numpy as np
import pytest

from allocator.pipeline import PlanRun
from allocator.solver import lagrangian_rows, row_lp
from allocator.solver.lagrangian import lagrangian, service_lower_bound
from allocator.solver.lagrangian_rows import RowPricing
from allocator.solver.model import solve_service
from tests.test_lagrangian import planned_cost, priced_services, three_on_one_day

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def weekly(weekly_thousand: PlanRun) -> PlanRun:
    return weekly_thousand


def every_column_lp(arrays, pricing: RowPricing, siblings: bool = False) -> float:
    """The relaxation's programme written out column by column (every request, worker,
    date option and meeting day), solved whole: what column generation must reach. With
    ``siblings``, a row ``x[r, w] <= z[f, w]`` for every family request and worker, each
    ``z`` in [0, 1] at one split, less one split per family."""
    rows, workers = arrays.cost.shape
    teams, days = pricing.meeting_days.shape
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    inf = highspy.kHighsInf
    slot_row = {(t, j): rows + t * days + j for t in range(teams) for j in range(days)}
    week_row = {(w, k): rows + teams * days + w * pricing.weeks + k
                for w in range(workers) for k in range(pricing.weeks)}
    busy_row = {w: rows + teams * days + workers * pricing.weeks + w for w in range(workers)}
    full_row = {w: busy_row[w] + workers for w in range(workers)}
    upper = ([1.0] * rows + [float(pricing.slots[t]) for t in range(teams) for _ in range(days)]
             + [float(pricing.limit[w]) for w in range(workers) for _ in range(pricing.weeks)]
             + list(arrays.busy) + list(arrays.full))
    lower = [1.0] * rows + [-inf] * (len(upper) - rows)
    h.addRows(len(upper), lower, upper, 0, np.zeros(len(upper), dtype=np.int32),
              np.zeros(0, dtype=np.int32), np.zeros(0))

    def column(cost: float, entries: dict[int, float], top: float = inf) -> None:
        h.addCol(cost, 0.0, top, len(entries), np.array(list(entries), dtype=np.int32),
                 np.array(list(entries.values()), dtype=float))

    family_of = {int(r): f for f, members in enumerate(arrays.family) for r in members if r >= 0}
    sibling_row = {}
    if siblings:
        for r, f in family_of.items():
            for w in range(workers):
                sibling_row[r, w] = h.getNumRow()
                h.addRow(-inf, 0.0, 0, np.zeros(0, dtype=np.int32), np.zeros(0))
        for f in range(len(arrays.family)):
            for w in range(workers):
                column(float(arrays.split), {sibling_row[r, w]: -1.0 for r, g in
                                             family_of.items() if g == f}, top=1.0)
    priced = {int(r): i for i, r in enumerate(pricing.rows)}
    for r in range(rows):
        column(float(arrays.unallocated[r]), {r: 1.0})
        points = float(arrays.points[r])
        for w in range(workers):
            load = {busy_row[w]: points, full_row[w]: points}
            if (r, w) in sibling_row:
                load[sibling_row[r, w]] = 1.0
            if r not in priced:
                if np.isfinite(arrays.cost[r, w]):
                    column(float(arrays.cost[r, w]), {r: 1.0, **load})
                continue
            i = priced[r]
            end = pricing.first[i + 1] if i + 1 < len(pricing.first) else len(pricing.of)
            for o in range(pricing.first[i], end):
                if not (pricing.usable[o, w] and np.isfinite(pricing.extra[i, w])):
                    continue
                base = float(pricing.extra[i, w] + pricing.delay[o])
                limit = {week_row[w, int(pricing.week[o])]: 1.0} if pricing.new[i, w] else {}
                if not pricing.needs[i]:
                    column(base, {r: 1.0, **limit, **load})
                    continue
                t = int(pricing.team_of[w])
                for j in range(days):
                    day = pricing.meeting_days[t, j]
                    if np.isfinite(day) and day <= pricing.last[i]:
                        late = pricing.late * max(0.0, float(day - pricing.day[o]))
                        column(base + late, {r: 1.0, slot_row[t, j]: 1.0, **limit, **load})
    for w in range(workers):
        column(float(arrays.balance), {busy_row[w]: -1.0})
        column(float(arrays.overload), {full_row[w]: -1.0})
    h.run()
    assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    families = len(arrays.family) if siblings else 0
    return h.getInfo().objective_function_value - arrays.split * families


def continuous_value(arrays, pricing: RowPricing, prices: row_lp.RowPrices) -> float:
    """The Lagrangian at the programme's prices, children continuous: by duality, the
    programme's optimum (with its sibling rows' prices, if any)."""
    here = lagrangian_rows.priced_arrays(arrays, pricing, prices.mu, prices.nu)
    value = -lagrangian_rows.rows_paid(pricing, prices.mu, prices.nu)
    if prices.sigma is not None and len(arrays.family):
        value += lagrangian_rows.sibling_rows_value(arrays, prices.sigma)
        here = replace(here, cost=here.cost + prices.sigma)
    return value + lagrangian(here, prices.pi)


@pytest.mark.parametrize("siblings", [False, True])
def test_generated_columns_reach_the_programme_over_every_column(weekly: PlanRun,
                                                                 siblings: bool) -> None:
    """At the generated programme's prices the Lagrangian (continuous) equals the optimum
    of the programme with every column (and every sibling row): nothing it needed was
    left out."""
    problem = weekly.problem
    seen = 0
    for service, arrays, pricing in priced_services(problem):
        if siblings and not len(arrays.family):
            continue
        prices = row_lp.lp_prices(arrays, pricing, siblings=siblings)
        assert prices is not None and prices.optimal
        full = every_column_lp(arrays, pricing, siblings)
        assert continuous_value(arrays, pricing, prices) == pytest.approx(full, abs=1e-3), \
            service
        seen += 1
    assert seen >= 2


def test_prices_from_any_round_bound_every_plan(weekly: PlanRun) -> None:
    """Stopped before any column is generated, the programme's prices are poor (marked not
    optimal, so the searches from zero are made instead), but the bound taken at them is
    still below the service's plan: no price can make it pass one."""
    problem = weekly.problem
    stopped = 0
    for service, arrays, pricing in priced_services(problem):
        planned = planned_cost(weekly, service)
        for siblings in (False, True):
            early = row_lp.lp_prices(arrays, pricing, rounds=0, siblings=siblings)
            assert early is not None
            stopped += not early.optimal
            value = lagrangian_rows.value_at(arrays, pricing, early.pi, early.mu, early.nu,
                                             early.per_point, early.sigma)
            assert value <= planned, service
            assert continuous_value(arrays, pricing, early) <= planned, service
    assert stopped  # some service needed columns the first programme did not have


@pytest.mark.parametrize("slots, limit, days, optimum", [(2, 4, 1, 250), (5, 1, 6, 50)])
def test_the_bound_stands_without_the_programme(slots, limit, days, optimum,
                                                monkeypatch) -> None:
    """Where the programme finds no optimum, the subgradient searches from zero prices
    reach the optimum the plain relaxation misses, as the programme does."""
    problem = three_on_one_day(slots, limit, days)
    assert solve_service(problem, "s", seed=0, time_limit=5).objective == optimum
    assert service_lower_bound(problem, "s", upper=optimum + 500) == optimum
    monkeypatch.setattr(row_lp, "lp_prices", lambda arrays, pricing: None)
    assert service_lower_bound(problem, "s", upper=optimum + 500) == optimum


def test_the_programme_writes_nothing_to_standard_output() -> None:
    """Standard output carries the plan's summary: HiGHS's banner must not reach it."""
    code = "from allocator.solver.row_lp import quiet_highs; quiet_highs(); quiet_highs()"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, check=True)
    assert done.stdout == ""
