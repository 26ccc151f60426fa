"""The assignment core and the GAP benchmark's reader, on public instances and tiny cases.

The instances live in ``../shared/data/gap`` beside the repository (OR-Library format, with
``best-known.csv``); the tests that need them are skipped where that folder is absent.
"""

import csv
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from benchmark_modules import load_benchmark

from allocator.solver import assignment
from allocator.solver.assignment import (
    UNASSIGNED,
    AssignmentProblem,
    core_pairs,
    regret_start,
    solve_assignment,
)

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "gap"
needs_data = pytest.mark.skipif(not (DATA / "best-known.csv").exists(),
                                reason="GAP instances not beside the repository")


gap = load_benchmark("gap")


@needs_data
@pytest.mark.parametrize("instance", ["cattrysse1994/gap1-0", "chu1997/d05100",
                                      "yagiura2004/e20200"])
def test_reader_sizes_match_best_known(instance):
    problem = gap.read_gap(DATA / instance)
    known = gap.read_best_known(DATA)[instance]
    assert (problem.items, problem.agents) == (known.items, known.agents)
    assert problem.cost.shape == problem.weight.shape == (known.agents, known.items)
    assert (problem.capacity > 0).all()


@needs_data
def test_reader_rejects_a_truncated_file(tmp_path):
    text = (DATA / "cattrysse1994/gap1-0").read_text().split()
    (tmp_path / "short").write_text(" ".join(text[:-1]))
    with pytest.raises(ValueError, match="expected"):
        gap.read_gap(tmp_path / "short")


@needs_data
def test_a_small_instance_is_solved_to_its_known_optimum():
    # cattrysse gap1-0 (5 agents, 15 items) is a minimisation problem with optimum 261.
    problem = gap.read_gap(DATA / "cattrysse1994/gap1-0")
    result = solve_assignment(problem, seed=0, time_limit=5)
    assert result.status == "OPTIMAL"
    assert result.objective == result.bound == 261
    agent_of = np.array(result.agent_of)
    assert problem.violations(agent_of) == []
    assert problem.objective(agent_of) == 261


def two_agents_three_items(penalty=None) -> AssignmentProblem:
    """Agent 0 holds 10, agent 1 holds 5; item 2 may only go to agent 0 (pair absent).

    Costs: item 0 (w 5): agent 0 costs 1, agent 1 costs 4; item 1 (w 5): 2 / 3;
    item 2 (w 5): agent 0 only, cost 1. Agent 0 takes two items at most, so one of items
    0 and 1 goes to agent 1: item 1 does (3 - 2 = 1 extra beats 4 - 1 = 3). Optimum 1+3+1=5.
    """
    pairs = {(0, 0): (5, 1), (1, 0): (5, 4), (0, 1): (5, 2), (1, 1): (5, 3), (0, 2): (5, 1)}
    return AssignmentProblem.from_pairs([10, 5], 3, pairs, penalty)


def test_forbidden_pairs_are_never_used():
    result = solve_assignment(two_agents_three_items(), seed=0, time_limit=5)
    assert result.status == "OPTIMAL" and result.objective == 5
    assert result.agent_of == (0, 1, 0)


def test_no_room_anywhere_is_infeasible():
    # Both items weigh 6 on agent 0 (capacity 10), so only one fits there; item 0 weighs 9
    # on agent 1 (capacity 5) and item 1 has no pair with it: no plan places both.
    pairs = {(0, 0): (6, 1), (0, 1): (6, 1), (1, 0): (9, 1)}
    problem = AssignmentProblem.from_pairs([10, 5], 2, pairs)
    result = solve_assignment(problem, seed=0, time_limit=5)
    assert result.status == "INFEASIBLE" and result.objective is None


def test_an_item_may_stay_unassigned_at_its_penalty():
    # The same case with a penalty of 100 per item: one item goes to agent 0 at cost 1, the
    # other is left out at 100, so the optimum is 101.
    pairs = {(0, 0): (6, 1), (0, 1): (6, 1), (1, 0): (9, 1)}
    problem = AssignmentProblem.from_pairs([10, 5], 2, pairs, penalty=[100, 100])
    result = solve_assignment(problem, seed=0, time_limit=5)
    assert result.status == "OPTIMAL" and result.objective == 101
    assert sorted(result.agent_of) == [UNASSIGNED, 0]


def test_a_pair_heavier_than_the_agent_is_forbidden():
    problem = AssignmentProblem.dense(np.array([[1, 1], [5, 5]]), np.array([[20, 1], [1, 1]]),
                                      np.array([10, 10]))
    assert not problem.allowed[0, 0]
    result = solve_assignment(problem, seed=0, time_limit=5)
    assert result.agent_of == (1, 0) and result.objective == 6


def test_regret_start_respects_capacity_and_forbidden_pairs():
    problem = two_agents_three_items()
    start = regret_start(problem)
    assert problem.violations(start) == []


@needs_data
def test_same_seed_same_assignment():
    # Large enough that the neighbourhood search runs (the whole-model search stops short).
    # The wall-clock backstop is set far off so that a busy machine cannot cut a run short.
    problem = gap.read_gap(DATA / "chu1997/d10100")
    first = solve_assignment(problem, seed=3, time_limit=2, wall_limit=120)
    again = solve_assignment(problem, seed=3, time_limit=2, wall_limit=120)
    assert first.log.get("windows", 0) > 0
    assert first.agent_of == again.agent_of and first.objective == again.objective
    assert problem.violations(np.array(first.agent_of)) == []


@needs_data
def test_smoke_benchmark_writes_a_row_per_instance(tmp_path):
    out = tmp_path / "gap.csv"
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "gap.py"), "--smoke", "--csv",
                    str(out), "--time-limit", "5"], check=True, capture_output=True)
    with open(out, newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["instance"] for r in rows] == list(gap.SMOKE)
    for row in rows:
        assert row["status"] == "OPTIMAL" and float(row["gap_pct"]) == 0.0


