"""Successful pipeline runs (for the health check's "age of the last run"); an index for the newest copy.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "pipeline_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.String(length=250), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pipeline_runs")),
        sa.UniqueConstraint("run_id", name=op.f("uq_pipeline_runs_run_id")),
    )
    op.create_index(op.f("ix_pipeline_runs_finished_at"), "pipeline_runs", ["finished_at"])
    # "Age of the newest stored copy" is asked on every News Monitor page: an index makes it one look-up.
    op.create_index(op.f("ix_copies_fetched_at"), "copies", ["fetched_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_copies_fetched_at"), table_name="copies")
    op.drop_index(op.f("ix_pipeline_runs_finished_at"), table_name="pipeline_runs")
    op.drop_table("pipeline_runs")
