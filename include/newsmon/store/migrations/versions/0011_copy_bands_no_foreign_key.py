"""LSH buckets no longer reference their copy by a foreign key.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01

PostgreSQL checks a foreign key once for every inserted row, through a trigger: a copy's hundred-odd
buckets were a hundred-odd checks of the same copy, half the time of the insert that the fold stage makes
for every copy. The buckets are an index of the copies, written and replaced only with their copy's
fingerprint; newsmon deletes no copy, and a bucket whose copy is gone is dropped when the look-up's
candidates are read (`store.stories.load_copies` reads existing copies only).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_FK = "fk_copy_bands_copy_id_copies"


def _table_kwargs() -> dict[str, bool]:
    # SQLite rebuilds the table to change a constraint: keep it WITHOUT ROWID (migration 0010).
    return {"sqlite_with_rowid": False} if op.get_bind().dialect.name == "sqlite" else {}


def upgrade() -> None:
    with op.batch_alter_table("copy_bands", table_kwargs=_table_kwargs()) as batch:
        batch.drop_constraint(_FK, type_="foreignkey")


def downgrade() -> None:
    op.execute("DELETE FROM copy_bands WHERE copy_id NOT IN (SELECT id FROM copies)")
    with op.batch_alter_table("copy_bands", table_kwargs=_table_kwargs()) as batch:
        batch.create_foreign_key(_FK, "copies", ["copy_id"], ["id"], ondelete="CASCADE")
