"""Entries: what a poll or a discovery search adds, bounded per source, and the queue of entries whose
article is still to fetch.

An entry's *source* is a feed or a discovery provider (``newsmon.discovery``); both are bounded and
planned alike, each provider counting as one source beside the feeds (``PendingEntry.source``).

The bounds, so that one feed with 20,000 items (or one that mints new ids on every poll) costs the
others nothing:

* of one poll, only the newest ``backlog`` items are considered; the rest (``last_poll_surplus`` on the
  feed) are never stored — a poll that lists old news again stores nothing new;
* a feed has at most ``backlog`` entries waiting to be fetched: when newer ones arrive, the oldest
  waiting ones are stored as ``skipped`` and counted on the feed (``entries_skipped``);
* "newest" is the entry's published time, else when it was first seen; within one poll's undated
  items, the feed's own order (the top is the newest). Rows of one poll are inserted oldest first, so
  among equals the higher id is the newer.

One entry per article across sources: every entry stores its link's URL key (``stories.urls.url_key``).
A link a search finds that already has an entry (or a copy) adds no entry, only a record of the query
that found it (``discovery_finds``); an item a feed lists whose article a search found first takes that
entry over (``adopted``), keeping the record. Entries from before schema 0008 have no URL key: such a
link found again is folded into one copy at fetch time instead (``pipeline.FetchBatch.settle_known``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, TypedDict

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Select,
    Table,
    and_,
    bindparam,
    case,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.orm import InstrumentedAttribute, Session

from newsmon.http.errors import HttpError
from newsmon.store import bounds
from newsmon.store.db import chunks
from newsmon.store.models import Copy, DiscoveryFind, DiscoveryProvider, Entry, EntryState, Feed
from newsmon.store.upsert import insert_ignore
from newsmon.stories.urls import unwrap, url_key

if TYPE_CHECKING:  # types only: the store does not depend on the discovery or feeds stage at run time
    from newsmon.discovery.results import FoundArticle
    from newsmon.feeds.parse import FeedEntry

log = logging.getLogger(__name__)

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
    adopted: int = 0  # items whose article a discovery search had found first: that entry is now the feed's


@dataclass(frozen=True)
class PendingEntry:
    """An entry waiting to be fetched, as the planner sees it."""

    entry_id: int
    feed_id: int | None
    link: str
    retry: bool  # failed before, attempts left
    rank: int  # 1 = the source's first to fetch (new before retries, newest first)
    provider_id: int | None = None  # a discovery provider's entry (feed_id None)

    @property
    def source(self) -> tuple[str, int]:
        """The feed or discovery provider the entry came from: the planner's unit of fairness."""
        if self.feed_id is not None:
            return ("feed", self.feed_id)
        return ("discovery", self.provider_id or 0)


@dataclass(frozen=True)
class EntryToFetch:
    """What fetching one entry's article needs, read in one query for a batch."""

    entry_id: int
    link: str | None
    title: str
    summary: str
    published: datetime | None
    feed_id: int | None  # None: found by a discovery provider
    feed_url: str | None
    allow_private: bool  # the feed's own host:port may be private; never for a provider's links


def _waiting(max_attempts: int | BindParameter[int]) -> ColumnElement[bool]:
    return and_(
        or_(
            Entry.state == EntryState.NEW,
            and_(Entry.state == EntryState.FAILED, Entry.fetch_attempts < max_attempts),
        ),
        Entry.link.is_not(None),
    )


# An entry's source is active: its feed is in the feed list, or its provider is configured and enabled.
_SOURCE_ACTIVE = or_(Feed.active.is_(True), DiscoveryProvider.active.is_(True))


def _newest_first(entries: Sequence[FeedEntry], now: datetime) -> list[FeedEntry]:
    """Items newest first: by published time (undated count as now), the feed's order among equals."""
    order = sorted(range(len(entries)), key=lambda i: (-(entries[i].published or now).timestamp(), i))
    return [entries[i] for i in order]


