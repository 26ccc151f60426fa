"""Plans combined through the bound's master: a plan's caseloads cost what the checker
says, the combination is never worse than the plans it is given, and the planner keeps a
combined plan only when it passes the check and costs less."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from allocator.alternatives import service_problem
from allocator.checker import check_plan
from allocator.pipeline import PlanRun
from allocator.plan import Plan
from allocator.solver import combine, lagrangian, model, patterns
from allocator.solver.greedy import greedy_plan
from allocator.solver.lagrangian import ServiceArrays
from tests.test_lagrangian import priced_services
from tests.test_patterns import load_cost, small_service


def plan_cost(arrays: ServiceArrays, worker: tuple[int, ...]) -> float:
    """A whole plan's cost written out (-1: unallocated): children's costs, each worker's
    load cost and a split for each worker holding part of a family beyond the first."""
    rows, workers = arrays.cost.shape
    cost = sum(arrays.unallocated[r] if w < 0 else arrays.cost[r, w]
               for r, w in enumerate(worker))
    cost += sum(load_cost(arrays, w, sum(arrays.points[r] for r in range(rows)
                                         if worker[r] == w)) for w in range(workers))
    for members in arrays.family:
        held = {worker[r] for r in members if r >= 0 and worker[r] >= 0}
        cost += arrays.split * max(0, len(held) - 1)
    return float(cost)


def as_caseloads(arrays: ServiceArrays, worker: tuple[int, ...]) -> list[patterns.Caseload]:
    """A plan of a service with no rows to price, as the master's columns."""
    out = []
    for w in range(arrays.cost.shape[1]):
        rows = np.array([r for r, v in enumerate(worker) if v == w], dtype=np.int64)
        if len(rows):
            none = np.full(len(rows), -1)
            out.append(patterns.Caseload(w, rows, none, none,
                                         float(arrays.cost[rows, w].sum())))
    return out


def every_plan(arrays: ServiceArrays) -> tuple[list[tuple[int, ...]], list[float]]:
    """Every plan of a small service (a worker per request, -1: none) and its cost."""
    rows, workers = arrays.cost.shape
    plans = [p for p in itertools.product(range(-1, workers), repeat=rows)
             if all(w < 0 or np.isfinite(arrays.cost[r, w]) for r, w in enumerate(p))]
    return plans, [plan_cost(arrays, p) for p in plans]


def generated_master(arrays: ServiceArrays) -> patterns._Master:
    """The master of a service with no rows to price, after generation to its optimum."""
    rows, workers = arrays.cost.shape
    found = patterns.generate_patterns(arrays, None, np.zeros(rows), np.zeros((0, 0)),
                                       np.zeros((workers, 0)), target=np.inf)
    assert found is not None and found.master is not None
    return found.master


def combined_from(arrays: ServiceArrays, plans: list[tuple[int, ...]]) -> tuple[int, ...]:
    master = generated_master(arrays)
    master.add_caseloads([c for plan in plans for c in as_caseloads(arrays, plan)])
    combined = master.combined()
    assert combined is not None
    return tuple(combined.tolist())


@pytest.mark.parametrize("seed", range(4))
def test_the_combination_is_never_worse_than_a_plan_given_and_finds_the_optimum_given_it(
        seed: int) -> None:
    """Against every plan of a small service: given a random plan, the combination costs
    no more; given the optimal plan among others, it is optimal."""
    arrays = small_service(seed, rows=7, workers=3)
    plans, costs = every_plan(arrays)
    optimum = plans[int(np.argmin(costs))]
    rng = np.random.default_rng(seed)
    some = plans[int(rng.integers(len(plans)))]
    assert plan_cost(arrays, combined_from(arrays, [some])) <= plan_cost(arrays, some) + 1e-6
    found = combined_from(arrays, [some, optimum])
    assert plan_cost(arrays, found) == pytest.approx(min(costs), abs=1e-6)


