"""Properties of the allocation model over random small councils (Hypothesis).

Every generated problem must give a plan the independent checker accepts with the same
objective; every request appears once; the same seed gives the same plan; and removing a
worker never makes the optimum cheaper. Example counts follow the Hypothesis profile
(``HYPOTHESIS_PROFILE=ci`` for the long run, see tests/conftest.py).
"""

from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from allocator.checker import check_plan
from allocator.problem import Team
from allocator.solver.model import solve
from factory import HORIZON_DAYS, make_problem, make_request, make_worker

DAYS = HORIZON_DAYS[:10]


@st.composite
def problems(draw):
    n_workers = draw(st.integers(1, 5))
    workers = []
    for i in range(n_workers):
        away = tuple(d for d in DAYS if draw(st.booleans()) and draw(st.booleans()))
        workers.append(make_worker(
            f"W{i}", asye=draw(st.booleans()) and draw(st.booleans()),
            capacity=draw(st.integers(0, 120)), base_load=draw(st.integers(0, 120)),
            away=away, max_new=draw(st.integers(0, 3)),
            locality=draw(st.sampled_from([None, "North", "South"]))))
    requests = []
    for j in range(draw(st.integers(1, 6))):
        start = draw(st.integers(0, len(DAYS) - 1))
        end = draw(st.integers(start, min(len(DAYS) - 1, start + 4)))
        known = draw(st.lists(st.sampled_from([w.id for w in workers]), max_size=2, unique=True))
        r = make_request(f"C{j}", statutory=draw(st.booleans()), points=draw(st.integers(5, 15)),
                         dates=DAYS[start:end + 1], preferred=tuple(known),
                         family=f"F{draw(st.integers(0, 2))}")
        requests.append(replace(r, locality=draw(st.sampled_from([None, "North", "South"]))))
    meeting_days = draw(st.sets(st.integers(0, 4), min_size=1))
    slots = draw(st.integers(1, 4))
    teams = {"TS": Team("TS", "sfs", None, frozenset(meeting_days), slots)}
    return make_problem(requests, workers, teams=teams)


PROPERTY = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(problem=problems())
def test_every_problem_gets_a_checked_plan_with_every_request_once(problem):
    result = solve(problem, seed=0, time_limit=10)
    assert result.status == "OPTIMAL"
    report = check_plan(result.plan, problem)
    assert report.violations == ()
    assert report.objective == result.objective
    ids = [a.request_id for a in result.plan.assignments]
    assert sorted(ids) == sorted(r.id for r in problem.requests)  # none lost, none twice
    allocated = [a for a in result.plan.assignments if a.worker is not None]
    assert len(allocated) + len(result.plan.unallocated) == len(problem.requests)
    assert all(a.blocked_by for a in result.plan.unallocated)


@PROPERTY
@given(problem=problems(), seed=st.integers(0, 3))
def test_same_problem_and_seed_same_plan(problem, seed):
    assert solve(problem, seed=seed).plan == solve(problem, seed=seed).plan


@PROPERTY
@given(problem=problems(), data=st.data())
def test_removing_a_worker_never_lowers_the_optimal_cost(problem, data):
    gone = data.draw(st.sampled_from(sorted(problem.workers)))
    workers = {w: v for w, v in problem.workers.items() if w != gone}
    smaller = replace(problem, workers=workers,
                      service_workers={s: tuple(w for w in ws if w != gone)
                                       for s, ws in problem.service_workers.items()})
    # The child's known workers stay as they were: a known worker who has left is a
    # continuity cost in the smaller council, as it is for the child.
    assert solve(smaller, seed=0).objective >= solve(problem, seed=0).objective
