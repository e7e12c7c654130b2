"""Entries: what a poll adds, bounded per feed, and the queue of entries whose article is still to fetch.

The bounds, so that one feed with 20,000 items (or one that mints new ids on every poll) costs the
others nothing:

* of one poll, only the newest ``backlog`` items are considered; the rest (``last_poll_surplus`` on the
  feed) are never stored — a poll that lists old news again stores nothing new;
* a feed has at most ``backlog`` entries waiting to be fetched: when newer ones arrive, the oldest
  waiting ones are stored as ``skipped`` and counted on the feed (``entries_skipped``);
* "newest" is the entry's published time, else when it was first seen; within one poll's undated
  items, the feed's own order (the top is the newest). Rows of one poll are inserted oldest first, so
  among equals the higher id is the newer.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, func, or_, select, update
from sqlalchemy.orm import Session

from newsmon.http.errors import HttpError
from newsmon.store import bounds
from newsmon.store.models import Entry, EntryState, Feed
from newsmon.store.upsert import insert_ignore

log = logging.getLogger(__name__)

_CHUNK = 500  # bound parameters per IN (...): well under every driver's limit
NO_LINK = f"{HttpError.BAD_URL}: the entry has no http(s) link"

# Newest first: the entry's own date, else when newsmon first saw it; ties by id (see the docstring).
_NEWEST = (func.coalesce(Entry.published, Entry.first_seen_at).desc(), Entry.id.desc())


@dataclass(frozen=True)
class AddedEntries:
    """What one poll did to a feed's entries."""

    items: int  # items in the feed document
    new: int  # entries stored to fetch
    skipped: int  # waiting entries pushed out of the backlog (older than the newest `backlog`)
    surplus: int  # items beyond the newest `backlog` of this poll, not stored
    cut: int  # entries with a field cut to its bound


@dataclass(frozen=True)
class PendingEntry:
    """An entry waiting to be fetched, as the planner sees it."""

    entry_id: int
    feed_id: int
    link: str
    retry: bool  # failed before, attempts left
    rank: int  # 1 = the feed's first to fetch (new before retries, newest first)


@dataclass(frozen=True)
class EntryToFetch:
    """What fetching one entry's article needs, read in one query for a batch."""

    entry_id: int
    link: str | None
    title: str
    summary: str
    published: datetime | None
    feed_id: int
    feed_url: str
    allow_private: bool


def _waiting(max_attempts: int):
    return and_(
        or_(
            Entry.state == EntryState.NEW,
            and_(Entry.state == EntryState.FAILED, Entry.fetch_attempts < max_attempts),
        ),
        Entry.link.is_not(None),
    )


def _newest_first(entries: Sequence, now: datetime) -> list:
    """Items newest first: by published time (undated count as now), the feed's order among equals."""
    order = sorted(range(len(entries)), key=lambda i: (-(entries[i].published or now).timestamp(), i))
    return [entries[i] for i in order]


def _known_keys(session: Session, feed_id: int, keys: Sequence[str]) -> set[str]:
    known: set[str] = set()
    for i in range(0, len(keys), _CHUNK):
        stmt = select(Entry.key).where(Entry.feed_id == feed_id, Entry.key.in_(keys[i : i + _CHUNK]))
        known.update(session.scalars(stmt))
    return known


def _row(feed_id: int, entry, now: datetime) -> tuple[dict, dict[str, int]]:
    row, cuts = bounds.bound_row(
        {"title": entry.title, "summary": entry.summary, "author": entry.author or None, "link": entry.link},
        bounds.ENTRY,
    )
    usable = row["link"] is not None
    if cuts:
        log.warning("feed %s entry %s: fields cut to their bounds: %s", feed_id, entry.key[:200], cuts)
    return {
        **row,
        "feed_id": feed_id,
        "key": entry.key,
        "published": entry.published,
        "first_seen_at": now,
        "state": EntryState.NEW if usable else EntryState.GAVE_UP,
        "fetch_attempts": 0,
        "fetch_error": None if usable else NO_LINK,
        "cuts": cuts or None,
    }, cuts


def add_entries(
    session: Session,
    feed_id: int,
    entries: Sequence,
    now: datetime,
    *,
    listed: int | None = None,
    backlog: int,
    max_attempts: int,
) -> AddedEntries:
    """Store a poll's new entries within the feed's backlog (entries seen before stay untouched).

    ``listed``: the items of the document, when the parser read only some (``feeds.parse.MAX_ITEMS``).
    """
    seen: set[str] = set()
    unique = [e for e in entries if not (e.key in seen or seen.add(e.key))]  # a key listed twice: the first
    window = _newest_first(unique, now)[:backlog]
    known = _known_keys(session, feed_id, [e.key for e in window])
    rows, cut = [], 0
    for entry in reversed(window):  # oldest first: ids rise toward the newest
        if entry.key in known:
            continue
        row, cuts = _row(feed_id, entry, now)
        rows.append(row)
        cut += bool(cuts)
    new = insert_ignore(session, Entry, rows, ["feed_id", "key"])
    skipped = trim_backlog(session, feed_id, backlog=backlog, max_attempts=max_attempts)
    items = max(listed or 0, len(entries))
    surplus = len(unique) - len(window) + (items - len(entries))
    session.execute(
        update(Feed)
        .where(Feed.id == feed_id)
        .values(
            entries_skipped=Feed.entries_skipped + skipped,
            last_poll_items=items,
            last_poll_surplus=surplus,
        )
    )
    if skipped or surplus:
        log.info(
            "feed %s: %d items, newest %d considered, %d older waiting entries skipped",
            feed_id,
            items,
            len(window),
            skipped,
        )
    return AddedEntries(items=items, new=new, skipped=skipped, surplus=surplus, cut=cut)


