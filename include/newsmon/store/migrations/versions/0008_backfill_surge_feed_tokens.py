"""The analyst's workflow: topic hashes on flags, backfills with their scans and summaries, surges, tokens.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)


def _delivery_columns() -> list[sa.Column[Any]]:
    """The columns of the one claim/lease machinery (newsmon.store.delivery), as alerts and digests have."""
    return [
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("message_id", sa.String(length=300), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("next_attempt_at", TS, nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("sent_at", TS, nullable=True),
    ]


def upgrade() -> None:
    op.create_table(
        "backfills",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("topic", sa.String(length=100), nullable=False),
        sa.Column("topic_hash", sa.String(length=64), nullable=False),
        sa.Column("since", TS, nullable=False),
        sa.Column("quiet_before", TS, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("finished_at", TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_backfills")),
        sa.UniqueConstraint("topic", "topic_hash", name="uq_backfills_topic_hash"),
    )
    with op.batch_alter_table("flags") as batch:
        batch.add_column(sa.Column("topic_hash", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("backfill_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_flags_backfill_id_backfills"), "backfills", ["backfill_id"], ["id"], ondelete="SET NULL"
        )
    op.create_table(
        "topic_scans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("story_id", sa.Integer(), nullable=False),
        sa.Column("topic", sa.String(length=100), nullable=False),
        sa.Column("topic_hash", sa.String(length=64), nullable=False),
        sa.Column("scanned_at", TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["story_id"], ["stories.id"], name=op.f("fk_topic_scans_story_id_stories"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_topic_scans")),
        sa.UniqueConstraint("story_id", "topic", name="uq_topic_scans_story_topic"),
    )
    op.create_table(
        "backfill_summaries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("backfill_id", sa.Integer(), nullable=False),
        sa.Column("recipient", sa.String(length=300), nullable=False),
        *_delivery_columns(),
        sa.ForeignKeyConstraint(
            ["backfill_id"],
            ["backfills.id"],
            name=op.f("fk_backfill_summaries_backfill_id_backfills"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_backfill_summaries")),
        sa.UniqueConstraint("backfill_id", "recipient", name="uq_backfill_summaries_backfill_recipient"),
    )
    op.create_table(
        "surges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("story_id", sa.Integer(), nullable=False),
        sa.Column("topic", sa.String(length=100), nullable=False),
        sa.Column("copies", sa.Integer(), nullable=False),
        sa.Column("sites", sa.Integer(), nullable=False),
        sa.Column("window_start", TS, nullable=False),
        sa.Column("window_end", TS, nullable=False),
        sa.Column("timeline", sa.JSON(), nullable=False),
        sa.Column("recipients", sa.JSON(), nullable=False),
        *_delivery_columns(),
        sa.ForeignKeyConstraint(
            ["story_id"], ["stories.id"], name=op.f("fk_surges_story_id_stories"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_surges")),
        sa.UniqueConstraint("story_id", "topic", name="uq_surges_story_topic"),
    )
    op.create_index(op.f("ix_surges_story_id"), "surges", ["story_id"], unique=False)
    op.create_table(
        "feed_tokens",
        sa.Column("topic", sa.String(length=100), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("topic", name=op.f("pk_feed_tokens")),
    )


def downgrade() -> None:
    op.drop_table("feed_tokens")
    op.drop_index(op.f("ix_surges_story_id"), table_name="surges")
    op.drop_table("surges")
    op.drop_table("backfill_summaries")
    op.drop_table("topic_scans")
    with op.batch_alter_table("flags") as batch:
        batch.drop_constraint(op.f("fk_flags_backfill_id_backfills"), type_="foreignkey")
        batch.drop_column("backfill_id")
        batch.drop_column("topic_hash")
    op.drop_table("backfills")
