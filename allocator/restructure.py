"""Full re-allocation: every open child placed afresh, as in a restructure.

Leadership re-plans whole services when teams are redrawn: every child is given a lead
again, keeping the current worker where that is best (the continuity weight rewards it)
and moving children from workers who are over capacity to those with room. The week's
own decisions (transfers due, new arrivals, co-working, ASYE protection) stand as in a
weekly plan; every other open child in a service with case-holding workers gets an
``allocate`` decision in the service that holds them now, citing :data:`RESTRUCTURE_REASON`
and keeping the decision it replaces as overruled.

A child kept with their lead needs nothing; a child who changes worker is handed over on
the worker's first day at work in the handover window. Handovers are arranged by the
restructure itself, so they take no weekly transfer-meeting slot and do not count against
a worker's weekly limit of new children (see :class:`allocator.problem.Request`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date

from allocator.calendar import add_working_days, next_working_day
from allocator.problem import RESTRUCTURE_RULE
from allocator.rules.engine import Decision, Reason
from allocator.state import ChildState

HANDOVER_WINDOW_WORKING_DAYS = 10  # a child who changes worker is handed over within this

RESTRUCTURE_REASON = Reason(
    RESTRUCTURE_RULE, "restructure",
    "every child is placed afresh; the current worker is kept unless a move is better",
    "A full re-allocation (a restructure) plans a lead for every open child: the current "
    "worker is kept where capacity allows, and children move from workers over capacity to "
    "workers with room, siblings together.",
)

WEEKLY_OUTCOMES = ("allocate", "transfer", "start_coworking", "coworker_becomes_lead")
"""Outcomes the week's rules already plan; their decisions stand unchanged."""


def reallocate_all(decisions: Iterable[Decision], states: dict[str, ChildState],
                   plan_date: date, services: Iterable[str]) -> list[Decision]:
    """The week's decisions with every other open child in ``services`` placed afresh.

    Closing and stepping-down children keep their decisions: their cases end. Children in
    a service without case-holding workers keep theirs too (nobody could take them).
    """
    held = set(services)
    start = next_working_day(plan_date)
    last = add_working_days(start, HANDOVER_WINDOW_WORKING_DAYS - 1)
    out = []
    for dec in decisions:
        child = states[dec.child_id]
        weekly = dec.needs_allocation and dec.outcome in WEEKLY_OUTCOMES
        ending = dec.outcome in ("close", "step_down") and dec.due
        if weekly or ending or child.service not in held:
            out.append(dec)
            continue
        out.append(replace(
            dec, outcome="allocate", rule_id=RESTRUCTURE_RULE, to_service=child.service,
            point="restructure: placed afresh", anchor=start, earliest=start, latest=last,
            date_from=start, date_to=last, due=True, notice_working_days=0,
            flags=("restructure",), coworking_service=None, joint_visit_by=None,
            introduction_by=None, escalate_after=None, resolve_by=None,
            reasons=(RESTRUCTURE_REASON,), overruled=dec.reasons + dec.overruled))
    return out
