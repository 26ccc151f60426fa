"""The Lagrangian lower bound: its pairs are the model's, it never passes an optimum or a
plan, it is the same every time, and it is tight where the relaxation is exact."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from allocator.alternatives import service_problem
from allocator.checker import check_plan
from allocator.config import PlanConfig
from allocator.demo import write_demo
from allocator.pipeline import PlanRun, run_plan
from allocator.plan import Plan
from allocator.problem import AllocationProblem, Request, Team, Worker
from allocator.rules.engine import Decision
from allocator.solver.greedy import greedy_plan
from allocator.solver.lagrangian import (
    ServiceArrays,
    lagrangian,
    lagrangian_whole,
    service_arrays,
    service_lower_bound,
)
from allocator.solver.lagrangian_rows import RowPricing, row_pricing
from allocator.solver.model import build_service_model, solve_service

EXTRACT = date(2026, 11, 20)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_demo(tmp_path_factory.mktemp("demo") / "council", 300, 3, EXTRACT)


@pytest.fixture(scope="module")
def weekly(demo: Path) -> PlanRun:
    return run_plan(demo, seed=1, time_limit=2)


@pytest.fixture(scope="module")
def reallocation(demo: Path) -> PlanRun:
    return run_plan(demo, seed=1, time_limit=2, reallocate=True)


def blocked_by_model(problem: AllocationProblem, service: str) -> set[tuple[str, str]]:
    ctx = build_service_model(problem, service)  # every HARD module's restrict, as solved
    return {(r, w) for r, ws in ctx.blocked.items() for w in ws}


def blocked_here(problem: AllocationProblem, service: str) -> set[tuple[str, str]]:
    cost = service_arrays(problem, service).cost
    requests = problem.requests_in(service)
    workers = problem.service_workers.get(service, ())
    return {(requests[i].id, workers[j]) for i, j in zip(*np.nonzero(~np.isfinite(cost)))}


@pytest.mark.parametrize("run", ["weekly", "reallocation"])
def test_eligible_pairs_are_the_models(run: str, request: pytest.FixtureRequest) -> None:
    problem = request.getfixturevalue(run).problem
    if run == "reallocation":
        assert any(r.restructure for r in problem.requests)
    blocked_somewhere = False
    for service in problem.services:
        model = blocked_by_model(problem, service)
        assert blocked_here(problem, service) == model, service
        blocked_somewhere |= bool(model)
    assert blocked_somewhere  # the comparison saw some hard rule at work


@pytest.mark.parametrize("run", ["weekly", "reallocation"])
def test_bound_below_the_optimum_and_every_plan(run: str, request: pytest.FixtureRequest) -> None:
    result: PlanRun = request.getfixturevalue(run)
    problem = result.problem
    proven = 0
    for service in problem.services:
        sub = service_problem(problem, service)
        bound = service_lower_bound(problem, service)
        assert bound >= 0
        greedy = check_plan(greedy_plan(problem, service), sub)
        assert greedy.ok and bound <= greedy.objective, service
        # Aimed at the greedy plan's cost the search takes other steps (and prices the
        # rows): a different bound, and a bound all the same.
        priced = service_lower_bound(problem, service, upper=greedy.objective)
        assert priced <= greedy.objective, service
        planned = planned_cost(result, service)
        assert max(bound, priced) <= planned, service
        if result.result.service_status.get(service) == "OPTIMAL":
            proven += 1  # the plan's objective is the optimum
    assert proven  # at least one service compared with a proven optimum


def test_bound_is_close_on_a_reallocation(reallocation: PlanRun) -> None:
    """Most of a re-allocation's cost is continuity and load, which the relaxation keeps."""
    problem = reallocation.problem
    for service in problem.services:
        status = reallocation.result.service_status.get(service)
        if status != "OPTIMAL" or len(problem.requests_in(service)) < 20:
            continue
        ids = {r.id for r in problem.requests_in(service)}
        optimum = check_plan(Plan(tuple(a for a in reallocation.result.plan.assignments
                                        if a.request_id in ids)),
                             service_problem(problem, service)).objective
        assert service_lower_bound(problem, service) >= 0.9 * optimum, service


