"""Per-site boilerplate memory: page counters, line counters and the log of observed pages.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "site_boilerplate",
        sa.Column("site", sa.String(length=255), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("site", name=op.f("pk_site_boilerplate")),
    )
    op.create_table(
        "site_boilerplate_lines",
        sa.Column("site", sa.String(length=255), nullable=False),
        sa.Column("line_hash", sa.String(length=16), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("site", "line_hash", name=op.f("pk_site_boilerplate_lines")),
    )
    op.create_table(
        "site_boilerplate_pages",
        sa.Column("site", sa.String(length=255), nullable=False),
        sa.Column("page_key", sa.String(length=32), nullable=False),
        sa.Column("observed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("site", "page_key", name=op.f("pk_site_boilerplate_pages")),
    )


def downgrade() -> None:
    op.drop_table("site_boilerplate_pages")
    op.drop_table("site_boilerplate_lines")
    op.drop_table("site_boilerplate")
