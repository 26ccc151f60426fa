"""Every constraint module's independent check, in the style of a constraint verifier.

For each module in ``constraints.REGISTRY`` there is at least one ``test_<NAME>__ok...``
(a finished plan that keeps the rule: no violation, or exactly the expected penalty) and one
``test_<NAME>__broken...`` (a plan that breaks it: the violation names the right ids, or the
penalty equals the cost worked out by hand). Problems are built directly from hand-made
workers, requests and decisions (``factory.make_*``), so each test states all its data.

A fault-injection test at the end solves a small valid problem, then breaks the plan one
way at a time and checks that ``check_plan`` catches every kind of hard violation.
"""

from __future__ import annotations

import inspect
import pkgutil
import sys
from dataclasses import replace
from datetime import date

import pytest

import constraints
from allocator.checker import check_plan
from allocator.overrides import ResolvedOverride
from allocator.plan import Plan, Violation
from allocator.solver.model import solve
from constraints import (
    asye_never_leads, balance, capacity, continuity, coworker_differs, date_in_window,
    earliest_date, late_meeting, locality, manager_overrides, max_new_per_week, one_worker, siblings_together, transfer_meeting,
    unallocated, worker_available,
)
from factory import (
    HORIZON_END, assign, make_decision, make_problem, make_request, make_worker, unassigned,
    weights,
)

MON, TUE, WED, THU, FRI = (date(2026, 11, d) for d in (23, 24, 25, 26, 27))
SAT, SUN = date(2026, 11, 28), date(2026, 11, 29)
MON2, TUE2, WED2 = date(2026, 11, 30), date(2026, 12, 1), date(2026, 12, 2)


def plan(*assignments) -> Plan:
    return Plan(tuple(assignments))


def costs(penalties) -> list[tuple[str, tuple[str, ...], int]]:
    """Penalties without their free-text detail."""
    return [(p.term, p.ids, p.cost) for p in penalties]


def found(violations) -> set[tuple[str, tuple[str, ...], str]]:
    return {(v.constraint, v.ids, v.message) for v in violations}


# ---- The registry ----------------------------------------------------------------------------

HARD_API = {"restrict": ("ctx",), "add": ("ctx",), "check": ("plan", "problem")}
SOFT_API = {"add": ("ctx",), "penalties": ("plan", "problem")}


@pytest.mark.parametrize("module", constraints.REGISTRY, ids=lambda m: m.__name__)
def test_registered_module_has_what_its_kind_requires(module):
    assert isinstance(module.NAME, str) and module.NAME == module.__name__.rsplit(".", 1)[1]
    assert module.KIND in ("hard", "soft")
    assert isinstance(module.RULE, str) and module.RULE.strip() and "\n" not in module.RULE
    api, other = (HARD_API, "penalties") if module.KIND == "hard" else (SOFT_API, "check")
    for name, params in api.items():
        fn = getattr(module, name, None)
        assert callable(fn), f"{module.NAME} ({module.KIND}) has no {name}()"
        assert tuple(inspect.signature(fn).parameters) == params, f"{module.NAME}.{name}"
    # the checker calls check() only on HARD and penalties() only on SOFT: the other one
    # would be silently ignored
    assert not hasattr(module, other), f"{module.NAME} is {module.KIND} but defines {other}()"


def test_registry_is_hard_then_soft_with_unique_names():
    assert constraints.REGISTRY == constraints.HARD + constraints.SOFT
    assert all(m.KIND == "hard" for m in constraints.HARD)
    assert all(m.KIND == "soft" for m in constraints.SOFT)
    names = [m.NAME for m in constraints.REGISTRY]
    assert len(names) == len(set(names))


def test_every_constraint_module_in_the_package_is_registered():
    in_package = {m.name for m in pkgutil.iter_modules(constraints.__path__)}
    assert in_package == {m.NAME for m in constraints.REGISTRY}


def test_every_registered_constraint_has_an_ok_and_a_broken_check_test_here():
    tests = [name for name, fn in vars(sys.modules[__name__]).items()
             if name.startswith("test_") and callable(fn)]
    for m in constraints.REGISTRY:
        assert any(t.startswith(f"test_{m.NAME}__ok") for t in tests), m.NAME
        assert any(t.startswith(f"test_{m.NAME}__broken") for t in tests), m.NAME


def test_check_plan_runs_hard_checks_and_sums_soft_penalties():
    w1 = make_worker("W1", capacity=100, base_load=95)
    wq = make_worker("WQ", asye=True, capacity=100, base_load=100)
    r1 = make_request("C1", statutory=True, points=13)
    r2 = make_request("C2")
    p = make_problem([r1, r2], [w1, wq])
    report = check_plan(plan(assign(r1, wq), unassigned(r2, "because")), p)
    assert found(report.violations) == {
        ("asye_never_leads", ("C1", "WQ"), "statutory child led by an ASYE")}
    # unallocated C2: 100_000. WQ from 100 to 113 of 100: the plan adds 13 points above
    # max(capacity 100, load 100) -> 13 * 100 = 1_300; and 13 above the busy line
    # max(load 100, 75% of 100) -> 13 * 20 = 260. W1 (95 of 100) takes nothing: 0.
    assert costs(report.penalties) == [
        ("unallocated", ("C2:lead",), 100_000), ("capacity", ("WQ",), 1_300),
        ("balance", ("WQ",), 260)]
    assert report.terms == {"unallocated": 100_000, "capacity": 1_300, "balance": 260}
    assert report.objective == 101_560
    assert not report.ok


# ---- one_worker --------------------------------------------------------------------------------