def test_same_input_same_bound(reallocation: PlanRun) -> None:
    problem = reallocation.problem
    service = max(problem.services, key=lambda s: len(problem.requests_in(s)))
    first = service_lower_bound(problem, service)
    assert first > 0
    assert service_lower_bound(problem, service) == first
    assert service_lower_bound(problem, service, upper=first + 1000) >= 0


# --- a hand-built service where the relaxation's optimum is known ------------------------

MONDAY = date(2026, 11, 23)


def _decision(child: str) -> Decision:
    return Decision(child, f"F{child}", "transfer", "test", "from", None, None, "s", "now",
                    None, MONDAY, MONDAY, MONDAY, MONDAY, 0, None, None, None, None, None,
                    False, True, (), (), ())


def _request(child: str, points: int, preferred: tuple[str, ...] = ()) -> Request:
    return Request(id=f"{child}:lead", child_id=child, family_id=f"F{child}", role="lead",
                   service="s", dates=(MONDAY,), points=points, statutory=False,
                   preferred=preferred, not_worker=(), demoted_asye=None,
                   decision=_decision(child))


def _worker(wid: str, capacity: int, base_load: int) -> Worker:
    return Worker(id=wid, name=wid, team="T", service="s", asye=False, fte=1.0,
                  capacity=capacity, load_before=base_load, base_load=base_load,
                  available=frozenset({MONDAY}), max_new_per_week=4, locality=None)


def two_workers(points: int) -> AllocationProblem:
    """W1 is full to its busy line (30 of 40: every new point costs the balance weight 20,
    and beyond 40 the overload weight 100 too); W2 has room. C1 knows W1 (moving costs the
    continuity weight 1,000); C2 knows nobody. One date, the plan date, a Monday, and the
    team meets on Mondays: no date or meeting cost."""
    workers = {"W1": _worker("W1", 40, 30), "W2": _worker("W2", 100, 0)}
    return AllocationProblem(
        plan_date=MONDAY, horizon_end=date(2026, 12, 18), config=PlanConfig(),
        requests=(_request("C1", points, ("W1",)), _request("C2", 10)), workers=workers,
        service_workers={"s": ("W1", "W2")}, team_service={"T": "s"},
        teams={"T": Team("T", "s", None, frozenset({0}), 5)})


def test_exact_where_the_relaxation_is_integral() -> None:
    # C1 (10 points) with W1: 10 points above the busy line, within capacity: 10 * 20 = 200,
    # less than the 1,000 of moving; C2 to W2 at no cost. Optimum 200, and a fractional
    # split cannot do better (moving part of C1 saves 20 per point and costs 100 per point).
    problem = two_workers(10)
    assert service_lower_bound(problem, "s") == 200
    assert check_plan(greedy_plan(problem, "s"), problem).objective == 200


def test_children_taken_whole_close_the_fractional_gap() -> None:
    # C1 (15 points) with W1 costs 10 * 20 + 5 * 120 = 800 (integral optimum, below 1,000).
    # The continuous relaxation keeps a share x of C1 at W1: 300x + 1000(1 - x) until
    # x = 2/3 fills capacity, then rises (1,800x - 1,000x). Its optimum is 200 + 1000/3 =
    # 533.3...; taking C1 whole or not at all, the bound is the optimum.
    problem = two_workers(15)
    arrays = service_arrays(problem, "s")
    pi = np.array([1000.0, 0.0])  # C1 priced at moving, C2 at W2's nothing
    assert lagrangian(arrays, pi) == pytest.approx(200 + 1000 / 3, abs=1e-3)
    assert lagrangian_whole(arrays, pi) == pytest.approx(800, abs=1e-3)
    assert service_lower_bound(problem, "s") == 800
    assert check_plan(greedy_plan(problem, "s"), problem).objective == 800