def test_a_plans_caseloads_cost_what_the_checker_says(weekly_thousand: PlanRun) -> None:
    """Each child at the plan's date and meeting, each worker's load and each family's
    splits: the columns add up to the checker's cost, less one split per family (which
    the master takes off once for all)."""
    run = weekly_thousand
    seen = 0
    for service, arrays, pricing in priced_services(run.problem):
        ids = {r.id for r in run.problem.requests_in(service)}
        plan = Plan(tuple(a for a in run.result.plan.assignments if a.request_id in ids))
        if any(a.worker is None for a in plan.assignments):
            continue
        columns = combine.caseloads(run.problem, service, arrays, pricing, plan)
        assert sum(len(c.rows) for c in columns) == len(ids)
        master = patterns._Master(arrays, pricing, patterns.BOX)
        assert master.add_caseloads(columns) == len(columns)
        assert master.add_caseloads(columns) == 0  # the same columns are not added twice
        cost = sum(master.h.getLp().col_cost_[master.box_first + 2 * master.n:])
        families = arrays.split * len(master.families)
        checked = check_plan(plan, service_problem(run.problem, service)).objective
        assert cost - families == pytest.approx(checked, abs=1e-6), service
        seen += 1
    assert seen >= 2


def test_the_planner_keeps_a_combined_plan_only_if_it_passes_and_costs_less(
        weekly_thousand: PlanRun) -> None:
    """From the greedy plan, the combination with the bound's patterns is cheaper on some
    service, and every combined plan kept passes the independent check at the cost the
    planner reports, no lower than the bound."""
    problem = weekly_thousand.problem
    improved = 0
    for service in problem.services:
        greedy = greedy_plan(problem, service)
        solved = model._priced(problem, service, greedy, None, {}, 0.0, 0.0)
        found = lagrangian.service_bound(problem, service, upper=solved.objective)
        if found.master is None:
            continue
        result = model._combined(problem, service, solved, found, (greedy,))
        if result is solved:
            continue
        assert result.checked and result.objective < solved.objective
        report = check_plan(Plan(tuple(result.assignments)), service_problem(problem, service))
        assert report.ok and report.objective == result.objective
        assert result.objective >= found.value
        improved += 1
    assert improved >= 1


def test_the_same_plans_combine_into_the_same_plan(weekly_thousand: PlanRun) -> None:
    """The integer programme is limited in nodes, not seconds: twice the same input, twice
    the same workers."""
    problem = weekly_thousand.problem
    service = max(problem.services, key=lambda s: len(problem.requests_in(s)))
    greedy = greedy_plan(problem, service)
    upper = model._priced(problem, service, greedy, None, {}, 0.0, 0.0).objective
    first, again = (combine.combined_plan(
        problem, service, lagrangian.service_bound(problem, service, upper=upper), (greedy,))
        for _ in range(2))
    assert first is not None and first == again


@pytest.mark.parametrize("seed", range(4))
def test_started_from_a_plan_the_combination_costs_no_more_and_combines_again(
        seed: int) -> None:
    """HiGHS starts from the plan given (its caseloads): the combination costs no more than
    it; the master then stays an integer programme, and a later plan's caseloads (here the
    optimum) join it and combine again, as a re-allocation combines before and after its
    search."""
    arrays = small_service(seed, rows=7, workers=3)
    plans, costs = every_plan(arrays)
    optimum = plans[int(np.argmin(costs))]
    some = plans[int(np.random.default_rng(seed + 10).integers(len(plans)))]
    master = generated_master(arrays)
    start = as_caseloads(arrays, some)
    master.add_caseloads(start)
    master._start_from(start)  # HiGHS holds exactly that plan as its first incumbent
    x = np.asarray(master.h.getSolution().col_value)[master.box_first + 2 * master.n:]
    held = np.full(len(some), -1)
    for j in np.flatnonzero(x > 0.5):
        worker, rows = master.patterns[j]
        held[rows] = worker
    assert tuple(held.tolist()) == some
    first = master.combined(start)
    assert first is not None
    assert plan_cost(arrays, tuple(first.tolist())) <= plan_cost(arrays, some) + 1e-6
    best = as_caseloads(arrays, optimum)
    master.add_caseloads(best)
    again = master.combined(best)
    assert again is not None
    assert plan_cost(arrays, tuple(again.tolist())) == pytest.approx(min(costs), abs=1e-6)
