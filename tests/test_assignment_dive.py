"""The assignment core's start from column generation: exact pricing, a valid bound, a
feasible plan, the same plan every time."""

import itertools
from pathlib import Path

import numpy as np
import pytest
from benchmark_modules import load_benchmark

from allocator.solver.assignment import UNASSIGNED, AssignmentProblem, regret_start
from allocator.solver.assignment_dive import dive, knapsack

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "gap"
needs_data = pytest.mark.skipif(not (DATA / "best-known.csv").exists(),
                                reason="GAP instances not beside the repository")


def _random_problem(seed: int, agents: int = 3, items: int = 7,
                    penalty: bool = False) -> AssignmentProblem:
    rng = np.random.default_rng(seed)
    cost = rng.integers(5, 50, size=(agents, items))
    weight = rng.integers(2, 12, size=(agents, items))
    # Tight: about 80% of an even share of the items' weight.
    capacity = (0.8 * weight.sum(axis=1) / agents).astype(int) + 1
    return AssignmentProblem.dense(cost, weight, capacity,
                                   rng.integers(60, 90, size=items) if penalty else None)


def _optimum(problem: AssignmentProblem) -> int | None:
    """Every assignment tried (agents, or unassigned where a penalty allows it)."""
    choices = list(range(problem.agents)) + ([UNASSIGNED] if problem.penalty is not None else [])
    best = None
    for agent_of in itertools.product(choices, repeat=problem.items):
        plan = np.array(agent_of)
        if not problem.violations(plan):
            value = problem.objective(plan)
            best = value if best is None else min(best, value)
    return best


def test_knapsack_is_exact():
    rng = np.random.default_rng(0)
    for _ in range(30):
        n = int(rng.integers(1, 9))
        profit = rng.uniform(0.1, 10.0, n)
        weight = rng.integers(1, 10, n)
        capacity = int(rng.integers(0, 25))
        value, taken = knapsack(profit, weight, capacity)
        best = max(sum(profit[i] for i in range(n) if mask >> i & 1)
                   for mask in range(1 << n)
                   if sum(weight[i] for i in range(n) if mask >> i & 1) <= capacity)
        assert value == pytest.approx(best)
        assert weight[taken].sum() <= capacity
        assert profit[taken].sum() == pytest.approx(value)


@pytest.mark.parametrize("penalty", [False, True])
def test_the_bound_holds_and_the_plan_is_feasible(penalty):
    planned = 0
    for seed in range(8):
        problem = _random_problem(seed, penalty=penalty)
        optimum = _optimum(problem)
        if optimum is None:
            continue
        result = dive(problem, limit=10.0, root_limit=10.0)
        assert result.bound <= optimum + 1e-6
        if result.agent_of is not None:
            assert problem.violations(result.agent_of) == []
            assert problem.objective(result.agent_of) >= optimum
            planned += 1
    assert planned >= 3  # the plans were checked, not only the bounds


def test_the_same_problem_gives_the_same_dive():
    problem = _random_problem(3, agents=4, items=12)
    first = dive(problem, limit=10.0, root_limit=10.0)
    again = dive(problem, limit=10.0, root_limit=10.0)
    assert first.bound == again.bound and first.seconds == again.seconds
    assert first.agent_of is not None and again.agent_of is not None
    assert first.agent_of.tolist() == again.agent_of.tolist()


def test_a_root_with_no_time_gives_no_plan_and_proves_nothing():
    problem = _random_problem(5)  # optimum 133
    result = dive(problem, limit=10.0, root_limit=0.0)
    assert result.agent_of is None
    assert result.bound == -np.inf


def test_a_root_cut_short_still_bounds():
    # Two rounds of generation: not converged, yet the Lagrangian value at any prices is a
    # bound, and the best of the rounds' is finite.
    from allocator.solver.assignment_dive import _Master

    problem = _random_problem(5)  # optimum 133
    master = _Master(problem)
    bound = master.generate(2, 0.5, 10.0)
    assert not master.converged
    assert -np.inf < bound <= 133


def test_regret_completes_a_partial_plan_and_keeps_what_was_given():
    problem = _random_problem(1, agents=3, items=7)
    given = np.full(problem.items, UNASSIGNED)
    given[0] = int(np.argmin(problem.cost[:, 0]))
    start = regret_start(problem, given)
    assert start[0] == given[0]
    room = problem.capacity - problem.loads(start)
    assert (room >= 0).all()
    assert (start != UNASSIGNED).sum() > 1  # more than the one given is placed
    # Completed: every item left out fits no agent's remaining room.
    for i in np.flatnonzero(start == UNASSIGNED):
        assert not (problem.allowed[:, i] & (problem.weight[:, i] <= room)).any()


@needs_data
def test_on_a_hard_public_instance_the_bound_is_tight_and_the_plan_checks():
    problem = load_benchmark("gap").read_gap(DATA / "chu1997/d20100")  # optimum 6,185
    result = dive(problem, limit=10.0, root_limit=10.0)
    # The assignment LP proves 6,143; the master, with the capacities kept, about 6,176.
    assert 6_170 <= result.bound <= 6_185
    assert result.agent_of is not None and problem.violations(result.agent_of) == []
    assert problem.objective(result.agent_of) >= 6_185


def test_the_core_goes_on_without_a_dive(monkeypatch):
    # No time for the root: the dive proves nothing (its bound is -inf) and the core starts
    # from the regret plan, still to the optimum on a small case.
    from allocator.solver import assignment

    monkeypatch.setattr(assignment, "ROOT_SHARE", 0.0)
    problem = _random_problem(4)  # optimum 222
    optimum = _optimum(problem)
    result = assignment.solve_assignment(problem, seed=0, time_limit=5)
    assert result.objective == optimum and result.bound <= optimum
    assert problem.violations(np.array(result.agent_of)) == []
