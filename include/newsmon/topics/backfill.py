"""Backfill: re-score the stored archive with the current version of a topic, so a new or edited topic
sees the stories folded before it changed (the monitor only scores copies as they arrive).

Three steps, each safe to re-run (the DAG `news_backfill` maps the middle one):

1. `start`: for each topic asked for (or, with none named, each topic whose current version has no
   finished backfill yet: new or edited topics) the backfill row of (topic, version hash) and the
   batches of stories to re-score: live stories with a copy since `since` not scanned with that version.
2. `run_batch`: every copy of the batch's stories is scored as the monitor scores (`topics.flagging`);
   a story the topic now flags gets its flag created or replaced (with the version's hash), a flag the
   topic no longer raises is removed (alerts and feedback stay), and each story is recorded as scanned.
   A flag *created* on a story first seen before `quiet_before` (now - NEWSMON_BACKFILL_QUIET_AGE) is
   quiet: its alert row is written `summarised` in the same transaction, so the alert stage never sends
   it on its own. Newer stories get their alert as usual.
3. `finish`: the backfill is marked done and one summary email per recipient lists its quiet flags
   (`alerts.summary`; never twice: one per recipient and topic version).

If the topic's files change while a backfill runs, its remaining batches fail with a clear message: the
new version needs its own backfill (trigger it again).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from itertools import groupby
from typing import TYPE_CHECKING, Any

from newsmon.config.settings import Settings
from newsmon.store import archive
from newsmon.store import backfills as store
from newsmon.store import flags as flags_store
from newsmon.store.db import session_scope
from newsmon.topics.flagging import ScoringTopic, StoryVerdict, score_copy, scoring_topics
from newsmon.topics.model import Topic, load_topics
from newsmon.topics.version import short, topic_hash

if TYPE_CHECKING:  # the SMTP side is imported when a summary is sent
    from newsmon.alerts.smtp import SmtpConfig

log = logging.getLogger(__name__)

MAX_BATCHES = 512  # mapped tasks per run (Airflow's max_map_length is 1024)


class BackfillError(RuntimeError):
    """A backfill cannot go on: an unknown topic, or a topic whose files changed since it started."""


@dataclass(frozen=True)
class BackfillBatch:
    """A range of story ids of one backfill: what one mapped task re-scores (plain values for XCom)."""

    backfill_id: int
    first_story_id: int
    last_story_id: int

    def to_dict(self) -> dict[str, int]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> BackfillBatch:
        return cls(int(data["backfill_id"]), int(data["first_story_id"]), int(data["last_story_id"]))


@dataclass(frozen=True)
class BackfillStart:
    backfill_id: int
    topic: str
    topic_hash: str
    stories: int  # stories to re-score in this run
    batches: tuple[BackfillBatch, ...]


def _enabled(settings: Settings) -> list[Topic]:
    return [t for t in load_topics(settings.topics_dir) if t.enabled]


def _topic(settings: Settings, name: str) -> Topic:
    for t in _enabled(settings):
        if t.name == name:
            return t
    raise BackfillError(f"no enabled topic named {name!r} in {settings.topics_dir}")


def _chunks(ids: Sequence[int], size: int) -> list[Sequence[int]]:
    size = max(size, -(-len(ids) // MAX_BATCHES)) if ids else size
    return [ids[i : i + size] for i in range(0, len(ids), size)]


def start(
    settings: Settings, *, topic: str | None = None, since: timedelta | None = None, now: datetime
) -> list[BackfillStart]:
    """Create (or find) the backfill of each topic's current version and plan its batches.

    With `topic` None, only topics whose current version was never backfilled to the end (new or edited
    topics): what the scheduled run does. A named topic is always planned; a version done before finds
    only the stories not scanned yet (none, unless `since` reaches further back or new stories came)."""
    window = since if since is not None else settings.backfill_since
    chosen = [_topic(settings, topic)] if topic else _enabled(settings)
    out: list[BackfillStart] = []
    for t in chosen:
        version = topic_hash(t)
        with session_scope(settings.db_url) as session:
            known = store.backfill_for(session, t.name, version)
            if topic is None and known is not None and known.status == store.BackfillState.DONE:
                continue
            row = store.ensure_backfill(
                session,
                topic=t.name,
                topic_hash=version,
                since=now - window,
                quiet_before=now - settings.backfill_quiet_age,
                now=now,
            )
            ids = store.stories_to_scan(session, topic=t.name, topic_hash=version, since=row.since)
        batches = tuple(BackfillBatch(row.id, c[0], c[-1]) for c in _chunks(ids, settings.backfill_batch))
        log.info(
            "backfill %s of %s (version %s) since %s: %d stories in %d batch(es)",
            row.id,
            t.name,
            short(version),
            row.since.isoformat(),
            len(ids),
            len(batches),
        )
        out.append(BackfillStart(row.id, t.name, version, len(ids), batches))
    return out


def _verdicts(topic: ScoringTopic, copies: Sequence[archive.ArchivedCopy]) -> list[StoryVerdict]:
    out = []
    for story_id, group in groupby(copies, key=lambda c: c.story_id):
        verdict = StoryVerdict(story_id, topic.name)
        for copy in group:
            (result,) = score_copy([topic], title=copy.title, text=copy.text, lang=copy.lang)
            verdict.add(copy.copy_id, result)
        out.append(verdict)
    return out


def run_batch(settings: Settings, batch: BackfillBatch, *, now: datetime) -> dict[str, int]:
    """Re-score one batch of stories; a re-run skips the stories scanned already."""
    with session_scope(settings.db_url) as session:
        backfill = store.get_backfill(session, batch.backfill_id)
    if backfill is None:
        raise BackfillError(f"backfill {batch.backfill_id} does not exist")
    (topic,) = scoring_topics([_topic(settings, backfill.topic)])
    if topic.hash != backfill.topic_hash:
        raise BackfillError(
            f"topic {backfill.topic!r} changed since backfill {backfill.id} started (version "
            f"{short(backfill.topic_hash)}, now {short(topic.hash)}): trigger news_backfill again "
            "for the new version"
        )
    with session_scope(settings.db_url) as session:
        ids = store.stories_to_scan(
            session,
            topic=backfill.topic,
            topic_hash=backfill.topic_hash,
            since=backfill.since,
            first_id=batch.first_story_id,
            last_id=batch.last_story_id,
        )
        copies = archive.copies_of_stories(session, ids)
        flagged_now = store.flagged_among(session, backfill.topic, ids)
        seen = store.first_seen(session, ids)
    verdicts = _verdicts(topic, copies)  # scored outside any transaction: no lock is held meanwhile
    counts = {
        "stories": len(ids),
        "copies": len(copies),
        "new_flags": 0,
        "quiet": 0,
        "updated": 0,
        "unflagged": 0,
    }
    with session_scope(settings.db_url) as session:
        quiet: list[int] = []
        for verdict in verdicts:
            best = verdict.best
            if best is None:
                if verdict.story_id in flagged_now and flags_store.drop_flag(
                    session, story_id=verdict.story_id, topic=backfill.topic
                ):
                    counts["unflagged"] += 1
                continue
            created = flags_store.set_flag(
                session,
                story_id=verdict.story_id,
                topic=backfill.topic,
                score=best.result.score,
                copy_id=best.copy_id,
                evidence=best.result.to_json(),
                topic_hash=backfill.topic_hash,
                backfill_id=backfill.id,
                now=now,
            )
            counts["new_flags" if created else "updated"] += 1
            if created and seen.get(verdict.story_id, now) < backfill.quiet_before:
                quiet.append(verdict.story_id)
        counts["quiet"] = len(
            store.mark_quiet(
                session,
                quiet,
                topic=backfill.topic,
                recipients=topic.topic.recipients,
                backfill_id=backfill.id,
                now=now,
            )
        )
        store.record_scans(session, ids, topic=backfill.topic, topic_hash=backfill.topic_hash, now=now)
    log.info("backfill %s batch %s..%s: %s", backfill.id, batch.first_story_id, batch.last_story_id, counts)
    return counts


def finish(
    settings: Settings,
    backfill_ids: Sequence[int],
    *,
    smtp: SmtpConfig | None,
    now: datetime,
    batch_counts: Sequence[Mapping[str, int]] = (),
) -> dict[str, int]:
    """Mark the backfills done and send their summary emails (one per recipient, never twice)."""
    from newsmon.alerts.summary import send_summaries

    totals: dict[str, int] = {}
    for counts in batch_counts:
        for key, value in counts.items():
            totals[key] = totals.get(key, 0) + int(value)
    with session_scope(settings.db_url) as session:
        for backfill_id in backfill_ids:
            backfill = store.get_backfill(session, backfill_id)
            if backfill is None:
                continue
            stored = store.backfill_counts(session, backfill)
            if "unflagged" in totals:
                stored["unflagged"] = int(backfill.counts.get("unflagged", 0)) + totals["unflagged"]
            store.finish_backfill(session, backfill_id, counts=stored, now=now)
    recipients = {t.name: tuple(t.recipients) for t in _enabled(settings)}
    report = send_summaries(
        settings.db_url,
        smtp=smtp,
        now=now,
        backfill_ids=backfill_ids,
        topics=recipients,
        ui_url=settings.ui_url,
    )
    for error in report.errors:
        log.warning("backfill summary: %s", error)
    return {
        **totals,
        "backfills": len(backfill_ids),
        "summaries_queued": report.queued,
        "summaries_sent": report.sent,
        "summaries_failed": report.failed,
        "summaries_pending": report.pending,
    }


def run_backfill(
    settings: Settings,
    *,
    topic: str | None = None,
    since: timedelta | None = None,
    smtp: SmtpConfig | None = None,
    now: datetime,
) -> dict[str, int]:
    """The three steps in one process (`newsmon topics backfill`)."""
    started = start(settings, topic=topic, since=since, now=now)
    counts = [run_batch(settings, b, now=now) for s in started for b in s.batches]
    return finish(settings, [s.backfill_id for s in started], smtp=smtp, now=now, batch_counts=counts)