def _one_worker_problem():
    w1, w2, wa = make_worker("W1"), make_worker("W2"), make_worker("WA", "ai")
    r1 = make_request("C1")
    r2 = make_request("C2", "co", not_worker=("W9",))
    r3 = make_request("C3")
    return make_problem([r1, r2, r3], [w1, w2, wa]), (r1, r2, r3), (w1, w2, wa)


def test_one_worker__ok_each_request_once_in_its_service_or_unallocated_with_a_reason():
    p, (r1, r2, r3), (w1, w2, _) = _one_worker_problem()
    good = plan(assign(r1, w1), assign(r2, w2), unassigned(r3, "no worker free"))
    assert one_worker.check(good, p) == []


@pytest.mark.parametrize("case", [
    "dropped", "duplicated", "unknown request", "no reason", "other service", "team mismatch",
    "not case-holding", "due child without a request"])
def test_one_worker__broken(case):
    p, (r1, r2, r3), (w1, w2, wa) = _one_worker_problem()
    a1, a2, a3 = assign(r1, w1), assign(r2, w2), unassigned(r3, "no worker free")
    if case == "dropped":
        bad, want = plan(a2, a3), {("C1:lead",): "request missing from the plan",
                                   ("C1",): "child due for allocation is not in the plan"}
    elif case == "duplicated":
        bad, want = plan(a1, a1, a2, a3), {("C1:lead",): "request appears 2 times"}
    elif case == "unknown request":
        stray = replace(a1, request_id="C9:lead", child_id="C9")
        bad, want = plan(a1, a2, a3, stray), {("C9:lead",): "plan holds a request nobody made"}
    elif case == "no reason":
        bad, want = plan(a1, a2, unassigned(r3)), {("C3:lead",): "unallocated with no reason given"}
    elif case == "other service":
        bad, want = plan(assign(r1, wa), a2, a3), {
            ("C1:lead", "WA"): "worker is not in the receiving service"}
    elif case == "team mismatch":
        bad, want = plan(replace(a1, team="TA"), a2, a3), {
            ("C1:lead", "W1"): "team does not match worker"}
    elif case == "not case-holding":
        bad, want = plan(replace(a1, worker="WX"), a2, a3), {
            ("C1:lead", "WX"): "worker is not case-holding"}
    else:
        p = replace(p, due_children=p.due_children + ("C7",))
        bad, want = plan(a1, a2, a3), {("C7",): "child due for allocation is not in the plan"}
    assert found(one_worker.check(bad, p)) == {
        ("one_worker", ids, msg) for ids, msg in want.items()}


# ---- asye_never_leads --------------------------------------------------------------------------

def _asye_problem():
    w1, wq = make_worker("W1"), make_worker("WQ", asye=True)
    cp = make_request("C1", statutory=True, points=13, from_worker="WA")
    cin = make_request("C2")
    co = make_request("C3", "co", points=6, not_worker=("W1",))
    moved = make_request("C4", statutory=True, points=13, from_worker="WQ", demoted_asye="WQ")
    p = make_problem([cp, cin, co, moved], [w1, wq], current_lead={"C3": "W1"},
                     statutory_children={"C1", "C3", "C4"})
    return p, (cp, cin, co, moved), (w1, wq)


def test_asye_never_leads__ok_experienced_lead_and_asye_coworking_or_leading_cin():
    p, (cp, cin, co, moved), (w1, wq) = _asye_problem()
    # the ASYE may lead a child in need and co-work a CP child; C4's ASYE lead is replaced
    good = plan(assign(cp, w1), assign(cin, wq), assign(co, wq), assign(moved, w1))
    assert asye_never_leads.check(good, p) == []


def test_asye_never_leads__broken_asye_chosen_as_lead_of_cp_child():
    p, (cp, cin, co, moved), (w1, wq) = _asye_problem()
    bad = plan(assign(cp, wq), assign(cin, w1), assign(co, wq), assign(moved, w1))
    assert asye_never_leads.check(bad, p) == [
        Violation("asye_never_leads", ("C1", "WQ"), "statutory child led by an ASYE")]


def test_asye_never_leads__ok_replacement_lead_listed_unallocated_is_escalated_not_counted():
    p, (cp, cin, co, moved), (w1, wq) = _asye_problem()
    # C4 has no acceptable lead this plan: listed unallocated, the child is escalated rather
    # than left with the ASYE, so the plan (which says so) does not break the rule
    listed = plan(assign(cp, w1), assign(cin, wq), assign(co, wq), unassigned(moved, "blocked"))
    assert asye_never_leads.check(listed, p) == []


def test_asye_never_leads__broken_asye_lead_kept_when_the_plan_gives_no_new_lead():
    p, (cp, cin, co, moved), (w1, wq) = _asye_problem()
    # C5, statutory and led by WQ, has no request at all: after the plan WQ still leads
    p5 = replace(p, current_lead={**p.current_lead, "C5": "WQ"},
                 statutory_children=p.statutory_children | {"C5"})
    good_otherwise = plan(assign(cp, w1), assign(cin, wq), assign(co, wq), assign(moved, w1))
    assert asye_never_leads.check(good_otherwise, p5) == [
        Violation("asye_never_leads", ("C5", "WQ"), "statutory child led by an ASYE")]
    # and the demoted ASYE given their own child back as lead
    bad = plan(assign(cp, w1), assign(cin, w1), assign(co, wq), assign(moved, wq))
    assert asye_never_leads.check(bad, p) == [
        Violation("asye_never_leads", ("C4", "WQ"), "statutory child led by an ASYE")]


# ---- coworker_differs --------------------------------------------------------------------------

