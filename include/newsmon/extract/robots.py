"""robots.txt, per host, fetched through newsmon's safe HTTP client and cached with a TTL.

Article pages are fetched on behalf of a monitor, not a search engine, but site owners' wishes
still apply. Semantics follow RFC 9309: a 4xx robots.txt means no restrictions; a 5xx or a network
failure means "assume everything is disallowed" for now, cached only briefly so a flaky site is
retried soon. Parsing is protego's (the parser Scrapy uses).
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from newsmon.extract.outcome import ArticleError, FetchFailure
from newsmon.http.client import HttpPolicy, fetch
from newsmon.http.errors import HttpError

log = logging.getLogger(__name__)

ROBOTS_MAX_BYTES = 512 * 1024  # RFC 9309 asks parsers to read at least 500 KiB


@dataclass(frozen=True)
class RobotsDecision:
    """Whether a URL may be fetched, and why not."""

    allowed: bool
    failure: FetchFailure | None = None  # robots_disallowed, robots_unreachable: timeout, ssrf_blocked, ...
    crawl_delay: float | None = None  # seconds between requests the host asks for (the politeness uses it)

    @property
    def reason(self) -> str | None:
        return str(self.failure) if self.failure else None


@dataclass
class _Entry:
    parser: Any  # protego.Protego, or None for "allow all"
    error: HttpError | None  # set when robots.txt could not be read (everything disallowed)
    expires: float


def robots_url(url: str) -> str | None:
    """``scheme://host[:port]/robots.txt`` for ``url``, or None if it is not http(s)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return f"{parts.scheme}://{parts.netloc}/robots.txt"


class RobotsCache:
    """Thread-safe LRU of parsed robots.txt files, one per scheme+host+port.

    ``ttl`` applies to files read (or found absent); ``error_ttl`` to hosts whose robots.txt could
    not be read. ``clock`` is injectable so tests can expire entries without sleeping.
    """

    def __init__(
        self,
        policy: HttpPolicy,
        *,
        ttl: float = 24 * 3600,
        error_ttl: float = 300,
        max_hosts: int = 2000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.policy = dataclasses.replace(policy, max_bytes=min(policy.max_bytes, ROBOTS_MAX_BYTES))
        self.ttl = ttl
        self.error_ttl = error_ttl
        self.max_hosts = max_hosts
        self._clock = clock
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._lock = threading.Lock()
        self.fetches = 0  # how many robots.txt requests were made (observability, tests)

    def _load(self, location: str) -> _Entry:
        from protego import Protego

        self.fetches += 1
        result = fetch(location, self.policy, accept="text/plain,*/*;q=0.5")
        now = self._clock()
        if result.ok:
            text = result.body.decode("utf-8", errors="replace")
            return _Entry(parser=Protego.parse(text), error=None, expires=now + self.ttl)
        kind = result.error_kind or HttpError.HTTP_OTHER
        if kind in (HttpError.HTTP_4XX, HttpError.NOT_FOUND, HttpError.GONE, HttpError.TOO_LARGE):
            # absent or unreadably large: no restrictions (RFC 9309 section 2.3.1.3)
            return _Entry(parser=None, error=None, expires=now + self.ttl)
        log.info("robots.txt %s unavailable (%s): disallowing the host for now", location, kind)
        return _Entry(parser=None, error=kind, expires=now + self.error_ttl)

    def _entry(self, location: str) -> _Entry:
        with self._lock:
            entry = self._entries.get(location)
            if entry is not None and entry.expires > self._clock():
                self._entries.move_to_end(location)
                return entry
        # fetched outside the lock so one slow host does not block the others
        entry = self._load(location)
        with self._lock:
            self._entries[location] = entry
            self._entries.move_to_end(location)
            while len(self._entries) > self.max_hosts:
                self._entries.popitem(last=False)
        return entry

    def check(self, url: str) -> RobotsDecision:
        """May ``url`` be fetched with this cache's user agent?"""
        location = robots_url(url)
        if location is None:
            return RobotsDecision(False, FetchFailure(HttpError.BAD_URL))
        entry = self._entry(location)
        if entry.error in (HttpError.SSRF_BLOCKED, HttpError.BAD_URL):
            return RobotsDecision(False, FetchFailure(entry.error))
        if entry.error is not None:
            return RobotsDecision(False, FetchFailure(ArticleError.ROBOTS_UNREACHABLE, entry.error))
        if entry.parser is None:
            return RobotsDecision(True)
        agent = self.policy.user_agent
        if not entry.parser.can_fetch(url, agent):
            return RobotsDecision(False, FetchFailure(ArticleError.ROBOTS_DISALLOWED))
        return RobotsDecision(True, crawl_delay=entry.parser.crawl_delay(agent))

    def allowed(self, url: str) -> bool:
        """Shorthand for ``check(url).allowed``."""
        return self.check(url).allowed
