"""What newsmon publishes outward, in SQL: a topic's flagged stories for its Atom feed, and the feed
tokens (only their SHA-256 is stored; `newsmon.outbound.tokens` makes and checks them)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, delete, select
from sqlalchemy.orm import Session, aliased

from newsmon.store.db import rows_changed
from newsmon.store.models import Copy, FeedToken, Flag, Story
from newsmon.store.upsert import upsert


@dataclass(frozen=True)
class FeedRow:
    """One flagged story as the Atom feed and the backfill summary show it."""

    story_id: int
    title: str
    score: float
    evidence: dict[str, Any]
    flagged_at: datetime
    updated_at: datetime
    copies: int
    site: str | None
    url: str | None
    fetch_reason: str | None  # the original's fetch outcome, for the one link rule


def flagged_stories(
    session: Session, *conditions: ColumnElement[bool], order_by: Sequence[Any], limit: int
) -> list[FeedRow]:
    """Flags on live stories with their original copy, filtered and ordered as the caller says: the rows
    of the Atom feed and of the backfill summary email."""
    original = aliased(Copy)
    rows = session.execute(
        select(
            Story.id,
            Story.title,
            Flag.score,
            Flag.evidence,
            Flag.flagged_at,
            Flag.updated_at,
            Story.copies_count,
            original.site,
            original.url,
            original.fetch_reason,
        )
        .select_from(Flag)
        .join(Story, Story.id == Flag.story_id)
        .join(original, original.id == Story.original_copy_id, isouter=True)
        .where(Story.merged_into_id.is_(None), *conditions)
        .order_by(*order_by)
        .limit(limit)
    ).all()
    return [
        FeedRow(
            story_id=r[0],
            title=r[1] or "",
            score=r[2],
            evidence=r[3] if isinstance(r[3], dict) else {},
            flagged_at=r[4],
            updated_at=r[5],
            copies=r[6],
            site=r[7],
            url=r[8],
            fetch_reason=r[9],
        )
        for r in rows
    ]


def topic_flags(session: Session, topic: str, *, limit: int) -> list[FeedRow]:
    """The topic's flags on live stories, most recently flagged first."""
    return flagged_stories(
        session, Flag.topic == topic, order_by=(Flag.flagged_at.desc(), Flag.id.desc()), limit=limit
    )


def set_token_hash(session: Session, topic: str, token_hash: str, now: datetime) -> None:
    """The topic's feed token from now on (a rotation replaces the old one at once)."""
    row = {"topic": topic, "token_hash": token_hash, "created_at": now}
    upsert(session, FeedToken, row, keys=("topic",), update=("token_hash", "created_at"))


def token_hash_of(session: Session, topic: str) -> str | None:
    return session.scalar(select(FeedToken.token_hash).where(FeedToken.topic == topic))


def revoke_token(session: Session, topic: str) -> bool:
    return rows_changed(session, delete(FeedToken).where(FeedToken.topic == topic)) > 0


def tokens(session: Session) -> list[tuple[str, datetime]]:
    """(topic, created) of every topic that has a feed token."""
    return [
        (t, c)
        for t, c in session.execute(select(FeedToken.topic, FeedToken.created_at).order_by(FeedToken.topic))
    ]
