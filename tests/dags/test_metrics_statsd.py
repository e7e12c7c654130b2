"""Pipeline metrics reach a real StatsD listener (UDP on 127.0.0.1) from a real DAG run on the demo corpus.

Airflow reads `[metrics]` when a task process starts (the Task SDK's `main()` calls `stats.initialize`);
`dag.test()` runs the tasks inside this process, where Airflow initialised its metrics at import, before this
test configured StatsD. So the fixture does what the task runner does, with the environment an operator
would set (`AIRFLOW__METRICS__STATSD_*`), and undoes it afterwards.
"""

from __future__ import annotations

import re
import socket
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from airflow.sdk.configuration import conf
from airflow.sdk.observability import stats
from airflow.sdk.observability.metrics import stats_utils
from sqlalchemy import func, select

import newsmon_metrics
from newsmon.config.settings import load_settings
from newsmon.store.db import session_scope
from newsmon.store.entries import waiting_count
from newsmon.store.models import Copy, Entry, Flag, Story
from tests.conftest import REPO
from tests.dags.airflow_harness import run_dag

PREFIX = "airflow"
TOPIC = "child_repatriation"
_LINE = re.compile(r"^(?P<name>[^:]+):(?P<value>-?[0-9.]+)\|(?P<kind>c|g|ms)(\|@[0-9.]+)?$")


@dataclass
class Received:
    counters: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    gauges: dict[str, float] = field(default_factory=dict)
    timers: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))


class StatsdListener:
    """A StatsD server in miniature: a UDP socket on 127.0.0.1 and the StatsD line protocol."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 * 1024 * 1024)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.setblocking(False)
        self.port = self.sock.getsockname()[1]

    def drain(self) -> Received:
        """Everything sent so far: on loopback a datagram is queued by the time sendto() returns."""
        got = Received()
        while True:
            try:
                data = self.sock.recv(65535)
            except BlockingIOError:
                return got
            for line in data.decode().splitlines():
                m = _LINE.match(line)
                assert m, f"not a StatsD line: {line!r}"
                name, value, kind = m["name"], float(m["value"]), m["kind"]
                if kind == "c":
                    got.counters[name] += value
                elif kind == "g":
                    got.gauges[name] = value
                else:
                    got.timers[name].append(value)

    def close(self) -> None:
        self.sock.close()


def _initialise_stats() -> None:
    stats.initialize(
        factory=stats_utils.get_stats_factory(),
        export_legacy_names=conf.getboolean("metrics", "legacy_names_on"),
    )


@pytest.fixture
def statsd() -> Iterator[StatsdListener]:
    listener = StatsdListener()
    with pytest.MonkeyPatch.context() as env:
        env.setenv("AIRFLOW__METRICS__STATSD_ON", "True")
        env.setenv("AIRFLOW__METRICS__STATSD_HOST", "127.0.0.1")
        env.setenv("AIRFLOW__METRICS__STATSD_PORT", str(listener.port))
        env.setenv("AIRFLOW__METRICS__STATSD_PREFIX", PREFIX)
        _initialise_stats()
        try:
            yield listener
        finally:
            env.undo()
            _initialise_stats()  # back to what the configuration says without this test: no metrics
            listener.close()


@pytest.fixture
def pipeline_env(monkeypatch, db_url, demo_server, demo_feeds_file, smtp_sink):
    # One feed that cannot work: the demo server answers 404 for it.
    with demo_feeds_file.open("a", encoding="utf-8") as out:
        out.write(f'  - url: "{demo_server.base_url}/gone/feed.xml"\n    name: "Missing feed"\n')
        out.write("    allow_private: true\n")
    monkeypatch.setenv("NEWSMON_DB_URL", db_url)
    monkeypatch.setenv("NEWSMON_FEEDS_FILE", str(demo_feeds_file))
    monkeypatch.setenv("NEWSMON_SMTP_URL", smtp_sink.url)
    return db_url


def _m(name: str) -> str:
    return f"{PREFIX}.newsmon.{name}"


def test_a_dag_run_sends_its_counters_gauges_and_timers_to_statsd(statsd, pipeline_env, smtp_sink):
    db_url = pipeline_env
    statsd.drain()  # whatever Airflow sent before the run
    run = run_dag("news_monitor")
    assert run.state == "success"
    got = statsd.drain()

    with session_scope(db_url) as s:
        entries = s.scalar(select(func.count()).select_from(Entry))
        copies = s.scalar(select(func.count()).select_from(Copy))
        fallback = s.scalar(select(func.count()).select_from(Copy).where(Copy.fetch_status == "fallback"))
        stories = s.scalar(select(func.count()).select_from(Story))
        flags = s.scalar(select(func.count()).select_from(Flag).where(Flag.topic == TOPIC))
        backlog = waiting_count(s, max_attempts=load_settings().max_fetch_attempts, limit=10_000)
    assert entries > 0 and copies > 0 and flags > 0

    c = got.counters
    assert c[_m("feeds.polled")] == 5
    assert c[_m("feeds.failed")] == 1
    assert c[_m("feeds.failed.not_found")] == 1
    assert c[_m("feeds.not_modified")] == 0
    assert c[_m("entries.new")] == entries
    assert c[_m("fetch.planned")] == entries
    assert c[_m("copies.fetched")] + c[_m("copies.fallback")] == copies
    assert c[_m("copies.fallback")] == fallback
    assert (
        c[_m("copies.fetched")]
        + c[_m("copies.fallback")]
        + c[_m("entries.fetch_failed")]
        + c[_m("copies.known")]
        == entries
    )
    assert c[_m("copies.folded")] == copies
    assert c[_m("stories.new")] == stories
    assert c[_m("flags.new")] == flags
    assert c[_m(f"flags.new.{TOPIC}")] == flags
    assert c[_m("alerts.sent")] == len(smtp_sink.messages) == flags
    assert c[_m("alerts.failed")] == 0

    g = got.gauges
    assert g[_m("alerts.pending")] == 0
    assert g[_m("alerts.oldest_pending_seconds")] == 0
    assert g[_m("fetch.backlog")] == backlog
    assert g[_m("feeds.active")] == 5
    assert g[_m("feeds.failing")] == 1
    assert g[_m("feeds.failing_percent")] == 20.0
    # One feed of five failing is the default warn threshold (20%); nothing else is wrong.
    assert g[_m("health.failing_feeds")] == 1
    assert g[_m("health.pending_alerts")] == 0
    assert g[_m("health.last_run")] == 0
    assert g[_m("health.status")] == 1

    for stage in newsmon_metrics.STAGES:
        assert got.timers[_m(f"stage.{stage}")], f"no timer for {stage}"
        assert all(ms >= 0 for ms in got.timers[_m(f"stage.{stage}")])
    assert len(got.timers[_m("run.duration")]) == 1
    assert all(name.startswith(f"{PREFIX}.") for name in [*c, *g, *got.timers])


def test_every_emitted_metric_name_is_documented():
    doc = (REPO / "docs" / "operations.md").read_text(encoding="utf-8")
    names = [
        *(name for stage in newsmon_metrics.COUNTERS.values() for name in stage.values()),
        *(f"{name}.<{tag}>" for name, tag in newsmon_metrics.PER_VALUE.items()),
        *newsmon_metrics.GAUGES,
        *(f"health.{check}" for check in newsmon_metrics.HEALTH_CHECKS),
        "stage.<task>",
        "run.duration",
    ]
    missing = [n for n in names if f"`newsmon.{n}`" not in doc]
    assert missing == []
    for stage in newsmon_metrics.STAGES:
        assert f"`{stage}`" in doc
