"""Politeness per host: how many requests may be in flight to one host and how far apart they start.

One :class:`HostLimiter` algorithm, two places to keep its state:

* :class:`MemoryHostState` — one process (the library on its own, benchmarks, unit tests);
* ``newsmon.store.hosts.DatabaseHostState`` — every thread, process and worker that shares newsmon's
  database. That is what the pipeline uses: Airflow runs ``fetch_batch`` as several mapped tasks, on
  two Celery workers in production, and a limit kept in each process's memory let two of them hit one
  host at once. Why the database and not Redis: the embedded default (SQLite, LocalExecutor) has no
  Redis, and the database is already shared by every task in both deployments, so one mechanism serves
  both; each step is one short conditional UPDATE (atomic on SQLite and PostgreSQL alike).

The rules, per host (``host:port``, see :func:`host_key`):

1. at most ``max_per_host`` requests in flight: a request holds a numbered *slot*, leased for
   ``lease`` seconds so that a worker killed mid-request frees it without anyone's help;
2. request starts at least ``min_delay`` apart, or the host's robots.txt ``Crawl-delay`` if longer:
   a request takes a *turn* by moving the host's next start time forward, atomically, when that time
   has come;
3. after a 429/503 with ``Retry-After`` nothing starts before the host said.

A request that would have to wait more than ``max_wait`` seconds is not made: :class:`HostDeferred`
is raised, and the caller leaves the work for a later run instead of tying a worker up in a sleep.
Times are seconds since the epoch from an injectable ``clock`` (shared by processes on one machine,
NTP-close across machines); ``sleep`` is injectable too, so tests run on a fake clock.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Protocol, Unpack

from urllib3.exceptions import LocationParseError
from urllib3.util import parse_url

from newsmon.http.client import FetchOptions, FetchResult, HttpPolicy, fetch
from newsmon.http.errors import HttpError
from newsmon.http.ssrf import host_port_key

log = logging.getLogger(__name__)

MAX_CRAWL_DELAY = 3600.0  # a robots.txt asking for more is read as "one request an hour"
MAX_BLOCK = 24 * 3600.0  # a Retry-After longer than a day blocks a host for a day
_FIRST_POLL = 0.02  # waiting for a free slot: first re-check after 20 ms, then doubling ...
_MAX_POLL = 0.25  # ... up to 250 ms


def host_key(url: str) -> str:
    """The politeness key of ``url``: canonical host:port, or the raw URL if unparsable."""
    try:
        parsed = parse_url(url)
    except LocationParseError:
        return url
    if not parsed.host:
        return url
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    return host_port_key(parsed.host, port)


class HostDeferred(Exception):
    """The host cannot take this request within ``max_wait``: try again in a later run."""

    def __init__(self, host: str, reason: str, until: float | None = None) -> None:
        super().__init__(f"{host}: {reason}")
        self.host = host
        self.reason = reason
        self.until = until


class HostState(Protocol):
    """Where a :class:`HostLimiter` keeps its per-host state; every method is one atomic step."""

    def claim_slot(
        self, host: str, slots: int, holder: str, now: float, lease: float, min_delay: float
    ) -> tuple[int, float | None] | None:
        """Take a free (or expired) slot below ``slots`` for ``holder`` and, in the same step, try to take
        the turn (see :meth:`take_turn`): (slot, None) when the request may start now, (slot, the time it
        may start) when it must wait, None when every slot is busy."""

    def release_slot(self, host: str, slot: int, holder: str) -> None:
        """Free the slot if ``holder`` still holds it."""

    def take_turn(self, host: str, now: float, min_delay: float) -> float | None:
        """If a request may start at ``now``, book it (next start = now + spacing) and return None;
        otherwise return the time it may start. Spacing is ``min_delay`` or the Crawl-delay if longer."""

    def set_crawl_delay(self, host: str, seconds: float | None) -> None: ...

    def block_until(self, host: str, until: float) -> None:
        """No start before ``until`` (never shortens an earlier, longer block)."""


@dataclass
class _MemoryHost:
    next_start: float = 0.0
    crawl_delay: float | None = None
    blocked_until: float = 0.0
    slots: dict[int, tuple[str, float]] = field(default_factory=dict)  # slot -> (holder, expires)


class MemoryHostState:
    """Host state in this process only (thread-safe)."""

    def __init__(self) -> None:
        self._hosts: dict[str, _MemoryHost] = {}
        self._lock = threading.Lock()

    def _host(self, host: str) -> _MemoryHost:
        return self._hosts.setdefault(host, _MemoryHost())

    def claim_slot(
        self, host: str, slots: int, holder: str, now: float, lease: float, min_delay: float
    ) -> tuple[int, float | None] | None:
        with self._lock:
            state = self._host(host)
            for slot in range(slots):
                taken = state.slots.get(slot)
                if taken is None or taken[1] < now:
                    state.slots[slot] = (holder, now + lease)
                    return slot, self._turn(state, now, min_delay)
            return None

    def release_slot(self, host: str, slot: int, holder: str) -> None:
        with self._lock:
            state = self._host(host)
            if state.slots.get(slot, ("", 0.0))[0] == holder:
                del state.slots[slot]

    def take_turn(self, host: str, now: float, min_delay: float) -> float | None:
        with self._lock:
            return self._turn(self._host(host), now, min_delay)

    @staticmethod
    def _turn(state: _MemoryHost, now: float, min_delay: float) -> float | None:
        ready = max(state.next_start, state.blocked_until)
        if ready > now:
            return ready
        state.next_start = now + max(min_delay, state.crawl_delay or 0.0)
        return None

    def set_crawl_delay(self, host: str, seconds: float | None) -> None:
        with self._lock:
            self._host(host).crawl_delay = seconds

    def block_until(self, host: str, until: float) -> None:
        with self._lock:
            state = self._host(host)
            state.blocked_until = max(state.blocked_until, until)


class HostLimiter:
    """Politeness per host over a :class:`HostState` (see the module docstring for the rules)."""

    def __init__(
        self,
        state: HostState | None = None,
        *,
        max_per_host: int = 2,
        min_delay: float = 1.0,
        max_wait: float = 30.0,
        lease: float = 300.0,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if max_per_host < 1:
            raise ValueError("max_per_host must be >= 1")
        self.state = state if state is not None else MemoryHostState()
        self.max_per_host = max_per_host
        self.min_delay = max(0.0, min_delay)
        self.max_wait = max(0.0, max_wait)
        self.lease = lease
        self.clock = clock
        self.sleep = sleep
        self._crawl_delays: dict[str, float | None] = {}  # last value written, to write only changes
        self._lock = threading.Lock()

    @contextmanager
    def slot(self, host: str) -> Iterator[float]:
        """Wait until a request to ``host`` may start; yields the time it was granted.

        Raises :class:`HostDeferred` when that would take longer than ``max_wait``.
        """
        deadline = self.clock() + self.max_wait
        holder = uuid.uuid4().hex
        slot, granted = self._claim(host, holder, deadline)
        try:
            if granted is None:
                granted = self._turn(host, deadline)
            log.debug("host %s: request granted at %.6f (slot %d)", host, granted, slot)
            yield granted
        finally:
            self.state.release_slot(host, slot, holder)

    def _claim(self, host: str, holder: str, deadline: float) -> tuple[int, float | None]:
        """A slot, and the grant time when the turn came with it (the common case: one step)."""
        pause = _FIRST_POLL
        while True:
            now = self.clock()
            claimed = self.state.claim_slot(host, self.max_per_host, holder, now, self.lease, self.min_delay)
            if claimed is not None:
                slot, ready = claimed
                if ready is not None and ready > deadline:
                    self.state.release_slot(host, slot, holder)
                    raise HostDeferred(host, f"next request allowed in {ready - now:.0f}s", until=ready)
                return slot, (now if ready is None else None)
            if now + pause > deadline:
                raise HostDeferred(host, f"{self.max_per_host} request(s) in flight for {self.max_wait:g}s")
            self.sleep(pause)
            pause = min(pause * 2, _MAX_POLL)

    def _turn(self, host: str, deadline: float) -> float:
        while True:
            now = self.clock()
            ready = self.state.take_turn(host, now, self.min_delay)
            if ready is None:
                return now
            if ready > deadline:
                raise HostDeferred(host, f"next request allowed in {ready - now:.0f}s", until=ready)
            self.sleep(ready - now)

    def note_crawl_delay(self, host: str, seconds: float | None) -> None:
        """Record the host's robots.txt Crawl-delay (written to the state only when it changes)."""
        if seconds is not None:
            seconds = min(max(float(seconds), 0.0), MAX_CRAWL_DELAY) or None
        with self._lock:
            if host in self._crawl_delays and self._crawl_delays[host] == seconds:
                return
            self._crawl_delays[host] = seconds
        self.state.set_crawl_delay(host, seconds)

    def note_retry_after(self, host: str, seconds: float) -> None:
        """The host said when to come back (429/503 Retry-After): no request to it before then."""
        until = self.clock() + min(max(seconds, 0.0), MAX_BLOCK)
        log.info("host %s asked to wait %.0fs", host, seconds)
        self.state.block_until(host, until)

    def fetch(self, url: str, policy: HttpPolicy, **options: Unpack[FetchOptions]) -> FetchResult:
        """:func:`newsmon.http.client.fetch` inside a slot of the URL's host, honouring its Retry-After."""
        with self.slot(host_key(url)):
            result = fetch(url, policy, **options)
        if result.retry_after and result.error_kind in (HttpError.RATE_LIMITED, HttpError.HTTP_5XX):
            self.note_retry_after(host_key(result.final_url or url), result.retry_after)
        return result
