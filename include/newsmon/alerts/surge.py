"""Surge alerts: a story flagged for a topic that gains at least N copies from at least M distinct sites
within the last H hours is surging, and its topic's recipients get one "surge" email with the copies'
timeline. Defaults N=5, M=3, H=6; a topic overrides them (`surge: {copies, sites, hours}`) or turns
surges off (`surge: false`), see config/topics/README.md.

Exactly once per story and topic: finding a surge inserts its row through the `surges (story, topic)`
key (a story that absorbed one that surged does not surge again), and delivery claims the row before
sending, with the lease and retries of alerts and digests (`newsmon.alerts.delivery.deliver_row`). A
re-run of the check finds nothing new and sends nothing that was sent. Runs in `news_monitor` after the
flags (`check_surges`), so a surge is seen within one polling interval of the copy that makes it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from newsmon.alerts.delivery import DeliveryReport, Outgoing, deliver_due
from newsmon.alerts.message import build_message, recipients_of
from newsmon.alerts.render import CopyInfo, SurgeContext, render_surge
from newsmon.alerts.smtp import SmtpConfig
from newsmon.store import surges as store
from newsmon.store.db import SessionSource, session_scope
from newsmon.store.models import Surge
from newsmon.topics.model import Topic

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8


def find_surges(session: Session, topics: Sequence[Topic], *, now: datetime) -> list[tuple[str, int]]:
    """Record the new surges of every topic as of `now`; returns their (topic, story id)."""
    found: list[tuple[str, int]] = []
    for topic in topics:
        rule = topic.surge
        if not rule.enabled:
            continue
        since = now - timedelta(hours=rule.hours)
        for candidate in store.surging_stories(
            session, topic=topic.name, since=since, until=now, min_copies=rule.copies, min_sites=rule.sites
        ):
            recipients = recipients_of(topic.recipients)
            if store.record_surge(
                session,
                story_id=candidate.story_id,
                topic=topic.name,
                found=candidate,
                since=since,
                until=now,
                recipients=recipients,
                now=now,
            ):
                found.append((topic.name, candidate.story_id))
                log.info(
                    "surge: story %s (%s): %d copies from %d sites within %g h",
                    candidate.story_id,
                    topic.name,
                    candidate.copies,
                    candidate.sites,
                    rule.hours,
                )
    return found


def surge_context(view: store.SurgeView, *, ui_url: str) -> SurgeContext:
    timeline = []
    inside = set()
    for i, item in enumerate(view.timeline):
        when = item.get("seen_at")
        timeline.append(
            CopyInfo(
                site=item.get("site"),
                title=str(item.get("title") or ""),
                url=str(item.get("url") or ""),
                published=datetime.fromisoformat(when) if isinstance(when, str) else None,
            )
        )
        if item.get("in_window"):
            inside.add(i)
    return SurgeContext(
        story_id=view.story_id,
        topic=view.topic,
        story_title=view.story_title,
        copies=view.copies,
        sites=view.sites,
        hours=view.hours,
        window_start=view.window_start,
        window_end=view.window_end,
        ui_url=ui_url,
        message_id=view.message_id,
        timeline=tuple(timeline),
        in_window=frozenset(inside),
    )


def _build(surge_id: int, *, sender: str, ui_url: str, now: datetime) -> Callable[[Session], Outgoing]:
    def build(session: Session) -> Outgoing:
        view = store.surge_view(session, surge_id)
        if view is None:
            raise LookupError(f"surge {surge_id} is gone")
        message = build_message(
            render_surge(surge_context(view, ui_url=ui_url)),
            sender=sender,
            recipients=view.recipients,
            now=now,
            headers={"X-Newsmon-Surge": f"{view.story_id}/{view.topic}"},
        )
        return Outgoing(message, view.recipients)

    return build


def check_surges(
    source: SessionSource, topics: Sequence[Topic], *, smtp: SmtpConfig | None, now: datetime, ui_url: str
) -> DeliveryReport:
    """Find the new surges and send every due surge alert (no SMTP: they wait, like alerts)."""
    with session_scope(source) as session:
        found = find_surges(session, topics, now=now)
    done = deliver_due(
        source,
        smtp,
        Surge,
        build=lambda row_id, sender: _build(row_id, sender=sender, ui_url=ui_url, now=now),
        now=now,
        max_attempts=MAX_ATTEMPTS,
        what="surge alert(s)",
    )
    return replace(done, queued=len(found))
