"""The tracker store on real databases: migrations, the state machine, who and when.

Every test here runs on SQLite and on PostgreSQL (``CASELOAD_TEST_PG_URL``, default the
database `.ci/setup.d/20-postgres.sh` creates). Without a reachable server the PostgreSQL
cases are skipped, unless CI is set, when they fail: CI must test both.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, inspect, text

from allocator.tracker.states import (
    AGREED,
    CANCELLED,
    COMPLETED,
    DELAYED,
    PROPOSED,
    STATES,
)
from allocator.tracker.store import (
    TRANSITIONS,
    ProposedItem,
    RunRecord,
    Tracker,
    TrackerError,
    open_tracker,
)

PG_URL = os.environ.get("CASELOAD_TEST_PG_URL",
                        "postgresql+psycopg://caseload:caseload@localhost:5432/caseload_test")
DATABASES = ["sqlite", "postgresql"]


@dataclass(frozen=True)
class Database:
    kind: str
    url: str  # a URL any process can open, its own schema included for PostgreSQL


def _pg_reachable() -> str | None:
    """None when the server answers, else why not."""
    try:
        engine = create_engine(PG_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
        return None
    except Exception as exc:  # noqa: BLE001 - whatever the failure, there is no server
        return type(exc).__name__


def open_database(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> Database:
    """A fresh, empty tracker database of ``kind``; PostgreSQL in a schema of its own that
    is dropped afterwards, so reruns start clean."""
    if kind == "sqlite":
        return Database(kind, f"sqlite:///{tmp_path / 'tracker.sqlite'}")
    why = _pg_reachable()
    if why is not None:
        message = f"PostgreSQL at CASELOAD_TEST_PG_URL is unreachable ({why})"
        if os.environ.get("CI"):
            pytest.fail(message + "; CI must run the tracker tests on PostgreSQL")
        pytest.skip(message + "; run .ci/setup.d/20-postgres.sh")
    schema = f"caseload_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))

    def drop() -> None:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()

    request.addfinalizer(drop)
    sep = "&" if "?" in PG_URL else "?"
    return Database(kind, f"{PG_URL}{sep}options={quote(f'-csearch_path={schema}')}")


@pytest.fixture(params=DATABASES)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Database:
    return open_database(request.param, tmp_path, request)


@pytest.fixture
def tracker(database: Database):
    store = open_tracker(database.url)
    yield store
    store.close()


AT = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def proposal(child: str = "C1", worker: str | None = "W1", on: date | None = date(2026, 11, 30),
             statutory: bool = False, outcome: str = "transfer") -> ProposedItem:
    return ProposedItem(child_id=child, request_id=f"{child}:lead", role="lead",
                        outcome=outcome, statutory=statutory, from_service="ai",
                        from_team="T1", from_worker="W0", service="sfs", team="T2",
                        worker=worker, planned_date=on, clause="4.2.2(1)", rule_id="r1")


def record_run(store: Tracker, *items: ProposedItem, at: datetime = AT) -> int:
    """A completed run proposing ``items`` for the test council."""
    run_id = store.start_run("plan", 0, {"seed": 0}, "in", "cfg", "test", None, at=at)
    store.complete_run(run_id, RunRecord(
        council="Test", pack="southwark", week=date(2026, 11, 23), solver_status="OPTIMAL",
        objective=0, check_ok=True, check_objective=0, output_hashes={"plan.json": "x"},
        exit_code=0, manager_overrides=0, items=tuple(items)), at=at)
    return run_id


def test_open_applies_the_migrations_and_reopening_changes_nothing(database):
    first = open_tracker(database.url)
    names = set(inspect(first.engine).get_table_names())
    assert {"runs", "items", "state_changes", "approvals", "alembic_version"} <= names
    first.close()
    again = open_tracker(database.url)  # at head already: no error, no new revision
    with again.engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0001"
    again.close()


def test_ordinary_path_records_who_when_and_the_agreed_date(tracker):
    record_run(tracker, proposal())
    (item,) = tracker.items()
    assert item.state == PROPOSED
    agreed = tracker.transition(item.id, AGREED, by="Team manager A", at=AT)
    assert (agreed.state, agreed.agreed_date) == (AGREED, date(2026, 11, 30))
    tracker.transition(item.id, COMPLETED, by="Team manager B", at=AT)
    changes = tracker.history(item.id)
    assert [(c.from_state, c.to_state, c.by) for c in changes] == [
        (None, PROPOSED, "caseload run 1"), (PROPOSED, AGREED, "Team manager A"),
        (AGREED, COMPLETED, "Team manager B")]
    assert all(c.at == AT for c in changes[1:])


def test_delay_and_cancel_need_a_reason_and_someone(tracker):
    record_run(tracker, proposal())
    (item,) = tracker.items()
    with pytest.raises(TrackerError, match="needs a reason"):
        tracker.transition(item.id, DELAYED, by="TM")
    with pytest.raises(TrackerError, match="--by"):
        tracker.transition(item.id, AGREED, by=" ")
    tracker.transition(item.id, DELAYED, by="TM", reason="receiving team at capacity")
    assert tracker.history(item.id)[-1].reason == "receiving team at capacity"
    tracker.transition(item.id, AGREED, by="TM", on=date(2026, 12, 14))
    assert tracker.item(item.id).agreed_date == date(2026, 12, 14)
    with pytest.raises(TrackerError, match="needs a reason"):
        tracker.transition(item.id, CANCELLED, by="TM")


def test_forbidden_transitions_are_refused_and_change_nothing(tracker):
    record_run(tracker, proposal())
    (item,) = tracker.items()
    with pytest.raises(TrackerError, match="cannot become completed"):
        tracker.transition(item.id, COMPLETED, by="TM")
    tracker.transition(item.id, CANCELLED, by="TM", reason="child moved out of area")
    with pytest.raises(TrackerError, match="cannot become agreed"):
        tracker.transition(item.id, AGREED, by="TM")
    assert tracker.item(item.id).state == CANCELLED
    assert len(tracker.history(item.id)) == 2


def test_an_unallocated_item_cannot_be_agreed(tracker):
    record_run(tracker, proposal(worker=None, statutory=True, outcome="allocate"))
    (item,) = tracker.items()
    with pytest.raises(TrackerError, match="no worker"):
        tracker.transition(item.id, AGREED, by="TM")


def test_a_run_matching_the_tracker_changes_nothing_but_last_run(tracker):
    record_run(tracker, proposal("C1"), proposal("C2"))
    before = tracker.history()
    run2 = record_run(tracker, proposal("C1"), proposal("C2"))
    assert tracker.history() == before
    assert {i.last_run_id for i in tracker.items()} == {run2}


def test_a_later_run_updates_proposals_keeps_agreements_and_cancels_dropped_ones(tracker):
    record_run(tracker, proposal("C1"), proposal("C2"), proposal("C3"))
    c1, c2, c3 = tracker.items()
    tracker.transition(c2.id, AGREED, by="TM")
    record_run(tracker, proposal("C1", worker="W9"), proposal("C2"))
    after = {i.child_id: i for i in tracker.items()}
    assert after["C1"].worker == "W9" and after["C1"].state == PROPOSED
    assert tracker.history(c1.id)[-1].reason.startswith("replanned by run 2: ")
    assert after["C2"].state == AGREED
    assert after["C3"].state == CANCELLED
    assert tracker.history(c3.id)[-1].reason == "no longer proposed by run 2"


def test_approval_needs_a_completed_run_and_a_reason_for_overrides(tracker):
    run_id = tracker.start_run("batch", 0, {}, None, None, "test", None)
    with pytest.raises(TrackerError, match="only a completed run"):
        tracker.approve(run_id, by="SM")
    done = record_run(tracker, proposal())
    tracker.approve(done, by="Service manager")
    assert tracker.approvals(done)[0][0] == "Service manager"


@pytest.fixture(scope="module")
def sqlite_store(tmp_path_factory):
    store = open_tracker(f"sqlite:///{tmp_path_factory.mktemp('sm') / 't.sqlite'}")
    yield store
    store.close()


@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.tuples(st.sampled_from(STATES), st.booleans()), max_size=6))
def test_any_sequence_of_requests_keeps_the_state_machine(sqlite_store, steps):
    """Whatever is asked, an item's state is the last recorded change's, and every recorded
    change is one the state machine allows, with a reason where one is needed."""
    store = sqlite_store
    child = uuid.uuid4().hex[:10]
    record_run(store, proposal(child))
    (item,) = [i for i in store.items() if i.child_id == child]
    for to_state, with_reason in steps:
        try:
            store.transition(item.id, to_state, by="TM", reason="why" if with_reason else None)
        except TrackerError:
            pass
    changes = store.history(item.id)
    assert store.item(item.id).state == changes[-1].to_state
    for c in changes[1:]:
        assert c.to_state in TRANSITIONS[c.from_state]
        assert c.to_state not in (DELAYED, CANCELLED) or c.reason
