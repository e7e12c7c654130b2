"""Discovery: providers, their queries and what each query found; entries from a provider or a feed.

Entries get a second kind of source (a discovery provider: ``feed_id`` NULL, ``provider_id`` set, never
both) and the URL key of their link, so an article found by a feed and by a search is one entry.
Entries stored before this revision keep ``url_key`` NULL (the fetch still folds them to one copy by URL).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "discovery_providers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("url", sa.String(length=1000), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_run_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_success_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("consecutive_errors", sa.Integer(), nullable=False),
        sa.Column("last_error_kind", sa.String(length=50), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("next_run_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("entries_skipped", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_discovery_providers")),
        sa.UniqueConstraint("name", name=op.f("uq_discovery_providers_name")),
    )
    op.create_table(
        "discovery_queries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("topic", sa.String(length=100), nullable=False),
        sa.Column("lang", sa.String(length=16), nullable=False),
        sa.Column("query", sa.String(length=600), nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_run_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_found", sa.Integer(), nullable=True),
        sa.Column("last_new", sa.Integer(), nullable=True),
        sa.Column("last_error_kind", sa.String(length=50), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["discovery_providers.id"],
            name=op.f("fk_discovery_queries_provider_id_discovery_providers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_discovery_queries")),
        sa.UniqueConstraint("provider_id", "topic", "lang", "query", name="uq_discovery_queries_search"),
    )
    op.create_index(op.f("ix_discovery_queries_provider_id"), "discovery_queries", ["provider_id"])
    op.create_index(op.f("ix_discovery_queries_last_run_at"), "discovery_queries", ["last_run_at"])

    with op.batch_alter_table("entries") as batch:
        batch.alter_column("feed_id", existing_type=sa.Integer(), nullable=True)
        batch.add_column(sa.Column("provider_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("url_key", sa.String(length=2048), nullable=True))
        batch.create_foreign_key(
            op.f("fk_entries_provider_id_discovery_providers"),
            "discovery_providers",
            ["provider_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch.create_unique_constraint("uq_entries_provider_key", ["provider_id", "key"])
        batch.create_check_constraint("one_source", "(feed_id IS NULL) <> (provider_id IS NULL)")
        batch.create_index(op.f("ix_entries_provider_id"), ["provider_id"])
        batch.create_index(op.f("ix_entries_url_key"), ["url_key"])

    op.create_table(
        "discovery_finds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("query_id", sa.Integer(), nullable=False),
        sa.Column("listed_url", sa.String(length=2048), nullable=True),
        sa.Column("found_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["entries.id"], name=op.f("fk_discovery_finds_entry_id_entries"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["query_id"],
            ["discovery_queries.id"],
            name=op.f("fk_discovery_finds_query_id_discovery_queries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_discovery_finds")),
        sa.UniqueConstraint("entry_id", "query_id", name="uq_discovery_finds_entry_query"),
    )
    op.create_index(op.f("ix_discovery_finds_entry_id"), "discovery_finds", ["entry_id"])
    op.create_index(op.f("ix_discovery_finds_query_id"), "discovery_finds", ["query_id"])


def downgrade() -> None:
    op.drop_table("discovery_finds")
    op.execute("DELETE FROM entries WHERE feed_id IS NULL")
    with op.batch_alter_table("entries") as batch:
        batch.drop_index(op.f("ix_entries_url_key"))
        batch.drop_index(op.f("ix_entries_provider_id"))
        batch.drop_constraint(op.f("ck_entries_one_source"), type_="check")
        batch.drop_constraint("uq_entries_provider_key", type_="unique")
        batch.drop_constraint(op.f("fk_entries_provider_id_discovery_providers"), type_="foreignkey")
        batch.drop_column("url_key")
        batch.drop_column("provider_id")
        batch.alter_column("feed_id", existing_type=sa.Integer(), nullable=False)
    op.drop_index(op.f("ix_discovery_queries_last_run_at"), table_name="discovery_queries")
    op.drop_index(op.f("ix_discovery_queries_provider_id"), table_name="discovery_queries")
    op.drop_table("discovery_queries")
    op.drop_table("discovery_providers")
