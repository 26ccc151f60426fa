"""Agreed items become pins for the next plan, through the manager-override mechanism.

Weeks follow on: a transfer agreed last week is not re-decided this week. Each agreed or
completed item whose child is still planned pins the worker (and the agreed date, when that
date is still one the plan may use); a delayed item pins the worker only, so the plan
proposes a new date. The pins are ordinary ``Override`` rows with the reason
"agreed in tracker (item N)", so they are honoured, checked and explained exactly as a
manager's own overrides are. Items that cannot be pinned (the worker has left the service,
the child no longer needs the move) are reported, never silently dropped.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from allocator import domain as d
from allocator.errors import NoPlanError
from allocator.problem import AllocationProblem, Request
from allocator.tracker.record import TRACKER_REASON_PREFIX
from allocator.tracker.states import AGREED, COMPLETED, DELAYED
from allocator.tracker.store import ItemView, Tracker

if TYPE_CHECKING:
    from allocator.pipeline import PlanRun

PINNED_STATES = (AGREED, COMPLETED, DELAYED)


@dataclass
class PinReport:
    """The pins a plan received and the agreed items it could not receive as pins."""

    pinned: list[int] = field(default_factory=list)  # item ids
    unpinned: list[tuple[int, str]] = field(default_factory=list)  # item id, why


def pin_reason(item_id: int) -> str:
    return f"{TRACKER_REASON_PREFIX} (item {item_id})"


def pins_for(items: Sequence[ItemView], problem: AllocationProblem,
             report: PinReport | None = None,
             excluded: Mapping[int, str] | None = None) -> list[d.Override]:
    """Override rows pinning each agreed, completed or delayed item the plan still holds
    (except ``excluded`` items: id -> why they cannot be pinned this week)."""
    report = report if report is not None else PinReport()
    excluded = excluded or {}
    report.pinned.clear()
    report.unpinned[:] = list(excluded.items())
    by_child: dict[str, list[Request]] = {}
    for r in problem.requests:
        by_child.setdefault(r.child_id, []).append(r)
    out: list[d.Override] = []
    for item in sorted(items, key=lambda i: i.id):
        if item.state not in PINNED_STATES or item.worker is None or item.id in excluded:
            continue
        request, why = _target(item, by_child.get(item.child_id, []), problem)
        if request is None:
            if item.state != COMPLETED:  # a completed move leaving the plan is expected
                report.unpinned.append((item.id, why))
            continue
        out.append(d.Override(over_override_id=f"tracker-{item.id}-worker",
                              over_person_id=item.child_id, over_action="pin_worker",
                              over_professional_id=item.worker, over_reason=pin_reason(item.id),
                              over_by="tracker"))
        usable = item.agreed_date in request.dates and \
            item.agreed_date in problem.workers[item.worker].available
        if item.state != DELAYED and usable:
            out.append(d.Override(over_override_id=f"tracker-{item.id}-date",
                                  over_person_id=item.child_id, over_action="pin_date",
                                  over_date=item.agreed_date, over_reason=pin_reason(item.id),
                                  over_by="tracker"))
        report.pinned.append(item.id)
    return out


def _target(item: ItemView, requests: list[Request],
            problem: AllocationProblem) -> tuple[Request | None, str]:
    """The request an override for this child applies to (its lead request, else its only
    one), if it is the item's own and the item's worker can still take it."""
    ordered = sorted(requests, key=lambda r: r.id)
    lead = [r for r in ordered if r.role == "lead"]
    if not ordered:
        return None, "the child is not moving or awaiting allocation in this plan"
    request = (lead or ordered)[0]
    if (request.role, request.service) != (item.role, item.service):
        return None, "the plan now moves the child elsewhere"
    if item.worker not in problem.service_workers.get(request.service, ()):
        return None, "the agreed worker no longer holds cases in the receiving service"
    worker = problem.workers[item.worker]
    if request.statutory and worker.asye:
        return None, ("the agreed worker is in their ASYE and the child now needs an "
                      "experienced lead")
    if request.dates and not any(t in worker.available for t in request.dates):
        return None, "the agreed worker is not at work on any date the plan may use"
    return request, ""


PinSource = Callable[[str, AllocationProblem], list[d.Override]]


def tracker_pins(tracker: Tracker, report: PinReport | None = None,
                 excluded: Mapping[int, str] | None = None) -> PinSource:
    """A pin source for :func:`allocator.pipeline.run_plan`: it reads the council's items
    once the week's requests are known."""

    def source(council: str, problem: AllocationProblem) -> list[d.Override]:
        items = tracker.items(council=council, states=PINNED_STATES)
        return pins_for(items, problem, report, excluded)

    return source


PIN_ID = re.compile(r"\btracker-(\d+)-(?:worker|date)\b")
"""How a tracker pin is named in a conflict: its item id is group 1."""
MAX_PIN_ROUNDS = 3


def plan_with_pins(plan: Callable[[PinSource], PlanRun], tracker: Tracker,
                   report: PinReport) -> PlanRun:
    """Run ``plan`` with the tracker's pins. If no plan can honour them all, the pins the
    solver names in the conflict are left out and the plan is made again (reported as not
    pinned, with the rule they collided with), so one agreement that can no longer hold does
    not stop the week's plan. A conflict naming no tracker pin is raised as it is."""
    excluded: dict[int, str] = {}
    for _ in range(MAX_PIN_ROUNDS):
        try:
            return plan(tracker_pins(tracker, report, excluded))
        except NoPlanError as exc:
            named = {int(m.group(1)): line for line in exc.conflicts
                     for m in PIN_ID.finditer(line)}
            new = {i: collision(line) for i, line in named.items() if i not in excluded}
            if not new:
                raise
            excluded.update(new)
    return plan(tracker_pins(tracker, report, excluded))


def collision(line: str) -> str:
    """Why a pin named in a conflict cannot hold, in words, from the conflict's line."""
    rule = line.rsplit("but hard rule ", 1)
    if len(rule) == 2:
        return f"no plan can keep it this week: hard rule {rule[1].split()[0]}"
    return "no plan can keep it this week together with the other pins and overrides"
