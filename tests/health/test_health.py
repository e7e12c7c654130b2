"""The health checks: thresholds and statuses over made-up facts, the facts read from SQLite and PostgreSQL,
the record of finished runs, and `newsmon health`'s exit status."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from newsmon import pipeline
from newsmon.cli import main
from newsmon.config.settings import load_settings
from newsmon.health import Limit, Status, Thresholds, age_text, check_health, evaluate
from newsmon.store.db import session_scope
from newsmon.store.health import HealthFacts, feed_failures_since, new_flags_since, read_facts, record_run
from newsmon.store.models import Alert, Copy, Entry, Feed, Flag, PipelineRun, Story

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def _facts(**changes) -> HealthFacts:
    healthy = {
        "last_run_at": NOW - timedelta(minutes=5),
        "newest_copy_at": NOW - timedelta(minutes=5),
        "active_feeds": 10,
        "failing_feeds": 0,
        "backlog": 0,
    }
    return HealthFacts(**{**healthy, **changes})


def test_healthy_facts_are_ok_and_each_threshold_is_reached_at_its_value():
    report = evaluate(_facts(), Thresholds(), NOW)
    assert report.status is Status.OK and report.problems == []
    assert [c.name for c in report.checks] == [
        "last_run",
        "newest_copy",
        "failing_feeds",
        "fetch_backlog",
        "pending_alerts",
    ]
    cases = [
        ({"last_run_at": NOW - timedelta(minutes=45)}, "last_run", Status.WARN),
        ({"last_run_at": NOW - timedelta(hours=2)}, "last_run", Status.FAIL),
        ({"newest_copy_at": NOW - timedelta(hours=2) + timedelta(seconds=1)}, "newest_copy", Status.OK),
        ({"newest_copy_at": NOW - timedelta(hours=6)}, "newest_copy", Status.FAIL),
        ({"failing_feeds": 2, "failing_by_kind": {"timeout": 2}}, "failing_feeds", Status.WARN),
        ({"failing_feeds": 4, "failing_by_kind": {"timeout": 3, "dns": 1}}, "failing_feeds", Status.FAIL),
        ({"backlog": 999}, "fetch_backlog", Status.OK),
        ({"backlog": 1000}, "fetch_backlog", Status.WARN),
        ({"backlog": 5000}, "fetch_backlog", Status.FAIL),
        (
            {
                "pending_alerts": 2,
                "oldest_pending_at": NOW - timedelta(minutes=30),
                "oldest_pending_error": "x",
            },
            "pending_alerts",
            Status.FAIL,
        ),
    ]
    for changes, name, expected in cases:
        report = evaluate(_facts(**changes), Thresholds(), NOW)
        assert report.check(name).status is expected, (changes, report.check(name))
        assert report.status is expected
        others = [c.status for c in report.checks if c.name != name]
        assert set(others) == {Status.OK}


def test_the_summary_and_cause_say_what_is_wrong():
    report = evaluate(
        _facts(
            failing_feeds=4,
            failing_by_kind={"dns": 1, "timeout": 3},
            pending_alerts=3,
            oldest_pending_at=NOW - timedelta(minutes=41),
            oldest_pending_error="SMTP 127.0.0.1:25 unreachable: refused",
        ),
        Thresholds(),
        NOW,
    )
    feeds = report.check("failing_feeds")
    assert feeds.summary == "4 of 10 feeds failing (40%)" and feeds.cause == "timeout: 3, dns: 1"
    alerts = report.check("pending_alerts")
    assert alerts.summary == "3 alerts not delivered, the oldest waiting 41 min"
    assert alerts.cause == "SMTP 127.0.0.1:25 unreachable: refused"
    assert [c.name for c in report.problems] == ["failing_feeds", "pending_alerts"]
    assert report.liveness() == {"status": "fail"}
    detail = report.as_dict()
    assert detail["status"] == "fail" and len(detail["checks"]) == 5
    assert json.loads(json.dumps(detail)) == detail


def test_nothing_measured_yet_warns():
    report = evaluate(
        HealthFacts(last_run_at=None, newest_copy_at=None, active_feeds=0, failing_feeds=0), Thresholds(), NOW
    )
    assert {c.name: c.status for c in report.checks} == {
        "last_run": Status.WARN,
        "newest_copy": Status.WARN,
        "failing_feeds": Status.WARN,
        "fetch_backlog": Status.OK,
        "pending_alerts": Status.OK,
    }
    assert report.check("last_run").value is None and report.status is Status.WARN


def test_thresholds_come_from_the_environment_and_a_bad_value_is_reported():
    env = {
        "NEWSMON_HEALTH_LAST_RUN_WARN": "20m",
        "NEWSMON_HEALTH_LAST_RUN_FAIL": "1.5h",
        "NEWSMON_HEALTH_PENDING_ALERTS_FAIL": "90",
        "NEWSMON_HEALTH_FAILING_FEEDS_WARN": "10%",
        "NEWSMON_HEALTH_FETCH_BACKLOG_FAIL": "lots",
        "NEWSMON_HEALTH_NEWEST_COPY_WARN": "7h",  # above its fail (6 h): both fall back
    }
    t = Thresholds.from_env(env)
    assert t.last_run == Limit(20 * 60, 90 * 60)
    assert t.pending_alerts == Limit(15 * 60, 30 * 60)  # the default warn is above 90 s: both defaults
    assert t.failing_feeds == Limit(10, 40)
    assert t.fetch_backlog == Limit(1000, 5000)
    assert t.newest_copy == Limit(2 * 3600, 6 * 3600)
    assert len(t.problems) == 3
    assert any("NEWSMON_HEALTH_FETCH_BACKLOG_FAIL='lots'" in p for p in t.problems)
    assert any("NEWSMON_HEALTH_NEWEST_COPY_WARN is above" in p for p in t.problems)
    assert any("NEWSMON_HEALTH_PENDING_ALERTS_WARN is above" in p for p in t.problems)
    report = evaluate(_facts(), t, NOW)
    config = report.check("configuration")
    assert config.status is Status.WARN and "FETCH_BACKLOG_FAIL" in config.cause
    assert Thresholds.from_env({}) == Thresholds() and Thresholds.from_env({}).problems == ()


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(5, "5 s"), (60, "1 min"), (31 * 60 + 59, "31 min"), (7500, "2 h 5 min"), (3 * 86400, "3 d")],
)
def test_age_text(seconds, text):
    assert age_text(seconds) == text


# ------------------------------------------------------------------------------------------ the database


def _seed(db_url: str) -> dict[str, int]:
    """Three active feeds (one timing out, one disabled), one removed failing feed, entries in each state,
    two copies, one flag and alerts in every state."""
    with session_scope(db_url) as s:
        feeds = [
            Feed(url="https://a.example/rss", name="A", created_at=NOW, consecutive_errors=0),
            Feed(
                url="https://b.example/rss",
                name="B",
                created_at=NOW,
                consecutive_errors=3,
                last_error_kind="timeout",
                last_polled_at=NOW - timedelta(minutes=1),
            ),
            Feed(
                url="https://c.example/rss",
                name="C",
                created_at=NOW,
                consecutive_errors=0,
                disabled_reason="gone",
            ),
            Feed(
                url="https://d.example/rss",
                name="D",
                created_at=NOW,
                consecutive_errors=9,
                last_error_kind="dns",
                active=False,
            ),
        ]
        s.add_all(feeds)
        s.flush()
        a = feeds[0].id

        def entry(key, state, attempts=0, link="https://a.example/x"):
            return Entry(
                feed_id=a, key=key, link=link, first_seen_at=NOW, state=state, fetch_attempts=attempts
            )

        s.add_all(
            [
                entry("new-1", "new"),
                entry("new-2", "new"),
                entry("retry", "failed", attempts=1),
                entry("spent", "failed", attempts=3),
                entry("done", "done"),
                entry("no-link", "new", link=None),
            ]
        )
        story = Story(title="t", first_seen_at=NOW, last_copy_at=NOW, copies_count=2)
        s.add(story)
        s.flush()
        for i, at in enumerate((NOW - timedelta(hours=3), NOW - timedelta(minutes=50))):
            s.add(Copy(url_key=f"k{i}", url=f"https://a.example/{i}", fetched_at=at, story_id=story.id))
        s.add(
            Flag(
                story_id=story.id,
                topic="dock_strikes",
                score=1.0,
                flagged_at=NOW,
                updated_at=NOW,
                evidence={},
            )
        )
        for status, age in (("pending", 40), ("sending", 70), ("sent", 500), ("failed", 600)):
            s.add(
                Alert(
                    story_id=story.id,
                    topic=f"topic-{status}",
                    status=status,
                    message_id=f"<{status}@x>",
                    created_at=NOW - timedelta(minutes=age),
                    last_error=f"error of the {status} alert",
                )
            )
    return {"feed_a": a}


def test_facts_are_read_the_same_on_sqlite_and_postgresql(db_url):
    _seed(db_url)
    with session_scope(db_url) as s:
        record_run(
            s, run_id="run-1", started_at=NOW - timedelta(minutes=12), finished_at=NOW - timedelta(minutes=10)
        )
    with session_scope(db_url) as s:
        facts = read_facts(s, max_fetch_attempts=3)
        report = check_health(s, now=NOW, thresholds=Thresholds(), max_fetch_attempts=3)
    assert facts.last_run_at == NOW - timedelta(minutes=10)
    assert facts.newest_copy_at == NOW - timedelta(minutes=50)
    assert (facts.active_feeds, facts.failing_feeds) == (3, 2)
    assert facts.failing_by_kind == {"timeout": 1, "disabled": 1}
    assert facts.backlog == 3 and not facts.backlog_capped  # two new, one failed with tries left
    assert facts.pending_alerts == 2  # pending and sending
    assert facts.oldest_pending_at == NOW - timedelta(minutes=70)
    assert facts.oldest_pending_error == "error of the sending alert"
    assert report.status is Status.FAIL
    assert {c.name: c.status for c in report.checks} == {
        "last_run": Status.OK,
        "newest_copy": Status.OK,
        "failing_feeds": Status.FAIL,  # 2 of 3
        "fetch_backlog": Status.OK,
        "pending_alerts": Status.FAIL,  # 70 min
    }
    with session_scope(db_url) as s:
        assert read_facts(s, max_fetch_attempts=3, backlog_cap=2).backlog_capped
        assert feed_failures_since(s, NOW - timedelta(minutes=2)) == {"timeout": 1}
        assert feed_failures_since(s, NOW) == {}
        assert new_flags_since(s, NOW) == {"dock_strikes": 1}
        assert new_flags_since(s, NOW + timedelta(seconds=1)) == {}


def test_a_run_is_recorded_once_per_run_id_and_old_runs_are_pruned(db_url):
    with session_scope(db_url) as s:
        record_run(s, run_id="old", started_at=None, finished_at=NOW - timedelta(days=40))
        record_run(s, run_id="r1", started_at=NOW, finished_at=NOW, summary={"alerts": {"sent": 1}})
    with session_scope(db_url) as s:  # the final task retried: same run id, new time
        record_run(s, run_id="r1", started_at=NOW, finished_at=NOW + timedelta(minutes=1), summary={"a": 2})
    with session_scope(db_url) as s:
        runs = s.execute(select(PipelineRun.run_id, PipelineRun.finished_at, PipelineRun.summary)).all()
        assert [(r.run_id, r.finished_at, r.summary) for r in runs] == [
            ("r1", NOW + timedelta(minutes=1), {"a": 2})
        ]
        assert s.scalar(select(func.count()).select_from(PipelineRun)) == 1


# -------------------------------------------------------------------------------------- newsmon health


def test_newsmon_health_exit_status(db_url, capsys, monkeypatch):
    for name in ("LAST_RUN", "NEWEST_COPY", "FAILING_FEEDS", "FETCH_BACKLOG", "PENDING_ALERTS"):
        for level in ("WARN", "FAIL"):
            monkeypatch.delenv(f"NEWSMON_HEALTH_{name}_{level}", raising=False)
    now = datetime.now(UTC)
    with session_scope(db_url) as s:
        s.add(Feed(url="https://a.example/rss", name="A", created_at=now, consecutive_errors=0))
        story = Story(title="t", first_seen_at=now, last_copy_at=now, copies_count=1)
        s.add(story)
        s.flush()
        s.add(
            Copy(
                url_key="k",
                url="https://a.example/1",
                fetched_at=now - timedelta(minutes=1),
                story_id=story.id,
            )
        )
        record_run(s, run_id="r", started_at=None, finished_at=now - timedelta(minutes=1))

    assert main(["--db", db_url, "health"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("newsmon health: OK")
    assert "ok    pending_alerts  every alert delivered  (warn 15 min, fail 30 min)" in out

    # An alert waiting for hours: fail, exit 1, the cause printed.
    with session_scope(db_url) as s:
        s.add(
            Alert(
                story_id=story.id,
                topic="t",
                status="pending",
                message_id="<m@x>",
                created_at=now - timedelta(hours=3),
                last_error="SMTP 127.0.0.1:2525 unreachable: connection refused",
            )
        )
    assert main(["--db", db_url, "health"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("newsmon health: FAIL") and "cause: SMTP 127.0.0.1:2525 unreachable" in out
    assert main(["--db", db_url, "health", "--json"]) == 1
    detail = json.loads(capsys.readouterr().out)
    assert detail["status"] == "fail"

    # A threshold raised above the wait: only a warning, which fails with --fail-on warn.
    monkeypatch.setenv("NEWSMON_HEALTH_PENDING_ALERTS_WARN", "1h")
    monkeypatch.setenv("NEWSMON_HEALTH_PENDING_ALERTS_FAIL", "1d")
    assert main(["--db", db_url, "health"]) == 0
    assert capsys.readouterr().out.startswith("newsmon health: WARN")
    assert main(["--db", db_url, "health", "--fail-on", "warn"]) == 1
    capsys.readouterr()


def test_newsmon_health_cannot_read_the_database(tmp_path, capsys):
    assert main(["--db", "postgresql://nobody@127.0.0.1:1/none", "health"]) == 2
    assert "cannot read the database" in capsys.readouterr().out
    # An empty SQLite file: no schema yet.
    assert main(["--db", f"sqlite:///{tmp_path / 'empty.db'}", "health"]) == 2
    assert "newsmon db upgrade" in capsys.readouterr().out


def test_newsmon_run_records_its_run(db_url, tmp_path):
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text("feeds: []\n", encoding="utf-8")
    settings = load_settings().with_(db_url=db_url, feeds_file=feeds)
    before = datetime.now(UTC)
    summary = pipeline.run_once(settings)
    with session_scope(db_url) as s:
        run = s.scalars(select(PipelineRun)).one()
        assert run.run_id.startswith("newsmon-run-") and run.finished_at >= run.started_at >= before
        assert run.summary == json.loads(json.dumps(summary))
        report = check_health(s, now=run.finished_at, thresholds=Thresholds())
    assert report.check("last_run").status is Status.OK and report.check("last_run").value == 0