def trim_backlog(session: Session, feed_id: int, *, backlog: int, max_attempts: int) -> int:
    """Mark the feed's waiting entries beyond the newest ``backlog`` as skipped; returns how many."""
    stmt = select(Entry.id).where(Entry.feed_id == feed_id, _waiting(max_attempts)).order_by(*_NEWEST)
    ids = list(session.scalars(stmt.offset(backlog)))
    reason = f"skipped: {backlog} newer entries of this feed were waiting"
    for i in range(0, len(ids), _CHUNK):
        session.execute(
            update(Entry)
            .where(Entry.id.in_(ids[i : i + _CHUNK]))
            .values(state=EntryState.SKIPPED, fetch_error=reason)
        )
    return len(ids)


def pending_entries(session: Session, *, per_feed: int, max_attempts: int) -> list[PendingEntry]:
    """Up to ``per_feed`` waiting entries of every active feed: new before retries, newest first."""
    rank = (
        func.row_number()
        .over(
            partition_by=Entry.feed_id,
            order_by=(case((Entry.state == EntryState.NEW, 0), else_=1), *_NEWEST),
        )
        .label("rank")
    )
    ranked = (
        select(Entry.id, Entry.feed_id, Entry.link, Entry.state, rank)
        .join(Feed, Feed.id == Entry.feed_id)
        .where(_waiting(max_attempts), Feed.active.is_(True))
        .subquery()
    )
    stmt = select(ranked).where(ranked.c.rank <= per_feed).order_by(ranked.c.feed_id, ranked.c.rank)
    return [
        PendingEntry(r.id, r.feed_id, r.link, r.state != EntryState.NEW, r.rank)
        for r in session.execute(stmt)
    ]


def waiting_count(session: Session, *, max_attempts: int, limit: int) -> int:
    """How many entries of active feeds still wait to be fetched (what `pending_entries` draws from), counted
    up to ``limit`` so a runaway backlog costs a bounded read."""
    waiting = (
        select(Entry.id)
        .join(Feed, Feed.id == Entry.feed_id)
        .where(_waiting(max_attempts), Feed.active.is_(True))
        .limit(limit)
        .subquery()
    )
    return session.scalar(select(func.count()).select_from(waiting)) or 0


def entries_to_fetch(session: Session, ids: Iterable[int]) -> list[EntryToFetch]:
    """The batch's entries that still wait (done or skipped meanwhile: left out), in id order."""
    ids = sorted(set(ids))
    out: list[EntryToFetch] = []
    for i in range(0, len(ids), _CHUNK):
        stmt = (
            select(
                Entry.id,
                Entry.link,
                Entry.title,
                Entry.summary,
                Entry.published,
                Feed.id.label("feed_id"),
                Feed.url.label("feed_url"),
                Feed.allow_private,
            )
            .join(Feed, Entry.feed_id == Feed.id)
            .where(Entry.id.in_(ids[i : i + _CHUNK]), Entry.state.in_((EntryState.NEW, EntryState.FAILED)))
            .order_by(Entry.id)
        )
        out.extend(
            EntryToFetch(
                entry_id=r.id,
                link=r.link,
                title=r.title or "",
                summary=r.summary or "",
                published=r.published,
                feed_id=r.feed_id,
                feed_url=r.feed_url,
                allow_private=bool(r.allow_private),
            )
            for r in session.execute(stmt)
        )
    return out


def mark_done(session: Session, entry_id: int, copy_id: int) -> None:
    session.execute(
        update(Entry)
        .where(Entry.id == entry_id)
        .values(state=EntryState.DONE, copy_id=copy_id, fetch_error=None)
    )


def mark_failed(session: Session, entry_id: int, reason: str, *, final: bool = False) -> None:
    """Record a failed fetch; a ``final`` failure (refused, gone) is not tried again."""
    session.execute(
        update(Entry)
        .where(Entry.id == entry_id)
        .values(
            state=EntryState.GAVE_UP if final else EntryState.FAILED,
            fetch_error=bounds.bound_text(reason, bounds.ERROR),
            fetch_attempts=Entry.fetch_attempts + 1,
        )
    )
