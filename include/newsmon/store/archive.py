"""Reading the stored archive for re-scoring: the copies of the stories seen since a time, in the order the
story-level rule needs them (story, then copy id), and the flags stored for a topic.

Shared by the topic preview (read-only) and the backfill. The copies are streamed: a preview over 100k
copies holds one story's copies at a time, not the archive.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from newsmon.store.models import Copy, Flag, Story

STREAM_ROWS = 500


@dataclass(frozen=True)
class ArchivedCopy:
    """What scoring reads of a copy (the same fields `pipeline.flag_topics` scores)."""

    copy_id: int
    story_id: int
    title: str
    text: str
    lang: str | None


@dataclass(frozen=True)
class StoredFlag:
    story_id: int
    score: float
    topic_hash: str | None
    evidence: dict[str, Any]


def _live_since(since: datetime) -> tuple[Any, ...]:
    """Live stories (not merged away) that gained a copy since `since`."""
    return (Story.merged_into_id.is_(None), Story.last_copy_at >= since)


def _copies() -> Select[*tuple[Any, ...]]:
    """The columns scoring reads, in story then copy order."""
    return select(Copy.id, Copy.story_id, Copy.title, Copy.text, Copy.lang).order_by(Copy.story_id, Copy.id)


def _row(r: Any) -> ArchivedCopy:
    return ArchivedCopy(r.id, r.story_id, r.title or "", r.text or "", r.lang)


def stream_copies(session: Session, since: datetime) -> Iterator[ArchivedCopy]:
    """Every copy of the live stories active since `since`, by story then copy id, fetched in chunks."""
    stmt = (_copies().join(Story, Story.id == Copy.story_id).where(*_live_since(since))).execution_options(
        yield_per=STREAM_ROWS
    )
    for r in session.execute(stmt):
        yield _row(r)


def copies_of_stories(session: Session, story_ids: Sequence[int]) -> list[ArchivedCopy]:
    """The copies of these stories, by story then copy id."""
    out: list[ArchivedCopy] = []
    for i in range(0, len(story_ids), STREAM_ROWS):
        chunk = list(story_ids[i : i + STREAM_ROWS])
        out += [_row(r) for r in session.execute(_copies().where(Copy.story_id.in_(chunk)))]
    out.sort(key=lambda c: (c.story_id, c.copy_id))
    return out


def count_active(session: Session, since: datetime) -> tuple[int, int]:
    """(stories, copies) of the live stories active since `since`: what a preview will score."""
    stories = session.scalar(select(func.count()).select_from(Story).where(*_live_since(since))) or 0
    copies = (
        session.scalar(
            select(func.count())
            .select_from(Copy)
            .join(Story, Story.id == Copy.story_id)
            .where(*_live_since(since))
        )
        or 0
    )
    return stories, copies


def stored_flags(session: Session, topic: str, since: datetime) -> dict[int, StoredFlag]:
    """The topic's flags on the live stories active since `since`, by story id."""
    stmt = (
        select(Flag.story_id, Flag.score, Flag.topic_hash, Flag.evidence)
        .join(Story, Story.id == Flag.story_id)
        .where(Flag.topic == topic, *_live_since(since))
    )
    return {
        r.story_id: StoredFlag(
            r.story_id, r.score, r.topic_hash, r.evidence if isinstance(r.evidence, dict) else {}
        )
        for r in session.execute(stmt)
    }


@dataclass(frozen=True)
class StoryInfo:
    story_id: int
    title: str
    first_seen_at: datetime
    copies_count: int


def story_info(session: Session, story_ids: Sequence[int]) -> dict[int, StoryInfo]:
    out: dict[int, StoryInfo] = {}
    for i in range(0, len(story_ids), STREAM_ROWS):
        chunk = list(story_ids[i : i + STREAM_ROWS])
        stmt = select(Story.id, Story.title, Story.first_seen_at, Story.copies_count).where(
            Story.id.in_(chunk)
        )
        out.update(
            (r.id, StoryInfo(r.id, r.title or "", r.first_seen_at, r.copies_count))
            for r in session.execute(stmt)
        )
    return out
