"""Weeks that follow on: three consecutive weekly batch runs on the shipped demo council,
with transfers agreed, delayed and completed between them and one manager override, on
SQLite and on PostgreSQL.

Week 1 (23 Nov 2026) proposes; the managers agree five transfers and delay one. Week 2
(30 Nov) carries a manager's override; every agreed transfer keeps its worker (and its date
where still usable), the delayed one keeps its worker with a new date; two are completed,
the delayed one is agreed again and the overridden one agreed. Week 3 (7 Dec) pins those a
plan can still keep and reports the rest (their worker is on leave); the review lists what
is overdue and escalated on the pack's timescales; a second run of week 3 changes nothing.
"""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

import pytest
from test_tracker_store import DATABASES, open_database
from typer.testing import CliRunner

from allocator.batch import LATEST, RUNS, BatchOptions, folder_matches, run_batch
from allocator.calendar import add_working_days
from allocator.rules.pack import load_pack
from allocator.tracker.escalation import review, rules_for
from allocator.tracker.states import AGREED, CANCELLED, COMPLETED, DELAYED, PROPOSED
from allocator.tracker.store import open_tracker
from cli import app, shipped_demo

WEEKS = (date(2026, 11, 23), date(2026, 11, 30), date(2026, 12, 7))
AGREE = ("P000012", "P000156", "P000584", "P000585", "P000586")  # W0023, W0005, W0023 x3
DELAY = "P000053"
OVERRIDE_CHILD, OVERRIDE_WORKER = "P000229", "W0017"
runner = CliRunner()


def roster(out: Path) -> dict[str, dict[str, str]]:
    with open(out / LATEST / "transfer_roster.csv", newline="", encoding="utf-8") as fh:
        return {row["child_id"]: row for row in csv.DictReader(fh)}


def batch(out: Path, url: str, week: date, overrides: Path | None = None):
    result = run_batch(BatchOptions(out=out, source=shipped_demo(), week=week,
                                    tracker_url=url, overrides=overrides, time_limit=10))
    assert result.exit_code == 0, result.messages
    return result


