"""Escalation on the policies' timescales: what is due, overdue and escalated on a date.

A pack states its escalation timescale in ``[timescales]`` (``escalation_working_days``,
``resolution_working_days``, ``escalation_clause``; Shropshire 2.13: "In the event of a
delay to the agreed transfer date ... the relevant Service Managers must be notified within
10 working days ... to reach a resolution within 20 working days"). Where a pack is silent
the product's defaults apply, 10 and 20 working days, cited as "product default".

Both deadlines count working days (England's bank holidays skipped) from the agreed transfer
date, as the rule engine dates a late window's escalation, so one definition holds.

- due: agreed, with the agreed date in the next ``DUE_WORKING_DAYS`` working days;
- overdue: agreed, the agreed date passed, neither completed nor recorded as delayed;
- escalated: every delayed or overdue transfer (notify the service manager by the notice
  date, resolve by the resolution date), and at once every child on a CP plan, looked after
  or in proceedings who is still awaiting allocation.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from allocator.calendar import add_working_days, next_working_day
from allocator.rules.pack import Pack
from allocator.tracker.states import AGREED, DELAYED, PROPOSED
from allocator.tracker.store import ItemView

DEFAULT_NOTICE_WORKING_DAYS = 10
DEFAULT_RESOLUTION_WORKING_DAYS = 20
DEFAULT_CLAUSE = "product default"
DUE_WORKING_DAYS = 5


@dataclass(frozen=True)
class EscalationRules:
    notice_working_days: int
    resolution_working_days: int
    clause: str  # the pack's clause, or "product default"


@dataclass(frozen=True)
class Status:
    """One line of the tracker's review: an item, why it is listed and its deadlines."""

    item: ItemView
    category: str  # due | overdue | escalated
    why: str
    notice_by: date | None = None
    resolve_by: date | None = None
    raised: date | None = None  # escalated at once: the day the tracker first held it

    def late(self, as_of: date) -> str | None:
        """Which deadline has passed on ``as_of``, if any."""
        if self.resolve_by is not None and as_of > self.resolve_by:
            return "resolution overdue"
        if self.notice_by is not None and as_of > self.notice_by:
            return "notice overdue"
        return None


def rules_for(pack: Pack | None) -> EscalationRules:
    """The pack's escalation timescales, or the product defaults where it states none."""
    ts = pack.timescales if pack is not None else None
    if ts is None or ts.escalation_working_days is None:
        return EscalationRules(DEFAULT_NOTICE_WORKING_DAYS, DEFAULT_RESOLUTION_WORKING_DAYS,
                               DEFAULT_CLAUSE)
    return EscalationRules(
        ts.escalation_working_days,
        ts.resolution_working_days if ts.resolution_working_days is not None
        else DEFAULT_RESOLUTION_WORKING_DAYS,
        ts.escalation_clause or DEFAULT_CLAUSE)


def awaiting_statutory_allocation(item: ItemView) -> bool:
    """A CP, looked-after or proceedings child still waiting for a lead worker."""
    waiting = item.outcome == "allocate" or item.worker is None
    return item.statutory and item.role == "lead" and waiting and item.state in (PROPOSED,
                                                                                  DELAYED)


def review(items: Iterable[ItemView], as_of: date, rules: EscalationRules) -> list[Status]:
    """Every due, overdue and escalated item on ``as_of``, in that order, then by date."""
    out: list[Status] = []
    due_until = add_working_days(next_working_day(as_of), DUE_WORKING_DAYS - 1)
    for item in items:
        out.extend(_statuses(item, as_of, due_until, rules))
    order = {"due": 0, "overdue": 1, "escalated": 2}
    return sorted(out, key=lambda s: (order[s.category], s.notice_by or date.max,
                                      s.item.agreed_date or date.max, s.item.id))


def _statuses(item: ItemView, as_of: date, due_until: date,
              rules: EscalationRules) -> list[Status]:
    if awaiting_statutory_allocation(item):
        raised = item.created_at.date()
        return [Status(item, "escalated", "statutory child awaiting allocation: escalated at "
                       "once", resolve_by=add_working_days(raised, rules.resolution_working_days),
                       raised=raised)]
    anchor = item.agreed_date or item.planned_date
    if anchor is None:
        return []
    notice = add_working_days(anchor, rules.notice_working_days)
    resolve = add_working_days(anchor, rules.resolution_working_days)
    if item.state == DELAYED:
        return [Status(item, "escalated", f"delayed: notify the service manager "
                       f"({rules.clause})", notice, resolve)]
    if item.state != AGREED:
        return []
    if anchor < as_of:
        why = f"agreed date passed, not completed: notify the service manager ({rules.clause})"
        return [Status(item, "overdue", "agreed date passed: complete it or record the delay"),
                Status(item, "escalated", why, notice, resolve)]
    if anchor <= due_until:
        return [Status(item, "due", "agreed transfer due")]
    return []
