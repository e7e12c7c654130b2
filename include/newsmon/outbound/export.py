"""CSV and JSON export of the News Monitor list as filtered on the page (every page of it, up to a cap).

Rows come from the same query as the page (`store.queries.list_flagged`), so an export never disagrees
with what the analyst saw. A CSV is opened by spreadsheets, which run a cell starting with = + - @ as a
formula: such cells (stored titles come from strangers' pages) are prefixed with an apostrophe.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from newsmon.store.queries import MAX_PER_PAGE, StoryFilter, StoryRow, list_flagged

MAX_ROWS = 10_000
COLUMNS = (
    "story_id",
    "topic",
    "score",
    "threshold",
    "title",
    "original_site",
    "first_seen_at",
    "flagged_at",
    "copies",
    "languages",
    "feedback",
    "url",
)
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def rows(
    session: Session, flt: StoryFilter, *, user: str | None, limit: int = MAX_ROWS
) -> Iterator[StoryRow]:
    """Every row of the filtered list, in its order, page after page, at most `limit`."""
    page, given = 1, 0
    while given < limit:
        result = list_flagged(session, replace(flt, page=page, per_page=MAX_PER_PAGE), user=user)
        for row in result.rows[: limit - given]:
            yield row
            given += 1
        if page >= result.pages:
            return
        page += 1


def _when(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def record(row: StoryRow, ui_url: str) -> dict[str, Any]:
    """One row as plain values, the same for CSV and JSON."""
    return {
        "story_id": row.story_id,
        "topic": row.topic,
        "score": row.score,
        "threshold": row.threshold,
        "title": row.title,
        "original_site": row.site,
        "first_seen_at": _when(row.first_seen_at),
        "flagged_at": _when(row.flagged_at),
        "copies": row.copies_count,
        "languages": " ".join(row.langs),
        "feedback": row.feedback.state,
        "url": f"{ui_url.rstrip('/')}/stories/{row.story_id}",
    }


def _cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA):
        return "'" + value
    return "" if value is None else value


def to_csv(records: Sequence[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for r in records:
        writer.writerow([_cell(r[c]) for c in COLUMNS])
    return out.getvalue()


def to_json(records: Sequence[dict[str, Any]], *, filters: dict[str, Any]) -> str:
    return json.dumps(
        {"filters": filters, "count": len(records), "stories": list(records)}, ensure_ascii=False
    )
