"""Feeds and entries: the feed list from config mirrored into the database, and the results of polls."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import asdict, fields
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from newsmon.store.models import Entry, Feed
from newsmon.store.upsert import insert_ignore

if TYPE_CHECKING:  # types only: the store does not depend on the feeds stage at run time
    from newsmon.config.feeds import FeedConfig
    from newsmon.feeds.parse import FeedEntry
    from newsmon.feeds.poll import FeedState

log = logging.getLogger(__name__)


def sync_feed_list(session: Session, configs: Sequence[FeedConfig], now: datetime) -> dict[str, int]:
    """Make the feeds table follow the feed list: add new feeds, update names/tags, deactivate removed ones.

    Feeds that leave the list are deactivated, not deleted, so their entries and copies stay.
    """
    existing = {f.url: f for f in session.scalars(select(Feed))}
    added = 0
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
                )
            )
            added += 1
        else:
            feed.name, feed.lang, feed.tags = cfg.name, cfg.lang, list(cfg.tags)
            feed.interval_seconds, feed.allow_private, feed.active = interval, cfg.allow_private, True
    for feed in existing.values():
        feed.active = False
    session.flush()
    return {"feeds_added": added, "feeds_deactivated": len(existing)}


def active_feeds(session: Session) -> list[Feed]:
    return list(session.scalars(select(Feed).where(Feed.active.is_(True)).order_by(Feed.id)))


def feed_state_values(feed: Feed, state_cls: type[FeedState]) -> FeedState:
    """The stored polling state of a feed as the poll stage's FeedState value."""
    names = {f.name for f in fields(state_cls)}
    return state_cls(**{n: getattr(feed, n) for n in names})


def save_poll(
    session: Session,
    feed_id: int,
    state: FeedState,
    feed_title: str | None,
    entries: Iterable[FeedEntry],
    now: datetime,
) -> int:
    """Store a poll's new state and its entries (ones seen before stay untouched); returns the new count."""
    values = {k: v for k, v in asdict(state).items() if k != "url"}
    if feed_title:
        values["title"] = feed_title[:500]
    session.execute(update(Feed).where(Feed.id == feed_id).values(**values))
    rows = [
        {
            "feed_id": feed_id,
            "key": e.key[:1024],
            "link": e.link,
            "title": e.title,
            "summary": e.summary,
            "author": (e.author or None) and e.author[:300],
            "published": e.published,
            "first_seen_at": now,
            "state": "new" if e.link else "failed",
            "fetch_attempts": 0,
            "fetch_error": None if e.link else "entry has no link",
        }
        for e in entries
    ]
    # One entry key can appear twice in a broken feed; keep the first.
    unique = list({r["key"]: r for r in reversed(rows)}.values())
    return insert_ignore(session, Entry, unique, ["feed_id", "key"])
