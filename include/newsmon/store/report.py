"""Read-only summaries for the terminal (the UI has its own, richer queries)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from newsmon.store.models import Copy, Flag, Story


@dataclass(frozen=True)
class StoryRow:
    story_id: int
    title: str
    site: str | None
    copies: int
    topic: str | None
    score: float
    copy_list: list[tuple[str | None, str, str, bool]]


def story_rows(session: Session, *, topic: str | None, flagged_only: bool, limit: int) -> list[StoryRow]:
    stmt = (
        select(Story, Flag).outerjoin(Flag, Flag.story_id == Story.id).where(Story.merged_into_id.is_(None))
    )
    if flagged_only or topic:
        stmt = stmt.where(Flag.id.is_not(None))
    if topic:
        stmt = stmt.where(Flag.topic == topic)
    stmt = stmt.order_by(Story.first_seen_at.desc(), Story.id.desc()).limit(limit)
    rows = []
    for story, flag in session.execute(stmt):
        copies = session.scalars(select(Copy).where(Copy.story_id == story.id).order_by(Copy.published)).all()
        original = next((c for c in copies if c.id == story.original_copy_id), None)
        rows.append(
            StoryRow(
                story_id=story.id,
                title=story.title,
                site=original.site if original else None,
                copies=len(copies),
                topic=flag.topic if flag else None,
                score=flag.score if flag else 0.0,
                copy_list=[(c.site, c.title, c.url, c.id == story.original_copy_id) for c in copies],
            )
        )
    return rows
