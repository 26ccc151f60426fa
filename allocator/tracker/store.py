"""The tracker store: open a database by URL, record runs, and change item states.

This module is the only code that writes the tracker. Every change happens in one
transaction, validated against the state machine below, and every state change records who
made it, when and (for a delay or a cancellation) why. Errors name item and run ids only,
never a child's data.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, select, text
from sqlalchemy.orm import Session, sessionmaker

from allocator.tracker.schema import (
    ABANDONED,
    AGREED,
    CANCELLED,
    COMPLETED,
    DELAYED,
    FAILED,
    PROPOSED,
    RUN_COMPLETED,
    STARTED,
    Approval,
    Item,
    Run,
    StateChange,
)

# Allowed state changes. Completed and cancelled are final.
TRANSITIONS: dict[str, frozenset[str]] = {
    PROPOSED: frozenset({AGREED, DELAYED, CANCELLED}),
    AGREED: frozenset({COMPLETED, DELAYED, CANCELLED}),
    DELAYED: frozenset({AGREED, CANCELLED}),
    COMPLETED: frozenset(),
    CANCELLED: frozenset(),
}
NEEDS_REASON = frozenset({DELAYED, CANCELLED})
MIGRATIONS = Path(__file__).parent / "migrations"


class TrackerError(Exception):
    """A request the tracker refuses (unknown item, a transition the state machine forbids,
    a missing reason); the message names ids and states only."""


@dataclass(frozen=True)
class ProposedItem:
    """One request of a checked plan, as the tracker records it."""

    child_id: str
    request_id: str
    role: str
    outcome: str
    statutory: bool
    from_service: str | None
    from_team: str | None
    from_worker: str | None
    service: str
    team: str | None
    worker: str | None
    planned_date: date | None
    clause: str | None
    rule_id: str | None

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.child_id, self.role, self.service)


@dataclass(frozen=True)
class RunRecord:
    """What a completed run adds to its row, written with its items in one transaction."""

    council: str
    pack: str
    week: date
    solver_status: str
    objective: int
    check_ok: bool
    check_objective: int
    output_hashes: dict[str, str]
    exit_code: int
    manager_overrides: int
    items: tuple[ProposedItem, ...]


@dataclass(frozen=True)
class ItemView(ProposedItem):
    """A recorded item: what was proposed, with its id, runs, agreed date and state."""

    id: int
    council: str
    run_id: int
    last_run_id: int
    agreed_date: date | None
    state: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class ChangeView:
    id: int
    item_id: int
    run_id: int | None
    from_state: str | None
    to_state: str
    reason: str | None
    by: str
    at: datetime


@dataclass(frozen=True)
class RunView:
    id: int
    kind: str
    status: str
    council: str | None
    pack: str | None
    week: date | None
    seed: int
    input_hash: str | None
    config_hash: str | None
    configuration: str | None
    code_version: str | None
    solver_status: str | None
    objective: int | None
    check_ok: bool | None
    check_objective: int | None
    output_hashes: str | None
    out_dir: str | None
    exit_code: int | None
    message: str | None
    manager_overrides: int
    started_at: datetime
    finished_at: datetime | None

    @property
    def hashes(self) -> dict[str, str]:
        return json.loads(self.output_hashes) if self.output_hashes else {}


def _view(cls: type, row: object) -> object:
    values = {f.name: getattr(row, f.name) for f in fields(cls)}
    for name, value in values.items():  # SQLite returns naive datetimes: they are UTC
        if isinstance(value, datetime) and value.tzinfo is None:
            values[name] = value.replace(tzinfo=UTC)
    return cls(**values)


def now() -> datetime:
    return datetime.now(UTC)


def system_actor(run_id: int) -> str:
    """Who a run's own changes are recorded as."""
    return f"caseload run {run_id}"


