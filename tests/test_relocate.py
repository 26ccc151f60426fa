"""Local moves on a complete weekly plan (allocator.solver.relocate): each move is priced
exactly, so the plan's cost as the independent checker computes it only falls, and every
hard rule the plan met it still meets."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from allocator.checker import check_plan
from allocator.overrides import ResolvedOverride
from allocator.plan import Plan
from allocator.problem import Team
from allocator.solver.greedy import greedy_plan
from allocator.solver.relocate import relocate
from factory import (HORIZON_DAYS, assign, make_problem, make_request, make_worker, unassigned,
                     weights)
from test_solver_large import large_problem

MONDAY, TUESDAY, WEDNESDAY = date(2026, 11, 23), date(2026, 11, 24), date(2026, 11, 25)


def _cost(problem, assignments) -> tuple[int, tuple]:
    report = check_plan(Plan(tuple(assignments)), problem)
    return report.objective, report.violations


def test_a_split_family_is_brought_together():
    w1 = make_worker("W1", capacity=100)
    w2 = make_worker("W2", capacity=100)
    a = make_request("K1", family="F")
    b = make_request("K2", family="F")
    problem = make_problem([a, b], [w1, w2])
    plan = [assign(a, w1), assign(b, w2)]
    before, _ = _cost(problem, plan)
    moved = relocate(problem, "sfs", plan)
    after, violations = _cost(problem, moved)
    assert violations == ()
    assert len({x.worker for x in moved}) == 1
    # the split (2,000) is mended; one worker now carries 20 points, still under the busy line
    assert before - after == problem.config.weights.sibling_split


def test_a_child_whose_meeting_comes_late_moves_to_a_team_with_a_slot():
    """TA meets on Wednesdays only, so a Monday transfer there waits two working days for
    its meeting (100); TB meets every day and has a worker with the same room."""
    ta, tb = make_worker("A1", team="TA"), make_worker("B1", team="TB")
    k = make_request("K1", dates=(MONDAY,))
    teams = {"TA": Team("TA", "sfs", None, frozenset({2}), 1),
             "TB": Team("TB", "sfs", None, frozenset(range(5)), 1)}
    problem = make_problem([k], [ta, tb], teams=teams)
    plan = [assign(k, ta, on=MONDAY, meeting=WEDNESDAY)]
    before, _ = _cost(problem, plan)
    [moved] = relocate(problem, "sfs", plan)
    assert (moved.worker, moved.on, moved.meeting) == ("B1", MONDAY, MONDAY)
    after, violations = _cost(problem, [moved])
    assert violations == ()
    assert before - after == 2 * problem.config.weights.late_meeting


def _two_teams(b1_max_new: int, tb_days: frozenset[int], tb_slots: int):
    """K1 is with B1, who is empty; K2 is with A1, who is past the busy line, so K2 would
    save 100 by joining B1 if B1's team and week had room."""
    a1 = make_worker("A1", team="TA", base_load=70)
    b1 = make_worker("B1", team="TB", max_new=b1_max_new)
    k1 = make_request("K1", dates=(MONDAY,))
    k2 = make_request("K2", dates=(MONDAY, TUESDAY))
    teams = {"TA": Team("TA", "sfs", None, frozenset(range(5)), 5),
             "TB": Team("TB", "sfs", None, tb_days, tb_slots)}
    problem = make_problem([k1, k2], [a1, b1], teams=teams)
    plan = [assign(k1, b1, on=MONDAY, meeting=MONDAY), assign(k2, a1, on=MONDAY, meeting=MONDAY)]
    assert _cost(problem, plan)[1] == ()
    return problem, plan


def test_room_in_the_team_and_the_week_is_taken():
    problem, plan = _two_teams(b1_max_new=2, tb_days=frozenset(range(5)), tb_slots=2)
    moved = relocate(problem, "sfs", plan)
    assert {x.worker for x in moved} == {"B1"}
    assert _cost(problem, moved) == (_cost(problem, plan)[0] - 100, ())


def test_a_full_week_of_new_children_is_respected():
    problem, plan = _two_teams(b1_max_new=1, tb_days=frozenset(range(5)), tb_slots=2)
    assert [x.worker for x in relocate(problem, "sfs", plan)] == ["B1", "A1"]


def test_a_full_meeting_day_is_respected():
    """TB meets on Mondays only, one child a meeting: K2's next meeting there would be a week
    late, which costs more than it saves."""
    problem, plan = _two_teams(b1_max_new=2, tb_days=frozenset({0}), tb_slots=1)
    assert [x.worker for x in relocate(problem, "sfs", plan)] == ["B1", "A1"]


def test_an_asye_never_takes_a_statutory_lead_and_a_co_worker_never_the_lead():
    asye = make_worker("Y1", asye=True)
    busy = make_worker("W1", base_load=95)
    other = make_worker("W2", base_load=95)
    lead = make_request("K1", statutory=True)
    co = make_request("K1", role="co")
    problem = make_problem([lead, co], [asye, busy, other])
    plan = [assign(lead, busy), assign(co, other)]
    moved = {x.role: x.worker for x in relocate(problem, "sfs", plan)}
    assert moved["lead"] != "Y1"
    assert moved["co"] != moved["lead"]
    assert _cost(problem, relocate(problem, "sfs", plan))[1] == ()


