"""The simulated council's transfer tracker: the product's own database, weeks following on.

Each simulated week goes through the tracker as a council's weekly batch run and its
managers would (see docs/tracker-and-batch.md):

1. the plan takes its pins from the tracker's agreed, completed and delayed items, as
   ``caseload plan --tracker`` does (:mod:`allocator.simulation.pinning`);
2. the run and its proposed items are recorded, as ``caseload batch`` records them;
3. a simulated manager agrees every proposal the plan allocated, and re-agrees every
   delayed transfer the plan kept, at the plan's date;
4. an agreed item whose move the week recorded is completed, on the move's date;
5. at the end of the week the manager cancels every agreement the week's plan could not
   keep (with the tracker's own why), and records as delayed every agreed transfer whose
   date has passed without the move;
6. the tracker's escalation review on the Sunday gives the week's escalation figures.

Every timestamp is simulated time, so the same scenario and seed give the same database
and the same figures. The database is a real SQLite file, migrated by Alembic and changed
only through :class:`allocator.tracker.store.Tracker`.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from allocator.pipeline import PlanRun, run_plan
from allocator.plan import Assignment
from allocator.rules.pack import load_pack
from allocator.simulation.pinning import plan_keeping_most_pins
from allocator.tracker.escalation import awaiting_statutory_allocation, review, rules_for
from allocator.tracker.pins import PinReport
from allocator.tracker.record import code_version, config_hash, input_hash, run_record
from allocator.tracker.states import AGREED, CANCELLED, COMPLETED, DELAYED, OPEN_STATES, PROPOSED
from allocator.tracker.store import Tracker, open_tracker

MANAGER = "simulated manager"
EXIT_OK, EXIT_UNALLOCATED_STATUTORY = 0, 3


@dataclass(frozen=True)
class WeekTracking:
    """What the tracker says of one simulated week."""

    pins_dropped: int  # agreed moves left out so that the week has a plan
    agreed_moves_not_held: int  # every agreed move the week's plan could not keep
    items_escalated: int  # escalated on the Sunday: delayed, overdue, statutory waiting
    statutory_escalated: int  # of those, CP / looked-after children awaiting allocation


class SimulatedTracker:
    """One scenario run's tracker database: ``path``, or a temporary file removed on close.
    A file left by an earlier run at ``path`` is replaced, so a run starts from nothing."""

    def __init__(self, path: Path | None = None) -> None:
        self._tmp: Path | None = None
        if path is None:
            self._tmp = Path(tempfile.mkdtemp(prefix="caseload-sim-tracker-"))
            path = self._tmp / "tracker.sqlite"
        self.path = Path(path)
        self.path.unlink(missing_ok=True)
        self.store: Tracker = open_tracker(f"sqlite:///{self.path.resolve()}")
        self.report = PinReport()
        self.dropped: tuple[int, ...] = ()
        self.run_id = 0

    def close(self) -> None:
        self.store.close()
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)

    def plan_and_record(self, folder: Path, week: date, pack: str | None, seed: int,
                        time_limit: float) -> PlanRun:
        """Steps 1 to 3: the week's plan with the tracker's pins, recorded, proposals agreed."""
        configuration: dict[str, object] = {"week": week, "pack": pack, "seed": seed,
                                            "time_limit": time_limit, "simulated": True}
        self.run_id = self.store.start_run("batch", seed, configuration, input_hash(folder),
                                           config_hash(configuration), code_version(), None,
                                           at=_at(week, 6))
        pinned = plan_keeping_most_pins(lambda pins: run_plan(
            folder, week=week, pack_name=pack, seed=seed, time_limit=time_limit, pins=pins),
            self.store, self.report)
        run, self.dropped = pinned.run, pinned.dropped
        exit_code = EXIT_UNALLOCATED_STATUTORY if run.statutory_unallocated else EXIT_OK
        self.store.complete_run(self.run_id, run_record(run, {}, exit_code), at=_at(week, 7))
        self._agree(run.caseload.manifest.council, week)
        return run

    def _agree(self, council: str, week: date) -> None:
        for item in self.store.items(council=council, states=(PROPOSED, DELAYED)):
            kept = item.state == PROPOSED or item.last_run_id == self.run_id
            if item.worker is not None and item.planned_date is not None and kept:
                self.store.transition(item.id, AGREED, MANAGER, on=item.planned_date,
                                      at=_at(week, 9))

    def complete_moves(self, council: str, made: list[Assignment]) -> None:
        """Step 4: the agreed items whose moves the week recorded are completed."""
        agreed = {(i.child_id, i.role, i.service, i.worker): i
                  for i in self.store.items(council=council, states=(AGREED,))}
        for a in made:
            item = agreed.get((a.child_id, a.role, a.service, a.worker))
            if item is not None and a.on is not None:
                self.store.transition(item.id, COMPLETED, MANAGER, at=_at(a.on, 17))

    def end_week(self, council: str, week: date, pack: str) -> WeekTracking:
        """Steps 5 and 6: the manager's end-of-week actions, then the Sunday review."""
        sunday = week + timedelta(days=6)
        not_held = dict(self.report.unpinned)
        for item in self.store.items(council=council, states=(AGREED, DELAYED)):
            if item.id in not_held:
                self.store.transition(item.id, CANCELLED, MANAGER, at=_at(sunday, 12),
                                      reason=f"could not hold: {not_held[item.id]}")
            elif item.state == AGREED and item.agreed_date is not None \
                    and item.agreed_date <= sunday:
                self.store.transition(item.id, DELAYED, MANAGER, at=_at(sunday, 12),
                                      reason="agreed date passed without the move")
        statuses = review(self.store.items(council=council, states=OPEN_STATES), sunday,
                          rules_for(load_pack(pack)))
        escalated = [s for s in statuses if s.category == "escalated"]
        return WeekTracking(
            pins_dropped=len(self.dropped), agreed_moves_not_held=len(not_held),
            items_escalated=len(escalated),
            statutory_escalated=sum(1 for s in escalated
                                    if awaiting_statutory_allocation(s.item)))


def _at(day: date, hour: int) -> datetime:
    """Simulated time: the tracker's clock is the simulated week, not the machine's."""
    return datetime.combine(day, time(hour), tzinfo=UTC)

