"""Copies: what the fetch stage stores for each entry's article, and the queue of entries still to fetch."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from newsmon.store.models import Copy, Entry, Feed
from newsmon.store.upsert import _insert


def pending_entry_ids(session: Session, *, max_attempts: int, limit: int) -> list[int]:
    """Entries whose article is still to fetch: new ones, and failed ones that have tries left."""
    stmt = (
        select(Entry.id)
        .where(
            or_(Entry.state == "new", (Entry.state == "failed") & (Entry.fetch_attempts < max_attempts)),
            Entry.link.is_not(None),
        )
        .order_by(Entry.id)
        .limit(limit)
    )
    return list(session.scalars(stmt))


def entries_with_feeds(session: Session, ids: list[int]) -> list[tuple[Entry, Feed]]:
    stmt = (
        select(Entry, Feed).join(Feed, Entry.feed_id == Feed.id).where(Entry.id.in_(ids)).order_by(Entry.id)
    )
    return [(e, f) for e, f in session.execute(stmt)]


def copy_id_for_key(session: Session, url_key: str) -> int | None:
    return session.scalar(select(Copy.id).where(Copy.url_key == url_key))


def copy_ids_for_keys(session: Session, keys: Iterable[str]) -> dict[str, int]:
    """The stored copies among these URL keys, key -> copy id: one query for a whole batch."""
    keys = sorted(set(keys))
    found: dict[str, int] = {}
    for i in range(0, len(keys), 500):  # well under every driver's limit on bound parameters
        stmt = select(Copy.url_key, Copy.id).where(Copy.url_key.in_(keys[i : i + 500]))
        found.update((k, copy_id) for k, copy_id in session.execute(stmt))
    return found


def save_copy(session: Session, row: Mapping[str, Any]) -> int:
    """Store a copy once per URL key and return its id; a copy stored earlier (by a retry or another worker)
    wins and is returned unchanged."""
    stmt = _insert(session, Copy.__table__).values(**row).on_conflict_do_nothing(index_elements=["url_key"])
    # RETURNING gives the new row's id in the same round trip; only a lost race needs the look-up.
    copy_id = session.execute(stmt.returning(Copy.id)).scalar()
    if copy_id is None:
        copy_id = copy_id_for_key(session, row["url_key"])
    assert copy_id is not None
    return copy_id


def mark_entry_done(session: Session, entry_id: int, copy_id: int) -> None:
    session.execute(
        update(Entry).where(Entry.id == entry_id).values(state="done", copy_id=copy_id, fetch_error=None)
    )


def mark_entry_failed(session: Session, entry_id: int, reason: str, *, final: bool = False) -> None:
    """Record a failed fetch; `final` failures (refused by policy) are not tried again."""
    session.execute(
        update(Entry)
        .where(Entry.id == entry_id)
        .values(
            state="gave_up" if final else "failed",
            fetch_error=reason[:2000],
            fetch_attempts=Entry.fetch_attempts + 1,
        )
    )


def copies_to_score(session: Session, limit: int = 5000) -> list[Copy]:
    stmt = (
        select(Copy)
        .where(Copy.story_id.is_not(None), Copy.scored_at.is_(None))
        .order_by(Copy.id)
        .limit(limit)
    )
    return list(session.scalars(stmt))


def mark_scored(session: Session, copy_ids: list[int], now: datetime) -> None:
    if copy_ids:
        session.execute(update(Copy).where(Copy.id.in_(copy_ids)).values(scored_at=now))