def _coworker_problem():
    w1, w2 = make_worker("W1"), make_worker("W2")
    co = make_request("C1", "co", points=5, not_worker=("W1",), from_worker="W1")
    lead2 = make_request("C2", from_worker="WA")
    co2 = make_request("C2", "co", points=5)
    return make_problem([co, lead2, co2], [w1, w2]), (co, lead2, co2), (w1, w2)


def test_coworker_differs__ok_coworker_is_not_the_lead():
    p, (co, lead2, co2), (w1, w2) = _coworker_problem()
    assert coworker_differs.check(plan(assign(co, w2), assign(lead2, w1), assign(co2, w2)), p) == []


def test_coworker_differs__broken_coworker_is_current_lead_or_new_lead():
    p, (co, lead2, co2), (w1, w2) = _coworker_problem()
    bad = plan(assign(co, w1), assign(lead2, w2), assign(co2, w2))
    assert found(coworker_differs.check(bad, p)) == {
        ("coworker_differs", ("C1", "W1"), "co-worker is also the lead"),
        ("coworker_differs", ("C2", "W2"), "co-worker is also the lead")}


# ---- worker_available --------------------------------------------------------------------------

def test_worker_available__ok_worker_at_work_on_the_date():
    w1 = make_worker("W1", away=(MON,))
    r = make_request("C1", dates=(MON, TUE))
    assert worker_available.check(plan(assign(r, w1, TUE)), make_problem([r], [w1])) == []


@pytest.mark.parametrize("worker_id,on", [("W1", MON), ("W1", None), ("WX", TUE)],
                         ids=["on leave", "no date", "unknown worker"])
def test_worker_available__broken(worker_id, on):
    w1 = make_worker("W1", away=(MON,))
    r = make_request("C1", dates=(MON, TUE))
    a = replace(assign(r, w1), worker=worker_id, on=on)
    assert worker_available.check(plan(a), make_problem([r], [w1])) == [
        Violation("worker_available", ("C1:lead", worker_id),
                  "worker is not at work on the transfer date")]


# ---- date_in_window ----------------------------------------------------------------------------

def test_date_in_window__ok_working_day_in_window_after_notice():
    w1 = make_worker("W1")
    r = make_request("C1", dates=(WED, THU, FRI), notice_working_days=2)  # notice ends WED
    p = make_problem([r], [w1])
    assert date_in_window.check(plan(assign(r, w1, WED)), p) == []
    assert date_in_window.check(plan(assign(r, w1, FRI)), p) == []


def test_date_in_window__ok_before_notice_when_decision_records_short_notice():
    w1 = make_worker("W1")
    r = make_request("C1", dates=(TUE, WED), notice_working_days=5, flags=("short_notice",))
    assert date_in_window.check(plan(assign(r, w1, TUE)), make_problem([r], [w1])) == []


@pytest.mark.parametrize("on,decision,messages", [
    (SAT, {}, {"not a working day"}),
    (MON, {}, {"outside the rule's window"}),
    (TUE2, {}, {"outside the rule's window"}),
    (date(2026, 12, 21), {"date_to": date(2027, 1, 8)}, {"outside the plan's horizon"}),
    (date(2026, 11, 20), {"date_from": date(2026, 11, 16)},  # notice runs from the plan date
     {"outside the plan's horizon", "before the notice period ends"}),
    (TUE, {"date_from": MON, "notice_working_days": 5}, {"before the notice period ends"}),
    (None, {}, {"allocated with no transfer date"}),
], ids=["saturday", "before window", "after window", "after horizon", "before plan date",
        "before notice", "no date"])
def test_date_in_window__broken(on, decision, messages):
    w1 = make_worker("W1")
    r = make_request("C1", dates=(TUE, WED, THU, FRI, MON2), **decision)
    bad = plan(replace(assign(r, w1), on=on))
    assert found(date_in_window.check(bad, make_problem([r], [w1]))) == {
        ("date_in_window", ("C1:lead",), m) for m in messages}


# ---- max_new_per_week --------------------------------------------------------------------------

def _weekly_problem(max_new: int = 2):
    w1, w2 = make_worker("W1", max_new=max_new), make_worker("W2", max_new=0)
    rs = [make_request(f"C{i}", dates=(MON, TUE, WED, THU, FRI, MON2)) for i in range(1, 6)]
    kept = make_request("K1", "lead", dates=(MON,), from_worker="W1")
    return make_problem(rs + [kept], [w1, w2]), rs, kept, (w1, w2)


def test_max_new_per_week__ok_two_new_each_week_and_a_kept_child_not_counted():
    p, rs, kept, (w1, w2) = _weekly_problem()
    good = plan(assign(rs[0], w1, MON), assign(rs[1], w1, FRI), assign(kept, w1, MON),
                assign(rs[2], w1, MON2), assign(rs[3], w1, MON2), unassigned(rs[4], "full"))
    assert max_new_per_week.check(good, p) == []


def test_max_new_per_week__broken_three_new_in_one_week_and_any_new_for_a_zero_limit():
    p, rs, kept, (w1, w2) = _weekly_problem()
    bad = plan(assign(rs[0], w1, MON), assign(rs[1], w1, WED), assign(rs[2], w1, FRI),
               assign(kept, w1, MON), assign(rs[3], w1, MON2), assign(rs[4], w2, MON2))
    assert max_new_per_week.check(bad, p) == [
        Violation("max_new_per_week", ("W1", "2026-11-23"), "3 new children in one week"),
        Violation("max_new_per_week", ("W2", "2026-11-30"), "1 new children in one week")]


# ---- unallocated -------------------------------------------------------------------------------

