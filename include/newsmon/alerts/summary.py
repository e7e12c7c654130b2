"""The backfill summary: one email per recipient and topic version, listing the flags a backfill found on
stories older than `NEWSMON_BACKFILL_QUIET_AGE` instead of one alert each (those flags also appear in the
next digest, which lists what was flagged in its window).

Never twice: the `backfill_summaries (backfill, recipient)` key holds one row per recipient of a backfill
(one backfill per topic version), sent through the claim/lease machinery of alerts and digests
(`newsmon.alerts.delivery.deliver_row`). A re-run of the backfill finds the row sent and sends nothing;
an unsent one (no SMTP, an outage) is sent by the next run, of this backfill or any other.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime

from sqlalchemy.orm import Session

from newsmon.alerts.delivery import DeliveryReport, Outgoing, deliver_due
from newsmon.alerts.message import build_message, recipients_of
from newsmon.alerts.render import BackfillContext, DigestStory, render_backfill
from newsmon.alerts.smtp import SmtpConfig
from newsmon.store import backfills as store
from newsmon.store.alerts import backfill_message_id
from newsmon.store.db import SessionSource, session_scope
from newsmon.store.models import BackfillSummary
from newsmon.topics.version import short

log = logging.getLogger(__name__)

MAX_LISTED = 200
MAX_ATTEMPTS = 5


def queue_summaries(
    session: Session, backfill_ids: Sequence[int], *, topics: Mapping[str, Sequence[str]], now: datetime
) -> int:
    """One summary row per recipient of each backfill that found quiet flags; returns how many are new."""
    created = 0
    for backfill_id in backfill_ids:
        backfill = store.get_backfill(session, backfill_id)
        if backfill is None or not store.quiet_total(session, backfill_id):
            continue
        for recipient in recipients_of(topics.get(backfill.topic, ())):
            created += store.ensure_summary(
                session,
                backfill_id=backfill_id,
                recipient=recipient,
                message_id=backfill_message_id(recipient, backfill.topic, backfill.topic_hash),
                now=now,
            )
    return created


def _build(summary_id: int, *, sender: str, ui_url: str, now: datetime) -> Callable[[Session], Outgoing]:
    def build(session: Session) -> Outgoing:
        data = store.summary_data(session, summary_id)
        if data is None:
            raise LookupError(f"backfill summary {summary_id} is gone")
        backfill = data.backfill
        stories = store.quiet_stories(session, backfill.id, limit=MAX_LISTED)
        ctx = BackfillContext(
            recipient=data.recipient,
            topic=backfill.topic,
            version=short(backfill.topic_hash),
            since=backfill.since,
            quiet_before=backfill.quiet_before,
            ui_url=ui_url,
            message_id=data.message_id,
            stories=tuple(
                DigestStory(
                    story_id=s.story_id, title=s.title, score=s.score, site=s.site, url=s.url, copies=s.copies
                )
                for s in stories
            ),
            total=store.quiet_total(session, backfill.id),
        )
        message = build_message(
            render_backfill(ctx),
            sender=sender,
            recipients=[data.recipient],
            now=now,
            headers={"X-Newsmon-Backfill": f"{backfill.topic}/{short(backfill.topic_hash)}"},
        )
        return Outgoing(message, (data.recipient,))

    return build


def send_summaries(
    source: SessionSource,
    *,
    smtp: SmtpConfig | None,
    now: datetime,
    backfill_ids: Sequence[int],
    topics: Mapping[str, Sequence[str]],
    ui_url: str,
) -> DeliveryReport:
    """Queue the summaries of these backfills and send every due summary (of any backfill)."""
    with session_scope(source) as session:
        queued = queue_summaries(session, backfill_ids, topics=topics, now=now)
    done = deliver_due(
        source,
        smtp,
        BackfillSummary,
        build=lambda row_id, sender: _build(row_id, sender=sender, ui_url=ui_url, now=now),
        now=now,
        max_attempts=MAX_ATTEMPTS,
        what="backfill summary email(s)",
    )
    if smtp is None:
        return replace(done, queued=queued)
    log.info(
        "backfill summaries: %d queued, %d sent, %d failed, %d pending",
        queued,
        done.sent,
        done.failed,
        done.pending,
    )
    return replace(done, queued=queued)
