"""Indexes for the News Monitor page and folding; a lease column for digests.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

import logging
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger("alembic.runtime.migration")

INDEXES = {
    "ix_flags_score": ("flags", ["score"]),
    "ix_flags_topic_score": ("flags", ["topic", "score"]),
    "ix_stories_copies_count_id": ("stories", ["copies_count", "id"]),
    "ix_stories_merged_into_id": ("stories", ["merged_into_id"]),
    "ix_copies_lang_story_id": ("copies", ["lang", "story_id"]),
    "ix_copies_canonical_url": ("copies", ["canonical_url"]),
}


def upgrade() -> None:
    for name, (table, columns) in INDEXES.items():
        op.create_index(name, table, columns)
    with op.batch_alter_table("digests") as batch:
        batch.add_column(sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True))
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        # Title search without a full scan. pg_trgm ships with PostgreSQL's contrib, but creating an extension
        # may need rights the database user lacks: then search still works, only slower.
        savepoint = bind.begin_nested()
        try:
            bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
            bind.execute(
                sa.text("CREATE INDEX ix_stories_title_trgm ON stories USING gin (title gin_trgm_ops)")
            )
            savepoint.commit()
        except sa.exc.DBAPIError as exc:
            savepoint.rollback()
            log.warning("no trigram index on stories.title (title search will scan): %s", exc.orig)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_stories_title_trgm")
    with op.batch_alter_table("digests") as batch:
        batch.drop_column("next_attempt_at")
    for name, (table, _) in INDEXES.items():
        op.drop_index(name, table_name=table)