def test_unallocated__ok_everyone_allocated_costs_nothing():
    w1 = make_worker("W1")
    r1, r2 = make_request("C1", statutory=True), make_request("C2")
    p = make_problem([r1, r2], [w1])
    assert unallocated.penalties(plan(assign(r1, w1), assign(r2, w1)), p) == []


def test_unallocated__broken_statutory_and_other_children_priced_by_their_weights():
    w1 = make_worker("W1")
    r1, r2 = make_request("C1", statutory=True), make_request("C2")
    p = make_problem([r1, r2], [w1])
    assert costs(unallocated.penalties(plan(unassigned(r1, "x"), unassigned(r2, "y")), p)) == [
        ("unallocated", ("C1:lead",), 1_000_000), ("unallocated", ("C2:lead",), 100_000)]
    p7 = make_problem([r1, r2], [w1], config=weights(unallocated_statutory=7, unallocated=3))
    assert [c for *_, c in costs(unallocated.penalties(
        plan(unassigned(r1, "x"), unassigned(r2, "y")), p7))] == [7, 3]


# ---- capacity ----------------------------------------------------------------------------------

def _capacity_problem():
    w1 = make_worker("W1", capacity=100, base_load=77)
    w2 = make_worker("W2", capacity=100, base_load=95)
    w3 = make_worker("W3", capacity=100, base_load=120)  # already over capacity
    wa = make_worker("WA", "ai", capacity=100, base_load=250)  # no request into A&I
    r1, r2 = make_request("C1", points=13), make_request("C2", points=10)
    return make_problem([r1, r2], [w1, w2, w3, wa]), (r1, r2), (w1, w2, w3, wa)


def test_capacity__ok_load_up_to_capacity_costs_nothing():
    p, (r1, r2), (w1, w2, w3, _) = _capacity_problem()
    # W1: 77 + 13 + 10 = 100, exactly full; W2 untouched at 95. W3 (120 of 100) and WA
    # (250 of 100) are over capacity but the plan adds nothing to them, so they cost nothing.
    assert capacity.penalties(plan(assign(r1, w1), assign(r2, w1)), p) == []
    assert capacity.loads_after(plan(assign(r1, w1), assign(r2, w1)), p) == {
        "W1": 100, "W2": 95, "W3": 120, "WA": 250}
    # a plan that adds nothing costs nothing, whoever is over capacity already
    assert capacity.penalties(plan(unassigned(r1, "x"), unassigned(r2, "y")), p) == []


def test_capacity__broken_overload_priced_per_point_the_plan_adds():
    p, (r1, r2), (w1, w2, w3, _) = _capacity_problem()
    # W2: 95 + 13 + 10 = 118 -> 18 points above capacity 100 -> 18 * 100
    both_w2 = capacity.penalties(plan(assign(r1, w2), assign(r2, w2)), p)
    assert costs(both_w2) == [("capacity", ("W2",), 1_800)]
    assert [x.detail for x in both_w2] == ["plan adds 18 points above capacity"]
    # W1 takes C1 (90) and W2 takes C2 (105): 5 over -> 500
    assert costs(capacity.penalties(plan(assign(r1, w1), assign(r2, w2)), p)) == [
        ("capacity", ("W2",), 500)]
    # W3 is already 20 over: only the points the plan adds are priced, not the 20 before
    # C2 alone: 130 - max(100, 120) = 10 -> 1_000 (not 30 * 100)
    assert costs(capacity.penalties(plan(assign(r1, w1), assign(r2, w3)), p)) == [
        ("capacity", ("W3",), 1_000)]
    # both: 143 - 120 = 23 -> 2_300
    assert costs(capacity.penalties(plan(assign(r1, w3), assign(r2, w3)), p)) == [
        ("capacity", ("W3",), 2_300)]
    p3 = replace(p, config=weights(overload_point=3))
    assert costs(capacity.penalties(plan(assign(r1, w2), assign(r2, w2)), p3)) == [
        ("capacity", ("W2",), 54)]


# ---- siblings_together -------------------------------------------------------------------------

def _family_problem():
    ws = [make_worker(f"W{i}") for i in (1, 2, 3)]
    wc = make_worker("WC", "care")
    sibs = [make_request(c, family="FAM") for c in ("C1", "C2", "C3")]
    co = make_request("C4", "co", family="FAM", points=5)
    elsewhere = make_request("C5", "lead", "care", family="FAM")
    return make_problem(sibs + [co, elsewhere], ws + [wc]), sibs, co, elsewhere, ws, wc


def test_siblings_together__ok_same_worker_coworker_and_other_service_not_counted():
    p, sibs, co, elsewhere, (w1, w2, _), wc = _family_problem()
    good = plan(*(assign(r, w1) for r in sibs), assign(co, w2), assign(elsewhere, wc))
    assert siblings_together.penalties(good, p) == []


def test_siblings_together__broken_split_costs_per_extra_worker():
    p, sibs, co, elsewhere, (w1, w2, w3), wc = _family_problem()
    two = plan(assign(sibs[0], w1), assign(sibs[1], w1), assign(sibs[2], w2), assign(co, w1),
               assign(elsewhere, wc))
    assert costs(siblings_together.penalties(two, p)) == [("siblings_together", ("FAM",), 2_000)]
    three = plan(assign(sibs[0], w1), assign(sibs[1], w2), assign(sibs[2], w3), assign(co, w1),
                 assign(elsewhere, wc))
    assert costs(siblings_together.penalties(three, p)) == [("siblings_together", ("FAM",), 4_000)]
    # an unallocated sibling does not count as a worker
    one_left = plan(assign(sibs[0], w1), assign(sibs[1], w1), unassigned(sibs[2], "x"),
                    assign(co, w1), assign(elsewhere, wc))
    assert siblings_together.penalties(one_left, p) == []


