"""Copies lose the index on their text hash.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01

The fold stage looked up copies of the same text by it, one statement per copy; that look-up is gone
(a copy with the same text shares every LSH bucket and heads the bucket look-up), and nothing else
reads the hash by value. The index was written with every fingerprint and read by nobody.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_copies_text_hash", table_name="copies")


def downgrade() -> None:
    op.create_index("ix_copies_text_hash", "copies", ["text_hash"], unique=False)
