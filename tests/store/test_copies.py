"""save_copy: one row per URL key on both databases, fields within their bounds, no cuts stored as NULL."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select, text

from newsmon.store.copies import NewCopy, save_copy
from newsmon.store.db import session_scope
from newsmon.store.models import Copy

NOW = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


def _copy(key: str, **fields: object) -> NewCopy:
    row: NewCopy = {
        "url_key": key,
        "url": f"https://{key}",
        "final_url": None,
        "canonical_url": None,
        "feed_id": None,
        "site": "example.org",
        "title": "Council adopts the budget",
        "feed_title": None,
        "author": None,
        "description": None,
        "published": NOW,
        "lang": "en",
        "text": "The council adopted the budget on Monday.",
        "text_source": "page",
        "fetch_status": "ok",
        "fetch_reason": None,
        "attribution_site": None,
        "attribution_url": None,
        "attribution_published": None,
        "fetched_at": NOW,
    }
    row.update(fields)  # type: ignore[typeddict-item]
    return row


def test_save_copy_once_per_key_and_bounds(db_url):
    with session_scope(db_url) as session:
        first = save_copy(session, _copy("example.org/a"))
        cut = save_copy(session, _copy("example.org/b", title="T" * 5000, author="A" * 400))
    with session_scope(db_url) as session:  # a retry, another worker: the stored copy wins
        again = save_copy(session, _copy("example.org/a", title="Another title"))
    assert again == first and cut != first
    with session_scope(db_url) as session:
        assert session.scalar(select(func.count()).select_from(Copy)) == 2
        a, b = session.get(Copy, first), session.get(Copy, cut)
        assert a is not None and b is not None
        assert a.title == "Council adopts the budget" and a.published == NOW and a.fetched_at == NOW
        assert b.title == "T" * 2000 and b.author == "A" * 300
        assert b.cuts == {"title": 5000, "author": 400}
        # No cuts is SQL NULL, not a JSON null: "WHERE cuts IS NULL" finds the copies nothing was cut from.
        uncut = session.scalars(text("SELECT id FROM copies WHERE cuts IS NULL")).all()
        assert uncut == [first]