# ---- continuity --------------------------------------------------------------------------------

def _continuity_problem():
    w1, w2 = make_worker("W1"), make_worker("W2")
    known = make_request("C1", preferred=("W1",), from_worker="W1")
    new = make_request("C2")
    return make_problem([known, new], [w1, w2]), (known, new), (w1, w2)


def test_continuity__ok_known_worker_kept_and_no_cost_without_a_known_worker():
    p, (known, new), (w1, w2) = _continuity_problem()
    assert continuity.penalties(plan(assign(known, w1), assign(new, w2)), p) == []


def test_continuity__broken_known_worker_not_kept_or_child_unallocated():
    p, (known, new), (w1, w2) = _continuity_problem()
    assert costs(continuity.penalties(plan(assign(known, w2), assign(new, w2)), p)) == [
        ("continuity", ("C1:lead",), 1_000)]
    assert costs(continuity.penalties(plan(unassigned(known, "x"), unassigned(new, "y")), p)) == [
        ("continuity", ("C1:lead",), 1_000)]


# ---- balance -----------------------------------------------------------------------------------

def _balance_problem():
    # busy lines, max(load, 75% of capacity): W1, W2 75; W3 90 (already 90% full);
    # WC 60 (already over its 50); WD 75
    w1 = make_worker("W1", capacity=100, base_load=60)
    w2 = make_worker("W2", capacity=100, base_load=60)
    w3 = make_worker("W3", capacity=100, base_load=90)
    wc = make_worker("WC", "care", capacity=50, base_load=60)
    wd = make_worker("WD", "care", capacity=100, base_load=0)
    r1, r2 = make_request("C1"), make_request("C2")
    rc = make_request("C3", "lead", "care", points=7)
    return make_problem([r1, r2, rc], [w1, w2, w3, wc, wd]), (r1, r2, rc), (w1, w2, w3, wc, wd)


def test_balance__ok_children_given_to_workers_below_three_quarters_cost_nothing():
    p, (r1, r2, rc), (w1, w2, w3, wc, wd) = _balance_problem()
    assert [balance.busy_line(w.capacity, w.base_load) for w in (w1, w2, w3, wc, wd)] == [
        75, 75, 90, 60, 75]
    assert balance.busy_line(10, 0) == 7  # three quarters, rounded down
    # SFS: 70 and 70 of 100, both below 75; care: WD 7 of 100. W3 (90%) and WC (over
    # capacity) are busy but take nothing, so they cost nothing.
    assert balance.penalties(plan(assign(r1, w1), assign(r2, w2), assign(rc, wd)), p) == []
    # a plan that adds nothing costs nothing, however busy W3 and WC already are
    assert balance.penalties(plan(unassigned(r1, "x"), unassigned(r2, "y"), unassigned(rc, "z")),
                             p) == []


def test_balance__broken_new_points_above_the_busy_line_cost_per_point():
    p, (r1, r2, rc), (w1, w2, w3, wc, wd) = _balance_problem()
    # both children on W1: 80, 5 points above 75 -> 5 * 20
    both = balance.penalties(plan(assign(r1, w1), assign(r2, w1), assign(rc, wd)), p)
    assert costs(both) == [("balance", ("W1",), 100)]
    assert [x.detail for x in both] == ["5 new points above 75% of capacity"]
    # a child to W3, already at 90%: every point is above the line, 10 * 20 = 200
    assert costs(balance.penalties(plan(assign(r1, w3), assign(r2, w1), assign(rc, wd)), p)) == [
        ("balance", ("W3",), 200)]
    # care: WC is already over capacity, line = its load 60: 67 - 60 = 7 -> 140
    assert costs(balance.penalties(plan(assign(r1, w1), assign(r2, w2), assign(rc, wc)), p)) == [
        ("balance", ("WC",), 140)]
    # both busy workers at once, ordered by worker id
    assert costs(balance.penalties(plan(assign(r1, w3), assign(r2, w1), assign(rc, wc)), p)) == [
        ("balance", ("W3",), 200), ("balance", ("WC",), 140)]
    # the weight comes from the configuration: W3 110 -> 20 points * 3; WC 7 points * 3
    p3 = replace(p, config=weights(balance_point=3))
    assert costs(balance.penalties(plan(assign(r1, w3), assign(r2, w3), assign(rc, wc)), p3)) == [
        ("balance", ("W3",), 60), ("balance", ("WC",), 21)]


# ---- earliest_date -----------------------------------------------------------------------------

def test_earliest_date__ok_first_usable_date_costs_nothing():
    w1 = make_worker("W1")
    r = make_request("C1", dates=(THU, FRI, MON2))
    assert earliest_date.penalties(plan(assign(r, w1, THU)), make_problem([r], [w1])) == []


@pytest.mark.parametrize("on,late", [(FRI, 1), (MON2, 2), (TUE2, 3)])
def test_earliest_date__broken_late_date_costs_per_working_day(on, late):
    # working days, not calendar days: THU -> MON2 is 2 (the weekend does not count)
    w1 = make_worker("W1")
    r = make_request("C1", dates=(THU, FRI, MON2, TUE2))
    assert costs(earliest_date.penalties(plan(assign(r, w1, on)), make_problem([r], [w1]))) == [
        ("earliest_date", ("C1:lead",), 10 * late)]


# ---- Fault injection: a solved plan, broken one way at a time ------------------------------

