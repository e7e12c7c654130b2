"""Links between stories in different languages (story_links).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "story_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("story_id", sa.Integer(), nullable=False),
        sa.Column("other_story_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("linked_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["story_id"], ["stories.id"], name=op.f("fk_story_links_story_id_stories"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["other_story_id"],
            ["stories.id"],
            name=op.f("fk_story_links_other_story_id_stories"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_story_links")),
        sa.UniqueConstraint("story_id", "other_story_id", name="uq_story_links_pair"),
    )
    op.create_index(op.f("ix_story_links_story_id"), "story_links", ["story_id"])
    op.create_index(op.f("ix_story_links_other_story_id"), "story_links", ["other_story_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_story_links_other_story_id"), table_name="story_links")
    op.drop_index(op.f("ix_story_links_story_id"), table_name="story_links")
    op.drop_table("story_links")
