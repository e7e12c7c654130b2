"""HostLimiter on a fake clock, over both places its state can live: this process's memory and the
database (SQLite and PostgreSQL) that every worker shares."""

from __future__ import annotations

import itertools
from contextlib import ExitStack

import pytest

from newsmon.http.client import HttpPolicy
from newsmon.http.politeness import HostDeferred, HostLimiter, MemoryHostState, host_key
from newsmon.store.db import upgrade
from newsmon.store.hosts import DatabaseHostState
from tests.conftest import create_pg_database, drop_pg_database
from tests.http.fakeclock import FakeClock
from tests.http.localserver import LocalServer, static


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
def state_factory(request, tmp_path):
    """Makes fresh HostStates over one store: this process's memory, or a migrated database of each kind."""
    if request.param == "memory":
        yield MemoryHostState
        return
    url = f"sqlite:///{tmp_path / 'hosts.db'}" if request.param == "sqlite" else create_pg_database()
    try:
        upgrade(url)
        yield lambda: DatabaseHostState(url)
    finally:
        if request.param == "postgresql":
            drop_pg_database(url)


def limiter(state, clock: FakeClock, **kw) -> HostLimiter:
    return HostLimiter(state, clock=clock, sleep=clock.sleep, **kw)


def test_starts_to_one_host_are_spaced_and_other_hosts_are_not_delayed(state_factory) -> None:
    clock = FakeClock()
    lim = limiter(state_factory(), clock, min_delay=2.0)
    start = clock()
    granted = []
    for _ in range(3):
        with lim.slot("a.example:443") as at:
            granted.append(at)
    assert granted == [start, start + 2.0, start + 4.0]
    with lim.slot("b.example:443") as other:
        assert other == start + 4.0  # no wait for a host never asked


def test_two_limiters_on_one_state_share_the_spacing(state_factory) -> None:
    """Two workers: each has its own limiter, the state is what they share."""
    state, clock = state_factory(), FakeClock()
    shared = state if isinstance(state, MemoryHostState) else state_factory()  # a second connection
    first, second = limiter(state, clock, min_delay=1.5), limiter(shared, clock, min_delay=1.5)
    times = []
    for lim in (first, second, first, second):
        with lim.slot("news.example:443") as at:
            times.append(at)
    assert [b - a for a, b in itertools.pairwise(times)] == [1.5, 1.5, 1.5]


def test_requests_in_flight_are_capped_and_a_freed_slot_is_reused(state_factory) -> None:
    clock = FakeClock()
    lim = limiter(state_factory(), clock, max_per_host=2, min_delay=0, max_wait=5)
    with ExitStack() as held:
        held.enter_context(lim.slot("a.example:80"))
        held.enter_context(lim.slot("a.example:80"))
        with pytest.raises(HostDeferred) as deferred, lim.slot("a.example:80"):
            pass
        assert "in flight" in deferred.value.reason
        assert sum(clock.sleeps) <= 5  # it gave up at its deadline, it did not hang
        with lim.slot("b.example:80"):  # another host has its own slots
            pass
    with lim.slot("a.example:80"):
        pass


def test_a_crashed_holder_frees_its_slot_when_the_lease_ends(state_factory) -> None:
    state, clock = state_factory(), FakeClock()
    assert state.claim_slot("a.example:80", 1, "crashed-worker", clock(), 60.0, 0.0) == (0, None)  # kept
    lim = limiter(state, clock, max_per_host=1, min_delay=0, max_wait=1)
    with pytest.raises(HostDeferred), lim.slot("a.example:80"):
        pass
    clock.advance(61)
    with lim.slot("a.example:80"):
        pass


def test_crawl_delay_longer_than_the_default_is_honoured(state_factory) -> None:
    clock = FakeClock()
    lim = limiter(state_factory(), clock, min_delay=1.0)
    lim.note_crawl_delay("slow.example:443", 7)
    lim.note_crawl_delay("fast.example:443", 0.2)  # shorter than the default: the default holds
    for host, gap in (("slow.example:443", 7.0), ("fast.example:443", 1.0)):
        with lim.slot(host) as first:
            pass
        with lim.slot(host) as second:
            pass
        assert second - first == gap


def test_a_wait_beyond_max_wait_is_deferred_and_books_nothing(state_factory) -> None:
    clock = FakeClock()
    lim = limiter(state_factory(), clock, min_delay=0)
    lim.note_crawl_delay("slow.example:443", 120)
    with lim.slot("slow.example:443") as first:
        pass
    with pytest.raises(HostDeferred) as deferred, lim.slot("slow.example:443"):
        pass
    assert deferred.value.until == first + 120 and clock.sleeps == []
    clock.advance(120)
    with lim.slot("slow.example:443") as later:
        assert later == first + 120  # the deferred request did not push the next start further out


def test_retry_after_blocks_the_host_until_then(state_factory, server: LocalServer) -> None:
    clock = FakeClock()
    lim = limiter(state_factory(), clock, min_delay=0, max_wait=10)
    url = server.route("/busy", static(429, b"", {"Retry-After": "600"}))
    result = lim.fetch(url, HttpPolicy(allowed_private=frozenset({server.pair})))
    assert result.error_kind == "rate_limited"
    with pytest.raises(HostDeferred) as deferred, lim.slot(host_key(url)):
        pass
    assert deferred.value.until == pytest.approx(clock() + 600)
    assert len(server.requests) == 1
    clock.advance(601)
    with lim.slot(host_key(url)):
        pass


def test_database_state_is_readable_for_the_operator(db_url) -> None:
    clock = FakeClock()
    state = DatabaseHostState(db_url)
    lim = limiter(state, clock, min_delay=3)
    lim.note_crawl_delay("a.example:443", 10)
    with lim.slot("a.example:443") as at:
        pass
    row = state.host("a.example:443")
    assert row is not None and row.crawl_delay == 10 and row.next_start_at == at + 10


def test_host_key() -> None:
    assert host_key("https://Example.com/feed") == "example.com:443"
    assert host_key("http://example.com:8080/x") == "example.com:8080"
    assert host_key("not a url") == "not a url"
