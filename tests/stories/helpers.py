"""Helpers for the fold tests: insert copies as the pipeline does, read stories back."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from newsmon.store.db import session_scope
from newsmon.store.models import Copy, Story
from newsmon.stories.urls import url_key

REPO = Path(__file__).resolve().parents[2]
LABELLED = REPO / "bench" / "data" / "stories"
NOW = datetime(2025, 1, 1, tzinfo=UTC)


def add_copy(
    session,
    url: str,
    text: str,
    *,
    title: str = "",
    published: datetime | None = None,
    lang: str | None = "en",
    fetched_at: datetime = NOW,
    **extra,
) -> int:
    copy = Copy(
        url_key=url_key(url),
        url=url,
        text=text,
        title=title,
        published=published,
        lang=lang,
        fetched_at=fetched_at,
        **extra,
    )
    session.add(copy)
    session.flush()
    return copy.id


def stories_by_url(db_url: str) -> dict[str, int | None]:
    with session_scope(db_url) as s:
        return dict(s.execute(select(Copy.url, Copy.story_id)).all())


def story(db_url: str, story_id: int) -> Story:
    with session_scope(db_url) as s:
        return s.get(Story, story_id)


def labelled_set() -> tuple[list[dict], list[dict]]:
    def read(name: str) -> list[dict]:
        return [json.loads(x) for x in (LABELLED / name).read_text(encoding="utf-8").splitlines() if x]

    return read("articles.jsonl"), read("pairs.jsonl")


def parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))