# The statements a poll runs for every feed, built once: building and keying one costs more than running it.
_KNOWN_KEYS = select(Entry.key).where(
    Entry.feed_id == bindparam("feed_id"), Entry.key.in_(bindparam("keys", expanding=True))
)
_DISCOVERED_BY_KEY = (
    select(Entry)
    .where(Entry.provider_id.is_not(None), Entry.url_key.in_(bindparam("keys", expanding=True)))
    .order_by(Entry.id)
)
_COUNT_POLL = (
    update(Feed)
    .where(Feed.id == bindparam("feed_id"))
    .values(
        entries_skipped=Feed.entries_skipped + bindparam("skipped"),
        last_poll_items=bindparam("items"),
        last_poll_surplus=bindparam("surplus"),
    )
)
_SKIP = (
    update(Entry)
    .where(Entry.id.in_(bindparam("ids", expanding=True)))
    .values(state=EntryState.SKIPPED, fetch_error=bindparam("reason"))
)


def _beyond_backlog(source: InstrumentedAttribute[int | None]) -> Select[int]:
    """The waiting entries of one source (``source`` = the ``source_id`` parameter) past ``backlog``."""
    return (
        select(Entry.id)
        .where(source == bindparam("source_id"), _waiting(bindparam("max_attempts")))
        .order_by(*_NEWEST)
        .offset(bindparam("backlog"))
    )


_FEED_BEYOND_BACKLOG = _beyond_backlog(Entry.feed_id)
_PROVIDER_BEYOND_BACKLOG = _beyond_backlog(Entry.provider_id)


def _known_keys(session: Session, feed_id: int, keys: Sequence[str]) -> set[str]:
    known: set[str] = set()
    for chunk in chunks(keys):
        known.update(session.scalars(_KNOWN_KEYS, {"feed_id": feed_id, "keys": list(chunk)}))
    return known


def link_key(link: str | None) -> str | None:
    """The URL key an entry's link is stored and deduplicated under; None when it is no usable link."""
    if not link:
        return None
    try:
        key = url_key(link)
    except Exception:  # a hostile link must cost its entry the key, never the poll
        return None
    if not key.startswith(("https://", "http://")) or len(key) > bounds.URL.limit:
        return None
    return key


class _FeedEntryRow(TypedDict):
    """The ``entries`` row of a feed's item (the columns ``insert_ignore`` writes)."""

    title: str
    summary: str
    author: str | None
    link: str | None
    feed_id: int
    key: str
    url_key: str | None
    published: datetime | None
    first_seen_at: datetime
    state: EntryState
    fetch_attempts: int
    fetch_error: str | None
    cuts: dict[str, int] | None


def _row(feed_id: int, entry: FeedEntry, now: datetime) -> tuple[_FeedEntryRow, dict[str, int]]:
    row, cuts = bounds.bound_row(
        {"title": entry.title, "summary": entry.summary, "author": entry.author or None, "link": entry.link},
        bounds.ENTRY,
    )
    usable = row["link"] is not None
    if cuts:
        log.warning("feed %s entry %s: fields cut to their bounds: %s", feed_id, entry.key[:200], cuts)
    return {
        "title": row["title"],
        "summary": row["summary"],
        "author": row["author"],
        "link": row["link"],
        "feed_id": feed_id,
        "key": entry.key,
        "url_key": link_key(row["link"]),
        "published": entry.published,
        "first_seen_at": now,
        "state": EntryState.NEW if usable else EntryState.GAVE_UP,
        "fetch_attempts": 0,
        "fetch_error": None if usable else NO_LINK,
        "cuts": cuts or None,
    }, cuts


def _discovered_by_key(session: Session, keys: Sequence[str]) -> dict[str, Entry]:
    """Entries of discovery providers with these URL keys (the first of each, should a race make two)."""
    found: dict[str, Entry] = {}
    for chunk in chunks(keys):
        for entry in session.scalars(_DISCOVERED_BY_KEY, {"keys": list(chunk)}):
            if entry.url_key is not None:
                found.setdefault(entry.url_key, entry)
    return found


