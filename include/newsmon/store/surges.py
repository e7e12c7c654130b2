"""Surges in SQL: which flagged stories gained enough copies from enough sites in the last hours, the one
surge row per (story, topic) that makes the alert go once, and what the pages show of them.

A copy's time is when it was published, or when newsmon fetched it if the page gives no time or one later
than the fetch (a clock ahead, a date without a time read as midnight of a later day).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, exists, func, or_, select
from sqlalchemy.orm import Session

from newsmon.store.alerts import _absorbed, surge_message_id
from newsmon.store.delivery import DeliveryStatus
from newsmon.store.models import Copy, Flag, Story, Surge
from newsmon.store.upsert import insert_ignore

MAX_TIMELINE = 200


def copy_time() -> ColumnElement[datetime]:
    """The time a copy appeared: published, unless missing or later than the fetch."""
    published_ok = and_(Copy.published.is_not(None), Copy.published <= Copy.fetched_at)
    return case((published_ok, Copy.published), else_=Copy.fetched_at)


@dataclass(frozen=True)
class SurgeCandidate:
    story_id: int
    copies: int  # copies inside the window
    sites: int  # distinct sites among them


def surging_stories(
    session: Session, *, topic: str, since: datetime, until: datetime, min_copies: int, min_sites: int
) -> list[SurgeCandidate]:
    """Live stories flagged for `topic` with at least `min_copies` copies from `min_sites` distinct sites
    appearing in [since, until], that never surged for the topic, nor absorbed a story that did."""
    seen = copy_time()
    site = func.coalesce(Copy.site, "")
    absorbed = _absorbed()
    surged_before = or_(
        exists().where(Surge.story_id == Story.id, Surge.topic == topic),
        exists()
        .where(absorbed.c.into_id == Story.id)
        .where(exists().where(Surge.story_id == absorbed.c.from_id, Surge.topic == topic)),
    )
    stmt = (
        select(Copy.story_id, func.count(Copy.id), func.count(func.distinct(site)))
        .join(Story, Story.id == Copy.story_id)
        .join(Flag, and_(Flag.story_id == Story.id, Flag.topic == topic))
        .where(Story.merged_into_id.is_(None), seen >= since, seen <= until, ~surged_before)
        .group_by(Copy.story_id)
        .having(func.count(Copy.id) >= min_copies, func.count(func.distinct(site)) >= min_sites)
        .order_by(Copy.story_id)
    )
    return [
        SurgeCandidate(story_id, int(copies), int(sites))
        for story_id, copies, sites in session.execute(stmt)
        if story_id is not None
    ]


def timeline(session: Session, story_id: int, *, since: datetime, until: datetime) -> list[dict[str, Any]]:
    """The story's copies, oldest first, as stored with its surge (plain JSON values)."""
    seen = copy_time().label("seen")
    rows = session.execute(
        select(Copy.id, Copy.site, Copy.title, Copy.url, seen)
        .where(Copy.story_id == story_id)
        .order_by(seen, Copy.id)
        .limit(MAX_TIMELINE)
    ).all()
    return [
        {
            "copy_id": r.id,
            "site": r.site,
            "title": r.title or "",
            "url": r.url,
            "seen_at": r.seen.isoformat() if isinstance(r.seen, datetime) else str(r.seen),
            "in_window": _in_window(r.seen, since, until),
        }
        for r in rows
    ]


def _in_window(value: Any, since: datetime, until: datetime) -> bool:
    if isinstance(value, str):  # SQLite gives a CASE over timestamps back as text
        value = datetime.fromisoformat(value).replace(tzinfo=since.tzinfo)
    return isinstance(value, datetime) and since <= value <= until


def record_surge(
    session: Session,
    *,
    story_id: int,
    topic: str,
    found: SurgeCandidate,
    since: datetime,
    until: datetime,
    recipients: Sequence[str],
    now: datetime,
) -> bool:
    """The one surge of (story, topic), with its timeline; False when it was recorded before."""
    row = {
        "story_id": story_id,
        "topic": topic,
        "copies": found.copies,
        "sites": found.sites,
        "window_start": since,
        "window_end": until,
        "timeline": timeline(session, story_id, since=since, until=until),
        "status": DeliveryStatus.PENDING,
        "recipients": list(recipients),
        "message_id": surge_message_id(story_id, topic),
        "attempts": 0,
        "created_at": now,
    }
    return insert_ignore(session, Surge, [row], ["story_id", "topic"]) == 1


@dataclass(frozen=True)
class SurgeView:
    """What pages and emails show of a surge."""

    surge_id: int
    story_id: int
    topic: str
    copies: int
    sites: int
    window_start: datetime
    window_end: datetime
    timeline: tuple[dict[str, Any], ...]
    status: str
    recipients: tuple[str, ...]
    message_id: str
    created_at: datetime
    sent_at: datetime | None
    story_title: str = ""

    @property
    def hours(self) -> float:
        return round((self.window_end - self.window_start).total_seconds() / 3600, 2)


def _view(s: Surge, title: str = "") -> SurgeView:
    return SurgeView(
        surge_id=s.id,
        story_id=s.story_id,
        topic=s.topic,
        copies=s.copies,
        sites=s.sites,
        window_start=s.window_start,
        window_end=s.window_end,
        timeline=tuple(s.timeline or ()),
        status=s.status,
        recipients=tuple(s.recipients or ()),
        message_id=s.message_id,
        created_at=s.created_at,
        sent_at=s.sent_at,
        story_title=title,
    )


def surge_view(session: Session, surge_id: int) -> SurgeView | None:
    row = session.get(Surge, surge_id)
    if row is None:
        return None
    title = session.scalar(select(Story.title).where(Story.id == row.story_id)) or ""
    return _view(row, title)


def surges_of(session: Session, story_id: int) -> list[SurgeView]:
    return [
        _view(s) for s in session.scalars(select(Surge).where(Surge.story_id == story_id).order_by(Surge.id))
    ]


def surged_pairs(session: Session, story_ids: Sequence[int]) -> set[tuple[int, str]]:
    """(story, topic) pairs among these stories that surged: the list page's badge."""
    if not story_ids:
        return set()
    stmt = select(Surge.story_id, Surge.topic).where(Surge.story_id.in_(list(story_ids)))
    return {(story_id, topic) for story_id, topic in session.execute(stmt)}
