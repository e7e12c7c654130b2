"""Fixtures for the alert tests: a real SMTP server on 127.0.0.1 that can refuse chosen recipients, and
helpers that seed stories, copies and flags straight through the ORM."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime

import pytest

from newsmon.alerts.smtp import SmtpConfig
from newsmon.store.db import session_scope
from newsmon.store.models import Copy, Flag, Story
from tests.smtp_server import MailServer, free_port

NOW = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
TOPIC = "child_repatriation"
UI = "http://ui.test/newsmon"


def dead_smtp() -> SmtpConfig:
    """A port on 127.0.0.1 with nobody listening: connection refused."""
    return SmtpConfig(host="127.0.0.1", port=free_port(), timeout=5)


@pytest.fixture
def mail() -> Iterator[MailServer]:
    server = MailServer().start()
    try:
        yield server
    finally:
        server.stop()


def evidence_json(sentence: str, terms: Sequence[str], score: float = 2.0) -> dict:
    """The shape `TopicScore.to_json()` stores in flags.evidence."""
    return {
        "topic": TOPIC,
        "score": score,
        "flagged": True,
        "threshold": 1.3,
        "lang": "en",
        "features": {"child_return": 1.0, "conflict_context": 1.0},
        "counts": {},
        "learned_probability": None,
        "evidence": [
            {
                "sentence": sentence,
                "terms": list(terms),
                "concepts": ["CHILD", "RETURN"],
                "weight": score,
                "rules": ["child_return"],
                "in_title": False,
            }
        ],
    }


_serial = iter(range(1, 10**9))


def add_copy(
    session,
    story_id: int | None,
    *,
    site: str = "wire.example",
    title: str = "A copy",
    url: str | None = None,
    fetched_at: datetime = NOW,
    published: datetime | None = NOW,
) -> Copy:
    n = next(_serial)
    url = url or f"https://{site}/news/{n}"
    copy = Copy(
        url_key=f"{url}#{n}",
        url=url,
        site=site,
        title=title,
        text="Body text.",
        lang="en",
        published=published,
        fetched_at=fetched_at,
        story_id=story_id,
        text_source="page",
        fetch_status="ok",
    )
    session.add(copy)
    session.flush()
    if story_id is not None:
        story = session.get(Story, story_id)
        story.copies_count = (story.copies_count or 0) + 1
    return copy


def seed_story(
    session,
    *,
    title: str = "41 children of IS fighters leave Syrian camp",
    topics: Sequence[str] = (TOPIC,),
    copies: int = 2,
    score: float = 2.0,
    now: datetime = NOW,
    merged_into: int | None = None,
    sentence: str = "Forty-one children were repatriated from the al-Hol camp in Syria on Tuesday.",
    terms: Sequence[str] = ("children", "repatriated", "al-Hol"),
) -> int:
    story = Story(
        title=title,
        lang="en",
        first_seen_at=now,
        last_copy_at=now,
        copies_count=0,
        merged_into_id=merged_into,
    )
    session.add(story)
    session.flush()
    first = None
    for i in range(copies):
        c = add_copy(
            session,
            story.id,
            site=("origin.example" if i == 0 else f"mirror{i}.example"),
            title=title,
            fetched_at=now,
        )
        first = first or c
    story.original_copy_id = first.id if first else None
    for topic in topics:
        session.add(
            Flag(
                story_id=story.id,
                topic=topic,
                score=score,
                copy_id=first.id if first else None,
                evidence=evidence_json(sentence, terms, score),
                flagged_at=now,
                updated_at=now,
            )
        )
    session.flush()
    return story.id


def seed(db_url: str, n: int = 1, **kw) -> list[int]:
    with session_scope(db_url) as s:
        return [seed_story(s, **kw) for _ in range(n)]
