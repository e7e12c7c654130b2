"""Bounded polling: backlog counters on feeds, recorded cuts on entries and copies, shared host politeness.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("feeds") as batch:
        batch.add_column(sa.Column("entries_skipped", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("last_poll_items", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("last_poll_surplus", sa.Integer(), nullable=True))
    with op.batch_alter_table("entries") as batch:
        batch.add_column(sa.Column("cuts", sa.JSON(), nullable=True))
    with op.batch_alter_table("copies") as batch:
        batch.add_column(sa.Column("cuts", sa.JSON(), nullable=True))
    op.create_table(
        "hosts",
        sa.Column("host", sa.String(length=300), nullable=False),
        sa.Column("next_start_at", sa.Float(), nullable=False),
        sa.Column("crawl_delay", sa.Float(), nullable=True),
        sa.Column("blocked_until", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("host", name=op.f("pk_hosts")),
    )
    op.create_table(
        "host_slots",
        sa.Column("host", sa.String(length=300), nullable=False),
        sa.Column("slot", sa.Integer(), nullable=False),
        sa.Column("holder", sa.String(length=64), nullable=True),
        sa.Column("expires_at", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("host", "slot", name=op.f("pk_host_slots")),
    )


def downgrade() -> None:
    op.drop_table("host_slots")
    op.drop_table("hosts")
    with op.batch_alter_table("copies") as batch:
        batch.drop_column("cuts")
    with op.batch_alter_table("entries") as batch:
        batch.drop_column("cuts")
    with op.batch_alter_table("feeds") as batch:
        batch.drop_column("last_poll_surplus")
        batch.drop_column("last_poll_items")
        batch.drop_column("entries_skipped")
