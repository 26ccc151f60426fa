"""Alembic environment for the tracker: always run from code (``store.open_tracker``) with
a live connection passed in ``config.attributes``, so no alembic.ini is needed."""

from __future__ import annotations

from alembic import context

from allocator.tracker.schema import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata,
                  render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
