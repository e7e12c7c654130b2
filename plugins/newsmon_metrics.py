"""newsmon's pipeline metrics, sent through Airflow's own metrics system.

Airflow decides where they go: `[metrics] statsd_on / statsd_host / statsd_port / statsd_prefix` (StatsD) or
`otel_on / otel_host / otel_port / otel_prefix` (OpenTelemetry), read by the Task SDK when a task process
starts (`airflow.sdk.observability.stats`, the client Airflow 3 gives task code); with neither on, every call
is a no-op. Names get Airflow's prefix on the wire: `newsmon.feeds.polled` arrives as
`airflow.newsmon.feeds.polled`. docs/operations.md lists every name; a test holds the two together.

StatsD has no tags, so a series per topic or per error kind carries its variable in the name
(`newsmon.flags.new.child_repatriation`, `newsmon.feeds.failed.timeout`); the value also goes as a tag for
backends that use tags (OpenTelemetry, DogStatsD, InfluxDB).

Only DAG tasks call this: the library (include/newsmon) stays free of Airflow, and the numbers are the counts
its stages return, plus a few read from the database (newsmon.store.health). A failure to emit is logged,
never raised: metrics must not fail the pipeline they describe.
"""

from __future__ import annotations

import functools
import logging
import re
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime

from airflow.sdk.observability import stats

from newsmon.config.settings import Settings
from newsmon.health import HealthReport, Thresholds, check_health
from newsmon.store import health as health_store
from newsmon.store.db import session_scope

log = logging.getLogger(__name__)

PREFIX = "newsmon"

# What each stage's returned counts are called as counters. A count not named here is not emitted.
COUNTERS: dict[str, dict[str, str]] = {
    "poll_feeds": {
        "polled": "feeds.polled",
        "not_modified": "feeds.not_modified",
        "errors": "feeds.failed",
        "new_entries": "entries.new",
    },
    "news_discovery": {
        "queries": "discovery.queries",
        "found": "discovery.found",
        "new_entries": "discovery.entries.new",
        "query_errors": "discovery.queries.failed",
        "errors": "discovery.providers.failed",
    },
    "plan_fetch": {"planned": "fetch.planned"},
    "fetch_batch": {
        "copies": "copies.fetched",
        "fallback": "copies.fallback",
        "known": "copies.known",
        "failed": "entries.fetch_failed",
    },
    "fold_stories": {"folded": "copies.folded", "new_stories": "stories.new", "merges": "stories.merged"},
    "flag_topics": {"scored": "copies.scored", "new_flags": "flags.new"},
    "send_alerts": {
        "queued": "alerts.queued",
        "sent": "alerts.sent",
        "failed": "alerts.failed",
        "superseded": "alerts.superseded",
    },
    "check_surges": {"found": "surges.found", "sent": "surges.sent", "failed": "surges.failed"},
}
# Counters whose last part is a value from the data (error kind, topic): `<name>.<value>`.
PER_VALUE = {"feeds.failed": "error_kind", "flags.new": "topic"}
# Gauges, set at the end of every run from the health report (the same numbers `/api/health` shows).
GAUGES = (
    "fetch.backlog",
    "alerts.pending",
    "alerts.oldest_pending_seconds",
    "feeds.active",
    "feeds.failing",
    "feeds.failing_percent",
    "copies.newest_age_seconds",
    "health.status",
)
HEALTH_CHECKS = ("last_run", "newest_copy", "failing_feeds", "fetch_backlog", "pending_alerts")
# Timers, in milliseconds on the StatsD wire: `stage.<task id>` for each task, `run.duration` per run.
STAGES = (
    "prepare",
    "poll_feeds",
    "news_discovery",
    "plan_fetch",
    "fetch_batch",
    "fold_stories",
    "flag_topics",
    "send_alerts",
    "check_surges",
    "record_run",
)

_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


def metric(name: str) -> str:
    return f"{PREFIX}.{name}"


def name_part(value: str) -> str:
    """A topic or error kind as one dot-free segment of a metric name (StatsD splits on dots)."""
    return _UNSAFE.sub("_", value).strip("_")[:60] or "unknown"


def _never_raises(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except Exception:
            log.exception("newsmon metrics not emitted (%s); the pipeline goes on", fn.__name__)
            return None

    return wrapper


@contextmanager
def stage_timer(stage: str) -> Iterator[None]:
    """Time a stage's work as `newsmon.stage.<stage>` (sent when the block ends, also when it raises)."""
    start = time.perf_counter()
    try:
        yield
    finally:
        _timing(metric(f"stage.{stage}"), (time.perf_counter() - start) * 1000.0)


@_never_raises
def _timing(name: str, ms: float) -> None:
    stats.timing(name, ms)


@_never_raises
def count(
    stage: str, counts: Mapping[str, int], per_value: Mapping[str, Mapping[str, int]] | None = None
) -> None:
    """Emit a stage's counts as counters; `per_value` adds `<counter>.<value>` series (kind, topic)."""
    for key, name in COUNTERS[stage].items():
        if key in counts:
            stats.incr(metric(name), int(counts[key]))
    for name, values in (per_value or {}).items():
        tag = PER_VALUE[name]
        for value, n in values.items():
            stats.incr(metric(f"{name}.{name_part(value)}"), int(n), tags={tag: value})


@_never_raises
def poll(settings: Settings, counts: Mapping[str, int], *, since: datetime) -> None:
    """The poll's counts; feeds polled = all minus those not due, failures split by the stored error kind."""
    polled = {**counts, "polled": counts.get("feeds", 0) - counts.get("not_due", 0)}
    with session_scope(settings.db_url) as session:
        kinds = health_store.feed_failures_since(session, since)
    count("poll_feeds", polled, {"feeds.failed": kinds})


@_never_raises
def flags(settings: Settings, counts: Mapping[str, int], *, since: datetime) -> None:
    with session_scope(settings.db_url) as session:
        topics = health_store.new_flags_since(session, since)
    count("flag_topics", counts, {"flags.new": topics})


@_never_raises
def run_finished(settings: Settings, *, started_at: datetime | None, now: datetime) -> HealthReport | None:
    """At the end of a run: its duration, and the health report as gauges (backlog, pending alerts, ...)."""
    if started_at is not None:
        stats.timing(metric("run.duration"), max((now - started_at).total_seconds(), 0.0) * 1000.0)
    with session_scope(settings.db_url) as session:
        report = check_health(
            session, now=now, thresholds=Thresholds.from_env(), max_fetch_attempts=settings.max_fetch_attempts
        )
    facts = report.facts
    values = {
        "fetch.backlog": facts.backlog,
        "alerts.pending": facts.pending_alerts,
        "alerts.oldest_pending_seconds": report.check("pending_alerts").value or 0.0,
        "feeds.active": facts.active_feeds,
        "feeds.failing": facts.failing_feeds,
        "feeds.failing_percent": report.check("failing_feeds").value or 0.0,
        "copies.newest_age_seconds": report.check("newest_copy").value or 0.0,
        "health.status": report.status.rank,
    }
    for name in GAUGES:
        stats.gauge(metric(name), float(values[name]))
    for name in HEALTH_CHECKS:
        stats.gauge(metric(f"health.{name}"), float(report.check(name).status.rank))
    return report