def test_whole_knapsacks_match_every_subset() -> None:
    """Each worker's whole-children knapsack, against trying every subset of children, on
    random small services (children of repeated sizes, workers above and below their
    lines, forbidden pairs)."""
    rng = np.random.default_rng(0)
    for _ in range(300):
        requests, workers = int(rng.integers(1, 8)), int(rng.integers(1, 4))
        cost = rng.integers(0, 300, (requests, workers)).astype(float)
        cost[rng.random((requests, workers)) < 0.2] = np.inf
        arrays = ServiceArrays(
            cost=cost, points=rng.choice([0, 3, 5, 10, 11], requests).astype(float),
            unallocated=np.full(requests, 500.0),
            busy=rng.integers(0, 20, workers).astype(float),
            full=rng.integers(0, 30, workers).astype(float), balance=20.0, overload=100.0)
        pi = rng.integers(0, 500, requests).astype(float)
        expected = float(pi.sum() + np.minimum(0.0, arrays.unallocated - pi).sum())
        for w in range(workers):
            best = 0.0
            for mask in range(1 << requests):
                taken = [r for r in range(requests) if mask >> r & 1]
                if not all(np.isfinite(cost[r, w]) for r in taken):
                    continue
                load = sum(arrays.points[r] for r in taken)
                best = min(best, sum(cost[r, w] - pi[r] for r in taken)
                           + 20 * max(0.0, load - arrays.busy[w])
                           + 100 * max(0.0, load - arrays.full[w]))
            expected += best
        assert lagrangian_whole(arrays, pi) == pytest.approx(expected, abs=1e-3)
        assert lagrangian_whole(arrays, pi) >= lagrangian(arrays, pi) - 1e-6


def test_a_table_too_large_gives_way_to_the_continuous_knapsack(monkeypatch) -> None:
    """Past WHOLE_CELLS the whole-children table is not built: the bound is the continuous
    knapsack's, lower but a bound; and a child saving a negligible amount is counted as
    taken free, which can only lower the bound, by at most what it saves."""
    from allocator.solver import lagrangian as lag

    arrays = service_arrays(two_workers(15), "s")
    pi = np.array([1000.0, 0.0])
    monkeypatch.setattr(lag, "WHOLE_CELLS", 0)
    assert lagrangian_whole(arrays, pi) == pytest.approx(lagrangian(arrays, pi))
    # C2 priced a hair above its cost saves almost nothing at either worker. Tried in the
    # table it would double its width and add W2 (about 100 cells, past a limit of 20, so
    # the continuous 533.3); counted free, C1 alone is tried and the bound stays 800.
    monkeypatch.setattr(lag, "WHOLE_CELLS", 20)
    tiny = np.array([1000.0, arrays.cost[1].min() + 0.5 * lag.NEGLIGIBLE_SAVING])
    assert lagrangian_whole(arrays, tiny) == pytest.approx(800, abs=1e-3)
    assert lagrangian_whole(arrays, tiny) <= 800 + lag.NEGLIGIBLE_SAVING


def test_a_forbidden_worker_is_not_counted() -> None:
    # With W1 an ASYE and C1 statutory, W1 may not lead C1: it goes to W2 and pays 1,000.
    problem = two_workers(10)
    c1 = replace(problem.requests[0], statutory=True)
    workers = dict(problem.workers, W1=replace(problem.workers["W1"], asye=True))
    problem = replace(problem, requests=(c1,) + problem.requests[1:], workers=workers)
    assert service_lower_bound(problem, "s") == 1000
    assert check_plan(greedy_plan(problem, "s"), problem).objective == 1000


def test_a_family_split_by_the_relaxation_pays_for_it() -> None:
    """Siblings C1 (knows W1) and C2 (knows W2), 10 points each; each worker has 10 points
    before the busy line. Split, they pay the split (2,000); together on W1, C2's move
    (1,000) and 10 busy points (200): the optimum is 1,200. The relaxation without the
    split cost puts each with their own worker at no cost (a bound of 0). With it, at
    every price the family is gathered or pays one split: gathered, one child leaves their
    worker (1,000), and the fractional loads price the 10 busy points at nothing."""
    c1 = replace(_request("C1", 10, ("W1",)), family_id="F")
    c2 = replace(_request("C2", 10, ("W2",)), family_id="F")
    problem = AllocationProblem(
        plan_date=MONDAY, horizon_end=date(2026, 12, 18), config=PlanConfig(),
        requests=(c1, c2), workers={"W1": _worker("W1", 100, 65), "W2": _worker("W2", 100, 65)},
        service_workers={"s": ("W1", "W2")}, team_service={"T": "s"},
        teams={"T": Team("T", "s", None, frozenset({0}), 5)})
    assert service_lower_bound(problem, "s") == 1000
    split = check_plan(Plan((assign_to(c1, "W1"), assign_to(c2, "W2"))), problem).objective
    together = check_plan(Plan((assign_to(c1, "W1"), assign_to(c2, "W1"))), problem).objective
    assert (split, together) == (2000, 1200)