def _adopt(entry: Entry, row: _FeedEntryRow) -> None:
    """A feed lists an article a search found first: the entry becomes the feed's, its finds stay.

    A fetched entry keeps its copy. Any other starts over as the feed's item — the feed's title, summary
    and dates (a feed says more), its own attempts, under the feed's rules (its ``allow_private``, its
    backlog): a link the search's entry could not fetch, or that its backlog skipped, may be fetched now."""
    entry.feed_id, entry.provider_id, entry.key = row["feed_id"], None, row["key"]
    if entry.state != EntryState.DONE:
        entry.title, entry.summary, entry.author = row["title"] or entry.title, row["summary"], row["author"]
        entry.published, entry.cuts = row["published"] or entry.published, row["cuts"]
        entry.state, entry.fetch_attempts, entry.fetch_error = row["state"], 0, row["fetch_error"]


def add_entries(
    session: Session,
    feed_id: int,
    entries: Sequence[FeedEntry],
    now: datetime,
    *,
    listed: int | None = None,
    backlog: int,
    max_attempts: int,
) -> AddedEntries:
    """Store a poll's new entries within the feed's backlog (entries seen before stay untouched).

    ``listed``: the items of the document, when the parser read only some (``feeds.parse.MAX_ITEMS``).
    """
    first: dict[str, FeedEntry] = {}
    for e in entries:
        first.setdefault(e.key, e)  # a key listed twice: the first
    unique = list(first.values())
    window = _newest_first(unique, now)[:backlog]
    known = _known_keys(session, feed_id, [e.key for e in window])
    rows: list[_FeedEntryRow] = []
    cut = 0
    for entry in reversed(window):  # oldest first: ids rise toward the newest
        if entry.key in known:
            continue
        row, cuts = _row(feed_id, entry, now)
        rows.append(row)
        cut += bool(cuts)
    found_first = _discovered_by_key(session, [k for r in rows if (k := r["url_key"])])
    to_insert: list[_FeedEntryRow] = []
    for row in rows:
        searched = found_first.pop(row["url_key"], None) if row["url_key"] else None
        if searched is None:
            to_insert.append(row)
        else:
            _adopt(searched, row)
    adopted = len(rows) - len(to_insert)
    session.flush()
    new = insert_ignore(session, Entry, to_insert, ["feed_id", "key"])
    skipped = trim_backlog(session, feed_id, backlog=backlog, max_attempts=max_attempts)
    items = max(listed or 0, len(entries))
    surplus = len(unique) - len(window) + (items - len(entries))
    session.execute(_COUNT_POLL, {"feed_id": feed_id, "skipped": skipped, "items": items, "surplus": surplus})
    if skipped or surplus:
        log.info(
            "feed %s: %d items, newest %d considered, %d older waiting entries skipped",
            feed_id,
            items,
            len(window),
            skipped,
        )
    if adopted:
        log.info("feed %s: %d entries found by discovery first are now the feed's", feed_id, adopted)
    return AddedEntries(items=items, new=new, skipped=skipped, surplus=surplus, cut=cut, adopted=adopted)


def _trim(session: Session, beyond: Select[int], source_id: int, *, backlog: int, max_attempts: int) -> int:
    params = {"source_id": source_id, "max_attempts": max_attempts, "backlog": backlog}
    ids = list(session.scalars(beyond, params))
    reason = f"skipped: {backlog} newer entries of this source were waiting"
    for chunk in chunks(ids):
        session.execute(_SKIP, {"ids": list(chunk), "reason": reason})
    return len(ids)


def trim_backlog(session: Session, feed_id: int, *, backlog: int, max_attempts: int) -> int:
    """Mark the feed's waiting entries beyond the newest ``backlog`` as skipped; returns how many."""
    return _trim(session, _FEED_BEYOND_BACKLOG, feed_id, backlog=backlog, max_attempts=max_attempts)


