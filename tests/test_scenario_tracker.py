"""Simulated weeks drive the real transfer tracker: runs and items recorded, proposals
agreed and completed, pins taken from it, escalations counted, and agreed moves that cannot
all hold dropped as few as needed, never silently."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from factory import TinyCouncil
from test_scenario_simulation import SCENARIO

from allocator.errors import PlanCheckError
from allocator.pipeline import PlanRun, run_plan
from allocator.simulation.model import parse_scenario
from allocator.simulation.pinning import UNKEPT, plan_keeping_most_pins
from allocator.simulation.run import run_scenario
from allocator.simulation.tracking import SimulatedTracker
from allocator.tracker.pins import PinReport, PinSource, plan_with_pins
from allocator.tracker.states import AGREED, CANCELLED, COMPLETED, PROPOSED
from allocator.tracker.store import ProposedItem, RunRecord, Tracker, open_tracker

MONDAY = date(2026, 11, 23)
CHILDREN = ("C1", "C2", "C3", "C4")
# What the check says of a pin a rejected plan did not keep (constraints/manager_overrides).
REJECTED = "manager_overrides: pinned worker not used (tracker-3-worker, C3:lead)"
# Why a pin the solver named in the conflict was left out (allocator.tracker.pins).
TOGETHER = "no plan can keep it this week together with the other pins and overrides"


def waiting_council(folder: Path, w1_new: int = 2) -> Path:
    """One safeguarding team: W1 takes at most ``w1_new`` new children a week, W2 up to 4;
    four children in need wait for a worker."""
    c = TinyCouncil()
    c.team("TS", "sfs")
    c.worker("W1", "TS", capacity=300, max_new=w1_new).worker("W2", "TS", capacity=300)
    for child in CHILDREN:
        c.child(child, date(2018, 3, 1), "TS", None)
    return c.write(folder / "council")


def agree_all_to_w1(store: Tracker) -> None:
    """A run whose four proposals all give W1 on Monday 23rd, agreed by a manager: more
    than W1's weekly limit of two new children allows."""
    run_id = store.start_run("batch", 0, {}, None, None, "test", None)
    items = tuple(ProposedItem(child_id=c, request_id=f"{c}-lead", role="lead",
                               outcome="allocate", statutory=False, from_service=None,
                               from_team=None, from_worker=None, service="sfs", team="TS",
                               worker="W1", planned_date=MONDAY, clause=None, rule_id=None)
                  for c in CHILDREN)
    store.complete_run(run_id, RunRecord("Tiny Council", "southwark", MONDAY, "OPTIMAL", 0,
                                         True, 0, {}, 0, 0, items))
    for item in store.items():
        store.transition(item.id, AGREED, "Team manager")


def planner(council: Path):  # type: ignore[no-untyped-def]
    def plan(pins: PinSource) -> PlanRun:
        return run_plan(council, week=MONDAY, seed=0, time_limit=2, pins=pins)
    return plan


def leads(run: PlanRun) -> dict[str, str | None]:
    return {a.child_id: a.worker for a in run.result.plan.assignments}


def test_pins_that_cannot_all_hold_drop_as_few_as_needed(tmp_path: Path) -> None:
    council = waiting_council(tmp_path)
    store = open_tracker(f"sqlite:///{tmp_path / 'tracker.sqlite'}")
    agree_all_to_w1(store)
    # The solver names three of the four pins in the conflict (any three exceed W1's limit
    # of two); the product's one-shot rule leaves all three out and keeps one.
    product = PinReport()
    plan_with_pins(planner(council), store, product)
    assert product.pinned == [1]
    # Only two need to go: the search keeps items 1 and 2, drops 3 and 4, and says why.
    report = PinReport()
    pinned = plan_keeping_most_pins(planner(council), store, report)
    assert pinned.dropped == (3, 4)
    assert report.pinned == [1, 2]
    assert [i for i, _ in report.unpinned] == [3, 4]
    assert {why for _, why in report.unpinned} == {TOGETHER}
    assert leads(pinned.run) == {"C1": "W1", "C2": "W1", "C3": "W2", "C4": "W2"}
    store.close()


def test_all_pins_holding_drops_none(tmp_path: Path) -> None:
    council = waiting_council(tmp_path)
    store = open_tracker(f"sqlite:///{tmp_path / 'tracker.sqlite'}")
    agree_all_to_w1(store)
    for item in store.items():
        if item.child_id in ("C3", "C4"):
            store.transition(item.id, CANCELLED, "Team manager", reason="not needed")
    report = PinReport()
    pinned = plan_keeping_most_pins(planner(council), store, report)
    assert (pinned.dropped, report.pinned, report.unpinned) == ((), [1, 2], [])
    store.close()


