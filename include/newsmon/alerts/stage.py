"""The alert stage: queue one alert per new (story, topic) flag, then deliver what is due.

Exactly once, as far as SMTP allows
-----------------------------------
* Queueing inserts through the `alerts (story_id, topic)` unique key, so re-runs, retries, later copies of
  a story and concurrent workers never create a second alert. A story merged into another never gets one,
  and a story that absorbed a story already alerted for the topic does not either.
* Delivery claims each alert with a conditional UPDATE (`pending -> sending`, checked by row count) and
  commits the claim *before* talking to the server; after the server accepts the message the `sent`
  state is committed at once, one message at a time. Two workers can therefore not send one alert.
* The remaining window: between the server's "250 accepted" and the commit of `sent` (one UPDATE, about a
  millisecond). If the process dies inside it, the row stays `sending`; its `next_attempt_at` is a lease
  (`lease`, 15 minutes by default) after which a later run claims it again and sends it a second time.
  The resend carries the same Message-ID (`<newsmon-alert-{story}-{topic}@...>`), so mail systems and
  clients that de-duplicate on Message-ID show it once. A lease also covers a worker killed mid-send.

Failures
--------
* No SMTP configured: nothing is sent, alerts stay pending, one warning says so.
* Server unreachable or refusing our login: due alerts stay pending with the reason in `last_error` and
  a short delay; their attempt counters do not grow, since the outage is not their fault.
* 4xx / dropped connection for a message: back-off (`newsmon.alerts.delivery.retry_delay`) via
  `next_attempt_at`, up to `max_attempts`, then `failed`.
* 5xx (e.g. 550 recipient refused): `failed` with the server's words in `last_error`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from newsmon.alerts.delivery import LEASE, DeliveryReport, settle
from newsmon.alerts.message import recipients_of
from newsmon.alerts.smtp import SendKind, SendResult, SmtpConfig, SmtpSession, SmtpUnavailable
from newsmon.store import alerts as store
from newsmon.store import delivery
from newsmon.store.db import SessionSource, session_scope
from newsmon.store.delivery import DeliveryStatus
from newsmon.store.models import Alert

log = logging.getLogger(__name__)

OUTAGE_DELAY = timedelta(minutes=1)
MAX_ERRORS = 20


def queue_alerts(
    session: Session,
    *,
    topics: Mapping[str, Sequence[str]],
    now: datetime,
    domain: str = store.DEFAULT_DOMAIN,
) -> list[int]:
    """Create one pending alert per (story, topic) flag that has none; return the ids of those created.

    `topics` maps a topic name to its recipients. Flags of topics not named are left alone (the topic was
    removed from the configuration). A topic without recipients still gets its alerts, which delivery marks
    failed with the reason, so that adding recipients later does not flood them with old stories.
    """
    pairs = store.unalerted_flags(session, list(topics))
    rows = [
        {
            "story_id": story_id,
            "topic": topic,
            "status": DeliveryStatus.PENDING,
            "recipients": recipients_of(topics[topic]),
            "message_id": store.alert_message_id(story_id, topic, domain),
            "attempts": 0,
            "created_at": now,
        }
        for story_id, topic in pairs
    ]
    ids = store.insert_alerts(session, rows)
    if ids:
        log.info("queued %d alert(s)", len(ids))
    return ids


def deliver_pending(
    session_factory_or_url: SessionSource,
    *,
    smtp: SmtpConfig | None,
    now: datetime,
    ui_url: str,
    max_attempts: int = 8,
    lease: timedelta = LEASE,
) -> DeliveryReport:
    """Send every due alert over one SMTP connection; each outcome is committed as soon as it is known."""
    source = session_factory_or_url
    if smtp is None:
        pending = _still_pending(source)
        log.warning("no SMTP server configured: %d alert(s) stay pending until one is", pending)
        return DeliveryReport(sent=0, failed=0, pending=pending)

    tally = {"sent": 0, "failed": 0, "superseded": 0, "retry": 0, "lost": 0}
    errors: list[str] = []
    with SmtpSession(smtp) as conn:
        after_id = 0
        while True:
            with session_scope(source) as session:
                ids = store.due_alert_ids(session, now=now, after_id=after_id)
                covered = store.absorbed_alerts(session, statuses=store.SUPERSEDING) if ids else {}
            if not ids:
                break
            try:
                for alert_id in ids:
                    after_id = alert_id
                    conn.connect()  # before the claim: an outage must not cost an alert an attempt
                    outcome, error = _deliver_one(
                        source,
                        conn,
                        alert_id,
                        covered=covered,
                        smtp=smtp,
                        now=now,
                        ui_url=ui_url,
                        max_attempts=max_attempts,
                        lease=lease,
                    )
                    tally[outcome] += 1
                    if error and len(errors) < MAX_ERRORS:
                        errors.append(f"alert {alert_id}: {error}")
            except SmtpUnavailable as exc:
                with session_scope(source) as session:
                    deferred = store.defer_due_alerts(
                        session, now=now, until=now + OUTAGE_DELAY, error=str(exc)
                    )
                log.error("%s; %d due alert(s) stay pending", exc, deferred)
                errors.append(str(exc))
                break
        connections = conn.connections
    pending = _still_pending(source)
    log.info(
        "alerts delivered: %d sent, %d failed, %d superseded, %d to retry, %d pending, %d connection(s)",
        tally["sent"],
        tally["failed"],
        tally["superseded"],
        tally["retry"],
        pending,
        connections,
    )
    return DeliveryReport(
        sent=tally["sent"],
        failed=tally["failed"],
        pending=pending,
        connections=connections,
        errors=tuple(errors),
        superseded=tally["superseded"],
    )


def _still_pending(source: SessionSource) -> int:
    with session_scope(source) as session:
        counts = store.count_alerts(session)
    return counts.get("pending", 0) + counts.get("sending", 0)


def _deliver_one(
    source: SessionSource,
    conn: SmtpSession,
    alert_id: int,
    *,
    covered: Mapping[tuple[int, str], tuple[int, int]],
    smtp: SmtpConfig,
    now: datetime,
    ui_url: str,
    max_attempts: int,
    lease: timedelta,
) -> tuple[str, str | None]:
    """Claim, render, send, record; returns (outcome, error), outcome: sent|failed|superseded|retry|lost."""
    from newsmon.alerts.message import build_message
    from newsmon.alerts.render import alert_context, render_alert

    # 1. Claim (committed before any network traffic) and read what the email shows.
    with session_scope(source) as session:
        if not delivery.claim(session, Alert, alert_id, now=now, lease=lease):
            return "lost", None  # another worker has it
        data = store.alert_data(session, alert_id)
        reason = store.supersession(data, covered) if data else "alert deleted"
        if reason:
            delivery.finish(session, Alert, alert_id, status=DeliveryStatus.SUPERSEDED, error=reason, now=now)
            log.info("alert %s not sent: %s", alert_id, reason)
            return "superseded", None
    assert data is not None
    if not data.recipients:
        return _record(
            source,
            data,
            SendResult(SendKind.PERMANENT, f"topic {data.topic!r} has no recipients"),
            now=now,
            max_attempts=max_attempts,
        )

    # 2. Render. A template error is our bug, not the alert's: retried with back-off, then failed.
    try:
        rendered = render_alert(alert_context(data, ui_url=ui_url))
        message = build_message(
            rendered,
            sender=smtp.from_email,
            recipients=data.recipients,
            now=now,
            headers={"X-Newsmon-Alert": f"{data.story_id}/{data.topic}"},
        )
    except Exception as exc:
        log.exception("alert %s could not be rendered", alert_id)
        return _record(
            source,
            data,
            SendResult(SendKind.TRANSIENT, f"render failed: {exc}"),
            now=now,
            max_attempts=max_attempts,
        )

    # 3. Send, then 4. record at once: this gap is the window described in the module docstring.
    try:
        result = conn.send(message, data.recipients)
    except SmtpUnavailable as exc:  # the connection dropped since the loop checked it and cannot reopen
        result = SendResult(SendKind.TRANSIENT, str(exc))
    return _record(source, data, result, now=now, max_attempts=max_attempts)


def _record(
    source: SessionSource, data: store.AlertData, result: SendResult, *, now: datetime, max_attempts: int
) -> tuple[str, str | None]:
    settled = settle(result, attempts=data.attempts, max_attempts=max_attempts, now=now)
    with session_scope(source) as session:
        delivery.finish(
            session,
            Alert,
            data.alert_id,
            status=settled.status,
            error=settled.error,
            now=now,
            retry_at=settled.retry_at,
        )
    outcome = "retry" if settled.status == DeliveryStatus.PENDING else str(settled.status)
    if outcome != "sent":
        log.warning(
            "alert %s (story %s, %s): %s -> %s",
            data.alert_id,
            data.story_id,
            data.topic,
            settled.error,
            outcome,
        )
    elif settled.error:
        log.warning("alert %s sent, but %s", data.alert_id, settled.error)
    return outcome, settled.error