def _valid_problem():
    """Unique optimum of cost 560 (every choice below is the only one costing no more):

    C1 (CP, 13 points, from WA in A&I) -> W1 on MON: W1 87 + 13 = 100, knows the family.
    C2 (10 points, notice 2 -> window WED..MON2) -> W2 on WED: W2 85 + 10 + 5 = 100.
    C3 co-worker (5 points; W1 is C3's lead) -> W2 on MON, W2 knows the family.
    WQ (ASYE) is full (100 of 100); W2 is away on THU. Every load ends at capacity, so
    capacity, continuity and date terms are all 0. Every SFS worker already holds at least
    75% of capacity, so balance prices each of the 28 new points at 20 whoever takes it:
    W1 13 * 20 = 260, W2 15 * 20 = 300, 560 in all and the same for every full allocation.
    Any other choice adds continuity (1,000), overload (WQ: 100 a point) or a date delay.
    """
    w1 = make_worker("W1", capacity=100, base_load=87, max_new=2)
    w2 = make_worker("W2", capacity=100, base_load=85, max_new=2, away=(THU,))
    wq = make_worker("WQ", asye=True, capacity=100, base_load=100)
    wa = make_worker("WA", "ai", capacity=100, base_load=50)
    c1 = make_request("C1", statutory=True, points=13, dates=(MON, TUE, WED), from_worker="WA",
                      preferred=("W1",))
    c2 = make_request("C2", dates=(WED, THU, FRI, MON2), from_worker="WA", preferred=("W2",),
                      notice_working_days=2)
    c3 = make_request("C3", "co", points=5, dates=(MON, TUE, WED), not_worker=("W1",),
                      preferred=("W2",))
    p = make_problem([c1, c2, c3], [w1, w2, wq, wa], current_lead={"C3": "W1"},
                     statutory_children={"C1", "C3"})
    # A manager forbids WQ for C2, which agrees with the optimum above.
    p = replace(p, overrides=(
        ResolvedOverride("O2", 3, "C2:lead", "C2", "forbid_worker", "WQ", None, "conflict",
                         None),))
    return p, {w.id: w for w in (w1, w2, wq, wa)}


@pytest.fixture(scope="module")
def solved_valid():
    p, ws = _valid_problem()
    result = solve(p, seed=0, time_limit=5)
    assert result.status == "OPTIMAL"
    return p, ws, result


def test_fault_injection_base_plan_is_valid_and_as_derived(solved_valid):
    p, ws, result = solved_valid
    got = {a.request_id: (a.worker, a.on) for a in result.plan.assignments}
    assert got == {"C1:lead": ("W1", MON), "C2:lead": ("W2", WED), "C3:co": ("W2", MON)}
    report = check_plan(result.plan, p)
    assert report.violations == ()
    assert costs(report.penalties) == [("balance", ("W1",), 260), ("balance", ("W2",), 300)]
    assert report.objective == result.objective == 560


def _move(plan_, rid, to=None, **fields):
    """``plan_`` with request ``rid`` given to worker ``to`` and/or other fields changed."""
    if to is not None:
        fields = {"worker": to.id, "team": to.team, **fields}
    return Plan(tuple(replace(a, **fields) if a.request_id == rid else a
                      for a in plan_.assignments))


FAULTS = {
    "worker from another service": (
        lambda pl, ws: _move(pl, "C2:lead", ws["WA"]),
        {("one_worker", ("C2:lead", "WA"), "worker is not in the receiving service")}),
    "team does not match worker": (
        lambda pl, ws: _move(pl, "C2:lead", team="TA"),
        {("one_worker", ("C2:lead", "W2"), "team does not match worker")}),
    "ASYE leads a statutory child": (
        lambda pl, ws: _move(pl, "C1:lead", ws["WQ"]),
        {("asye_never_leads", ("C1", "WQ"), "statutory child led by an ASYE")}),
    "co-worker equals lead": (
        lambda pl, ws: _move(pl, "C3:co", ws["W1"]),
        {("coworker_differs", ("C3", "W1"), "co-worker is also the lead")}),
    "worker not at work": (
        lambda pl, ws: _move(pl, "C2:lead", on=THU),
        {("worker_available", ("C2:lead", "W2"), "worker is not at work on the transfer date")}),
    "date outside the window": (
        lambda pl, ws: _move(pl, "C2:lead", on=TUE2),
        {("date_in_window", ("C2:lead",), "outside the rule's window")}),
    "not a working day": (  # nobody works a Saturday either
        lambda pl, ws: _move(pl, "C2:lead", on=SAT),
        {("date_in_window", ("C2:lead",), "not a working day"),
         ("worker_available", ("C2:lead", "W2"), "worker is not at work on the transfer date")}),
    "before notice": (  # the window starts when notice ends, so it is also outside it
        lambda pl, ws: _move(pl, "C2:lead", on=TUE),
        {("date_in_window", ("C2:lead",), "before the notice period ends"),
         ("date_in_window", ("C2:lead",), "outside the rule's window")}),
    "too many new children in a week": (
        lambda pl, ws: _move(pl, "C1:lead", ws["W2"]),
        {("max_new_per_week", ("W2", "2026-11-23"), "3 new children in one week")}),
    "request dropped": (
        lambda pl, ws: Plan(tuple(a for a in pl.assignments if a.request_id != "C2:lead")),
        {("one_worker", ("C2:lead",), "request missing from the plan"),
         ("one_worker", ("C2",), "child due for allocation is not in the plan")}),
    "request duplicated": (
        lambda pl, ws: Plan(pl.assignments + tuple(a for a in pl.assignments
                                                   if a.request_id == "C1:lead")),
        {("one_worker", ("C1:lead",), "request appears 2 times")}),
    "no transfer meeting": (
        lambda pl, ws: _move(pl, "C1:lead", meeting=None),
        {("transfer_meeting", ("C1:lead",), "no transfer meeting")}),
    "meeting on a Saturday": (
        lambda pl, ws: _move(pl, "C1:lead", meeting=SAT),
        {("transfer_meeting", ("C1:lead",), "meeting not on a team meeting day")}),
    "meeting outside its window": (
        lambda pl, ws: _move(pl, "C1:lead", meeting=date(2027, 1, 29)),
        {("transfer_meeting", ("C1:lead",), "meeting outside the meeting window")}),
    "forbidden worker used": (
        lambda pl, ws: _move(pl, "C2:lead", ws["WQ"]),
        {("manager_overrides", ("O2", "C2:lead"), "forbidden worker used")}),
    "unallocated without a reason": (
        lambda pl, ws: _move(pl, "C1:lead", worker=None, team=None, on=None, blocked_by=()),
        {("one_worker", ("C1:lead",), "unallocated with no reason given")}),
}


