"""Large services (more than EXACT_UP_TO_REQUESTS requests): slot counts in the relaxation,
neighbourhood search, the repair of a relaxed plan, and determinism."""

from __future__ import annotations

from datetime import date

from ortools.sat.python import cp_model

from allocator.checker import check_plan
from allocator.plan import Plan
from allocator.problem import Team, last_meeting_day
from allocator.solver import lns
from allocator.solver.context import EXACT_UP_TO_REQUESTS
from allocator.solver.greedy import greedy_plan
from allocator.solver.meetings import assign_meetings
from allocator.solver.model import _read_assignments, _solver, build_service_model, solve
from factory import HORIZON_DAYS, assign, make_problem, make_request, make_worker

N = EXACT_UP_TO_REQUESTS + 8


def large_problem():
    """48 children into three teams. TA is the cheapest (its workers are empty) but meets
    on Mondays only, two children a meeting; TB and TC meet every day with room to spare.
    Every child's window is the first two weeks, so TA can take at most four."""
    workers = [make_worker(f"A{i}", team="TA", capacity=200, max_new=10) for i in range(4)]
    workers += [make_worker(f"B{i}", team="TB", capacity=200, base_load=140, max_new=10)
                for i in range(6)]
    workers += [make_worker(f"C{i}", team="TC", capacity=200, base_load=150, max_new=10)
                for i in range(6)]
    requests = [make_request(f"K{i:02d}", dates=HORIZON_DAYS[:5 + i % 5]) for i in range(N)]
    teams = {"TA": Team("TA", "sfs", None, frozenset({0}), 2),
             "TB": Team("TB", "sfs", None, frozenset(range(5)), 50),
             "TC": Team("TC", "sfs", None, frozenset(range(5)), 50)}
    return make_problem(requests, workers, teams=teams)


def test_the_relaxation_counts_meeting_slots_by_deadline():
    problem = large_problem()
    ctx = build_service_model(problem, "sfs", frozenset(), frozenset(), dated=frozenset())
    assert ctx.is_large
    solver = _solver(0, 10.0)
    solver.Solve(ctx.model)
    plan = _read_assignments(ctx, solver)
    taken = [a for a in plan if a.team == "TA"]
    deadline = max(last_meeting_day(r) for r in problem.requests)
    room = 2 * len(problem.meeting_days("TA", deadline))
    assert 0 < len(taken) <= room  # without the counts, all 48 would go to the empty team
    _, failed = assign_meetings(problem, plan, frozenset(), strict=False)
    assert failed == set()  # and every child the relaxation gives TA gets a meeting


def test_a_large_service_gets_a_checked_plan_no_worse_than_greedy():
    problem = large_problem()
    result = solve(problem, seed=3, time_limit=10)
    report = check_plan(result.plan, problem)
    assert report.violations == ()
    assert report.objective == result.objective
    assert not result.plan.unallocated
    greedy = check_plan(greedy_plan(problem), problem)
    assert result.objective <= greedy.objective
    assert result.bound <= result.objective


def test_a_large_service_plan_is_the_same_for_the_same_seed():
    problem = large_problem()
    first = solve(problem, seed=5, time_limit=6)
    second = solve(problem, seed=5, time_limit=6)
    assert first.plan == second.plan
    assert first.objective == second.objective


def test_meetings_outside_the_model_go_earliest_deadline_first():
    """One slot on Wednesdays. K1 moves on Tuesday 24 Nov, its only date, so its meeting
    must be by Tuesday 1 Dec: Wednesday 25 Nov is its only day. K2 moves earlier (Monday 23
    Nov) but may meet until 11 Dec. In transfer-date order K2 would take 25 Nov and K1 would
    have no meeting; deadline order gives K1 25 Nov and K2 2 Dec."""
    w = make_worker("W1", team="TA")
    k1 = make_request("K1", dates=(date(2026, 11, 24),))
    k2 = make_request("K2", dates=HORIZON_DAYS[:10])
    teams = {"TA": Team("TA", "sfs", None, frozenset({2}), 1)}
    problem = make_problem([k1, k2], [w], teams=teams)
    plan = [assign(k1, w, on=date(2026, 11, 24)), assign(k2, w, on=date(2026, 11, 23))]
    met, failed = assign_meetings(problem, plan, frozenset(), strict=False)
    assert failed == set()
    meetings = {a.request_id: a.meeting for a in met}
    assert meetings == {k1.id: date(2026, 11, 25), k2.id: date(2026, 12, 2)}
    assert check_plan(Plan(tuple(met)), problem).violations == ()


