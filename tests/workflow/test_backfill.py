"""Backfill on the demo archive made by the real pipeline, with a real SMTP server, on SQLite and
PostgreSQL: an edited topic re-scores the archive; the flag on an old story goes into one summary email per
recipient (and the digest), the newer one gets its own alert; a re-run sends nothing; a stricter version
removes a flag; a topic edited while a backfill runs stops it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from newsmon import pipeline
from newsmon.alerts.smtp import SmtpConfig
from newsmon.store.db import session_scope
from newsmon.store.models import Alert, Backfill, BackfillSummary, TopicScan
from newsmon.topics.backfill import BackfillError, run_backfill, run_batch, start
from newsmon.topics.model import load_topic
from newsmon.topics.version import topic_hash
from tests.workflow.helpers import (
    ENGINEERS,
    RECIPIENTS,
    STORM,
    SYNDICATED,
    TOPIC,
    UI,
    age_story,
    edit_topic,
    flags,
    settings_for,
    story_id,
    topics_copy,
)


@pytest.fixture
def archive(alerted_archive, demo_feeds_file, tmp_path):
    """The demo through the real pipeline with the shipped topics (their alerts sent), then the topic
    edited in a copy of the topics folder and the storm story made three days old."""
    db_url = alerted_archive
    edited_dir = topics_copy(tmp_path)
    edit_topic(edited_dir)
    age_story(db_url, story_id(db_url, STORM), timedelta(days=3))
    return settings_for(db_url, demo_feeds_file, edited_dir, ui_url=UI)


def _emails(sink, header: str) -> list:
    return [m for m in sink.messages if m[header]]


def test_backfill_flags_the_archive_one_summary_per_recipient_and_an_alert_for_the_newer_story(
    archive, smtp_sink
):
    settings, smtp = archive, SmtpConfig.from_url(smtp_sink.url)
    db = settings.db_url
    storm, engineers = story_id(db, STORM), story_id(db, ENGINEERS)
    now = datetime.now(UTC)

    counts = run_backfill(settings, smtp=smtp, now=now)  # no topic named: every new or edited version
    assert counts["backfills"] == 2  # child_repatriation (edited) and dock_strikes (never backfilled)
    assert counts["new_flags"] == 2 and counts["quiet"] == 1 and counts["summaries_sent"] == 2
    found = flags(db)
    version = topic_hash(load_topic(settings.topics_dir / f"{TOPIC}.yaml"))
    assert {storm, engineers} <= set(found)
    assert all(f.topic_hash == version for f in found.values())  # the old flags were re-scored too
    assert found[storm].backfill_id == found[engineers].backfill_id is not None

    summaries = _emails(smtp_sink, "X-Newsmon-Backfill")
    assert sorted(m["To"] for m in summaries) == RECIPIENTS
    for message in summaries:
        text = message.get_body(preferencelist=("plain",)).get_content()
        assert f"{UI}/stories/{storm}" in text and f"/stories/{engineers}" not in text
        assert "1 earlier story now flagged" in message["Subject"]
    assert len(smtp_sink.messages) == 2  # nothing else yet: the newer story's alert is the alert stage's

    alerts = pipeline.send_alerts(settings, smtp, now=now)
    assert alerts["sent"] == 1
    [alert] = _emails(smtp_sink, "X-Newsmon-Alert")
    assert alert["X-Newsmon-Alert"] == f"{engineers}/{TOPIC}" and alert["To"] == ", ".join(RECIPIENTS)
    with session_scope(db) as s:
        quiet = s.scalars(select(Alert).where(Alert.story_id == storm, Alert.topic == TOPIC)).one()
        assert quiet.status == "summarised" and quiet.sent_at is None

    # The quiet flag is in the digest too (it lists what was flagged in its window).
    pipeline.send_digest(settings, smtp, now=now + timedelta(minutes=1))
    digests = _emails(smtp_sink, "X-Newsmon-Digest")
    assert digests and all(f"/stories/{storm}" in m.get_body(("plain",)).get_content() for m in digests)
    sent = len(smtp_sink.messages)

    # Re-running sends nothing new: the versions are done, a named topic finds every story scanned.
    later = now + timedelta(minutes=5)
    again = run_backfill(settings, smtp=smtp, now=later)
    assert again["backfills"] == 0
    named = run_backfill(settings, topic=TOPIC, smtp=smtp, now=later)
    assert named["backfills"] == 1 and named.get("stories", 0) == 0 and named["summaries_sent"] == 0
    assert pipeline.send_alerts(settings, smtp, now=later)["sent"] == 0
    assert len(smtp_sink.messages) == sent
    with session_scope(db) as s:
        assert len(s.scalars(select(Backfill)).all()) == 2
        assert len(s.scalars(select(BackfillSummary)).all()) == 2
        assert {r.status for r in s.scalars(select(BackfillSummary))} == {"sent"}


def test_a_stricter_version_removes_a_flag_and_its_sent_alert_stays(archive, smtp_sink):
    settings, smtp = archive, SmtpConfig.from_url(smtp_sink.url)
    db = settings.db_url
    syndicated = story_id(db, SYNDICATED)
    run_backfill(settings, topic=TOPIC, smtp=smtp, now=datetime.now(UTC))
    assert syndicated in flags(db)
    edit_topic(settings.topics_dir, threshold=3.0, edited=False)
    counts = run_backfill(settings, topic=TOPIC, smtp=smtp, now=datetime.now(UTC))
    assert counts["unflagged"] >= 1 and syndicated not in flags(db)
    with session_scope(db) as s:
        kept = s.scalars(select(Alert).where(Alert.story_id == syndicated, Alert.topic == TOPIC)).one()
        assert kept.status == "sent"  # history: a later re-flag does not alert again


def test_a_topic_edited_while_its_backfill_runs_stops_the_rest(archive):
    settings = archive
    [plan] = start(settings, topic=TOPIC, now=datetime.now(UTC))
    assert plan.batches and plan.stories == 13
    edit_topic(settings.topics_dir, threshold=2.0, edited=False)
    with pytest.raises(BackfillError, match="changed since backfill"):
        run_batch(settings, plan.batches[0], now=datetime.now(UTC))
    with session_scope(settings.db_url) as s:
        assert s.scalars(select(TopicScan)).all() == []  # nothing half-done


def test_batches_re_run_only_what_is_left(archive):
    settings = archive.with_(backfill_batch=5)
    now = datetime.now(UTC)
    [plan] = start(settings, topic=TOPIC, now=now)
    assert [b.last_story_id - b.first_story_id >= 0 for b in plan.batches] == [True] * 3
    first = run_batch(settings, plan.batches[0], now=now)
    assert first["stories"] == 5
    assert run_batch(settings, plan.batches[0], now=now)["stories"] == 0  # a retried task
    [again] = start(settings, topic=TOPIC, now=now)  # a second trigger plans what is left
    assert again.backfill_id == plan.backfill_id and again.stories == 8
