"""Flags: a story's best score for a topic, with the evidence that made it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from newsmon.store.db import rows_changed
from newsmon.store.models import Flag, Story
from newsmon.store.upsert import insert_ignore


def _write_flag(
    session: Session,
    *,
    story_id: int,
    topic: str,
    score: float,
    copy_id: int,
    evidence: dict[str, Any],
    now: datetime,
    topic_hash: str | None,
    backfill_id: int | None = None,
    only_higher: bool,
) -> bool:
    """Insert the flag through its (story, topic) key, else update it (only to a higher score when
    `only_higher`); True when the flag is new."""
    row = {
        "story_id": story_id,
        "topic": topic,
        "score": score,
        "copy_id": copy_id,
        "evidence": evidence,
        "flagged_at": now,
        "updated_at": now,
        "topic_hash": topic_hash,
        "backfill_id": backfill_id,
    }
    if insert_ignore(session, Flag, [row], ["story_id", "topic"]):
        return True
    stmt = update(Flag).where(Flag.story_id == story_id, Flag.topic == topic)
    if only_higher:
        stmt = stmt.where(Flag.score < score)
    values = {
        "score": score,
        "copy_id": copy_id,
        "evidence": evidence,
        "updated_at": now,
        "topic_hash": topic_hash,
    }
    session.execute(stmt.values(**values))
    return False


def record_flag(
    session: Session,
    *,
    story_id: int,
    topic: str,
    score: float,
    copy_id: int,
    evidence: dict[str, Any],
    now: datetime,
    topic_hash: str | None = None,
) -> bool:
    """Flag a story for a topic, or raise its score when a copy scores higher. True when the flag is new.

    `topic_hash` is the version of the topic that scored the copy (newsmon.topics.version)."""
    return _write_flag(
        session,
        story_id=story_id,
        topic=topic,
        score=score,
        copy_id=copy_id,
        evidence=evidence,
        now=now,
        topic_hash=topic_hash,
        only_higher=True,
    )


def set_flag(
    session: Session,
    *,
    story_id: int,
    topic: str,
    score: float,
    copy_id: int,
    evidence: dict[str, Any],
    topic_hash: str,
    backfill_id: int | None,
    now: datetime,
) -> bool:
    """The flag as a re-score of all the story's copies with one topic version says it (the backfill):
    created (noting the backfill), or replaced, since the stored score came from another version. True
    when the flag is new."""
    return _write_flag(
        session,
        story_id=story_id,
        topic=topic,
        score=score,
        copy_id=copy_id,
        evidence=evidence,
        now=now,
        topic_hash=topic_hash,
        backfill_id=backfill_id,
        only_higher=False,
    )


def drop_flag(session: Session, *, story_id: int, topic: str) -> bool:
    """Remove a flag the current version of its topic no longer raises; True when there was one. Alerts
    already sent and analysts' feedback stay (they are history, and keep a re-flag from alerting again)."""
    return rows_changed(session, delete(Flag).where(Flag.story_id == story_id, Flag.topic == topic)) > 0


def live_story_id(session: Session, story_id: int) -> int:
    """Follow merges to the story that absorbed this one (a copy's story may have been merged meanwhile)."""
    seen = set()
    while story_id not in seen:
        seen.add(story_id)
        into = session.scalar(select(Story.merged_into_id).where(Story.id == story_id))
        if into is None:
            return story_id
        story_id = into
    return story_id