@pytest.mark.parametrize("fault", FAULTS)
def test_fault_injection_check_plan_catches_each_kind_of_hard_violation(solved_valid, fault):
    p, ws, result = solved_valid
    mutate, expected = FAULTS[fault]
    broken = mutate(result.plan, ws)
    assert broken != result.plan
    report = check_plan(broken, p)
    assert found(report.violations) == expected
    assert not report.ok


def test_fault_injection_covers_every_hard_constraint():
    caught = {c for _, expected in FAULTS.values() for c, *_ in expected}
    assert caught == {m.NAME for m in constraints.HARD}


def test_fault_injection_request_nobody_made_is_reported_not_a_crash(solved_valid):
    p, ws, result = solved_valid
    # a copy of C1's assignment (W1 on MON) under a request nobody made
    stray = replace(result.plan.assignments[0], request_id="C9:lead", child_id="C9")
    report = check_plan(Plan(result.plan.assignments + (stray,)), p)
    assert found(report.violations) == {
        ("one_worker", ("C9:lead",), "plan holds a request nobody made")}
    assert not report.ok
    # the stray is not priced: W1 still adds only C1's 13 points (260), W2 15 (300)
    assert costs(report.penalties) == [("balance", ("W1",), 260), ("balance", ("W2",), 300)]
    assert report.objective == 560


def test_fault_injection_unknown_worker_is_reported_not_a_crash(solved_valid):
    p, ws, result = solved_valid
    report = check_plan(_move(result.plan, "C2:lead", worker="WX"), p)
    assert found(report.violations) == {
        ("one_worker", ("C2:lead", "WX"), "worker is not case-holding"),
        ("worker_available", ("C2:lead", "WX"), "worker is not at work on the transfer date")}
    assert not report.ok
    # C2's assignment is not priced (no unallocated, continuity or load term for it): W1
    # adds 13 -> 260; W2 adds only C3's 5 points above 85 -> 100
    assert costs(report.penalties) == [("balance", ("W1",), 260), ("balance", ("W2",), 100)]
    assert report.objective == 360


def test_horizon_constant_is_a_friday():
    # the fixtures above assume four whole working weeks from Monday 23 November 2026
    assert HORIZON_END.weekday() == 4 and make_decision().date_to == HORIZON_END


# ---- transfer_meeting ---------------------------------------------------------------------------

def _meeting_problem():
    """Team TS meets on Tuesdays and Thursdays with one slot a day."""
    from allocator.problem import Team

    w1, w2 = make_worker("W1"), make_worker("W2")
    r1 = make_request("C1", dates=(THU, FRI))
    r2 = make_request("C2", dates=(THU, FRI))
    teams = {"TS": Team("TS", "sfs", None, frozenset({1, 3}), 1)}
    return make_problem([r1, r2], [w1, w2], teams=teams), (r1, r2), (w1, w2)


def test_transfer_meeting__ok_each_child_in_its_own_slot_before_the_transfer():
    p, (r1, r2), (w1, w2) = _meeting_problem()
    assert transfer_meeting.check(plan(assign(r1, w1, THU, meeting=TUE),
                                       assign(r2, w2, FRI, meeting=THU)), p) == []


def test_transfer_meeting__broken_two_meetings_in_one_slot_and_a_wrong_day():
    p, (r1, r2), (w1, w2) = _meeting_problem()
    assert found(transfer_meeting.check(plan(assign(r1, w1, THU, meeting=TUE),
                                             assign(r2, w2, FRI, meeting=TUE)), p)) == {
        ("transfer_meeting", ("TS", "2026-11-24"), "2 meetings for the day's slots")}
    assert found(transfer_meeting.check(plan(assign(r1, w1, THU, meeting=WED),
                                             assign(r2, w2, FRI, meeting=FRI)), p)) == {
        ("transfer_meeting", ("C1:lead",), "meeting not on a team meeting day"),
        ("transfer_meeting", ("C2:lead",), "meeting not on a team meeting day")}


def test_transfer_meeting_solver_uses_one_slot_a_day():
    # Two children, one slot on each of Tue and Thu: the meetings go on different days,
    # both on or before the children's transfer dates, and the checker agrees.
    p, _, _ = _meeting_problem()
    result = solve(p)
    report = check_plan(result.plan, p)
    assert report.ok and report.objective == result.objective
    assert sorted(a.meeting for a in result.plan.assignments) == [TUE, THU]
    assert all(a.meeting <= a.on for a in result.plan.assignments)


