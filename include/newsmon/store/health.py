"""What the health check and the pipeline metrics read from the database, and the record of finished runs.

Every question here is a handful of indexed look-ups (feeds are hundreds of rows, pending alerts a few),
because the News Monitor page asks them on every load to show its banner.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, delete, func, or_, select
from sqlalchemy.orm import Session

from newsmon.store.delivery import DeliveryStatus
from newsmon.store.entries import waiting_count
from newsmon.store.models import Alert, Copy, Feed, Flag, PipelineRun
from newsmon.store.upsert import upsert

# The backlog is counted through the fetch planner's own query (one definition of "still to fetch"), up to
# this many entries: enough for any threshold, bounded in cost when a backlog runs away.
BACKLOG_CAP = 100_000
KEEP_RUNS = timedelta(days=30)
PENDING = (DeliveryStatus.PENDING, DeliveryStatus.SENDING)  # an alert being sent is not delivered yet


@dataclass(frozen=True)
class HealthFacts:
    """The raw numbers behind the health checks, read in one go."""

    last_run_at: datetime | None
    newest_copy_at: datetime | None
    active_feeds: int
    failing_feeds: int
    failing_by_kind: Mapping[str, int] = field(default_factory=dict)
    backlog: int = 0
    backlog_capped: bool = False
    pending_alerts: int = 0
    oldest_pending_at: datetime | None = None
    oldest_pending_error: str | None = None


def _failing() -> ColumnElement[bool]:
    """A feed with a problem, as the Feed health page counts it: failing, backing off, or disabled."""
    return or_(Feed.consecutive_errors > 0, Feed.disabled_reason.is_not(None))


def read_facts(session: Session, *, max_fetch_attempts: int, backlog_cap: int = BACKLOG_CAP) -> HealthFacts:
    last_run_at = session.scalar(select(func.max(PipelineRun.finished_at)))
    newest_copy_at = session.scalar(select(func.max(Copy.fetched_at)))
    active = session.scalar(select(func.count()).select_from(Feed).where(Feed.active.is_(True))) or 0
    kinds = session.execute(
        select(Feed.last_error_kind, func.count())
        .where(Feed.active.is_(True), _failing())
        .group_by(Feed.last_error_kind)
    ).all()
    failing_by_kind: dict[str, int] = {}
    for kind, n in kinds:  # a feed disabled by hand or by a 410 may carry no error kind of its own
        failing_by_kind[kind or "disabled"] = failing_by_kind.get(kind or "disabled", 0) + n
    backlog = waiting_count(session, max_attempts=max_fetch_attempts, limit=backlog_cap)
    pending = session.scalar(select(func.count()).select_from(Alert).where(Alert.status.in_(PENDING))) or 0
    oldest = None
    if pending:
        oldest = session.execute(
            select(Alert.created_at, Alert.last_error)
            .where(Alert.status.in_(PENDING))
            .order_by(Alert.created_at, Alert.id)
            .limit(1)
        ).first()
    return HealthFacts(
        last_run_at=last_run_at,
        newest_copy_at=newest_copy_at,
        active_feeds=active,
        failing_feeds=sum(failing_by_kind.values()),
        failing_by_kind=failing_by_kind,
        backlog=backlog,
        backlog_capped=backlog >= backlog_cap,
        pending_alerts=pending,
        oldest_pending_at=oldest.created_at if oldest else None,
        oldest_pending_error=oldest.last_error if oldest else None,
    )


def record_run(
    session: Session,
    *,
    run_id: str,
    started_at: datetime | None,
    finished_at: datetime,
    summary: Mapping[str, Any] | None = None,
    keep: timedelta = KEEP_RUNS,
) -> None:
    """Note that a run reached its end. A retried final task rewrites the row of its run."""
    row = {
        "run_id": run_id[:250],
        "started_at": started_at,
        "finished_at": finished_at,
        "summary": dict(summary or {}),
    }
    upsert(session, PipelineRun, row, ["run_id"], ["started_at", "finished_at", "summary"])
    session.execute(delete(PipelineRun).where(PipelineRun.finished_at < finished_at - keep))


def feed_failures_since(session: Session, since: datetime) -> dict[str, int]:
    """error kind -> feeds whose poll at or after `since` failed (the poll stage stores the kind per feed)."""
    rows = session.execute(
        select(Feed.last_error_kind, func.count())
        .where(Feed.last_polled_at >= since, Feed.consecutive_errors > 0, Feed.last_error_kind.is_not(None))
        .group_by(Feed.last_error_kind)
    ).all()
    return {kind: n for kind, n in rows if kind is not None}


def new_flags_since(session: Session, since: datetime) -> dict[str, int]:
    """topic -> flags created at or after `since`."""
    rows = session.execute(
        select(Flag.topic, func.count()).where(Flag.flagged_at >= since).group_by(Flag.topic)
    ).all()
    return {topic: n for topic, n in rows}