def test_pins_a_rejected_plan_broke_are_searched_the_same_way(tmp_path: Path) -> None:
    """Out of time, the solver can return a plan that breaks some pins; the independent
    check rejects it (PlanCheckError, naming them). Here W1 may take all four, but any plan
    pinning item 3 comes back rejected, as such a plan would: only item 3 is left out."""
    council = waiting_council(tmp_path, w1_new=4)
    store = open_tracker(f"sqlite:///{tmp_path / 'tracker.sqlite'}")
    agree_all_to_w1(store)
    report = PinReport()

    def plan(pins: PinSource) -> PlanRun:
        run = planner(council)(pins)
        if 3 in report.pinned:
            raise PlanCheckError([REJECTED])
        return run

    pinned = plan_keeping_most_pins(plan, store, report)
    assert pinned.dropped == (3,)
    assert (report.pinned, report.unpinned) == ([1, 2, 4], [(3, UNKEPT)])
    kept = {c: w for c, w in leads(pinned.run).items() if c != "C3"}  # C3 is free to go anywhere
    assert kept == {"C1": "W1", "C2": "W1", "C4": "W1"}
    store.close()


def test_a_week_counts_and_cancels_agreed_moves_that_could_not_hold(tmp_path: Path) -> None:
    council = waiting_council(tmp_path)
    sim = SimulatedTracker(tmp_path / "sim.sqlite")
    agree_all_to_w1(sim.store)
    run = sim.plan_and_record(council, MONDAY, None, 0, 2)
    tracking = sim.end_week("Tiny Council", MONDAY, "southwark")
    assert (tracking.pins_dropped, tracking.agreed_moves_not_held) == (2, 2)
    assert leads(run) == {"C1": "W1", "C2": "W1", "C3": "W2", "C4": "W2"}
    items = {i.child_id: i for i in sim.store.items()}
    # The two that could not hold are cancelled with the tracker's why; the two kept stay
    # agreed and, their Monday having passed without the move recorded, are delayed.
    assert [items[c].state for c in CHILDREN] == ["delayed", "delayed", CANCELLED, CANCELLED]
    reasons = [h.reason for h in sim.store.history() if h.to_state == CANCELLED]
    assert reasons == [f"could not hold: {TOGETHER}"] * 2
    assert tracking.items_escalated == 2  # the two delayed transfers
    sim.close()
    assert (tmp_path / "sim.sqlite").exists()  # a named database is kept


def leaver_council(folder: Path) -> Path:
    """W1 (experienced) leads C1 (child in need) and C2 (CP plan); W2, in their ASYE, leads
    C3. W1 leaves on Wednesday 25 November."""
    c = TinyCouncil()
    c.team("TS", "sfs")
    c.worker("W1", "TS", capacity=200).worker("W2", "TS", capacity=200, asye=True)
    c.child("C1", date(2018, 3, 1), "TS", "W1").child("C2", date(2016, 5, 1), "TS", "W1")
    c.child("C3", date(2015, 1, 1), "TS", "W2").cp_plan("C2")
    return c.write(folder / "council")


def test_simulated_weeks_drive_the_real_tracker(tmp_path: Path) -> None:
    council = leaver_council(tmp_path)
    scenario = parse_scenario(SCENARIO.format(council=council).replace("weeks = 2", "weeks = 3"))
    database = tmp_path / "tracker" / "one-leaver-seed0.sqlite"
    week1, week2, week3 = run_scenario(scenario, tracker=database).weeks
    store = open_tracker(f"sqlite:///{database}")
    # One recorded batch run a week, at simulated time; week 2 and 3 leave C2 unallocated.
    assert [(r.kind, r.status, r.week, r.exit_code) for r in store.runs()] == [
        ("batch", "completed", date(2026, 11, 23), 0), ("batch", "completed", date(2026, 11, 30), 3),
        ("batch", "completed", date(2026, 12, 7), 3)]
    assert store.runs()[1].started_at == datetime(2026, 11, 30, 6, tzinfo=UTC)
    items = {i.child_id: i for i in store.items()}
    # C1 goes to W2 on Monday 30th: proposed, agreed by the simulated manager, completed.
    assert (items["C1"].worker, items["C1"].state, items["C1"].agreed_date) == (
        "W2", COMPLETED, date(2026, 11, 30))
    assert [(h.from_state, h.to_state, h.by) for h in store.history(items["C1"].id)] == [
        (None, PROPOSED, "caseload run 2"), (PROPOSED, AGREED, "simulated manager"),
        (AGREED, COMPLETED, "simulated manager")]
    # C2, on a CP plan, may not be led by the ASYE: no one can take them, so the tracker
    # escalates a statutory child awaiting allocation at once, in weeks 2 and 3.
    assert (items["C2"].worker, items["C2"].state, items["C2"].statutory) == (None, PROPOSED, True)
    assert [(w.items_escalated, w.statutory_escalated) for w in (week1, week2, week3)] == [
        (0, 0), (1, 1), (1, 1)]
    store.close()


def test_same_seed_same_tracker_figures(tmp_path: Path) -> None:
    council = leaver_council(tmp_path)
    scenario = parse_scenario(SCENARIO.format(council=council))
    first = run_scenario(scenario, tracker=tmp_path / "a.sqlite")
    again = run_scenario(scenario, tracker=tmp_path / "a.sqlite")  # replaced, not added to
    assert first == again == run_scenario(scenario)  # a temporary database: the same
    assert len(open_tracker(f"sqlite:///{tmp_path / 'a.sqlite'}").runs()) == 2


def test_a_temporary_database_is_removed() -> None:
    sim = SimulatedTracker()
    assert sim.path.exists() and sim.store.runs() == []
    sim.close()
    assert not sim.path.exists() and not sim.path.parent.exists()
