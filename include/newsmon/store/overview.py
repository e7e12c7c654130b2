"""Why the News Monitor list is empty on a first run: what the monitor has configured, polled, stored and
flagged so far, counted in a few small queries (only asked when the list shows nothing)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from newsmon.store.models import Copy, Feed, Flag, PipelineRun, Story


class EmptyReason(StrEnum):
    """The first thing that stands between the analyst and a flagged story."""

    NO_FEEDS = "no_feeds"
    FEEDS_FAILING = "feeds_failing"
    NOT_RUN = "not_run"
    NOTHING_FETCHED = "nothing_fetched"
    NOTHING_FLAGGED = "nothing_flagged"
    FLAGGED = "flagged"


@dataclass(frozen=True)
class Overview:
    feeds: int  # active feeds (configured in feeds.yaml)
    failing: int  # of those, failing now or disabled
    polled: int  # of those, polled successfully at least once
    copies: int
    stories: int
    flags: int
    last_run_at: datetime | None

    @property
    def reason(self) -> EmptyReason:
        if not self.feeds:
            return EmptyReason.NO_FEEDS
        if self.failing and (self.failing == self.feeds or not self.copies):
            return EmptyReason.FEEDS_FAILING
        if self.last_run_at is None and not self.copies:
            return EmptyReason.NOT_RUN
        if not self.copies:
            return EmptyReason.NOTHING_FETCHED
        if not self.flags:
            return EmptyReason.NOTHING_FLAGGED
        return EmptyReason.FLAGGED


def overview(session: Session) -> Overview:
    active = Feed.active.is_(True)
    failing = or_(Feed.consecutive_errors > 0, Feed.disabled_reason.is_not(None))
    return Overview(
        feeds=session.scalar(select(func.count()).select_from(Feed).where(active)) or 0,
        failing=session.scalar(select(func.count()).select_from(Feed).where(active, failing)) or 0,
        polled=session.scalar(
            select(func.count()).select_from(Feed).where(active, Feed.last_success_at.is_not(None))
        )
        or 0,
        copies=session.scalar(select(func.count()).select_from(Copy)) or 0,
        stories=session.scalar(select(func.count()).select_from(Story).where(Story.merged_into_id.is_(None)))
        or 0,
        flags=session.scalar(select(func.count()).select_from(Flag)) or 0,
        last_run_at=session.scalar(select(func.max(PipelineRun.finished_at))),
    )