def overrides_file(folder: Path) -> Path:
    path = folder / "overrides.csv"
    path.write_text("over_override_id,over_person_id,over_action,over_professional_id,"
                    "over_date,over_reason,over_by\n"
                    f"O1,{OVERRIDE_CHILD},pin_worker,{OVERRIDE_WORKER},,"
                    "worker already knows the family,Service manager\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("kind", DATABASES)
def test_three_weeks_follow_on(kind, tmp_path, request):
    db = open_database(kind, tmp_path, request)
    out = tmp_path / "out"
    store = open_tracker(db.url)
    by_child = lambda: {i.child_id: i for i in store.items() if i.state != CANCELLED}

    # Week 1: everything is proposed.
    first = batch(out, db.url, WEEKS[0])
    items = by_child()
    assert {i.state for i in items.values()} == {PROPOSED}
    assert first.summary["tracker_pins"]["pinned_items"] == []
    week1 = roster(out)
    for child in AGREE:
        store.transition(items[child].id, AGREED, by="Team manager")
    store.transition(items[DELAY].id, DELAYED, by="Team manager",
                     reason="receiving team manager on leave")

    # Week 2: agreed transfers are pinned, the manager's override is honoured and costed.
    second = batch(out, db.url, WEEKS[1], overrides_file(tmp_path))
    week2 = roster(out)
    pinned = {items[c].id for c in AGREE + (DELAY,)}
    assert set(second.summary["tracker_pins"]["pinned_items"]) == pinned
    for child in AGREE + (DELAY,):
        assert week2[child]["to_worker"] == week1[child]["to_worker"], child
    for child in ("P000012", "P000584", "P000585", "P000586"):  # 30 Nov is still usable
        assert week2[child]["transfer_date"] == "2026-11-30"
    assert week2["P000156"]["transfer_date"] >= "2026-11-30"  # 25 Nov passed: worker only
    assert week2[OVERRIDE_CHILD]["to_worker"] == OVERRIDE_WORKER
    plan2 = json.loads((out / LATEST / "plan.json").read_text())
    assert [o["reason"] for o in plan2["overrides"]].count("worker already knows the family") == 1
    assert second.summary["manager_overrides"] == 1
    run2 = second.summary["run_id"]
    refused = runner.invoke(app, ["approve", str(run2), "--by", "Service manager",
                                  "--tracker", db.url, "--out", str(out)])
    assert refused.exit_code == 1 and "needs a reason" in refused.output
    approved = runner.invoke(app, ["approve", str(run2), "--by", "Service manager",
                                   "--reason", "override agreed at panel",
                                   "--tracker", db.url, "--out", str(out)])
    assert approved.exit_code == 0, approved.output
    summary2 = json.loads((out / RUNS / str(run2) / "run_summary.json").read_text())
    assert summary2["plan_status"] == "APPROVED"
    items = by_child()
    assert items[DELAY].state == DELAYED and items[DELAY].planned_date > date(2026, 12, 7)
    store.transition(items["P000156"].id, COMPLETED, by="Team manager")
    store.transition(items["P000584"].id, COMPLETED, by="Team manager")
    store.transition(items[DELAY].id, AGREED, by="Team manager")
    store.transition(items[OVERRIDE_CHILD].id, AGREED, by="Team manager")
    store.transition(items["P000012"].id, DELAYED, by="Team manager",
                     reason="court hearing adjourned")

    # Week 3: the completed, re-agreed and overridden transfers keep their workers. W0023
    # is on leave for the whole horizon, so the three transfers agreed to W0023 and not yet
    # done cannot be kept: they are reported, not silently replanned, and stay agreed in the
    # tracker for a manager to delay or cancel.
    third = batch(out, db.url, WEEKS[2])
    week3 = roster(out)
    for child in ("P000156", DELAY):
        assert week3[child]["to_worker"] == week1[child]["to_worker"], child
    assert week3[OVERRIDE_CHILD]["to_worker"] == OVERRIDE_WORKER
    kept = {items[c].id for c in ("P000156", DELAY, OVERRIDE_CHILD)}
    assert set(third.summary["tracker_pins"]["pinned_items"]) == kept
    not_kept = {n["item"]: n["why"] for n in third.summary["tracker_pins"]["not_pinned"]}
    assert set(not_kept) == {items[c].id for c in ("P000012", "P000585", "P000586")}
    assert all("not at work" in why for why in not_kept.values())
    assert all(week3[c]["to_worker"] != "W0023" for c in ("P000012", "P000585", "P000586"))
    assert third.summary["manager_overrides"] == 0
    items = by_child()
    # The tracker keeps what was agreed; the delayed transfer (worker kept, date re-planned)
    # took week 2's new date.
    assert (items["P000012"].worker, items["P000585"].worker) == ("W0023", "W0023")
    assert items[DELAY].agreed_date.isoformat() == week2[DELAY]["transfer_date"]
    assert {c: items[c].state for c in AGREE + (DELAY, OVERRIDE_CHILD)} == {
        "P000012": DELAYED, "P000156": COMPLETED, "P000584": COMPLETED, "P000585": AGREED,
        "P000586": AGREED, DELAY: AGREED, OVERRIDE_CHILD: AGREED}

    # Escalations on Tuesday 8 December: the delayed transfer and the two agreed for 30
    # November and not done must reach the service manager within 10 working days of 30
    # November (14 December) and be resolved within 20 (30 December, after Christmas and the
    # Boxing Day substitute); the overridden transfer, agreed for a date now passed, likewise
    # from its date; the statutory children still awaiting an experienced lead were
    # escalated the day they were first proposed.
    statuses = review(store.items(), date(2026, 12, 8), rules_for(load_pack("southwark")))
    overdue = {s.item.child_id for s in statuses if s.category == "overdue"}
    assert overdue == {"P000585", "P000586", OVERRIDE_CHILD}
    escalated = {s.item.child_id: s for s in statuses if s.category == "escalated"}
    for child in ("P000012", "P000585", "P000586"):
        assert (escalated[child].notice_by, escalated[child].resolve_by) == (
            date(2026, 12, 14), date(2026, 12, 30)), child
    agreed = items[OVERRIDE_CHILD].agreed_date  # the date week 2 planned for it
    assert escalated[OVERRIDE_CHILD].notice_by == add_working_days(agreed, 10)
    statutory = {c for c, s in escalated.items() if s.raised is not None}
    assert statutory == {"P000108", "P000396"}
    listing = runner.invoke(app, ["tracker", "--tracker", db.url, "--as-of", "2026-12-08"])
    assert listing.exit_code == 0, listing.output
    assert "OVERDUE (agreed date passed, not completed): 3" in listing.output
    assert "notice by 2026-12-14  resolve by 2026-12-30" in listing.output

    # A second run of week 3 on the same inputs changes nothing.
    history = store.history()
    before = {p.name: p.read_bytes() for p in (out / LATEST).iterdir()
              if p.name != "run_summary.json"}
    fourth = batch(out, db.url, WEEKS[2])
    after = {p.name: p.read_bytes() for p in (out / LATEST).iterdir()
             if p.name != "run_summary.json"}
    assert after == before
    assert store.history() == history
    run4 = store.run(fourth.summary["run_id"])
    assert run4.status == "completed" and folder_matches(out / LATEST, run4.hashes)
    store.close()
