"""Delivery state of alerts and digests in SQL: the one claim/lease machinery both use.

A deliverable row (an `alerts`, `digests`, `surges` or `backfill_summaries` row) moves like this:

    pending --claim--> sending --server accepted--> sent
       ^                  |  \\--permanent refusal, or out of attempts--> failed
       +--transient-------+   \\--(alerts only) another alert covers the story--> superseded

A claim is a conditional UPDATE (`... WHERE status = 'pending'`) whose row count says who won, so two workers
never send one message. While a row is `sending`, `next_attempt_at` is its *lease*: the time after which a
run may assume the claiming worker died and claim it again (`newsmon.alerts.stage` describes the window).
While it is `pending`, `next_attempt_at` is the earliest time of the next attempt (a back-off), if any.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import ColumnElement, and_, func, or_, select, update
from sqlalchemy.orm import Session

from newsmon.store.db import rows_changed
from newsmon.store.models import Alert, BackfillSummary, Digest, Surge


class DeliveryStatus(StrEnum):
    """The `status` of an alert or digest row (stored as these strings)."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    SUPERSEDED = "superseded"  # alerts only: the story was merged and another alert covers it
    # alerts only: a flag a backfill found on an old story; it is listed in the backfill's summary email
    # (newsmon.topics.backfill) instead of being sent on its own
    SUMMARISED = "summarised"


Deliverable = type[Alert] | type[Digest] | type[Surge] | type[BackfillSummary]


def due(model: Deliverable, now: datetime) -> ColumnElement[bool]:
    """Pending and due, or sending with an expired lease (the worker that claimed it is gone)."""
    return or_(
        and_(
            model.status == DeliveryStatus.PENDING,
            or_(model.next_attempt_at.is_(None), model.next_attempt_at <= now),
        ),
        and_(model.status == DeliveryStatus.SENDING, model.next_attempt_at <= now),
    )


def due_ids(session: Session, model: Deliverable, *, now: datetime, max_attempts: int) -> list[int]:
    """The rows to try now, oldest first: due, and when pending with attempts left (what `claim` takes)."""
    stmt = (
        select(model.id)
        .where(due(model, now), (model.status != DeliveryStatus.PENDING) | (model.attempts < max_attempts))
        .order_by(model.id)
    )
    return list(session.scalars(stmt))


def count_pending(session: Session, model: Deliverable) -> int:
    """Rows not settled yet: pending, or being sent."""
    busy = (DeliveryStatus.PENDING, DeliveryStatus.SENDING)
    return session.scalar(select(func.count()).select_from(model).where(model.status.in_(busy))) or 0


def claim(
    session: Session,
    model: Deliverable,
    row_id: int,
    *,
    now: datetime,
    lease: timedelta,
    max_attempts: int | None = None,
) -> bool:
    """Take a row for sending (one more attempt, leased until `now + lease`); False when another worker
    took it first or it is not due any more. `max_attempts` also refuses a pending row that used them up."""
    condition = due(model, now)
    if max_attempts is not None:
        condition = and_(
            condition, or_(model.status != DeliveryStatus.PENDING, model.attempts < max_attempts)
        )
    stmt = (
        update(model)
        .where(model.id == row_id, condition)
        .values(status=DeliveryStatus.SENDING, attempts=model.attempts + 1, next_attempt_at=now + lease)
        .execution_options(synchronize_session=False)
    )
    return rows_changed(session, stmt) == 1


def finish(
    session: Session,
    model: Deliverable,
    row_id: int,
    *,
    status: DeliveryStatus,
    error: str | None,
    now: datetime,
    retry_at: datetime | None = None,
) -> None:
    """Record the outcome of a claimed row. Only a row still `sending` changes: once one worker recorded an
    outcome, a late one (whose lease ran out meanwhile) cannot overwrite it."""
    session.execute(
        update(model)
        .where(model.id == row_id, model.status == DeliveryStatus.SENDING)
        .values(
            status=status,
            last_error=error,
            next_attempt_at=retry_at,
            sent_at=now if status == DeliveryStatus.SENT else None,
        )
        .execution_options(synchronize_session=False)
    )