@needs_data
def test_the_core_keeps_each_items_cheapest_agents_and_only_allowed_pairs():
    problem = gap.read_gap(DATA / "chu1997/d10100")
    rc = assignment._reduced_costs(problem)
    core = core_pairs(problem, rc)
    assert core is not None and not (core & ~problem.allowed).any()
    # Every item keeps its CORE_MIN cheapest agents by reduced cost, whatever the cut-off.
    cheapest = np.argsort(rc, axis=0, kind="stable")[:assignment.CORE_MIN]
    assert core[cheapest, np.arange(problem.items)].all()
    # The core is a small part of the pairs: that is what makes its windows cheap.
    assert core.sum() < 0.5 * problem.allowed.sum()


@needs_data
def test_a_start_the_whole_model_cannot_complete_in_its_share_still_gets_the_windows():
    # d20100's regret start leaves 10 items out and, given 2 seconds, neither the dive nor
    # the whole model's 0.1 s share finds a plan: the hard rules alone give one, and the
    # windows improve it rather than the whole model taking all the time left.
    problem = gap.read_gap(DATA / "chu1997/d20100")
    assert (assignment.regret_start(problem) == assignment.UNASSIGNED).any()
    result = solve_assignment(problem, seed=0, time_limit=2, wall_limit=60)
    agent_of = np.array(result.agent_of)
    assert result.status == "FEASIBLE" and problem.violations(agent_of) == []
    assert result.log["windows"] > 0 and result.log["improved"] > 0
    assert result.bound is not None and result.bound <= 6185 <= result.objective
    assert result.objective == problem.objective(agent_of)


@needs_data
def test_core_windows_keep_capacity_and_never_lose_the_plan():
    # Windows over core pairs only must still offer every item its current agent, so the
    # plan the search holds is always among a window's answers and is never made worse.
    problem = gap.read_gap(DATA / "chu1997/d10100")
    rc = assignment._reduced_costs(problem)
    plan = np.array(solve_assignment(problem, seed=0, time_limit=0.5, wall_limit=60).agent_of)
    assert problem.violations(plan) == []
    start = plan
    search = assignment._Search(problem, 0, np.random.default_rng(1), 1.0, float("inf"),
                                assignment._pull(problem, rc), core_pairs(problem, rc))
    value = problem.objective(plan)
    for _ in range(5):
        cand, _, _ = search.solve_window(plan, 40, 1.0)
        assert cand is not None and problem.violations(cand) == []
        assert problem.objective(cand) <= value
        plan, value = cand, problem.objective(cand)
    best, objective, _, log = search.run(start, problem.objective(start), 0.0)
    assert log["windows"] > 0 and problem.violations(best) == []
    assert objective == problem.objective(best) <= problem.objective(start)


def test_windows_keep_to_agents_that_pull_each_others_items():
    # Four agents, item i on agent i; the LP pulls items 0 and 1 between agents 0 and 1, and
    # items 2 and 3 between agents 2 and 3, strongly; every other move only weakly. A window
    # of two agents should almost always be one of the two trading pairs (drawing in plain
    # proportion to the pull would mix the pairs about one time in six).
    pull = np.full((4, 4), 0.1)
    for a, b in ((0, 1), (2, 3)):
        pull[a, b] = pull[b, a] = 1.0
    agent_of = np.arange(4)
    rng = np.random.default_rng(0)
    draws = [tuple(assignment._related_agents(pull, agent_of, rng, 2)) for _ in range(200)]
    trading = sum(d in ((0, 1), (2, 3)) for d in draws)
    assert trading >= 0.95 * len(draws)


@needs_data
def test_every_window_is_charged_its_setup():
    # However small a window, it costs at least its setup in deterministic time, so a budget
    # of three setups runs three windows at most, and the plan is never made worse.
    problem = gap.read_gap(DATA / "chu1997/d10100")
    rc = assignment._reduced_costs(problem)
    start = np.array(solve_assignment(problem, seed=0, time_limit=0.5, wall_limit=60).agent_of)
    search = assignment._Search(problem, 0, np.random.default_rng(0),
                                3 * assignment.WINDOW_SETUP_SECONDS, float("inf"),
                                assignment._pull(problem, rc), core_pairs(problem, rc))
    best, objective, spent, log = search.run(start, problem.objective(start), 0.0)
    assert 1 <= log["windows"] <= 3
    assert spent >= log["windows"] * assignment.WINDOW_SETUP_SECONDS
    assert problem.violations(best) == [] and objective <= problem.objective(start)


def test_windows_break_cost_ties_by_room_on_one_agent_never_at_a_cost():
    # Three agents with room for five items each; items 0-3 cost the same on every agent,
    # item 4 is cheaper on agent 0. Of the cheapest answers the one that loads agent 0 least
    # wins, and agent 0 still takes item 4: no amount of room outweighs a unit of cost.
    cost = np.array([[5, 5, 5, 5, 1], [5, 5, 5, 5, 2], [5, 5, 5, 5, 2]])
    problem = AssignmentProblem.dense(cost, np.full((3, 5), 2), np.full(3, 10))
    built = assignment._build(problem, np.arange(5), np.arange(3), problem.capacity,
                              emptied=0)
    solver = assignment.cp_model.CpSolver()
    assert solver.solve(built.model) == assignment.cp_model.OPTIMAL
    plan = assignment._read(built, solver, np.full(5, UNASSIGNED))
    assert problem.violations(plan) == [] and problem.objective(plan) == 21
    assert list(np.flatnonzero(plan == 0)) == [4]
