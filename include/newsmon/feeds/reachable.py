"""Which feeds of a list answer with a feed right now (``newsmon feeds check --reachable``).

One GET per feed through the same client, SSRF guard and politeness as polling (a feed's
``allow_private`` opens its own host:port, nothing else), and the answer parsed as polling would: a feed
"answers" when it returns a document with a feed in it. Nothing is stored. It needs the internet: on a
machine without it every public feed fails (DNS, refused or timeout), which says nothing about the feed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from newsmon.config.feeds import FeedConfig
from newsmon.feeds.parse import FeedParseError, parse_feed
from newsmon.feeds.poll import FEED_ACCEPT
from newsmon.http.client import HttpPolicy
from newsmon.http.politeness import HostDeferred, HostLimiter


@dataclass(frozen=True)
class Reachability:
    feed: FeedConfig
    ok: bool
    detail: str  # "rss20, 25 items" or "dns: cannot resolve ..."
    elapsed: float = 0.0
    final_url: str | None = None  # where it answered from, when redirected


def check_feed(feed: FeedConfig, policy: HttpPolicy, limiter: HostLimiter) -> Reachability:
    try:
        result = limiter.fetch(feed.url, policy, accept=FEED_ACCEPT)
    except HostDeferred as deferred:
        return Reachability(feed, False, f"not tried: {deferred.reason}")
    moved = result.final_url if result.final_url != feed.url else None
    if not result.ok:
        kind = result.error_kind or "http_other"
        return Reachability(feed, False, f"{kind}: {result.error or result.status}", result.elapsed, moved)
    try:
        parsed = parse_feed(result.body, url=result.final_url, headers=result.headers)
    except FeedParseError as exc:
        return Reachability(feed, False, f"answers, but {exc.kind}: {exc.message}", result.elapsed, moved)
    return Reachability(feed, True, f"{parsed.format}, {parsed.items} items", result.elapsed, moved)


def check_feeds(
    feeds: Sequence[FeedConfig],
    policy_for: Callable[[FeedConfig], HttpPolicy],
    limiter: HostLimiter,
    *,
    workers: int = 8,
) -> list[Reachability]:
    """Every feed checked, concurrently across hosts and politely within one; in the list's order."""
    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="reach") as pool:
        return list(pool.map(lambda f: check_feed(f, policy_for(f), limiter), feeds))
