"""Discovery through the real `news_monitor` DAG (`dag.test()`), on SQLite and PostgreSQL: the fake GDELT
returns the demo story's copies (one behind a click tracker), the feed list has only the wire's feed; the
story is fetched, folded into one story of three copies, flagged, and exactly one alert reaches the SMTP
server. A second run adds nothing; with the provider down the run still succeeds."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, update

from newsmon.store.db import session_scope
from newsmon.store.models import Alert, Copy, DiscoveryFind, DiscoveryProvider, Entry, Flag, Story
from tests.dags.airflow_harness import run_dag
from tests.discovery.conftest import SEARCHES, demo_pair, serve_story

TOPIC = "child_repatriation"


def _counts(db_url: str) -> dict[str, int]:
    with session_scope(db_url) as s:
        return {
            model.__tablename__: s.scalar(select(func.count()).select_from(model)) or 0
            for model in (Entry, Copy, Story, Flag, Alert, DiscoveryFind)
        }


@pytest.fixture
def dag_env(monkeypatch, discovery_settings, demo_server, smtp_sink):
    settings = discovery_settings
    monkeypatch.setenv("NEWSMON_DB_URL", settings.db_url)
    monkeypatch.setenv("NEWSMON_FEEDS_FILE", str(settings.feeds_file))
    monkeypatch.setenv("NEWSMON_DISCOVERY_FILE", str(settings.discovery_file))
    monkeypatch.setenv("NEWSMON_ALLOW_PRIVATE", demo_pair(demo_server))
    monkeypatch.setenv("NEWSMON_SMTP_URL", smtp_sink.url)
    return settings


def test_discovered_story_is_folded_flagged_and_alerted_once_then_nothing_twice(
    dag_env, gdelt, demo_server, smtp_sink
):
    serve_story(gdelt, demo_server, russian=False)
    run = run_dag("news_monitor")
    assert run.state == "success"
    assert {r.language for r in gdelt.requests} == {"english", "russian", None}
    with session_scope(dag_env.db_url) as s:
        flagged = (
            s.execute(select(Story).join(Flag, Flag.story_id == Story.id).where(Flag.topic == TOPIC))
            .scalars()
            .all()
        )
        assert [story.copies_count for story in flagged] == [3]
        story = flagged[0]
        found = s.scalar(
            select(func.count())
            .select_from(Entry)
            .where(Entry.provider_id.is_not(None), Entry.copy_id.is_not(None))
        )
        assert found == 2  # the daily's and the aggregator's copies came from the search
        alerts = s.scalars(select(Alert)).all()
        assert [(a.story_id, a.status) for a in alerts] == [(story.id, "sent")]
    assert len(smtp_sink.messages) == 1

    before = _counts(dag_env.db_url)
    gdelt.requests.clear()
    rerun = run_dag("news_monitor")
    assert rerun.state == "success"
    assert gdelt.requests == []  # not due again within its interval
    assert _counts(dag_env.db_url) == before

    with session_scope(dag_env.db_url) as s:  # its interval is over: it searches again ...
        s.execute(update(DiscoveryProvider).values(next_run_at=None))
    assert run_dag("news_monitor").state == "success"
    assert len(gdelt.requests) == SEARCHES
    assert _counts(dag_env.db_url) == before  # ... and finds nothing it did not have
    assert len(smtp_sink.messages) == 1


def test_a_provider_outage_fails_nothing(dag_env, gdelt, demo_server, smtp_sink):
    serve_story(gdelt, demo_server, russian=False)
    gdelt.trouble = "down"
    run = run_dag("news_monitor")
    assert run.state == "success"
    with session_scope(dag_env.db_url) as s:
        provider = s.scalars(select(DiscoveryProvider)).one()
        assert provider.consecutive_errors == 1 and provider.last_error_kind == "http_5xx"
        assert s.scalar(select(func.count()).select_from(Copy)) > 0  # the wire's own articles
        assert s.scalar(select(func.count()).select_from(Entry).where(Entry.provider_id.is_not(None))) == 0
    # the wire's copy alone is flagged and alerted (the copies discovery would have found are missing)
    assert len(smtp_sink.messages) == 1