@dataclass(frozen=True)
class DiscoveredEntries:
    """What one answer of a discovery search did to the entries."""

    listed: int  # articles in the answer (after the provider's own cap)
    new: int  # entries stored to fetch
    known: int  # articles that had an entry (or a copy) already: the find is recorded on it
    unusable: int  # links that are no http(s) URL, or too long to store
    skipped: int  # waiting entries of the provider pushed out of its backlog by newer ones


def add_discovered(
    session: Session,
    provider_id: int,
    query_id: int,
    found: Sequence[FoundArticle],
    now: datetime,
    *,
    backlog: int,
    max_attempts: int,
) -> DiscoveredEntries:
    """Store what a search found: one entry per article across feeds and searches, a find per query.

    Each link is unwrapped (redirect and tracking wrappers, ``stories.urls.unwrap``: the article is fetched
    directly, never through the click tracker) and keyed by its URL key. An article that has an entry
    already (a feed's or a search's), or a copy stored before any entry had a URL key, gets only the find;
    the others become the provider's entries, within its backlog like a feed's. Running the same search
    again adds nothing: entries are unique per (provider, key) and finds per (entry, query).
    """
    by_key: dict[str, tuple[FoundArticle, str]] = {}
    unusable = 0
    for article in found:
        link = unwrap(article.url) if article.url else ""
        key = link_key(link)
        if key is None or bounds.URL.apply(link) is None:
            unusable += 1
            continue
        by_key.setdefault(key, (article, link))
    keys = list(by_key)
    owner = _entries_by_key(session, keys)
    missing = [k for k in keys if k not in owner]
    copies = _copies_by_key(session, missing)
    rows = []
    for key in reversed(missing):  # the answer lists the newest first: ids rise toward the newest
        article, link = by_key[key]
        title, _ = bounds.bound_row({"title": article.title or ""}, bounds.ENTRY)
        copy = copies.get(key)
        rows.append(
            {
                "provider_id": provider_id,
                "key": key,
                "url_key": key,
                "link": link,
                "title": title["title"],
                "summary": "",
                "published": article.published,
                "first_seen_at": now,
                "state": EntryState.DONE if copy else EntryState.NEW,
                "copy_id": copy,
                "fetch_attempts": 0,
            }
        )
    # Two inserts so the count of entries to fetch is exact: a twin run's rows are ignored, not counted.
    new = insert_ignore(session, Entry, [r for r in rows if r["copy_id"] is None], ["provider_id", "key"])
    insert_ignore(session, Entry, [r for r in rows if r["copy_id"] is not None], ["provider_id", "key"])
    owner.update(_entries_by_key(session, missing))
    finds = [
        {
            "entry_id": owner[k],
            "query_id": query_id,
            "listed_url": bounds.URL.apply(by_key[k][0].url),
            "found_at": now,
        }
        for k in keys
        if k in owner
    ]
    insert_ignore(session, DiscoveryFind, finds, ["entry_id", "query_id"])
    skipped = _trim(
        session, _PROVIDER_BEYOND_BACKLOG, provider_id, backlog=backlog, max_attempts=max_attempts
    )
    if skipped:
        session.execute(
            update(DiscoveryProvider)
            .where(DiscoveryProvider.id == provider_id)
            .values(entries_skipped=DiscoveryProvider.entries_skipped + skipped)
        )
    return DiscoveredEntries(
        listed=len(found), new=new, known=len(keys) - new, unusable=unusable, skipped=skipped
    )


def _entries_by_key(session: Session, keys: Sequence[str]) -> dict[str, int]:
    """URL key -> the entry an article has (the oldest, when two sources raced), or a fetched copy's entry."""
    out: dict[str, int] = {}
    for chunk in chunks(keys):
        for key, entry_id in session.execute(
            select(Entry.url_key, Entry.id).where(Entry.url_key.in_(chunk)).order_by(Entry.id)
        ):
            if key is not None:  # always, by the IN above: url_key is nullable only for old entries
                out.setdefault(key, entry_id)
        # copies stored from entries without a URL key (before schema 0008): their entry by the copy
        rest = [k for k in chunk if k not in out]
        if rest:
            for key, entry_id in session.execute(
                select(Copy.url_key, Entry.id)
                .join(Entry, Entry.copy_id == Copy.id)
                .where(Copy.url_key.in_(rest))
                .order_by(Entry.id)
            ):
                out.setdefault(key, entry_id)
    return out


