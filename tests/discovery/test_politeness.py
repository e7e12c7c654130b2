"""A provider's documented rate limit is its host's spacing in the shared politeness, on a fake clock."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from newsmon import pipeline
from newsmon.config.discovery import load_discovery
from newsmon.discovery.stage import DiscoveryRun, run_discovery
from newsmon.http.politeness import HostLimiter, host_key
from newsmon.store.db import session_scope
from newsmon.store.hosts import DatabaseHostState
from newsmon.store.models import DiscoveryProvider, DiscoveryQuery
from tests.discovery.conftest import SEARCHES, discovery_yaml
from tests.http.fakeclock import FakeClock

NOW = datetime(2026, 3, 12, 10, 0, tzinfo=UTC)


def _run(settings, clock: FakeClock, *, max_wait: float) -> dict[str, int]:
    limiter = HostLimiter(
        DatabaseHostState(settings.db_url), min_delay=0, max_wait=max_wait, clock=clock, sleep=clock.sleep
    )
    run = DiscoveryRun(
        limiter=limiter,
        policy_for=lambda c: pipeline.http_policy(settings, c.allowed_private()),
        now=NOW,
        backlog=200,
        max_attempts=3,
        force=True,
    )
    configs = load_discovery(settings.discovery_file)
    return run_discovery(settings.db_url, configs, pipeline.load_topics(settings), run)


def test_requests_to_the_provider_start_its_documented_spacing_apart(discovery_settings, gdelt):
    discovery_settings.discovery_file.write_text(
        discovery_yaml(gdelt, request_spacing="5s"), encoding="utf-8"
    )
    pipeline.prepare(discovery_settings)
    clock = FakeClock()
    counts = _run(discovery_settings, clock, max_wait=30)
    assert counts["queries"] == SEARCHES and counts["deferred"] == 0
    assert clock.sleeps == [5.0] * (SEARCHES - 1)  # every request after the first waited its turn
    state = DatabaseHostState(discovery_settings.db_url).host(host_key(gdelt.url))
    assert state is not None and state.crawl_delay == 5.0  # shared with every worker through the database


def test_a_search_that_would_wait_too_long_is_left_for_the_next_run(discovery_settings, gdelt):
    discovery_settings.discovery_file.write_text(discovery_yaml(gdelt, request_spacing=60), encoding="utf-8")
    pipeline.prepare(discovery_settings)
    clock = FakeClock()
    counts = _run(discovery_settings, clock, max_wait=10)
    assert (counts["queries"], counts["deferred"]) == (1, 1)
    assert len(gdelt.requests) == 1 and clock.sleeps == []
    with session_scope(discovery_settings.db_url) as s:
        provider = s.scalars(select(DiscoveryProvider)).one()
        assert provider.last_run_at is None and provider.consecutive_errors == 0  # deferred: no verdict
        ran = [
            q.query for q in s.scalars(select(DiscoveryQuery).where(DiscoveryQuery.last_run_at.is_not(None)))
        ]
    assert len(ran) == 1

    again = _run(discovery_settings, clock, max_wait=10)  # the same minute: nothing may start yet
    assert (again["queries"], again["deferred"], len(gdelt.requests)) == (0, 1, 1)
    clock.advance(60)
    later = _run(discovery_settings, clock, max_wait=10)
    assert later["queries"] == 1 and gdelt.requests[-1].query != gdelt.requests[0].query  # the next in turn
