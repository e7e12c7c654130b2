"""The `news_digest` DAG in real Airflow after a real `news_monitor` run on the demo corpus, with a real
aiosmtpd, on SQLite and PostgreSQL: one digest per recipient and period, none on a second run; and what
NEWSMON_DIGEST_SCHEDULE turns into."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from newsmon import pipeline
from newsmon.alerts.digest import period_window
from newsmon.alerts.smtp import SmtpConfig
from newsmon.config.settings import load_settings
from newsmon.store.db import session_scope
from newsmon.store.models import Digest, Flag, Story
from tests.dags.airflow_harness import airflow_ready, run_dag
from tests.smtp_server import free_port

UI_URL = "http://airflow.test:8080/newsmon"


@pytest.fixture
def digest_env(monkeypatch, db_url, demo_feeds_file, demo_server, smtp_sink):
    airflow_ready()  # parse the DAG files with the session's environment, before the changes below
    monkeypatch.setenv("NEWSMON_DB_URL", db_url)
    monkeypatch.setenv("NEWSMON_FEEDS_FILE", str(demo_feeds_file))
    monkeypatch.setenv("NEWSMON_SMTP_URL", smtp_sink.url)
    monkeypatch.setenv("NEWSMON_UI_URL", UI_URL)
    return db_url


def digests(sink) -> list:
    return [m for m in sink.messages if m["X-Newsmon-Digest"]]


def flagged_by_recipient(db_url: str) -> dict[str, dict[int, str]]:
    """recipient -> {story id: title} of the stories flagged for the topics they follow."""
    topics = {t.name: t.recipients for t in pipeline.load_topics(load_settings())}
    out: dict[str, dict[int, str]] = {}
    with session_scope(db_url) as s:
        for story_id, title, topic in s.execute(
            select(Story.id, Story.title, Flag.topic).join(Flag, Flag.story_id == Story.id)
        ):
            for recipient in topics.get(topic, ()):
                out.setdefault(recipient, {})[story_id] = title
    return out


def test_one_digest_per_recipient_per_period_and_none_on_a_second_run(digest_env, smtp_sink):
    db_url = digest_env
    assert run_dag("news_monitor").state == "success"
    expected = flagged_by_recipient(db_url)
    assert expected, "the demo corpus must flag stories"
    alerts_sent = len(smtp_sink.messages)

    period = period_window("daily", datetime.now(UTC))[0]
    run = run_dag("news_digest")
    assert run.state == "success"
    sent = digests(smtp_sink)
    assert len(smtp_sink.messages) == alerts_sent + len(sent)
    # One per recipient with something new; a recipient whose topics flagged nothing gets no email.
    assert sorted(m["To"] for m in sent) == sorted(expected)
    for message in sent:
        assert message["X-Newsmon-Digest"] == period
        text = message.get_body(preferencelist=("plain",)).get_content()
        html = message.get_body(preferencelist=("html",)).get_content()
        for story_id, title in expected[message["To"]].items():
            assert f"{UI_URL}/stories/{story_id}" in text
            assert f'href="{UI_URL}/stories/{story_id}"' in html
            assert " ".join(title.split()) in text
    with session_scope(db_url) as s:
        rows = s.scalars(select(Digest)).all()
        assert {(d.recipient, d.period, d.status) for d in rows} == {(r, period, "sent") for r in expected}

    # A second run in the same period (a retry, a manual trigger, the next asset event): nothing more.
    again = run_dag("news_digest")
    assert again.state == "success"
    assert len(digests(smtp_sink)) == len(sent)
    with session_scope(db_url) as s:
        assert len(s.scalars(select(Digest)).all()) == len(expected)


def test_digest_waits_out_an_smtp_outage_then_goes_once(digest_env, smtp_sink):
    """What the DAG task does on each try: SMTP down -> pending (the task then fails and Airflow retries);
    the retry in the same period sends it; a further try sends nothing."""
    db_url = digest_env
    assert run_dag("news_monitor").state == "success"
    expected = flagged_by_recipient(db_url)
    settings = load_settings()
    now = datetime.now(UTC)
    down = SmtpConfig(host="127.0.0.1", port=free_port(), timeout=5)

    counts = pipeline.send_digest(settings, down, now=now)
    # `pending` also counts recipients not reached yet, who may turn out to have nothing new: >= is right.
    assert counts["pending"] >= len(expected) and counts["sent"] == 0
    assert digests(smtp_sink) == []
    with session_scope(db_url) as s:
        assert {(d.recipient, d.status) for d in s.scalars(select(Digest))} <= {
            (r, "pending") for r in expected
        }
    up = SmtpConfig.from_url(smtp_sink.url)
    counts = pipeline.send_digest(settings, up, now=now)
    assert counts["sent"] == len(expected) and counts["pending"] == 0
    counts = pipeline.send_digest(settings, up, now=now)
    assert counts["sent"] == 0 and counts["already_sent"] == len(expected)
    assert sorted(m["To"] for m in digests(smtp_sink)) == sorted(expected)


def test_no_smtp_configured_skips_the_digest_task(monkeypatch, digest_env, smtp_sink):
    monkeypatch.delenv("NEWSMON_SMTP_URL")
    run = run_dag("news_digest")
    assert run.state == "success"
    assert run.get_task_instance("send_digest").state == "skipped"
    assert smtp_sink.messages == []


# ------------------------------------------------------------------------------------------ the schedule


def test_schedule_names_cron_strings_and_period_override():
    from airflow.sdk import AssetOrTimeSchedule, CronTriggerTimetable
    from news_digest import digest_schedule

    from newsmon_assets import FLAGGED_STORIES

    schedule, period = digest_schedule("daily")
    assert isinstance(schedule, CronTriggerTimetable) and period == "daily"
    assert schedule.expression == "0 7 * * *" and str(schedule.timezone) == "UTC"
    assert digest_schedule("")[1] == "daily"  # unset means the default
    assert digest_schedule("Hourly")[0].expression == "0 * * * *"
    assert digest_schedule("weekly")[1] == "weekly"

    schedule, period = digest_schedule("asset")
    assert isinstance(schedule, AssetOrTimeSchedule) and period == "hourly"
    assert schedule.asset_condition == FLAGGED_STORIES
    assert schedule.timetable.expression == "0 * * * *"

    schedule, period = digest_schedule("30  6 * * 1-5")
    assert schedule.expression == "30 6 * * 1-5" and period == "daily"
    assert digest_schedule("30 6 * * 1-5", "weekly")[1] == "weekly"
    assert digest_schedule("asset", "daily")[1] == "daily"

    for bad in ("twice a day", "99 * * * *", "0 7 * *"):
        with pytest.raises(ValueError, match="NEWSMON_DIGEST_SCHEDULE"):
            digest_schedule(bad)
    with pytest.raises(ValueError, match="NEWSMON_DIGEST_PERIOD"):
        digest_schedule("daily", "monthly")


def test_the_registered_dag_follows_the_default_schedule():
    dag = airflow_ready()["news_digest"]
    assert dag.timetable.expression == "0 7 * * *"
    assert not dag.catchup and dag.max_active_runs == 1
    assert [t.task_id for t in dag.tasks] == ["send_digest"]
