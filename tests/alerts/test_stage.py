"""Queueing and delivery against a real aiosmtpd server and real SQLite/PostgreSQL databases."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from sqlalchemy import select, update

from newsmon.alerts.stage import deliver_pending, queue_alerts
from newsmon.store.db import session_scope
from newsmon.store.flags import record_flag
from newsmon.store.models import Alert, StoryMerge
from newsmon.store.stories import merge_stories
from tests.alerts.conftest import NOW, TOPIC, UI, add_copy, dead_smtp, evidence_json, seed, seed_story

RECIPIENTS = {TOPIC: ["analysts@example.org", "desk@example.org"], "dock_strikes": ["ports@example.org"]}


def run(db_url, smtp, *, now=NOW, topics=RECIPIENTS, **kw):
    """One pass of the stage, as the pipeline runs it: queue, then deliver."""
    with session_scope(db_url) as s:
        queued = queue_alerts(s, topics=topics, now=now)
    return queued, deliver_pending(db_url, smtp=smtp, now=now, ui_url=UI, **kw)


def alerts(db_url) -> list[Alert]:
    with session_scope(db_url) as s:
        return list(s.scalars(select(Alert).order_by(Alert.id)))


def test_one_email_per_flagged_story_and_topic(db_url, mail):
    ids = seed(db_url, 3)
    with session_scope(db_url) as s:
        unflagged = seed_story(s, title="Weather", topics=())
        both = seed_story(s, title="Dockers strike over camp deportation", topics=(TOPIC, "dock_strikes"))
        unknown = seed_story(s, title="Topic removed from config", topics=("retired_topic",))
    queued, report = run(db_url, mail.config)
    assert len(queued) == 5
    assert (report.sent, report.failed, report.pending, report.connections) == (5, 0, 0, 1)
    assert len(mail.messages) == 5
    by_story = {}
    for a in alerts(db_url):
        assert a.status == "sent" and a.attempts == 1 and a.sent_at is not None
        by_story.setdefault(a.story_id, []).append(a.topic)
    assert set(by_story) == {*ids, both} and unflagged not in by_story and unknown not in by_story
    assert sorted(by_story[both]) == ["child_repatriation", "dock_strikes"]
    # recipients per topic, one message to all of them
    ports = [
        env for env, m in zip(mail.envelopes, mail.messages, strict=True) if "dock_strikes" in m["Subject"]
    ]
    assert ports == [("newsmon@test.example", ["ports@example.org"])]
    assert ("newsmon@test.example", ["analysts@example.org", "desk@example.org"]) in mail.envelopes


def test_a_recipient_listed_twice_in_another_spelling_gets_one_copy(db_url, mail):
    seed(db_url, 1)
    messy = {
        TOPIC: [" Desk@Example.org", "desk@example.org ", "", "analysts@example.org", "DESK@EXAMPLE.ORG"]
    }
    _, report = run(db_url, mail.config, topics=messy)
    assert report.sent == 1
    assert mail.envelopes == [("newsmon@test.example", ["Desk@Example.org", "analysts@example.org"])]
    assert mail.messages[0]["To"] == "Desk@Example.org, analysts@example.org"


def test_run_again_sends_nothing(db_url, mail):
    seed(db_url, 2)
    run(db_url, mail.config)
    assert len(mail.messages) == 2
    queued, report = run(db_url, mail.config, now=NOW + timedelta(hours=1))
    assert queued == [] and report.sent == 0 and report.connections == 0
    assert len(mail.messages) == 2


def test_new_copy_of_an_alerted_story_sends_nothing(db_url, mail):
    [story_id] = seed(db_url)
    run(db_url, mail.config)
    later = NOW + timedelta(minutes=15)
    with session_scope(db_url) as s:  # a syndicated copy arrives and scores higher than the first
        copy = add_copy(s, story_id, site="aggregator.example", fetched_at=later)
        record_flag(
            s,
            story_id=story_id,
            topic=TOPIC,
            score=3.5,
            copy_id=copy.id,
            evidence=evidence_json("Children flown home.", ["Children"], 3.5),
            now=later,
        )
    queued, report = run(db_url, mail.config, now=later)
    assert queued == [] and report.sent == 0
    assert len(mail.messages) == 1


def test_merged_story_is_never_alerted(db_url, mail):
    with session_scope(db_url) as s:
        survivor = seed_story(s, title="Survivor")
        absorbed = seed_story(s, title="Absorbed", merged_into=survivor)
    queued, report = run(db_url, mail.config)
    assert [a.story_id for a in alerts(db_url)] == [survivor]
    assert len(queued) == 1 and report.sent == 1 and len(mail.messages) == 1
    assert absorbed not in [a.story_id for a in alerts(db_url)]


def test_story_that_absorbed_an_alerted_story_gets_no_second_alert(db_url, mail):
    [first] = seed(db_url, title="Reported first")
    run(db_url, mail.config)
    later = NOW + timedelta(hours=1)
    with session_scope(db_url) as s:  # a second story, flagged, absorbs the first one through the fold
        second = seed_story(s, title="Reported second", now=later)
        merge_stories(s, first, second, bridging_copy_id=None, reason="near-duplicate", now=later)
    queued, report = run(db_url, mail.config, now=later)
    assert queued == [] and report.sent == 0 and len(mail.messages) == 1


def test_merge_log_alone_prevents_a_second_alert(db_url, mail):
    """Even if an alert stayed on the absorbed story (both had alerted), the merge log blocks a new one,
    and an already queued alert of the survivor is superseded instead of sent."""
    with session_scope(db_url) as s:
        into = seed_story(s, title="Into")
        gone = seed_story(s, title="Gone", merged_into=into)
        s.add(
            Alert(
                story_id=gone,
                topic=TOPIC,
                status="sent",
                recipients=["a@example.org"],
                message_id="<x@y>",
                attempts=1,
                created_at=NOW,
                sent_at=NOW,
            )
        )
        s.add(StoryMerge(from_story_id=gone, into_story_id=into, reason="test", merged_at=NOW))
    queued, _ = run(db_url, mail.config)
    assert queued == []
    with session_scope(db_url) as s:  # the race: the survivor's alert was queued before the merge
        s.add(
            Alert(
                story_id=into,
                topic=TOPIC,
                status="pending",
                recipients=["a@example.org"],
                message_id="<z@y>",
                attempts=0,
                created_at=NOW,
            )
        )
    _, report = run(db_url, mail.config)
    assert report.sent == 0 and report.superseded == 1 and mail.messages == []
    [kept] = [a for a in alerts(db_url) if a.story_id == into]
    assert kept.status == "superseded" and "already covers" in kept.last_error


def test_smtp_down_keeps_alerts_pending_then_next_run_delivers_each_once(db_url, mail, caplog):
    seed(db_url, 3)
    with caplog.at_level(logging.ERROR, logger="newsmon.alerts.stage"):
        queued, report = run(db_url, dead_smtp())
    assert len(queued) == 3
    assert (report.sent, report.failed, report.pending, report.connections) == (0, 0, 3, 0)
    assert report.errors and "SMTP 127.0.0.1" in report.errors[0]
    assert "stay pending" in caplog.text
    for a in alerts(db_url):
        assert a.status == "pending" and a.attempts == 0  # an outage is not the alert's fault
        assert a.last_error and a.next_attempt_at is not None

    _, report = run(db_url, mail.config, now=NOW + timedelta(minutes=15))
    assert report.sent == 3 and report.pending == 0
    _, report = run(db_url, mail.config, now=NOW + timedelta(minutes=30))
    assert report.sent == 0
    assert sorted(mail.message_ids()) == sorted(a.message_id for a in alerts(db_url))
    assert len(set(mail.message_ids())) == 3


def test_no_smtp_configured_leaves_alerts_pending_with_one_log_line(db_url, caplog):
    seed(db_url, 2)
    with caplog.at_level(logging.WARNING, logger="newsmon.alerts.stage"):
        _, report = run(db_url, None)
    assert (report.sent, report.pending, report.connections) == (0, 2, 0)
    lines = [r for r in caplog.records if r.name == "newsmon.alerts.stage"]
    assert len(lines) == 1 and "no SMTP server configured" in lines[0].getMessage()
    assert {a.status for a in alerts(db_url)} == {"pending"}


def test_refused_recipient_fails_the_alert_with_the_reason(db_url, mail):
    seed(db_url, 1)
    _, report = run(db_url, mail.config, topics={TOPIC: ["refuse-me@example.org"]})
    assert report.failed == 1 and report.sent == 0 and mail.messages == []
    [a] = alerts(db_url)
    assert a.status == "failed" and "550" in a.last_error and "refuse-me@example.org" in a.last_error
    _, report = run(db_url, mail.config, now=NOW + timedelta(days=1))
    assert report.failed == 0 and report.sent == 0  # failed is final


def test_one_refused_recipient_among_several_still_sends(db_url, mail):
    seed(db_url, 1)
    _, report = run(db_url, mail.config, topics={TOPIC: ["ok@example.org", "refuse@example.org"]})
    assert report.sent == 1 and mail.envelopes[0][1] == ["ok@example.org"]
    [a] = alerts(db_url)
    assert a.status == "sent" and "refuse@example.org" in a.last_error


def test_transient_failures_back_off_then_give_up(db_url, mail):
    seed(db_url, 1)
    _, report = run(db_url, mail.config, topics={TOPIC: ["later@example.org"]}, max_attempts=2)
    [a] = alerts(db_url)
    assert report.pending == 1 and a.status == "pending" and a.attempts == 1 and "451" in a.last_error
    assert a.next_attempt_at.replace(tzinfo=None) == (NOW + timedelta(minutes=2)).replace(tzinfo=None)
    _, report = run(db_url, mail.config, now=NOW + timedelta(minutes=1), max_attempts=2)
    assert alerts(db_url)[0].attempts == 1  # not due yet
    _, report = run(db_url, mail.config, now=NOW + timedelta(minutes=3), max_attempts=2)
    [a] = alerts(db_url)
    assert report.failed == 1 and a.status == "failed" and a.last_error.startswith("gave up after 2 attempts")


def test_retry_after_a_451_at_data_reuses_the_message_id(db_url, mail):
    seed(db_url, 1)
    mail.fail_next_data = 1
    _, report = run(db_url, mail.config)
    assert report.sent == 0 and report.pending == 1 and mail.messages == []
    _, report = run(db_url, mail.config, now=NOW + timedelta(minutes=5))
    [a] = alerts(db_url)
    assert report.sent == 1 and a.attempts == 2
    assert mail.message_ids() == [a.message_id] == [f"<newsmon-alert-{a.story_id}-{TOPIC}@newsmon.localhost>"]


def test_a_sending_row_is_retried_only_after_its_lease(db_url, mail):
    """A worker that died between 'server accepted' and 'sent committed' leaves a `sending` row."""
    seed(db_url, 1)
    with session_scope(db_url) as s:
        queue_alerts(s, topics=RECIPIENTS, now=NOW)
        s.execute(
            update(Alert).values(status="sending", attempts=1, next_attempt_at=NOW + timedelta(minutes=15))
        )
    _, report = deliver_pending_at(db_url, mail, NOW + timedelta(minutes=5))
    assert report.sent == 0 and report.pending == 1
    _, report = deliver_pending_at(db_url, mail, NOW + timedelta(minutes=16))
    assert report.sent == 1 and alerts(db_url)[0].status == "sent"


def deliver_pending_at(db_url, mail, now):
    return None, deliver_pending(db_url, smtp=mail.config, now=now, ui_url=UI)


def test_two_concurrent_deliveries_send_each_alert_once(db_url, mail):
    seed(db_url, 40, copies=1)
    with session_scope(db_url) as s:
        queue_alerts(s, topics=RECIPIENTS, now=NOW)
    reports, barrier = [], threading.Barrier(2)

    def worker():
        barrier.wait()
        reports.append(deliver_pending(db_url, smtp=mail.config, now=NOW, ui_url=UI))

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(reports) == 2
    assert sum(r.sent for r in reports) == 40
    assert len(mail.messages) == 40 and len(set(mail.message_ids())) == 40
    assert {a.status for a in alerts(db_url)} == {"sent"}


def test_queue_is_idempotent_under_a_concurrent_insert(db_url):
    """A second worker inserted the same alert between our read and our insert: the unique key wins."""
    seed(db_url, 2)
    with session_scope(db_url) as s:
        first = queue_alerts(s, topics=RECIPIENTS, now=NOW)
    with session_scope(db_url) as s:
        again = queue_alerts(s, topics=RECIPIENTS, now=NOW)
    assert len(first) == 2 and again == []
    from newsmon.store.alerts import insert_alerts

    with session_scope(db_url) as s:
        a = s.scalars(select(Alert)).first()
        row = {
            "story_id": a.story_id,
            "topic": a.topic,
            "status": "pending",
            "recipients": [],
            "message_id": "m",
            "attempts": 0,
            "created_at": NOW,
        }
        assert insert_alerts(s, [row]) == []
    assert len(alerts(db_url)) == 2


def test_topic_without_recipients_is_recorded_as_failed(db_url, mail):
    seed(db_url, 1)
    _, report = run(db_url, mail.config, topics={TOPIC: []})
    [a] = alerts(db_url)
    assert report.failed == 1 and a.status == "failed" and "no recipients" in a.last_error


def test_login_is_used_and_a_refused_login_keeps_alerts_pending(db_url):
    from dataclasses import replace

    from tests.alerts.conftest import MailServer

    seed(db_url, 2)
    good, bad = "right-one", "wrong-one"  # made-up credentials of the throw-away test server
    server = MailServer(password=good).start()
    try:
        wrong = replace(server.config, username="newsmon", password=bad)
        _, report = run(db_url, wrong)
        assert report.sent == 0 and report.pending == 2 and "535" in report.errors[0]
        assert {(a.status, a.attempts) for a in alerts(db_url)} == {("pending", 0)}
        right = replace(server.config, username="newsmon", password=good)
        _, report = run(db_url, right, now=NOW + timedelta(minutes=15))
        assert report.sent == 2 and report.connections == 1 and len(server.messages) == 2
    finally:
        server.stop()


def test_delivery_accepts_a_session_factory(db_url, mail):
    from sqlalchemy.orm import sessionmaker

    from newsmon.store.db import get_engine

    seed(db_url, 2)
    factory = sessionmaker(get_engine(db_url), expire_on_commit=False)
    with factory() as s, s.begin():
        queue_alerts(s, topics=RECIPIENTS, now=NOW)
    report = deliver_pending(factory, smtp=mail.config, now=NOW, ui_url=UI)
    assert report.sent == 2 and {a.status for a in alerts(db_url)} == {"sent"}
