"""Escalation on the packs' timescales, in working days with England's bank holidays."""

from __future__ import annotations

from datetime import UTC, date, datetime

from allocator.rules.pack import load_pack
from allocator.tracker.escalation import (
    DEFAULT_CLAUSE,
    EscalationRules,
    review,
    rules_for,
)
from allocator.tracker.states import AGREED, COMPLETED, DELAYED, PROPOSED
from allocator.tracker.store import ItemView

RULES = EscalationRules(10, 20, "2.13")
CREATED = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def item(state: str = AGREED, agreed: date | None = date(2026, 11, 30), statutory: bool = False,
         outcome: str = "transfer", worker: str | None = "W1", item_id: int = 1) -> ItemView:
    return ItemView(id=item_id, council="Test", run_id=1, last_run_id=1, child_id="C1",
                    request_id="C1:lead", role="lead", outcome=outcome, statutory=statutory,
                    from_service="ai", from_team="T1", from_worker="W0", service="sfs",
                    team="T2", worker=worker, planned_date=agreed or date(2026, 11, 30),
                    agreed_date=agreed, clause="4.2.2(1)", rule_id="r", state=state,
                    created_at=CREATED, updated_at=CREATED)


def test_shropshire_states_its_timescale_and_silent_packs_get_the_defaults():
    assert rules_for(load_pack("shropshire")) == EscalationRules(10, 20, "2.13")
    assert rules_for(load_pack("southwark")) == EscalationRules(10, 20, DEFAULT_CLAUSE)


def test_a_pack_with_only_a_notice_period_keeps_the_default_resolution():
    pack = load_pack("shropshire")
    ts = pack.timescales.model_copy(update={"resolution_working_days": None})
    assert rules_for(pack.model_copy(update={"timescales": ts})).resolution_working_days == 20


def test_a_delay_over_christmas_counts_working_days_only():
    # Agreed for Monday 21 December 2026. Working days skip 25 December, the Boxing Day
    # substitute on Monday 28 December and 1 January: 22, 23, 24, 29, 30, 31 December,
    # then 4 to 7 January make ten, so the service manager is told by 7 January 2027;
    # twenty working days run to 21 January.
    (status,) = review([item(DELAYED, date(2026, 12, 21))], date(2026, 12, 22), RULES)
    assert status.category == "escalated"
    assert (status.notice_by, status.resolve_by) == (date(2027, 1, 7), date(2027, 1, 21))
    assert status.late(date(2027, 1, 7)) is None
    assert status.late(date(2027, 1, 8)) == "notice overdue"
    assert status.late(date(2027, 1, 22)) == "resolution overdue"


def test_an_agreed_transfer_is_due_then_overdue_and_escalated():
    agreed = item(AGREED, date(2026, 11, 30))
    (due,) = review([agreed], date(2026, 11, 25), RULES)
    assert due.category == "due"
    assert review([agreed], date(2026, 11, 30), RULES)[0].category == "due"  # on the day
    overdue, escalated = review([agreed], date(2026, 12, 1), RULES)
    assert (overdue.category, escalated.category) == ("overdue", "escalated")
    assert (escalated.notice_by, escalated.resolve_by) == (date(2026, 12, 14),
                                                           date(2026, 12, 30))


def test_far_off_proposed_and_completed_items_are_not_listed():
    assert review([item(AGREED, date(2027, 2, 1))], date(2026, 11, 25), RULES) == []
    assert review([item(PROPOSED)], date(2026, 12, 25), RULES) == []
    assert review([item(COMPLETED)], date(2026, 12, 25), RULES) == []


def test_a_statutory_child_awaiting_allocation_is_escalated_at_once():
    waiting = item(PROPOSED, None, statutory=True, outcome="allocate")
    unallocated = item(PROPOSED, None, statutory=True, worker=None, item_id=2)
    statuses = review([waiting, unallocated], date(2026, 11, 23), RULES)
    assert [s.category for s in statuses] == ["escalated", "escalated"]
    assert all(s.raised == date(2026, 11, 23) for s in statuses)
    assert all(s.resolve_by == date(2026, 12, 21) for s in statuses)
    agreed = item(AGREED, date(2026, 11, 30), statutory=True, outcome="allocate")
    assert [s.category for s in review([agreed], date(2026, 11, 25), RULES)] == ["due"]