def test_an_unallocated_child_is_given_a_worker_with_room():
    w = make_worker("W1")
    k = make_request("K1")
    problem = make_problem([k], [w])
    [moved] = relocate(problem, "sfs", [unassigned(k, "test")])
    assert moved.worker == "W1" and moved.blocked_by == ()
    assert _cost(problem, [moved])[1] == ()


def test_on_a_larger_service_the_plan_only_gets_cheaper_and_stays_the_same():
    problem = large_problem()
    start = list(greedy_plan(problem).assignments)
    before, violations = _cost(problem, start)
    assert violations == ()
    moved = relocate(problem, "sfs", start)
    after, violations = _cost(problem, moved)
    assert violations == ()
    assert after < before
    assert relocate(problem, "sfs", start) == moved  # the same plan in, the same plan out
    assert relocate(problem, "sfs", moved) == moved  # nothing left to move


def test_the_shortlist_limits_the_workers_tried():
    w1 = make_worker("W1", base_load=90)
    w2 = make_worker("W2")
    k = make_request("K1", dates=HORIZON_DAYS[:5])
    problem = make_problem([k], [w1, w2])
    plan = [assign(k, w1)]
    assert relocate(problem, "sfs", plan)[0].worker == "W2"
    assert relocate(problem, "sfs", plan, {k.id: frozenset({"W1"})})[0].worker == "W1"


def test_a_pinned_child_and_a_forbidden_worker_are_respected():
    w1 = make_worker("W1", base_load=90)
    w2 = make_worker("W2")
    w3 = make_worker("W3")
    pinned = make_request("K1")
    other = make_request("K2")
    problem = replace(make_problem([pinned, other], [w1, w2, w3]), overrides=(
        ResolvedOverride("O1", 2, pinned.id, "K1", "pin_worker", "W1", None, "court", None),
        ResolvedOverride("O2", 3, other.id, "K2", "forbid_worker", "W2", None, "conflict",
                         None)))
    plan = [assign(pinned, w1), assign(other, w1)]
    moved = {x.request_id: x.worker for x in relocate(problem, "sfs", plan)}
    assert moved == {pinned.id: "W1", other.id: "W3"}


def test_a_child_moves_on_to_make_room_for_another():
    """K (statutory) is on A, past the busy line (100). B has room but takes one new child a
    week and already has X; C is an ASYE, who cannot lead K. No single move pays: the chain
    X to C, then K to B, saves the 100."""
    a = make_worker("A", base_load=70)
    b = make_worker("B", max_new=1)
    c = make_worker("C", asye=True)
    k = make_request("K", statutory=True)
    x = make_request("X")
    problem = make_problem([k, x], [a, b, c])
    plan = [assign(k, a), assign(x, b)]
    before, violations = _cost(problem, plan)
    assert violations == ()
    moved = relocate(problem, "sfs", plan)
    assert {m.request_id: m.worker for m in moved} == {k.id: "B", x.id: "C"}
    assert _cost(problem, moved) == (before - 100, ())


def test_a_family_moves_on_whole_to_make_room_for_another():
    """As above, but B takes two new children a week and holds a family of two. Moving one
    of them on to C splits the family (2,000), so no chain of one child pays; the family
    moves on to C whole, and K to B saves the 100."""
    a = make_worker("A", base_load=70)
    b = make_worker("B", max_new=2)
    c = make_worker("C", asye=True)
    k = make_request("K", statutory=True)
    x1, x2 = make_request("X1", family="FX"), make_request("X2", family="FX")
    problem = make_problem([k, x1, x2], [a, b, c])
    plan = [assign(k, a), assign(x1, b), assign(x2, b)]
    before, violations = _cost(problem, plan)
    assert violations == ()
    moved = relocate(problem, "sfs", plan)
    assert {m.request_id: m.worker for m in moved} == {k.id: "B", x1.id: "C", x2.id: "C"}
    assert _cost(problem, moved) == (before - 100, ())


def test_at_equal_cost_a_child_leaves_a_worker_over_capacity():
    """On A (capacity 100, holding 95) K puts A 5 points over capacity and 10 over the busy
    line: 700. On B (holding 90) it costs 200 in balance and 500 for the other locality:
    the same 700, with nobody over capacity, which is what a manager would pick."""
    a = make_worker("A", base_load=95, locality="North")
    b = make_worker("B", base_load=90, locality="South")
    k = replace(make_request("K"), locality="North")
    problem = make_problem([k], [a, b], config=weights(locality=500))
    plan = [assign(k, a)]
    [moved] = relocate(problem, "sfs", plan)
    assert moved.worker == "B"
    assert _cost(problem, [moved])[0] == _cost(problem, plan)[0] == 700


def test_a_co_worker_does_not_move_onto_the_lead():
    """The co-worker is on W2, past the busy line; the only other worker, W1, is empty but
    leads the child, so the co-worker stays where it is."""
    w1 = make_worker("W1")
    w2 = make_worker("W2", base_load=95)
    lead = make_request("K1")
    co = make_request("K1", role="co")
    problem = make_problem([lead, co], [w1, w2])
    plan = [assign(lead, w1), assign(co, w2)]
    assert _cost(problem, plan)[1] == ()
    assert {x.role: x.worker for x in relocate(problem, "sfs", plan)} == {"lead": "W1",
                                                                          "co": "W2"}
