"""Feeds: the feed list from config mirrored into the database, their polling state and polls' results."""

from __future__ import annotations

import functools
import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Update, bindparam, or_, select, update
from sqlalchemy.orm import Session

from newsmon.store import bounds
from newsmon.store.entries import AddedEntries, add_entries
from newsmon.store.models import Feed

if TYPE_CHECKING:  # types only: the store does not depend on the feeds stage at run time
    from newsmon.config.feeds import FeedConfig
    from newsmon.feeds.parse import FeedEntry
    from newsmon.feeds.poll import FeedState

log = logging.getLogger(__name__)

# The polling state a feed starts with, and gets back when it returns to the list or is enabled again.
FRESH_STATE = {
    "etag": None,
    "last_modified": None,
    "consecutive_errors": 0,
    "last_error_kind": None,
    "last_error": None,
    "next_poll_at": None,
    "redirected_to": None,
    "disabled_reason": None,
}


def sync_feed_list(session: Session, configs: Sequence[FeedConfig], now: datetime) -> dict[str, int]:
    """Make the feeds table follow the feed list: add new feeds, update names/tags, deactivate removed ones.

    Feeds that leave the list are deactivated, not deleted, so their entries and copies stay. A feed that
    comes back after having been removed starts fresh: its errors, back-off, disabled state and
    remembered redirect are reset (its entries and copies are kept).
    """
    existing = {f.url: f for f in session.scalars(select(Feed))}
    added = returned = 0
    for cfg in configs:
        interval = int(cfg.interval.total_seconds()) if cfg.interval else None
        feed = existing.pop(cfg.url, None)
        if feed is None:
            session.add(
                Feed(
                    url=cfg.url,
                    name=cfg.name,
                    lang=cfg.lang,
                    tags=list(cfg.tags),
                    interval_seconds=interval,
                    allow_private=cfg.allow_private,
                    active=True,
                    created_at=now,
                    consecutive_errors=0,
                    entries_skipped=0,
                )
            )
            added += 1
            continue
        if not feed.active:
            for name, value in FRESH_STATE.items():
                setattr(feed, name, value)
            returned += 1
            log.info("feed %s is back in the feed list: polling state reset", feed.url)
        feed.name, feed.lang, feed.tags = cfg.name, cfg.lang, list(cfg.tags)
        feed.interval_seconds, feed.allow_private, feed.active = interval, cfg.allow_private, True
    for feed in existing.values():
        feed.active = False
    session.flush()
    return {"feeds_added": added, "feeds_returned": returned, "feeds_deactivated": len(existing)}


def active_feeds(session: Session) -> list[Feed]:
    return list(session.scalars(select(Feed).where(Feed.active.is_(True)).order_by(Feed.id)))


def feed_state_values(feed: Feed, state_cls: type[FeedState]) -> FeedState:
    """The stored polling state of a feed as the poll stage's FeedState value."""
    names = {f.name for f in fields(state_cls)}
    return state_cls(**{n: getattr(feed, n) for n in names})


@functools.cache
def _save_state(columns: frozenset[str]) -> Update:
    """The UPDATE of a feed's polling state, built once per set of columns (two: with and without a title)."""
    return (
        update(Feed).where(Feed.id == bindparam("feed_id_")).values({c: bindparam(f"v_{c}") for c in columns})
    )


def save_poll(
    session: Session,
    feed_id: int,
    state: FeedState,
    feed_title: str | None,
    entries: Sequence[FeedEntry],
    now: datetime,
    *,
    listed: int | None = None,
    backlog: int,
    max_attempts: int,
) -> AddedEntries:
    """Store a poll's new state and its entries within the feed's backlog (see ``store.entries``);
    ``listed`` is how many items the document held, when the parser read fewer."""
    values = {k: v for k, v in asdict(state).items() if k != "url"}
    if feed_title:
        values["title"] = feed_title
    values, cuts = bounds.bound_row(values, bounds.FEED)
    if cuts:
        log.warning("feed %s: polling state fields cut to their bounds: %s", state.url, cuts)
    values = {k: v for k, v in values.items() if k != "title" or v}
    session.execute(
        _save_state(frozenset(values)), {"feed_id_": feed_id} | {f"v_{k}": v for k, v in values.items()}
    )
    if not entries:
        return AddedEntries(items=0, new=0, skipped=0, surplus=0, cut=0)
    return add_entries(
        session, feed_id, entries, now, listed=listed, backlog=backlog, max_attempts=max_attempts
    )


@dataclass(frozen=True)
class EnabledFeed:
    url: str
    name: str
    was: str | None  # why it was disabled, or None if it was not


def enable_feed(session: Session, url: str, now: datetime) -> EnabledFeed | None:
    """Give a disabled (or failing) feed a fresh start: polled in the next run. None if no such feed.

    ``url`` is the feed's URL as configured, or the one it moved to.
    """
    feed = session.scalars(select(Feed).where(or_(Feed.url == url, Feed.redirected_to == url))).first()
    if feed is None:
        return None
    was = feed.disabled_reason
    for name, value in FRESH_STATE.items():
        if name not in ("etag", "last_modified", "redirected_to"):
            setattr(feed, name, value)
    feed.next_poll_at = now
    session.flush()
    log.info("feed %s enabled (was: %s)", feed.url, was or "not disabled")
    return EnabledFeed(url=feed.url, name=feed.name, was=was)
