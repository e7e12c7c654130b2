"""On SQLite, LSH buckets are stored in their primary key's tree (a WITHOUT ROWID table).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01

A rowid table kept every bucket in three trees (the rows, the primary key, the look-up index); the fold
writes a hundred-odd buckets a copy, and those writes were its largest cost at 100,000 stored copies.
PostgreSQL has no rowid: nothing changes there.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _rebuild(with_rowid: bool) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    # The table is copied into a new one with the same columns, keys and indexes (reflected).
    with op.batch_alter_table(
        "copy_bands", recreate="always", table_kwargs={"sqlite_with_rowid": with_rowid}
    ):
        pass


def upgrade() -> None:
    _rebuild(with_rowid=False)


def downgrade() -> None:
    _rebuild(with_rowid=True)
