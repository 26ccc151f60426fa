"""The tracker's first tables: runs, items, state changes and approvals.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _when(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("council", sa.String(120)),
        sa.Column("pack", sa.String(40)),
        sa.Column("week", sa.Date),
        sa.Column("seed", sa.Integer, nullable=False),
        sa.Column("input_hash", sa.String(64)),
        sa.Column("config_hash", sa.String(64)),
        sa.Column("configuration", sa.Text),
        sa.Column("code_version", sa.String(120)),
        sa.Column("solver_status", sa.String(16)),
        sa.Column("objective", sa.Integer),
        sa.Column("check_ok", sa.Boolean),
        sa.Column("check_objective", sa.Integer),
        sa.Column("output_hashes", sa.Text),
        sa.Column("out_dir", sa.Text),
        sa.Column("exit_code", sa.Integer),
        sa.Column("message", sa.String(200)),
        sa.Column("manager_overrides", sa.Integer, nullable=False),
        _when("started_at"),
        _when("finished_at", nullable=True),
    )
    op.create_table(
        "items",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("council", sa.String(120), nullable=False, index=True),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id"), nullable=False),
        sa.Column("last_run_id", sa.Integer, sa.ForeignKey("runs.id"), nullable=False),
        sa.Column("child_id", sa.String(64), nullable=False, index=True),
        sa.Column("request_id", sa.String(80), nullable=False),
        sa.Column("role", sa.String(8), nullable=False),
        sa.Column("outcome", sa.String(24), nullable=False),
        sa.Column("statutory", sa.Boolean, nullable=False),
        sa.Column("from_service", sa.String(40)),
        sa.Column("from_team", sa.String(64)),
        sa.Column("from_worker", sa.String(64)),
        sa.Column("service", sa.String(40), nullable=False),
        sa.Column("team", sa.String(64)),
        sa.Column("worker", sa.String(64)),
        sa.Column("planned_date", sa.Date),
        sa.Column("agreed_date", sa.Date),
        sa.Column("clause", sa.String(40)),
        sa.Column("rule_id", sa.String(80)),
        sa.Column("state", sa.String(16), nullable=False, index=True),
        _when("created_at"),
        _when("updated_at"),
    )
    op.create_table(
        "state_changes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("item_id", sa.Integer, sa.ForeignKey("items.id"), nullable=False, index=True),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id")),
        sa.Column("from_state", sa.String(16)),
        sa.Column("to_state", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(300)),
        sa.Column("by", sa.String(120), nullable=False),
        _when("at"),
    )
    op.create_table(
        "approvals",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id"), nullable=False, index=True),
        sa.Column("by", sa.String(120), nullable=False),
        sa.Column("reason", sa.String(300)),
        _when("at"),
    )


def downgrade() -> None:
    for table in ("approvals", "state_changes", "items", "runs"):
        op.drop_table(table)