def assign_to(request: Request, worker: str):
    from allocator.plan import Assignment

    return Assignment(request.id, request.child_id, request.role, request.service, worker,
                      "T", MONDAY, meeting=MONDAY)


def every_rule() -> AllocationProblem:
    """Each hard restriction at work once: W1 takes no new children, W2 leads C2 (so may
    not co-work it), team U holds no transfer meetings, W4 is an ASYE away all month who
    leads C3, whose re-allocation may keep C3 with W4 (nobody moves)."""
    w1 = replace(_worker("W1", 100, 0), max_new_per_week=0)
    w3 = replace(_worker("W3", 100, 0), team="U")
    w4 = replace(_worker("W4", 100, 0), asye=True, available=frozenset())
    c1 = replace(_request("C1", 13, ("W1",)), statutory=True)
    c2 = replace(_request("C2", 5), id="C2:co", role="co", not_worker=("W2",))
    c3 = replace(_request("C3", 10), restructure=True,
                 decision=replace(_decision("C3"), from_worker="W4"))
    return AllocationProblem(
        plan_date=MONDAY, horizon_end=date(2026, 12, 18), config=PlanConfig(),
        requests=(c1, c2, c3),
        workers={"W1": w1, "W2": _worker("W2", 100, 0), "W3": w3, "W4": w4},
        service_workers={"s": ("W1", "W2", "W3", "W4")}, team_service={"T": "s", "U": "s"},
        teams={"T": Team("T", "s", None, frozenset({0}), 5),
               "U": Team("U", "s", None, frozenset(), 5)})


def test_every_restriction_matches_the_model() -> None:
    problem = every_rule()
    expected = {("C1:lead", "W3"), ("C1:lead", "W4"),  # no meeting; ASYE and away
                ("C2:co", "W1"), ("C2:co", "W2"), ("C2:co", "W3"), ("C2:co", "W4")}
    assert blocked_by_model(problem, "s") == expected
    assert blocked_here(problem, "s") == expected
    # C1 with W1 (known) or C3 kept with W4 cost nothing; C2 to W2 is blocked, so
    # nothing is left for it: unallocated, 100,000.
    assert service_lower_bound(problem, "s") == 100_000


def planned_cost(run: PlanRun, service: str) -> int:
    """What the checker says the run's plan costs in ``service``."""
    sub = service_problem(run.problem, service)
    ids = {r.id for r in sub.requests}
    return check_plan(Plan(tuple(a for a in run.result.plan.assignments
                                 if a.request_id in ids)), sub).objective


def priced_services(problem: AllocationProblem
                    ) -> Iterator[tuple[str, ServiceArrays, RowPricing]]:
    """Each service with rows to price: its name, arrays and row pricing."""
    for service in problem.services:
        arrays = service_arrays(problem, service)
        pricing = row_pricing(problem, service, arrays)
        if pricing is not None:
            yield service, arrays, pricing


def test_row_prices_at_zero_are_the_relaxations_costs(weekly: PlanRun) -> None:
    """With no price on slots and limits, each pair's cheapest date and meeting is the
    relaxation's own: the priced bound starts where the plain one is."""
    problem = weekly.problem
    seen = 0
    for service, arrays, pricing in priced_services(problem):
        cost = pricing.costs(*pricing.zero_prices())[0]
        expected = arrays.cost[pricing.rows]
        assert np.array_equal(np.isfinite(cost), np.isfinite(expected)), service
        assert np.allclose(cost[np.isfinite(cost)], expected[np.isfinite(expected)]), service
        seen += 1
    assert seen


