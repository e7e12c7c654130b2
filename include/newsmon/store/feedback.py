"""Reading analysts' feedback back out: the verdicts, and the article text each verdict was about.

Writes go through `newsmon.store.queries.set_feedback` (the UI's one write), so there is a single
place that decides what a verdict row looks like; `FeedbackView` is the one typed row every reader gets
(the CLI's list, the story page, the API). The topic evaluation and the learned layer turn verdicts into
labelled examples. Each verdict comes with
the text of the story's *original* copy (title + text) because that is what the analyst judged on the
detail page; when the original has no text (a fetch that fell back to the feed summary), the copy that
earned the flag stands in for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from newsmon.store.models import Copy, Feedback, Flag, Story

MAX_LIST = 10_000


@dataclass(frozen=True)
class FeedbackView:
    """One analyst's verdict on one (story, topic), with the title of the story it is about."""

    story_id: int
    topic: str
    user: str
    relevant: bool
    note: str | None
    updated_at: datetime
    story_title: str

    @classmethod
    def of(cls, row: Feedback, story_title: str | None) -> FeedbackView:
        return cls(
            story_id=row.story_id,
            topic=row.topic,
            user=row.user,
            relevant=bool(row.relevant),
            note=row.note,
            updated_at=row.updated_at,
            story_title=story_title or "",
        )


@dataclass(frozen=True)
class FeedbackVote:
    """A verdict together with the article it judged, as the evaluation needs it."""

    story_id: int
    topic: str
    user: str
    relevant: bool
    title: str
    text: str
    lang: str | None


def list_feedback(session: Session, topic: str | None = None, limit: int = MAX_LIST) -> list[FeedbackView]:
    """Verdicts, most recently changed first, optionally for one topic."""
    stmt = (
        select(Feedback, Story.title)
        .join(Story, Story.id == Feedback.story_id)
        .order_by(Feedback.updated_at.desc(), Feedback.id.desc())
        .limit(max(1, min(limit, MAX_LIST)))
    )
    if topic:
        stmt = stmt.where(Feedback.topic == topic)
    return [FeedbackView.of(f, title) for f, title in session.execute(stmt)]


def feedback_votes(session: Session, topic: str | None = None) -> list[FeedbackVote]:
    """Every verdict with the judged article's title, text and language, ordered by story and user.

    One statement: verdict -> story -> original copy, plus the flag's copy as the stand-in for an
    original without text.
    """
    original = aliased(Copy)
    flagged = aliased(Copy)
    stmt = (
        select(
            Feedback.story_id,
            Feedback.topic,
            Feedback.user,
            Feedback.relevant,
            Story.title,
            Story.lang,
            original.title,
            original.text,
            original.lang,
            flagged.title,
            flagged.text,
            flagged.lang,
        )
        .join(Story, Story.id == Feedback.story_id)
        .outerjoin(original, original.id == Story.original_copy_id)
        .outerjoin(Flag, (Flag.story_id == Feedback.story_id) & (Flag.topic == Feedback.topic))
        .outerjoin(flagged, flagged.id == Flag.copy_id)
        .order_by(Feedback.topic, Feedback.story_id, Feedback.user)
    )
    if topic:
        stmt = stmt.where(Feedback.topic == topic)
    out: list[FeedbackVote] = []
    for row in session.execute(stmt):
        (story_id, topic_name, user, relevant, story_title, story_lang,
         o_title, o_text, o_lang, f_title, f_text, f_lang) = row  # fmt: skip
        if (o_text or "").strip():
            title, text, lang = o_title or story_title or "", o_text, o_lang or story_lang
        else:
            title, text, lang = f_title or o_title or story_title or "", f_text or "", f_lang or story_lang
        out.append(
            FeedbackVote(
                story_id=story_id,
                topic=topic_name,
                user=user,
                relevant=bool(relevant),
                title=title or "",
                text=text or "",
                lang=lang,
            )
        )
    return out
