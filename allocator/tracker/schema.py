"""The tracker's tables (SQLAlchemy 2.0 declarative models).

Changes to these models go with a new Alembic revision under ``migrations/versions``: the
database is only ever shaped by migrations, so a shared PostgreSQL tracker and a council's
SQLite file always agree with the code that opens them.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from allocator.tracker.states import (  # noqa: F401  (re-exported for callers)
    ABANDONED,
    AGREED,
    CANCELLED,
    COMPLETED,
    DELAYED,
    FAILED,
    OPEN_STATES,
    PROPOSED,
    RUN_COMPLETED,
    STARTED,
    STATES,
)


class Base(DeclarativeBase):
    pass


class Run(Base):
    """One plan run: what went in, what came out, and whether it was checked."""

    __tablename__ = "runs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # plan | batch
    status: Mapped[str] = mapped_column(String(16), index=True)
    council: Mapped[str | None] = mapped_column(String(120))
    pack: Mapped[str | None] = mapped_column(String(40))
    week: Mapped[date | None] = mapped_column(Date)
    seed: Mapped[int] = mapped_column(Integer)
    input_hash: Mapped[str | None] = mapped_column(String(64))
    config_hash: Mapped[str | None] = mapped_column(String(64))
    configuration: Mapped[str | None] = mapped_column(Text)  # JSON: options of the run
    code_version: Mapped[str | None] = mapped_column(String(120))  # caseload and ortools
    solver_status: Mapped[str | None] = mapped_column(String(16))
    objective: Mapped[int | None] = mapped_column(Integer)
    check_ok: Mapped[bool | None] = mapped_column(Boolean)
    check_objective: Mapped[int | None] = mapped_column(Integer)
    output_hashes: Mapped[str | None] = mapped_column(Text)  # JSON: file name -> sha256
    out_dir: Mapped[str | None] = mapped_column(Text)
    exit_code: Mapped[int | None] = mapped_column(Integer)
    message: Mapped[str | None] = mapped_column(String(200))  # never a child's data
    manager_overrides: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Item(Base):
    """One proposed transfer or allocation (a request of a plan) and its current state.

    An item lives across runs: while it is open, each later run that plans the same child,
    role and receiving service updates it (``last_run_id``) instead of proposing it again.
    """

    __tablename__ = "items"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    council: Mapped[str] = mapped_column(String(120), index=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"))
    last_run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"))
    child_id: Mapped[str] = mapped_column(String(64), index=True)
    request_id: Mapped[str] = mapped_column(String(80))
    role: Mapped[str] = mapped_column(String(8))  # lead | co
    outcome: Mapped[str] = mapped_column(String(24))  # transfer, allocate, ...
    statutory: Mapped[bool] = mapped_column(Boolean)
    from_service: Mapped[str | None] = mapped_column(String(40))
    from_team: Mapped[str | None] = mapped_column(String(64))
    from_worker: Mapped[str | None] = mapped_column(String(64))
    service: Mapped[str] = mapped_column(String(40))
    team: Mapped[str | None] = mapped_column(String(64))
    worker: Mapped[str | None] = mapped_column(String(64))  # None: the plan left it unallocated
    planned_date: Mapped[date | None] = mapped_column(Date)
    agreed_date: Mapped[date | None] = mapped_column(Date)
    clause: Mapped[str | None] = mapped_column(String(40))
    rule_id: Mapped[str | None] = mapped_column(String(80))
    state: Mapped[str] = mapped_column(String(16), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class StateChange(Base):
    """Every change of an item's state (or of its plan while proposed): who, when, why."""

    __tablename__ = "state_changes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id"))
    from_state: Mapped[str | None] = mapped_column(String(16))
    to_state: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(String(300))
    by: Mapped[str] = mapped_column(String(120))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Approval(Base):
    """A manager's approval of a run's plan: until one exists the plan is a DRAFT."""

    __tablename__ = "approvals"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"), index=True)
    by: Mapped[str] = mapped_column(String(120))
    reason: Mapped[str | None] = mapped_column(String(300))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
