"""LSH buckets carry their copy's publication day, and the bucket index ends in (day, copy_id).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01

The fold stage reads a bucket only within the days a copy can match (see `stories.fold`); existing rows
get the day of their copy's publication, else of its fold, else of its fetch (what the fold stage stores
for a copy without a date).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_WHEN = "COALESCE(c.published, c.folded_at, c.fetched_at)"


def upgrade() -> None:
    with op.batch_alter_table("copy_bands") as batch:
        batch.add_column(sa.Column("day", sa.Integer(), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"UPDATE copy_bands AS b SET day = floor(extract(epoch FROM {_WHEN}) / 86400)::integer "  # noqa: S608
            "FROM copies AS c WHERE c.id = b.copy_id"
        )
    else:
        # Timestamps are stored as UTC text; julianday 2440587.5 is 1970-01-01 00:00 UTC.
        op.execute(
            f"UPDATE copy_bands SET day = (SELECT CAST(julianday({_WHEN}) - 2440587.5 AS INTEGER) "  # noqa: S608
            "FROM copies AS c WHERE c.id = copy_bands.copy_id)"
        )
    with op.batch_alter_table("copy_bands") as batch:
        batch.alter_column("day", existing_type=sa.Integer(), nullable=False)
        batch.drop_index("ix_copy_bands_band_bucket")
        batch.create_index("ix_copy_bands_band_bucket_day", ["band", "bucket", "day", "copy_id"])


def downgrade() -> None:
    with op.batch_alter_table("copy_bands") as batch:
        batch.drop_index("ix_copy_bands_band_bucket_day")
        batch.create_index("ix_copy_bands_band_bucket", ["band", "bucket"], unique=False)
        batch.drop_column("day")
