"""Backfills in SQL: one row per (topic, topic version), the stories scanned with that version, the flags
a backfill found on old stories (quiet: no alert each) and the one summary email per recipient.

Every write goes through a unique key, so a re-run of a backfill (a retried task, a second trigger of the
same version) changes nothing that was done: `backfills (topic, topic_hash)`, `topic_scans (story, topic)`,
`alerts (story, topic)` for the quiet flags, `backfill_summaries (backfill, recipient)`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ColumnElement, exists, func, select, update
from sqlalchemy.orm import Session

from newsmon.store.alerts import alert_message_id, insert_alerts
from newsmon.store.db import chunks
from newsmon.store.delivery import DeliveryStatus
from newsmon.store.models import Alert, Backfill, BackfillSummary, Copy, Flag, Story, TopicScan
from newsmon.store.outbound import FeedRow, flagged_stories
from newsmon.store.upsert import _insert, insert_ignore


class BackfillState(StrEnum):
    RUNNING = "running"
    DONE = "done"


@dataclass(frozen=True)
class BackfillRow:
    id: int
    topic: str
    topic_hash: str
    since: datetime
    quiet_before: datetime
    status: str
    counts: Mapping[str, int]
    created_at: datetime
    finished_at: datetime | None


def _row(b: Backfill) -> BackfillRow:
    return BackfillRow(
        id=b.id,
        topic=b.topic,
        topic_hash=b.topic_hash,
        since=b.since,
        quiet_before=b.quiet_before,
        status=b.status,
        counts=dict(b.counts or {}),
        created_at=b.created_at,
        finished_at=b.finished_at,
    )


def ensure_backfill(
    session: Session, *, topic: str, topic_hash: str, since: datetime, quiet_before: datetime, now: datetime
) -> BackfillRow:
    """The backfill of this topic version, created if new. A later run reaching further back widens
    `since`; `quiet_before` stays the first run's (what was old then is old now)."""
    insert_ignore(
        session,
        Backfill,
        [
            {
                "topic": topic,
                "topic_hash": topic_hash,
                "since": since,
                "quiet_before": quiet_before,
                "status": BackfillState.RUNNING,
                "counts": {},
                "created_at": now,
            }
        ],
        ["topic", "topic_hash"],
    )
    session.execute(
        update(Backfill)
        .where(Backfill.topic == topic, Backfill.topic_hash == topic_hash, Backfill.since > since)
        .values(since=since)
        .execution_options(synchronize_session=False)
    )
    row = session.scalar(select(Backfill).where(Backfill.topic == topic, Backfill.topic_hash == topic_hash))
    assert row is not None
    return _row(row)


def get_backfill(session: Session, backfill_id: int) -> BackfillRow | None:
    row = session.get(Backfill, backfill_id)
    return _row(row) if row else None


def backfill_for(session: Session, topic: str, topic_hash: str) -> BackfillRow | None:
    row = session.scalar(select(Backfill).where(Backfill.topic == topic, Backfill.topic_hash == topic_hash))
    return _row(row) if row else None


def list_backfills(session: Session, *, topic: str | None = None, limit: int = 20) -> list[BackfillRow]:
    stmt = select(Backfill).order_by(Backfill.created_at.desc(), Backfill.id.desc()).limit(limit)
    if topic:
        stmt = stmt.where(Backfill.topic == topic)
    return [_row(b) for b in session.scalars(stmt)]


def stories_to_scan(
    session: Session,
    *,
    topic: str,
    topic_hash: str,
    since: datetime,
    first_id: int | None = None,
    last_id: int | None = None,
) -> list[int]:
    """Live stories with a copy since `since` not scanned yet with this topic version, by id (optionally
    within [first_id, last_id]: one mapped batch)."""
    scanned = exists().where(
        TopicScan.story_id == Story.id, TopicScan.topic == topic, TopicScan.topic_hash == topic_hash
    )
    stmt = select(Story.id).where(
        Story.merged_into_id.is_(None),
        Story.last_copy_at >= since,
        exists().where(Copy.story_id == Story.id),
        ~scanned,
    )
    if first_id is not None:
        stmt = stmt.where(Story.id >= first_id)
    if last_id is not None:
        stmt = stmt.where(Story.id <= last_id)
    return list(session.scalars(stmt.order_by(Story.id)))


def first_seen(session: Session, story_ids: Sequence[int]) -> dict[int, datetime]:
    out: dict[int, datetime] = {}
    for chunk in chunks(story_ids):
        out.update(
            (r[0], r[1])
            for r in session.execute(select(Story.id, Story.first_seen_at).where(Story.id.in_(chunk)))
        )
    return out


def flagged_among(session: Session, topic: str, story_ids: Sequence[int]) -> set[int]:
    out: set[int] = set()
    for chunk in chunks(story_ids):
        out.update(
            session.scalars(select(Flag.story_id).where(Flag.topic == topic, Flag.story_id.in_(chunk)))
        )
    return out