def _copies_by_key(session: Session, keys: Sequence[str]) -> dict[str, int]:
    """URL key -> copy id, for copies that have no entry pointing at them (a new entry adopts the copy)."""
    out: dict[str, int] = {}
    for chunk in chunks(keys):
        stmt = select(Copy.url_key, Copy.id).where(Copy.url_key.in_(chunk))
        out.update((key, copy_id) for key, copy_id in session.execute(stmt))
    return out


def pending_entries(session: Session, *, per_feed: int, max_attempts: int) -> list[PendingEntry]:
    """Up to ``per_feed`` waiting entries of every active source (feed or discovery provider): new before
    retries, newest first."""
    rank = (
        func.row_number()
        .over(
            partition_by=(Entry.feed_id, Entry.provider_id),
            order_by=(case((Entry.state == EntryState.NEW, 0), else_=1), *_NEWEST),
        )
        .label("rank")
    )
    ranked = (
        select(Entry.id, Entry.feed_id, Entry.provider_id, Entry.link, Entry.state, rank)
        .outerjoin(Feed, Feed.id == Entry.feed_id)
        .outerjoin(DiscoveryProvider, DiscoveryProvider.id == Entry.provider_id)
        .where(_waiting(max_attempts), _SOURCE_ACTIVE)
        .subquery()
    )
    stmt = (
        select(ranked)
        .where(ranked.c.rank <= per_feed)
        .order_by(ranked.c.feed_id, ranked.c.provider_id, ranked.c.rank)
    )
    return [
        PendingEntry(r.id, r.feed_id, r.link, r.state != EntryState.NEW, r.rank, r.provider_id)
        for r in session.execute(stmt)
    ]


def waiting_count(session: Session, *, max_attempts: int, limit: int) -> int:
    """How many entries of active sources still wait to be fetched (what `pending_entries` draws from),
    counted up to ``limit`` so a runaway backlog costs a bounded read."""
    waiting = (
        select(Entry.id)
        .outerjoin(Feed, Feed.id == Entry.feed_id)
        .outerjoin(DiscoveryProvider, DiscoveryProvider.id == Entry.provider_id)
        .where(_waiting(max_attempts), _SOURCE_ACTIVE)
        .limit(limit)
        .subquery()
    )
    return session.scalar(select(func.count()).select_from(waiting)) or 0


def entries_to_fetch(session: Session, ids: Iterable[int]) -> list[EntryToFetch]:
    """The batch's entries that still wait (done or skipped meanwhile: left out), in id order."""
    ids = sorted(set(ids))
    out: list[EntryToFetch] = []
    for chunk in chunks(ids):
        stmt = (
            select(
                Entry.id,
                Entry.link,
                Entry.title,
                Entry.summary,
                Entry.published,
                Entry.feed_id,
                Feed.url.label("feed_url"),
                Feed.allow_private,
            )
            .outerjoin(Feed, Entry.feed_id == Feed.id)
            .where(Entry.id.in_(chunk), Entry.state.in_((EntryState.NEW, EntryState.FAILED)))
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


_ENTRIES = Entry.__table__
assert isinstance(_ENTRIES, Table), _ENTRIES
# Built once and run on the session's connection: once per page fetched, where building an ORM UPDATE
# each time cost more than running it.
_MARK_DONE = (
    update(_ENTRIES)
    .where(_ENTRIES.c.id == bindparam("p_entry"))
    .values(state=EntryState.DONE, copy_id=bindparam("p_copy"), fetch_error=None)
)


def mark_done(session: Session, entry_id: int, copy_id: int) -> None:
    session.connection().execute(_MARK_DONE, {"p_entry": entry_id, "p_copy": copy_id})


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
