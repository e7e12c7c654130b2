"""The whole pipeline in real Airflow, on the demo corpus served from 127.0.0.1, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from newsmon.demo.corpus import load_expected
from newsmon.store.db import session_scope
from newsmon.store.models import Alert, Copy, Entry, Feed, Flag, Story
from tests.dags.airflow_harness import run_dag

TOPIC = "child_repatriation"


def _counts(db_url: str) -> dict[str, int]:
    with session_scope(db_url) as s:
        return {
            model.__tablename__: s.scalar(select(func.count()).select_from(model))
            for model in (Feed, Entry, Copy, Story, Flag, Alert)
        }


@pytest.fixture
def pipeline_env(monkeypatch, db_url, demo_feeds_file, smtp_sink):
    monkeypatch.setenv("NEWSMON_DB_URL", db_url)
    monkeypatch.setenv("NEWSMON_FEEDS_FILE", str(demo_feeds_file))
    monkeypatch.setenv("NEWSMON_SMTP_URL", smtp_sink.url)
    return db_url


def test_demo_corpus_end_to_end_then_rerun_changes_nothing(pipeline_env, demo_server, smtp_sink):
    db_url = pipeline_env
    expected = load_expected()
    run = run_dag("news_monitor")
    assert run.state == "success"

    with session_scope(db_url) as s:
        feeds = s.scalars(select(Feed)).all()
        assert feeds and all(f.last_error_kind is None for f in feeds), [(f.url, f.last_error) for f in feeds]
        flagged = s.execute(
            select(Story, Flag).join(Flag, Flag.story_id == Story.id).where(Flag.topic == TOPIC)
        ).all()
        # the syndicated repatriation story: three copies folded into one story, flagged once
        story_sizes = {story.id: story.copies_count for story, _ in flagged}
        assert 3 in story_sizes.values(), story_sizes
        alerts = s.scalars(select(Alert)).all()
        assert {(a.story_id, a.topic) for a in alerts} == {(st.id, f.topic) for st, f in flagged}
        assert all(a.status == "sent" for a in alerts)
    assert len(smtp_sink.messages) == len(flagged)
    positives = {a["story"] for a in expected["articles"].values() if a["topics"].get(TOPIC)}
    assert len(flagged) == len(positives)

    before = _counts(db_url)
    rerun = run_dag("news_monitor")
    assert rerun.state == "success"
    assert _counts(db_url) == before
    assert len(smtp_sink.messages) == len(flagged)