def record_scans(
    session: Session, story_ids: Sequence[int], *, topic: str, topic_hash: str, now: datetime
) -> None:
    """These stories were scored with this topic version (flagged or not); one row per (story, topic)."""
    if not story_ids:
        return
    stmt = _insert(session, TopicScan.__table__)
    stmt = stmt.on_conflict_do_update(
        index_elements=["story_id", "topic"],
        set_={"topic_hash": stmt.excluded.topic_hash, "scanned_at": stmt.excluded.scanned_at},
    )
    rows = [{"story_id": s, "topic": topic, "topic_hash": topic_hash, "scanned_at": now} for s in story_ids]
    for batch in chunks(rows):
        session.execute(stmt, list(batch))


def mark_quiet(
    session: Session,
    story_ids: Sequence[int],
    *,
    topic: str,
    recipients: Sequence[str],
    backfill_id: int,
    now: datetime,
) -> list[int]:
    """Quiet flags: each gets its (story, topic) alert row already `summarised`, so the alert stage never
    sends it on its own; the backfill's summary email lists them. Returns the alert ids created (a story
    that had an alert before keeps it and is not news)."""
    rows = [
        {
            "story_id": story_id,
            "topic": topic,
            "status": DeliveryStatus.SUMMARISED,
            "recipients": list(recipients),
            "message_id": alert_message_id(story_id, topic),
            "attempts": 0,
            "last_error": f"listed in the summary of backfill {backfill_id}",
            "created_at": now,
        }
        for story_id in story_ids
    ]
    return insert_alerts(session, rows)


def finish_backfill(session: Session, backfill_id: int, *, counts: Mapping[str, int], now: datetime) -> None:
    session.execute(
        update(Backfill)
        .where(Backfill.id == backfill_id)
        .values(status=BackfillState.DONE, counts=dict(counts), finished_at=now)
        .execution_options(synchronize_session=False)
    )


def backfill_counts(session: Session, backfill: BackfillRow) -> dict[str, int]:
    """What a backfill did, as the database says: stories scanned with its version, flags it created, and
    how many of those are quiet (summarised)."""
    scanned = session.scalar(
        select(func.count())
        .select_from(TopicScan)
        .where(TopicScan.topic == backfill.topic, TopicScan.topic_hash == backfill.topic_hash)
    )
    created = session.scalar(select(func.count()).select_from(Flag).where(Flag.backfill_id == backfill.id))
    return {"scanned": scanned or 0, "new_flags": created or 0, "quiet": quiet_total(session, backfill.id)}


# ----------------------------------------------------------------------------------------- the summary


def _quiet_where(backfill_id: int) -> tuple[ColumnElement[bool], ...]:
    return (
        Flag.backfill_id == backfill_id,
        Story.merged_into_id.is_(None),
        exists().where(
            Alert.story_id == Flag.story_id,
            Alert.topic == Flag.topic,
            Alert.status == DeliveryStatus.SUMMARISED,
        ),
    )


def quiet_total(session: Session, backfill_id: int) -> int:
    stmt = (
        select(func.count())
        .select_from(Flag)
        .join(Story, Story.id == Flag.story_id)
        .where(*_quiet_where(backfill_id))
    )
    return session.scalar(stmt) or 0


def quiet_stories(session: Session, backfill_id: int, *, limit: int) -> list[FeedRow]:
    """The quiet flags of a backfill, best score first: what its summary email lists."""
    return flagged_stories(
        session, *_quiet_where(backfill_id), order_by=(Flag.score.desc(), Flag.story_id), limit=limit
    )


def ensure_summary(
    session: Session, *, backfill_id: int, recipient: str, message_id: str, now: datetime
) -> bool:
    """The summary row of (backfill, recipient), created if new; True when this call created it."""
    row = {
        "backfill_id": backfill_id,
        "recipient": recipient,
        "status": DeliveryStatus.PENDING,
        "message_id": message_id,
        "attempts": 0,
        "created_at": now,
    }
    return insert_ignore(session, BackfillSummary, [row], ["backfill_id", "recipient"]) == 1


@dataclass(frozen=True)
class SummaryData:
    summary_id: int
    backfill: BackfillRow
    recipient: str
    message_id: str
    attempts: int


def summary_data(session: Session, summary_id: int) -> SummaryData | None:
    row = session.get(BackfillSummary, summary_id)
    if row is None:
        return None
    backfill = get_backfill(session, row.backfill_id)
    if backfill is None:
        return None
    return SummaryData(row.id, backfill, row.recipient, row.message_id, row.attempts)


def summary_states(session: Session, backfill_id: int) -> dict[str, str]:
    """recipient -> delivery status of a backfill's summaries."""
    stmt = select(BackfillSummary.recipient, BackfillSummary.status).where(
        BackfillSummary.backfill_id == backfill_id
    )
    return {recipient: status for recipient, status in session.execute(stmt)}
