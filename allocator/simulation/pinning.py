"""Agreed moves as pins for the week's plan, dropping as few as needed when they cannot all
hold together.

The pins come from the transfer tracker exactly as ``caseload plan --tracker`` takes them
(:func:`allocator.tracker.pins.tracker_pins`): an agreed item whose worker can no longer take
the child is not pinned, with why. When the remaining pins together admit no plan, the
product's one-shot answer (:func:`allocator.tracker.pins.plan_with_pins`) leaves out every
pin the solver names in the conflict: that can be more than needed (three named where
leaving out two restores a plan), and a conflict that names no pin stops the week. Over
months of simulated weeks either can happen, so here the pins are searched,
deterministically, for a set the week can hold to which no pin left out could be added
back:

The same search runs when the solver, out of time, returns a plan that breaks some pins and
the independent check rejects it: those pins could not be kept by any plan the week's time
limit found, and are the named ones.

1. a plan without any pin is tried (if there is none, the conflict is not the pins' and is
   raised as the pipeline raises it); then every pin the solver did not name is tried,
   then the named ones;
2. a group that holds is kept whole; one that does not is halved, and each half tried in
   turn on top of what is already kept; a single pin that does not hold is dropped.

Each dropped pin is an item the tracker reports as not pinned, with why, so no agreement
is dropped silently; the week's figures count them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from allocator.errors import NoPlanError, PlanCheckError
from allocator.pipeline import PlanRun
from allocator.tracker.pins import PIN_ID, PinReport, PinSource, collision, tracker_pins
from allocator.tracker.store import Tracker

NOT_HELD = "no plan can keep it this week together with the other agreed moves"
UNKEPT = "the week's plan, within its time limit, could not keep it (found by the check)"
NO_PLAN = (NoPlanError, PlanCheckError)  # what a set of pins the week cannot hold raises


@dataclass(frozen=True)
class PinnedPlan:
    """The week's plan and the pins left out so that it exists."""

    run: PlanRun
    dropped: tuple[int, ...] = ()  # tracker item ids, ascending


def plan_keeping_most_pins(plan: Callable[[PinSource], PlanRun], tracker: Tracker,
                           report: PinReport) -> PinnedPlan:
    """Run ``plan`` with every pin the tracker gives; if no plan honours them all, keep the
    set the search above finds (no pin left out could be added back). ``report`` ends as the plan's own pin report.
    A week with no plan even without pins raises as the pipeline does."""
    try:
        return PinnedPlan(plan(tracker_pins(tracker, report)))
    except NO_PLAN as exc:
        offered = tuple(sorted(report.pinned))
        if not offered:
            raise
        named = _named(exc)
    search = _Search(plan, tracker, report, offered, named)
    if not search.holds([]):  # no plan even without pins: not the pins' doing
        search.final([])  # raises the week's own error
    unnamed = [i for i in offered if i not in named]
    kept = search.admit(search.admit([], unnamed), [i for i in offered if i in named])
    return PinnedPlan(search.final(kept), tuple(i for i in offered if i not in kept))


def _named(exc: NoPlanError | PlanCheckError) -> dict[int, str]:
    """Tracker items the solver names in a conflict, with the rule they collided with, or
    the check names as not kept by the plan."""
    if isinstance(exc, NoPlanError):
        return {int(m.group(1)): collision(line) for line in exc.conflicts
                for m in PIN_ID.finditer(line)}
    return {int(m.group(1)): UNKEPT for line in exc.violations for m in PIN_ID.finditer(line)}


@dataclass
class _Search:
    """Plans tried with a subset of the offered pins; sets known to fail are not retried."""

    plan: Callable[[PinSource], PlanRun]
    tracker: Tracker
    report: PinReport
    offered: tuple[int, ...]
    named: dict[int, str]
    failed: set[frozenset[int]] = field(default_factory=set)
    last: tuple[frozenset[int], PlanRun, PinReport] | None = None  # the last plan that held

    def __post_init__(self) -> None:
        self.failed.add(frozenset(self.offered))

    def admit(self, kept: list[int], trial: list[int]) -> list[int]:
        """``kept`` plus as much of ``trial`` as holds with it, halving what does not."""
        if not trial:
            return kept
        if self.holds(kept + trial):
            return kept + trial
        if len(trial) == 1:
            return kept
        half = len(trial) // 2
        return self.admit(self.admit(kept, trial[:half]), trial[half:])

    def holds(self, pins: list[int]) -> bool:
        key = frozenset(pins)
        if key in self.failed:
            return False
        try:
            run = self._plan(key)
        except NO_PLAN:
            self.failed.add(key)
            return False
        self.last = (key, run, PinReport(list(self.report.pinned), list(self.report.unpinned)))
        return True

    def final(self, kept: list[int]) -> PlanRun:
        """The plan with exactly ``kept`` pinned (the last one that held, when it is)."""
        key = frozenset(kept)
        if self.last is None or self.last[0] != key:
            return self._plan(key)
        _, run, report = self.last  # later tries failed and rewrote the report: restore it
        self.report.pinned[:], self.report.unpinned[:] = report.pinned, report.unpinned
        return run

    def _plan(self, pins: frozenset[int]) -> PlanRun:
        excluded = {i: self.named.get(i, NOT_HELD) for i in self.offered if i not in pins}
        return self.plan(tracker_pins(self.tracker, self.report, excluded))