def test_a_repaired_plan_moves_a_transfer_to_its_meeting_day():
    """The team meets on Wednesdays. Moving on Monday costs 2 working days of late meeting
    (100); moving on the Wednesday costs 2 days of delay (20). The repair takes Wednesday,
    and keeps the worker within one new child a week by moving the other child to the next
    week's Monday (its meeting, also that Wednesday, then comes before the transfer)."""
    from allocator.solver.model import _repaired

    w = make_worker("W1", team="TA", max_new=1)
    k1 = make_request("K1", dates=HORIZON_DAYS[:10])
    k2 = make_request("K2", dates=HORIZON_DAYS[:10])
    teams = {"TA": Team("TA", "sfs", None, frozenset({2}), 5)}
    problem = make_problem([k1, k2], [w], teams=teams)
    plan = [assign(k1, w, on=date(2026, 11, 23)), assign(k2, w, on=date(2026, 11, 23))]
    repaired = _repaired(problem, plan, frozenset())
    assert repaired is not None
    days = sorted(a.on for a in repaired.assignments)
    assert days == [date(2026, 11, 25), date(2026, 11, 30)]
    report = check_plan(repaired, problem)
    assert report.violations == ()


def test_a_neighbourhood_keeps_the_meetings_of_the_requests_it_does_not_free():
    # With every team's meetings modelled, a sub-model holds each kept request's meeting
    # day as well as its worker and date, and re-plans only the freed requests' meetings
    # in the slots the others leave; the incumbent is still one of its plans.
    problem = large_problem()
    ctx = build_service_model(problem, "sfs")
    solver = _solver(0, 10.0)
    assert solver.Solve(ctx.model) in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    incumbent = round(solver.ObjectiveValue())
    layout = lns._Layout(ctx, with_meetings=True)
    values = layout.values(solver)
    met = [r for r in ctx.requests if lns.meeting_variables(ctx, r)]
    assert len(met) == len(ctx.requests)  # every request's teams meet in the model
    free = {r.id for r in met[:5]}
    model = lns._Fixed(layout, values).freeing(free)
    for r in met:
        for v in lns.meeting_variables(ctx, r):
            lo, hi = model.proto.variables[v.Index()].domain
            if r.id in free:
                assert (lo, hi) == (0, 1)
            else:
                assert lo == hi == solver.Value(v)
    sub = _solver(0, 10.0)
    assert sub.Solve(model) in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    assert round(sub.ObjectiveValue()) <= incumbent


def test_a_sub_model_hints_only_the_freed_requests_and_only_they_are_read_back():
    # The hint names each freed request's variables with the incumbent's values, in the
    # service's order; after the sub-solve, re-reading only the freed requests gives the
    # same values as reading the whole plan, as every other request was fixed.
    problem = large_problem()
    ctx = build_service_model(problem, "sfs")
    solver = _solver(0, 10.0)
    assert solver.Solve(ctx.model) in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    layout = lns._Layout(ctx, with_meetings=True)
    values = layout.values(solver)
    free = {r.id for r in ctx.requests[3:9]}
    model = lns._Fixed(layout, values).freeing(free)
    freed = [r for r in ctx.requests if r.id in free]
    hint = model.proto.solution_hint
    assert list(hint.vars) == [i for r in freed for i in layout.index[r.id]]
    assert list(hint.values) == [v for r in freed for v in values[r.id]]
    sub = _solver(1, 10.0)
    assert sub.Solve(model) in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    assert layout.values(sub, values, free) == layout.values(sub)
    for r in ctx.requests:
        worker = layout.worker_of(values, r)
        assert worker is not None and solver.BooleanValue(ctx.x[r.id, worker.id])


def test_the_rounds_return_their_repaired_plans_checked_none_cheaper_than_the_plan():
    """Four empty workers may each take one new child a week, the rest are busy, and every
    child may move in either of two weeks: the first round, which leaves the weekly limits
    out, gives the empty workers more than that, and its plan is repaired. The rounds
    return that plan and every other they made along the way (for the combination):
    complete plans the checker passes, none cheaper than the service's plan."""
    from allocator.solver.model import solve_rounds, solve_service

    workers = [make_worker(f"A{i}", team="TA", capacity=200, max_new=1) for i in range(4)]
    workers += [make_worker(f"B{i}", team="TB", capacity=200, base_load=150, max_new=10)
                for i in range(6)]
    teams = {"TA": Team("TA", "sfs", None, frozenset({0}), 50),
             "TB": Team("TB", "sfs", None, frozenset(range(5)), 50)}
    requests = [make_request(f"K{i:02d}", dates=HORIZON_DAYS[:10]) for i in range(N)]
    problem = make_problem(requests, workers, teams=teams)
    greedy = greedy_plan(problem, "sfs")
    rounds = solve_rounds(problem, "sfs", 3, 6.0, greedy, None)
    assert rounds.seen
    costs = []
    for plan in rounds.seen:
        report = check_plan(plan, problem)
        assert report.violations == () and not plan.unallocated
        costs.append(report.objective)
    solved = solve_service(problem, "sfs", 3, 6.0)
    assert check_plan(Plan(tuple(solved.assignments)), problem).objective == solved.objective
    assert solved.objective <= min(costs)