# ---- late_meeting -------------------------------------------------------------------------------

def test_late_meeting__ok_meeting_on_or_before_the_transfer_costs_nothing():
    p, (r1, r2), (w1, w2) = _meeting_problem()
    assert late_meeting.penalties(plan(assign(r1, w1, THU, meeting=THU),
                                       assign(r2, w2, FRI, meeting=TUE)), p) == []


def test_late_meeting__broken_meeting_after_the_transfer_priced_per_working_day():
    p, (r1, _), (w1, _) = _meeting_problem()
    # Transfer THU 26 Nov, meeting TUE 1 Dec: FRI, MON, TUE = 3 working days x 50.
    assert costs(late_meeting.penalties(plan(assign(r1, w1, THU, meeting=TUE2)), p)) == [
        ("late_meeting", ("C1:lead",), 150)]


def test_late_meeting_solver_prefers_a_meeting_before_the_transfer():
    # The team meets only on Tuesdays; the child can move MON 30 Nov or TUE 1 Dec. Meeting
    # TUE 24 Nov comes first, so the transfer can be MON 30 Nov at no cost.
    from allocator.problem import Team

    w1 = make_worker("W1")
    r1 = make_request("C1", dates=(MON2, TUE2))
    p = make_problem([r1], [w1], teams={"TS": Team("TS", "sfs", None, frozenset({1}), 1)})
    result = solve(p)
    [a] = result.plan.assignments
    assert (a.meeting, a.on, result.objective) == (TUE, MON2, 0)
    assert check_plan(result.plan, p).objective == 0


def test_late_meeting_solver_holds_it_after_a_conference_fixed_on_the_plan_date():
    # The conference is MON 23 Nov (the only date); the team meets on Tuesdays only. The child
    # is still allocated: meeting TUE 24 Nov, one working day late: 50.
    from allocator.problem import Team

    w1 = make_worker("W1")
    r1 = make_request("C1", dates=(MON,))
    p = make_problem([r1], [w1], teams={"TS": Team("TS", "sfs", None, frozenset({1}), 1)})
    result = solve(p)
    [a] = result.plan.assignments
    assert (a.worker, a.meeting, a.on, result.objective) == ("W1", TUE, MON, 50)
    assert check_plan(result.plan, p).objective == 50


# ---- locality -----------------------------------------------------------------------------------

def _locality_problem():
    north = make_worker("WN", team="TN", locality="North")
    south = make_worker("WS", team="TS", locality="South")
    anywhere = make_worker("WX", team="TX")
    r1 = replace(make_request("C1"), locality="North")
    r2 = make_request("C2")  # the child's current team has no locality
    return make_problem([r1, r2], [north, south, anywhere]), (r1, r2), (north, south, anywhere)


def test_locality__ok_same_locality_or_none_given_costs_nothing():
    p, (r1, r2), (north, south, anywhere) = _locality_problem()
    assert locality.penalties(plan(assign(r1, north), assign(r2, south)), p) == []
    assert locality.penalties(plan(assign(r1, anywhere), assign(r2, north)), p) == []


def test_locality__broken_another_locality_costs_its_weight():
    p, (r1, r2), (north, south, _) = _locality_problem()
    assert costs(locality.penalties(plan(assign(r1, south), assign(r2, north)), p)) == [
        ("locality", ("C1:lead",), 200)]


def test_locality_solver_keeps_the_child_in_the_north():
    p, _, _ = _locality_problem()
    result = solve(p)
    assert {a.request_id: a.worker for a in result.plan.assignments}["C1:lead"] in ("WN", "WX")
    assert check_plan(result.plan, p).objective == result.objective


# ---- manager_overrides --------------------------------------------------------------------------

def _override_problem():
    w1, w2 = make_worker("W1"), make_worker("W2")
    r1, r2 = make_request("C1", dates=(MON, TUE)), make_request("C2", dates=(MON, TUE))
    p = replace(make_problem([r1, r2], [w1, w2]), overrides=(
        ResolvedOverride("O1", 2, "C1:lead", "C1", "pin_worker", "W2", None, "knows mum", None),
        ResolvedOverride("O2", 3, "C2:lead", "C2", "pin_date", None, TUE, "court on MON", None),
        ResolvedOverride("O3", 4, "C2:lead", "C2", "forbid_worker", "W1", None, "conflict", None)))
    return p, (r1, r2), (w1, w2)


def test_manager_overrides__ok_every_pin_and_exclusion_honoured():
    p, (r1, r2), (w1, w2) = _override_problem()
    assert manager_overrides.check(plan(assign(r1, w2, MON), assign(r2, w2, TUE)), p) == []


def test_manager_overrides__broken_each_override_reported():
    p, (r1, r2), (w1, w2) = _override_problem()
    assert found(manager_overrides.check(plan(assign(r1, w1, MON), assign(r2, w1, MON)), p)) == {
        ("manager_overrides", ("O1", "C1:lead"), "pinned worker not used"),
        ("manager_overrides", ("O2", "C2:lead"), "pinned date not used"),
        ("manager_overrides", ("O3", "C2:lead"), "forbidden worker used")}
    assert found(manager_overrides.check(plan(assign(r1, w2, MON)), p)) == {
        ("manager_overrides", ("O2",), "override's child is not in the plan")}


def test_manager_overrides_solver_honours_them_all():
    p, _, _ = _override_problem()
    result = solve(p)
    got = {a.request_id: (a.worker, a.on) for a in result.plan.assignments}
    assert got == {"C1:lead": ("W2", MON), "C2:lead": ("W2", TUE)}
    assert check_plan(result.plan, p).ok
