"""What a claimed alert or digest becomes after one attempt: sent, tried again later, or failed.

The retry half of the one claim/lease/retry machinery that alerts (`stage.py`), digests (`digest.py`),
surge alerts (`surge.py`) and backfill summaries (`summary.py`) share; its SQL half (claiming, the lease,
recording the outcome) is `newsmon.store.delivery`. `deliver_row` is the whole cycle for one row.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage

from sqlalchemy import select
from sqlalchemy.orm import Session

from newsmon.alerts.smtp import SendKind, SendResult, SmtpConfig, SmtpSession, SmtpUnavailable
from newsmon.store import delivery
from newsmon.store.db import SessionSource, session_scope
from newsmon.store.delivery import Deliverable, DeliveryStatus

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=15)  # how long a claim holds before another run may assume its worker died
FIRST_RETRY = timedelta(minutes=2)
LONGEST_RETRY = timedelta(hours=2)


def retry_delay(attempts: int) -> timedelta:
    """2, 4, 8 ... minutes, at most two hours: a greylisting server is retried soon, a broken one rarely."""
    delay: timedelta = FIRST_RETRY * 2 ** max(attempts - 1, 0)
    return min(delay, LONGEST_RETRY)


@dataclass(frozen=True)
class Settlement:
    """The row's next state after one attempt, as `newsmon.store.delivery.finish` records it."""

    status: DeliveryStatus
    error: str | None
    retry_at: datetime | None = None  # pending rows only: not before this time


def settle(
    result: SendResult, *, attempts: int, max_attempts: int, now: datetime, back_off: bool = True
) -> Settlement:
    """Sent stays sent; a transient failure is tried again (after `retry_delay` when `back_off`, else at the
    next run) until `attempts` reaches `max_attempts`; a permanent refusal fails at once."""
    if result.kind == SendKind.SENT:
        return Settlement(DeliveryStatus.SENT, result.error)
    if result.kind == SendKind.TRANSIENT and attempts < max_attempts:
        retry_at = now + retry_delay(attempts) if back_off else None
        return Settlement(DeliveryStatus.PENDING, result.error, retry_at)
    error = result.error
    if result.kind == SendKind.TRANSIENT:
        error = f"gave up after {attempts} attempts: {error}"
    return Settlement(DeliveryStatus.FAILED, error)


@dataclass(frozen=True)
class Outgoing:
    """A claimed row's email, ready to send."""

    message: EmailMessage
    recipients: tuple[str, ...]


def deliver_row(
    source: SessionSource,
    conn: SmtpSession,
    model: Deliverable,
    row_id: int,
    *,
    build: Callable[[Session], Outgoing],
    now: datetime,
    max_attempts: int,
    lease: timedelta = LEASE,
    back_off: bool = True,
) -> tuple[str, str | None]:
    """Claim one row, build its email, send it and record the outcome at once: the whole cycle for a
    surge alert or a backfill summary (alerts and digests run the same steps in their own loops).

    Returns (outcome, error); outcome is sent | pending (to retry) | failed | lost (another worker has it).
    A row without recipients fails with the reason; a build that raises is our bug, retried like a
    transient failure. The caller checks the connection (`conn.connect()`) before, so an outage costs
    no attempt."""
    with session_scope(source) as session:
        if not delivery.claim(session, model, row_id, now=now, lease=lease, max_attempts=max_attempts):
            return "lost", None
        attempts = session.scalar(select(model.attempts).where(model.id == row_id)) or 0
        try:
            outgoing = build(session)
        except Exception as exc:
            log.exception("%s %s could not be rendered", model.__tablename__, row_id)
            outgoing = None
            result = SendResult(SendKind.TRANSIENT, f"render failed: {exc}")
    if outgoing is not None:
        if not outgoing.recipients:
            result = SendResult(SendKind.PERMANENT, "no recipients")
        else:
            try:
                result = conn.send(outgoing.message, outgoing.recipients)
            except SmtpUnavailable as exc:
                result = SendResult(SendKind.TRANSIENT, str(exc))
    settled = settle(result, attempts=attempts, max_attempts=max_attempts, now=now, back_off=back_off)
    with session_scope(source) as session:
        delivery.finish(
            session,
            model,
            row_id,
            status=settled.status,
            error=settled.error,
            now=now,
            retry_at=settled.retry_at,
        )
    if settled.status != DeliveryStatus.SENT or settled.error:
        log.warning("%s %s: %s -> %s", model.__tablename__, row_id, settled.error, settled.status)
    return str(settled.status), settled.error


@dataclass(frozen=True)
class DeliveryReport:
    """What one delivery pass did, for every kind of email (alerts, surge alerts, backfill summaries):
    the task's counts and the run summary read the same fields whichever kind it was."""

    sent: int
    failed: int
    pending: int  # left for a later run: no SMTP server, retries, an outage, another worker's claim
    errors: tuple[str, ...] = ()
    queued: int = 0  # rows this pass created (alerts queued, surges found, summaries queued)
    superseded: int = 0  # alerts only: dropped because the merged story's alert covers the topic
    connections: int = 0  # SMTP connections opened: 1 for a pass with mail, 0 with nothing due


def deliver_due(
    source: SessionSource,
    smtp: SmtpConfig | None,
    model: Deliverable,
    *,
    build: Callable[[int, str], Callable[[Session], Outgoing]],
    now: datetime,
    max_attempts: int,
    what: str,
) -> DeliveryReport:
    """`deliver_row` for each due row of ``model`` (``build(row_id, sender)`` makes its email), over one SMTP
    connection; an outage stops the run (the rows stay pending, without an attempt spent). Without an SMTP
    server nothing is sent and the rows wait, said in a warning that names them as ``what``."""
    if smtp is None:
        with session_scope(source) as session:
            pending = delivery.count_pending(session, model)
        if pending:
            log.warning("no SMTP server configured: %d %s wait until one is", pending, what)
        return DeliveryReport(0, 0, pending)
    with session_scope(source) as session:
        row_ids = delivery.due_ids(session, model, now=now, max_attempts=max_attempts)
    tally = {"sent": 0, "failed": 0}
    errors: list[str] = []
    with SmtpSession(smtp) as conn:
        for row_id in row_ids:
            try:
                conn.connect()
            except SmtpUnavailable as exc:
                log.error("%s; %s rows stay pending", exc, model.__tablename__)
                errors.append(str(exc))
                break
            outcome, error = deliver_row(
                source,
                conn,
                model,
                row_id,
                build=build(row_id, smtp.from_email),
                now=now,
                max_attempts=max_attempts,
            )
            if outcome in tally:
                tally[outcome] += 1
            if error:
                errors.append(f"{model.__tablename__} {row_id}: {error}")
        connections = conn.connections
    with session_scope(source) as session:
        pending = delivery.count_pending(session, model)
    return DeliveryReport(tally["sent"], tally["failed"], pending, tuple(errors), connections=connections)
