"""The digest: one email per recipient and period listing the stories flagged per topic since that
recipient's last sent digest, plus counts of new copies on stories flagged before.

Once per period: the `digests (recipient, period)` unique key holds the window of the period's digest, and
a claim (`pending -> sending`, by conditional UPDATE) decides who sends it, with the same claim, lease and
retry rules as alerts (`newsmon.store.delivery`, `newsmon.alerts.delivery`). A digest that
failed transiently is retried by the next run of the same period with the same window; once the period is
over the next period's digest starts where the last *sent* one ended, so nothing falls through the gap.
A recipient with nothing new gets no email (and no row), so a later run in the same period can still send.

Periods are UTC: `hourly` -> "2026-11-25T06", `daily` -> "2026-11-25", `weekly` -> "2026-W48".
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from newsmon.alerts.delivery import LEASE, settle
from newsmon.alerts.render import DigestContext, DigestStory, DigestTopic, render_digest
from newsmon.alerts.smtp import SendKind, SendResult, SmtpConfig, SmtpSession, SmtpUnavailable
from newsmon.store import alerts as store
from newsmon.store import delivery
from newsmon.store.db import SessionSource, session_scope
from newsmon.store.delivery import DeliveryStatus
from newsmon.store.models import Digest
from newsmon.store.stories import LinkedStory, linked_stories

log = logging.getLogger(__name__)

PER_TOPIC = 50


@dataclass(frozen=True)
class DigestReport:
    sent: int
    failed: int
    skipped: int  # recipients with nothing new
    already_sent: int  # recipients whose digest for this period went out before
    pending: int  # to retry in a later run of this period
    connections: int
    errors: tuple[str, ...]
    period: str = ""


def period_window(period: str, now: datetime) -> tuple[str, datetime, str]:
    """(key, start of the period, SQL LIKE pattern matching keys of this kind of period)."""
    if period == "hourly":
        start = now.replace(minute=0, second=0, microsecond=0)
        return start.strftime("%Y-%m-%dT%H"), start, "____-__-__T__"
    if period == "daily":
        start = now.replace(hour=0, minute=0, second=0, microsecond=0)
        return start.strftime("%Y-%m-%d"), start, "____-__-__"
    if period == "weekly":
        day = now.replace(hour=0, minute=0, second=0, microsecond=0)
        start = day - timedelta(days=day.weekday())
        year, week, _ = now.isocalendar()
        return f"{year}-W{week:02d}", start, "____-W__"
    raise ValueError(f"unknown digest period {period!r}: use hourly, daily or weekly")


def _recipients(topics: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    """recipient -> the topics they follow; addresses compared without case, first spelling kept."""
    spelled: dict[str, str] = {}
    out: dict[str, list[str]] = {}
    for topic in sorted(topics):
        for raw in topics[topic]:
            addr = (raw or "").strip()
            if not addr:
                continue
            addr = spelled.setdefault(addr.lower(), addr)
            if topic not in out.setdefault(addr, []):
                out[addr].append(topic)
    return out


def _content(
    session: Session, topic_names: Sequence[str], since: datetime, until: datetime
) -> tuple[DigestTopic, ...]:
    sections = []
    for topic in topic_names:
        new, total = store.digest_new_stories(session, topic, since=since, until=until, limit=PER_TOPIC)
        updated = store.digest_updated_stories(session, topic, since=since, until=until, limit=PER_TOPIC)
        if not total and not updated:
            continue
        linked = linked_stories(session, [s["story_id"] for s in new])
        sections.append(
            DigestTopic(
                topic=topic,
                new_total=total,
                new_stories=tuple(
                    DigestStory(
                        story_id=s["story_id"],
                        title=s["title"] or "",
                        score=s["score"],
                        site=s["site"],
                        url=s["url"],
                        copies=s["copies"],
                        also_in=_languages(linked.get(s["story_id"], ())),
                    )
                    for s in new
                ),
                updated_stories=tuple(
                    DigestStory(
                        story_id=s["story_id"],
                        title=s["title"] or "",
                        copies=s["copies"],
                        new_copies=s["new_copies"],
                    )
                    for s in updated
                ),
            )
        )
    return tuple(sections)


def _languages(links: Iterable[LinkedStory]) -> tuple[str, ...]:
    """Distinct languages of a story's linked stories, in the order of the links' scores."""
    return tuple(dict.fromkeys(link.lang for link in links if link.lang))


def send_digest(
    session_factory_or_url: SessionSource,
    *,
    smtp: SmtpConfig | None,
    now: datetime,
    period: str = "daily",
    topics: Mapping[str, Sequence[str]],
    ui_url: str,
    max_attempts: int = 5,
    lease: timedelta = LEASE,
) -> DigestReport:
    """Send this period's digest to every recipient of every topic, at most once per (recipient, period)."""
    from newsmon.alerts.message import build_message

    source = session_factory_or_url
    key, start, like = period_window(period, now)
    followers = _recipients(topics)
    if smtp is None:
        log.warning("no SMTP server configured: no digest for %s (%d recipient(s))", key, len(followers))
        return DigestReport(0, 0, 0, 0, len(followers), 0, (), key)

    counts = {"sent": 0, "failed": 0, "skipped": 0, "already_sent": 0, "pending": 0}
    errors: list[str] = []
    with SmtpSession(smtp) as conn:
        for recipient, topic_names in followers.items():
            with session_scope(source) as session:
                since = store.last_digest_until(session, recipient, like) or start
                since = min(since, now)
                sections = _content(session, topic_names, since, now)
                if not sections and not store.digest_exists(session, recipient, key):
                    counts["skipped"] += 1
                    continue
                store.retire_old_digests(session, recipient=recipient, period=key, periods_like=like)
                row = store.ensure_digest(
                    session,
                    recipient=recipient,
                    period=key,
                    since=since,
                    until=now,
                    message_id=store.digest_message_id(recipient, key),
                    now=now,
                )
                digest_id, status = row.id, row.status
                row_since, row_until = row.since, row.until
            if status == DeliveryStatus.SENT:
                counts["already_sent"] += 1
                continue
            if status == DeliveryStatus.FAILED:
                counts["failed"] += 1
                continue
            try:
                conn.connect()
            except SmtpUnavailable as exc:
                log.error("%s; digests for %s stay pending", exc, key)
                errors.append(str(exc))
                counts["pending"] += len(followers) - sum(counts.values())
                break
            with session_scope(source) as session:
                if not delivery.claim(
                    session, Digest, digest_id, now=now, lease=lease, max_attempts=max_attempts
                ):
                    continue  # another worker is sending it
                attempts = store.digest_attempts(session, digest_id)
                if (row_since, row_until) != (since, now):  # a retry, or another worker's window: use it
                    sections = _content(session, topic_names, row_since, row_until)
            try:
                rendered = render_digest(
                    DigestContext(
                        recipient=recipient,
                        period=key,
                        since=row_since,
                        until=row_until,
                        ui_url=ui_url,
                        message_id=store.digest_message_id(recipient, key),
                        topics=sections,
                    )
                )
                message = build_message(
                    rendered,
                    sender=smtp.from_email,
                    recipients=[recipient],
                    now=now,
                    headers={"X-Newsmon-Digest": key},
                )
                result = conn.send(message, [recipient])
            except SmtpUnavailable as exc:
                result = SendResult(SendKind.TRANSIENT, str(exc))
            except Exception as exc:
                log.exception("digest for %s could not be rendered", recipient)
                result = SendResult(SendKind.TRANSIENT, f"render failed: {exc}")
            # no back-off: the next run of this period is the retry, with the same window
            settled = settle(result, attempts=attempts, max_attempts=max_attempts, now=now, back_off=False)
            with session_scope(source) as session:
                delivery.finish(
                    session, Digest, digest_id, status=settled.status, error=settled.error, now=now
                )
            counts[str(settled.status)] += 1
            if settled.error:
                errors.append(f"digest {key} to {recipient}: {settled.error}")
                log.warning("digest %s to %s: %s -> %s", key, recipient, settled.error, settled.status)
        connections = conn.connections
    log.info("digest %s: %s, %d connection(s)", key, counts, connections)
    return DigestReport(
        counts["sent"],
        counts["failed"],
        counts["skipped"],
        counts["already_sent"],
        counts["pending"],
        connections,
        tuple(errors),
        key,
    )
