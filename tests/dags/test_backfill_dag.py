"""The `news_backfill` DAG in real Airflow after a real `news_monitor` run on the demo corpus, with a real
aiosmtpd, on SQLite and PostgreSQL: an edited topic re-scores the archive through the mapped batches, the
old story's flag goes into one summary email per recipient, the newer one gets its alert, and a second
run (scheduled, with no topic named) sends nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from newsmon.store.db import session_scope
from newsmon.store.models import Backfill
from tests.dags.airflow_harness import airflow_ready, run_dag
from tests.workflow.helpers import (
    ENGINEERS,
    RECIPIENTS,
    STORM,
    TOPIC,
    age_story,
    edit_topic,
    flags,
    story_id,
    topics_copy,
)


@pytest.fixture
def backfill_env(monkeypatch, db_url, demo_feeds_file, demo_server, smtp_sink, tmp_path):
    airflow_ready()  # parse the DAG files with the session's environment, before the changes below
    monkeypatch.setenv("NEWSMON_DB_URL", db_url)
    monkeypatch.setenv("NEWSMON_FEEDS_FILE", str(demo_feeds_file))
    monkeypatch.setenv("NEWSMON_SMTP_URL", smtp_sink.url)
    monkeypatch.setenv("NEWSMON_TOPICS_DIR", str(topics_copy(tmp_path)))
    monkeypatch.setenv("NEWSMON_BACKFILL_BATCH", "4")  # several mapped batches on the 13 demo stories
    return db_url, tmp_path / "topics"


def test_backfill_dag_flags_the_archive_and_sends_one_summary_per_recipient(backfill_env, smtp_sink):
    db_url, topics_dir = backfill_env
    assert run_dag("news_monitor").state == "success"
    smtp_sink.messages.clear()
    edit_topic(topics_dir)
    age_story(db_url, story_id(db_url, STORM), timedelta(days=3))

    run = run_dag("news_backfill", run_conf={"topic": TOPIC, "since": "30d"})
    assert run.state == "success"
    assert len([ti for ti in run.get_task_instances() if ti.task_id == "score_batch"]) == 4
    assert {story_id(db_url, STORM), story_id(db_url, ENGINEERS)} <= set(flags(db_url))
    summaries = [m for m in smtp_sink.messages if m["X-Newsmon-Backfill"]]
    assert sorted(m["To"] for m in summaries) == RECIPIENTS
    alerts = [m for m in smtp_sink.messages if m["X-Newsmon-Alert"]]
    assert [m["X-Newsmon-Alert"] for m in alerts] == [f"{story_id(db_url, ENGINEERS)}/{TOPIC}"]
    sent = len(smtp_sink.messages)

    # As the schedule runs it: no topic, every new or edited version. (The params are given: dag.test()
    # in one process keeps the previous run's conf as the DAG's params.)
    again = run_dag("news_backfill", run_conf={"topic": "", "since": ""})
    assert again.state == "success"
    assert again.get_task_instance("score_batch", map_index=0).state == "success"  # dock_strikes' first
    assert len(smtp_sink.messages) == sent
    third = run_dag("news_backfill", run_conf={"topic": TOPIC, "since": ""})
    assert third.state == "success" and len(smtp_sink.messages) == sent
    with session_scope(db_url) as s:
        assert {(b.topic, b.status) for b in s.scalars(select(Backfill))} == {
            (TOPIC, "done"),
            ("dock_strikes", "done"),
        }
