"""The digest: one email per recipient and period, new stories per topic, counts of new copies."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from newsmon.alerts.digest import period_window, send_digest
from newsmon.store.db import session_scope
from newsmon.store.models import Digest
from tests.alerts.conftest import NOW, TOPIC, UI, add_copy, dead_smtp, seed_story

TOPICS = {TOPIC: ["analysts@example.org", "Boss@example.org"], "dock_strikes": ["boss@example.org"]}


def digest(db_url, smtp, now, **kw):
    return send_digest(db_url, smtp=smtp, now=now, topics=kw.pop("topics", TOPICS), ui_url=UI, **kw)


def test_period_keys():
    assert period_window("daily", NOW)[:2] == ("2026-11-25", NOW.replace(hour=0))
    assert period_window("hourly", NOW + timedelta(minutes=30))[0] == "2026-11-25T08"
    key, start, _ = period_window("weekly", NOW)
    assert key == "2026-W48" and start.weekday() == 0 and start <= NOW
    with pytest.raises(ValueError):
        period_window("monthly", NOW)


def test_digest_is_sent_once_per_recipient_and_period(db_url, mail):
    earlier = NOW - timedelta(hours=3)
    with session_scope(db_url) as s:
        repat = seed_story(s, title="Children return from Roj camp", now=earlier)
        seed_story(s, title="Port workers strike", topics=("dock_strikes",), now=earlier)
        seed_story(s, title="Yesterday's story", now=NOW - timedelta(days=1))  # before the period start
    report = digest(db_url, mail.config, NOW)
    assert (report.sent, report.connections, report.period) == (2, 1, "2026-11-25")
    by_rcpt = {env[1][0]: msg for env, msg in zip(mail.envelopes, mail.messages, strict=True)}
    assert set(by_rcpt) == {"analysts@example.org", "Boss@example.org"}  # one per person, case-folded
    boss = by_rcpt["Boss@example.org"]
    text = boss.get_body(("plain",)).get_content()
    assert "Children return from Roj camp" in text and "Port workers strike" in text
    assert "Yesterday's story" not in text
    assert f"{UI}/stories/{repat}" in text
    assert [p.get_content_type() for p in boss.iter_parts()] == ["text/plain", "text/html"]
    assert "Port workers strike" not in by_rcpt["analysts@example.org"].get_body(("plain",)).get_content()

    again = digest(db_url, mail.config, NOW + timedelta(hours=2))  # same day: nothing more
    assert (again.sent, again.already_sent, again.connections) == (0, 2, 0)
    assert len(mail.messages) == 2


def test_next_period_lists_only_what_is_new_and_counts_new_copies(db_url, mail):
    with session_scope(db_url) as s:
        old = seed_story(s, title="Old story", now=NOW - timedelta(hours=1))
    digest(db_url, mail.config, NOW, topics={TOPIC: ["a@example.org"]})
    tomorrow = NOW + timedelta(days=1)
    with session_scope(db_url) as s:
        seed_story(s, title="Fresh story", now=tomorrow - timedelta(hours=2))
        for _ in range(3):
            add_copy(s, old, site="late.example", fetched_at=tomorrow - timedelta(hours=1))
    report = digest(db_url, mail.config, tomorrow, topics={TOPIC: ["a@example.org"]})
    assert report.sent == 1 and report.period == "2026-11-26"
    text = mail.messages[-1].get_body(("plain",)).get_content()
    assert "Fresh story" in text
    assert "Old story: +3 (5 in all)" in text
    assert (
        "1 new story" in text and "[newsmon] digest 2026-11-26: 1 new story" in mail.messages[-1]["Subject"]
    )


def test_nothing_new_sends_nothing_and_does_not_use_up_the_period(db_url, mail):
    report = digest(db_url, mail.config, NOW, topics={TOPIC: ["a@example.org"]})
    assert (report.sent, report.skipped) == (0, 1) and mail.messages == []
    with session_scope(db_url) as s:
        seed_story(s, title="Late news", now=NOW + timedelta(hours=1))
    report = digest(db_url, mail.config, NOW + timedelta(hours=2), topics={TOPIC: ["a@example.org"]})
    assert report.sent == 1


def test_digest_waits_for_smtp_and_is_sent_once_later_that_period(db_url, mail):
    with session_scope(db_url) as s:
        seed_story(s, now=NOW - timedelta(hours=1))
    down = digest(db_url, dead_smtp(), NOW, topics={TOPIC: ["a@example.org"]})
    assert down.sent == 0 and down.pending == 1 and down.errors
    up = digest(db_url, mail.config, NOW + timedelta(minutes=30), topics={TOPIC: ["a@example.org"]})
    assert up.sent == 1
    digest(db_url, mail.config, NOW + timedelta(hours=1), topics={TOPIC: ["a@example.org"]})
    assert len(mail.messages) == 1
    with session_scope(db_url) as s:
        [row] = s.scalars(select(Digest)).all()
        assert row.status == "sent" and row.period == "2026-11-25" and row.attempts == 1
        assert mail.messages[0]["Message-ID"] == row.message_id


def test_refused_recipient_digest_is_failed(db_url, mail):
    with session_scope(db_url) as s:
        seed_story(s, now=NOW - timedelta(hours=1))
    report = digest(db_url, mail.config, NOW, topics={TOPIC: ["refuse@example.org"]})
    assert report.failed == 1 and "550" in report.errors[0]
    again = digest(db_url, mail.config, NOW + timedelta(hours=1), topics={TOPIC: ["refuse@example.org"]})
    assert again.sent == 0 and mail.messages == []