def open_tracker(url: str, schema: str | None = None) -> Tracker:
    """Open (and migrate to the newest revision) the tracker at ``url``.

    ``sqlite:///path/tracker.sqlite`` needs no set-up (the folder is created);
    ``postgresql+psycopg://user:password@host/db`` is a shared deployment. ``schema`` (for
    PostgreSQL) keeps the tables in their own schema, created if missing.
    """
    engine = _engine(url, schema)
    _migrate(engine)
    return Tracker(engine)


def _engine(url: str, schema: str | None) -> Engine:
    if url.startswith("sqlite"):
        path = url.split(":///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            if not Path(path).exists():  # case data: readable by the owner only
                os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    args = {"options": f"-csearch_path={schema}"} if schema else {}
    engine = create_engine(url, connect_args=args, pool_pre_ping=True)
    if schema:
        with engine.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
    return engine


def _sqlite_pragmas(dbapi_connection: object, _record: object) -> None:
    """Foreign keys on, and full sync so a committed run survives a power cut."""
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()


def _migrate(engine: Engine) -> None:
    """Apply the Alembic migrations shipped in the package (no alembic.ini needed)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


class Tracker:
    """The tracker database. Methods are transactions: each commits or changes nothing."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def _tx(self) -> Iterator[Session]:
        with self._sessions.begin() as session:
            yield session

    # runs -----------------------------------------------------------------------------

    def start_run(self, kind: str, seed: int, configuration: dict[str, object],
                  input_hash: str | None, config_hash: str | None, code_version: str,
                  out_dir: str | None, at: datetime | None = None) -> int:
        """Insert a run as ``started`` and return its id; it has no items until completed."""
        with self._tx() as s:
            run = Run(kind=kind, status=STARTED, seed=seed,
                      configuration=json.dumps(configuration, sort_keys=True, default=str),
                      input_hash=input_hash, config_hash=config_hash, code_version=code_version,
                      out_dir=out_dir, manager_overrides=0, started_at=at or now())
            s.add(run)
            s.flush()
            return run.id

    def fail_run(self, run_id: int, exit_code: int, message: str,
                 at: datetime | None = None) -> None:
        """Mark a run that wrote nothing as failed, with its exit status and a short reason."""
        with self._tx() as s:
            run = self._run(s, run_id)
            run.status, run.exit_code, run.message = FAILED, exit_code, message[:200]
            run.finished_at = at or now()

    def abandon_started_runs(self, at: datetime | None = None) -> list[int]:
        """Mark runs left ``started`` (killed before completing) as abandoned. Call only while
        holding the batch lock, when no run can be in progress."""
        with self._tx() as s:
            runs = s.scalars(select(Run).where(Run.status == STARTED)).all()
            for run in runs:
                run.status, run.finished_at = ABANDONED, at or now()
                run.message = "stopped before its outputs were recorded"
            return [r.id for r in runs]

    def complete_run(self, run_id: int, record: RunRecord, at: datetime | None = None) -> None:
        """Record a checked run: its results, output hashes and items, in one transaction."""
        when = at or now()
        with self._tx() as s:
            run = self._run(s, run_id)
            if run.status != STARTED:
                raise TrackerError(f"run {run_id} is {run.status}, not started")
            for name in ("council", "pack", "week", "solver_status", "objective", "check_ok",
                         "check_objective", "exit_code", "manager_overrides"):
                setattr(run, name, getattr(record, name))
            run.output_hashes = json.dumps(record.output_hashes, sort_keys=True)
            run.status, run.finished_at = RUN_COMPLETED, when
            _reconcile(s, run_id, record.council, record.items, when)

    def run(self, run_id: int) -> RunView:
        with self._tx() as s:
            return _view(RunView, self._run(s, run_id))  # type: ignore[return-value]

    def runs(self) -> list[RunView]:
        with self._tx() as s:
            return [_view(RunView, r) for r in s.scalars(select(Run).order_by(Run.id))]  # type: ignore[misc]

    def last_completed_run(self, out_dir: str | None = None) -> RunView | None:
        """The newest completed run (writing into ``out_dir``, if given)."""
        with self._tx() as s:
            q = select(Run).where(Run.status == RUN_COMPLETED)
            if out_dir is not None:
                q = q.where(Run.out_dir == out_dir)
            run = s.scalars(q.order_by(Run.id.desc()).limit(1)).first()
            return None if run is None else _view(RunView, run)  # type: ignore[return-value]

    @staticmethod
    def _run(s: Session, run_id: int) -> Run:
        run = s.get(Run, run_id)
        if run is None:
            raise TrackerError(f"no run {run_id}")
        return run

    # approvals ------------------------------------------------------------------------

    def approve(self, run_id: int, by: str, reason: str | None = None,
                at: datetime | None = None) -> None:
        """Record a manager's approval of a completed run. A plan carrying manager overrides
        or leaving a statutory child unallocated is approved only with a reason."""
        by = _actor(by)
        with self._tx() as s:
            run = self._run(s, run_id)
            if run.status != RUN_COMPLETED:
                raise TrackerError(f"run {run_id} is {run.status}: only a completed run's "
                                   "plan can be approved")
            needs_reason = run.manager_overrides > 0 or run.exit_code == 3
            if needs_reason and not (reason and reason.strip()):
                raise TrackerError(f"run {run_id} carries manager overrides or an unallocated "
                                   "statutory child: approving it needs a reason")
            s.add(Approval(run_id=run_id, by=by, reason=(reason or None), at=at or now()))

    def approvals(self, run_id: int) -> list[tuple[str, str | None, datetime]]:
        with self._tx() as s:
            rows = s.scalars(select(Approval).where(Approval.run_id == run_id)
                             .order_by(Approval.id)).all()
            return [(a.by, a.reason, _utc(a.at)) for a in rows]

    # items ----------------------------------------------------------------------------

    def items(self, council: str | None = None,
              states: Sequence[str] | None = None) -> list[ItemView]:
        with self._tx() as s:
            q = select(Item)
            if council is not None:
                q = q.where(Item.council == council)
            if states is not None:
                q = q.where(Item.state.in_(list(states)))
            return [_view(ItemView, i) for i in s.scalars(q.order_by(Item.id))]  # type: ignore[misc]

    def item(self, item_id: int) -> ItemView:
        with self._tx() as s:
            return _view(ItemView, self._item(s, item_id))  # type: ignore[return-value]

    def history(self, item_id: int | None = None) -> list[ChangeView]:
        with self._tx() as s:
            q = select(StateChange)
            if item_id is not None:
                q = q.where(StateChange.item_id == item_id)
            return [_view(ChangeView, c) for c in s.scalars(q.order_by(StateChange.id))]  # type: ignore[misc]

    def transition(self, item_id: int, to_state: str, by: str, reason: str | None = None,
                   on: date | None = None, at: datetime | None = None) -> ItemView:
        """Move an item to ``to_state`` if the state machine allows it.

        Agreeing fixes the transfer date (``on``, default the planned date); a delay or a
        cancellation needs a reason. Who and when are always recorded.
        """
        by = _actor(by)
        reason = (reason or "").strip() or None
        with self._tx() as s:
            item = self._item(s, item_id)
            if to_state not in TRANSITIONS.get(item.state, frozenset()):
                raise TrackerError(f"item {item_id} is {item.state}: it cannot become "
                                   f"{to_state}")
            if to_state in NEEDS_REASON and not reason:
                raise TrackerError(f"making item {item_id} {to_state} needs a reason")
            if to_state == AGREED:
                if item.worker is None:
                    raise TrackerError(f"item {item_id} has no worker (the plan left it "
                                       "unallocated): plan again before agreeing it")
                agreed = on or item.planned_date
                if agreed is None:
                    raise TrackerError(f"item {item_id} has no planned date: give one")
                item.agreed_date = agreed
            s.add(StateChange(item_id=item_id, from_state=item.state, to_state=to_state,
                              reason=reason, by=by, at=at or now()))
            item.state, item.updated_at = to_state, at or now()
            s.flush()
            return _view(ItemView, item)  # type: ignore[return-value]

    @staticmethod
    def _item(s: Session, item_id: int) -> Item:
        item = s.get(Item, item_id)
        if item is None:
            raise TrackerError(f"no item {item_id}")
        return item


def _actor(by: str) -> str:
    by = (by or "").strip()
    if not by:
        raise TrackerError("say who makes the change (--by NAME)")
    return by[:120]


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


_PLAN_FIELDS = ("request_id", "outcome", "statutory", "from_service", "from_team",
                "from_worker", "team", "worker", "planned_date", "clause", "rule_id")


def _reconcile(s: Session, run_id: int, council: str, proposed: Sequence[ProposedItem],
               when: datetime) -> None:
    """Fold a run's requests into the items: new requests become proposed items, open items
    follow the new plan while still proposed (or delayed, for the new date), agreed and
    completed items stay as agreed, and proposals the plan no longer makes are cancelled.
    A run whose plan matches the tracker changes nothing but ``last_run_id``, and as the
    pins come only from agreed, completed and delayed items, which a run never re-assigns,
    a second run on the same inputs gets the same pins and so the same plan."""
    current = {(i.child_id, i.role, i.service): i for i in s.scalars(
        select(Item).where(Item.council == council, Item.state != CANCELLED).order_by(Item.id))}
    seen: set[int] = set()
    for p in proposed:
        found = current.get(p.key)
        if found is None:
            _propose(s, council, p, run_id, when)
        else:
            seen.add(found.id)
            _follow(s, found, p, run_id, when)
    for item in current.values():
        if item.state == PROPOSED and item.id not in seen:
            s.add(StateChange(item_id=item.id, run_id=run_id, from_state=PROPOSED,
                              to_state=CANCELLED, by=system_actor(run_id), at=when,
                              reason=f"no longer proposed by run {run_id}"))
            item.state, item.updated_at = CANCELLED, when


def _propose(s: Session, council: str, p: ProposedItem, run_id: int, when: datetime) -> None:
    item = Item(council=council, run_id=run_id, last_run_id=run_id, state=PROPOSED,
                service=p.service, child_id=p.child_id, role=p.role, created_at=when,
                updated_at=when, **{f: getattr(p, f) for f in _PLAN_FIELDS})
    s.add(item)
    s.flush()
    s.add(StateChange(item_id=item.id, run_id=run_id, from_state=None, to_state=PROPOSED,
                      reason=None, by=system_actor(run_id), at=when))


def _follow(s: Session, item: Item, p: ProposedItem, run_id: int, when: datetime) -> None:
    """An open item meets this run's plan for it."""
    if item.state in (AGREED, COMPLETED, DELAYED):
        # Pinned: the agreed worker stays (a plan that could not keep it has reported so);
        # a delayed transfer takes the plan's new date for managers to agree.
        if (item.worker, item.team) == (p.worker, p.team):
            item.last_run_id = run_id
            if item.state == DELAYED and item.planned_date != p.planned_date:
                _replan(s, item, p, ["planned_date"], run_id, when)
        return
    item.last_run_id = run_id
    changed = [f for f in _PLAN_FIELDS if getattr(item, f) != getattr(p, f)]
    if changed:
        _replan(s, item, p, changed, run_id, when)


def _replan(s: Session, item: Item, p: ProposedItem, changed: list[str], run_id: int,
            when: datetime) -> None:
    """Take the new plan's values for ``changed`` fields, recorded as a change in place."""
    for f in changed:
        setattr(item, f, getattr(p, f))
    item.updated_at = when
    s.add(StateChange(item_id=item.id, run_id=run_id, from_state=item.state,
                      to_state=item.state, by=system_actor(run_id), at=when,
                      reason=f"replanned by run {run_id}: " + ", ".join(changed)))