def three_on_one_day(slots: int, limit: int, days: int) -> AllocationProblem:
    """Three 10-point children for two roomy workers in one team, each child usable on the
    first ``days`` working days from the plan date (a Monday). The team meets on Mondays,
    ``slots`` a day; each worker takes ``limit`` new children a week."""
    from allocator.calendar import add_working_days

    dates = tuple(add_working_days(MONDAY, k) for k in range(days))
    month = frozenset(add_working_days(MONDAY, k) for k in range(20))
    workers = {w: replace(_worker(w, 100, 0), available=month, max_new_per_week=limit)
               for w in ("W1", "W2")}
    requests = tuple(replace(_request(c, 10), dates=dates) for c in ("C1", "C2", "C3"))
    return AllocationProblem(
        plan_date=MONDAY, horizon_end=date(2026, 12, 31), config=PlanConfig(),
        requests=requests, workers=workers, service_workers={"s": ("W1", "W2")},
        team_service={"T": "s"}, teams={"T": Team("T", "s", None, frozenset({0}), slots)})


@pytest.mark.parametrize("slots, limit, days, optimum", [
    # Two slots on the plan date's Monday and three children due that day: one meets the
    # next Monday, five working days late at 50 a day.
    (2, 4, 1, 250),
    # A child may wait to the next Monday (five working days at 10 a day, meeting that
    # day), but each worker takes one new child a week: the third waits, 50.
    (5, 1, 6, 50),
])
def test_priced_rows_reach_the_optimum_the_relaxation_misses(
        slots: int, limit: int, days: int, optimum: int) -> None:
    problem = three_on_one_day(slots, limit, days)
    solved = solve_service(problem, "s", seed=0, time_limit=5)
    assert solved.status == "OPTIMAL" and solved.objective == optimum
    upper = optimum + 500  # the step sizes aim at a plan's cost, here one above the optimum
    assert service_lower_bound(problem, "s", upper=upper, with_rows=False) == 0
    assert service_lower_bound(problem, "s", upper=upper) == optimum


def test_a_failed_row_price_search_gets_one_more_aim(monkeypatch):
    """Two searches that leave the bound less than halfway from its start to the plan have
    failed rather than converged: one more is made, aiming just above the plan, or at the
    bound itself where the plan is far above it. Searches that gain enough make none."""
    from allocator.solver import lagrangian_rows as rows

    def run(results: dict[float, float], start: float, target: float) -> list[float]:
        aims: list[float] = []

        def search(arrays, pricing, prices, start_, target_, aim):
            aims.append(round(aim, 3))
            return results.get(round(aim, 3), start_)

        monkeypatch.setattr(rows, "_search", search)
        best = rows.searched_bound(None, None, None, start, target)  # type: ignore[arg-type]
        assert best == max([start] + [results.get(a, start) for a in aims])
        return aims

    assert run({}, 100.0, 120.0) == [*rows.AIMS, rows.RETRY]
    assert run({1.4: 115.0}, 100.0, 120.0) == list(rows.AIMS)  # past halfway: converged
    far = run({}, 100.0, 400.0)  # the plan far above: aim at 1.6 times the bound instead
    assert far == [*rows.AIMS, round(rows.FALLBACK_AIM * 100 / 400, 3)]


def test_a_service_solved_whole_keeps_every_worker(weekly: PlanRun, monkeypatch) -> None:
    """A weekly service shortlists its workers once it has enough pairs, unless it is
    small enough to be solved whole: then its solve's own bound holds for every worker."""
    from allocator.solver import shortlist

    problem = weekly.problem
    service = max(problem.services, key=lambda s: len(problem.requests_in(s)))
    requests = len(problem.requests_in(service))
    monkeypatch.setattr(shortlist, "WEEKLY_FROM_PAIRS", 1)
    monkeypatch.setattr(shortlist, "EXACT_UP_TO_REQUESTS", requests - 1)
    assert shortlist.worker_shortlist(problem, service) is not None
    monkeypatch.setattr(shortlist, "EXACT_UP_TO_REQUESTS", requests)
    assert shortlist.worker_shortlist(problem, service) is None
