"""One poll of one feed, as a pure function of its stored state: state in, (new state, entries) out.

The state machine, in one place so the rules are visible:
- disabled (HTTP 410 once) -> not fetched again and no next poll, until ``newsmon feeds enable URL``
  or the feed returns to the feed list after having been removed; "not_due" before ``next_poll_at``
  unless forced.
- the host cannot take the request now (politeness, Retry-After) -> "deferred": state unchanged, the
  feed stays due and is polled in a later run.
- 304 -> no parse, errors reset, next poll after the normal interval.
- 200 that parses -> entries, new validators (ETag/Last-Modified), errors reset.
- anything else -> ``consecutive_errors`` + 1 and the next poll is pushed back exponentially
  (interval * 2**errors, capped at ``BACKOFF_CAP``), and never earlier than a Retry-After.
  Validators are kept unchanged on errors, so a fixed feed is fetched in full again.
- 301/308 chains that end in success set ``redirected_to``, which is fetched from then on.
Nothing here writes anywhere: the caller stores ``PollOutcome.state``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from newsmon.feeds.parse import FeedEntry, FeedError, FeedParseError, parse_feed
from newsmon.http.client import FetchResult, HttpPolicy
from newsmon.http.errors import HttpError
from newsmon.http.politeness import HostDeferred, HostLimiter

log = logging.getLogger(__name__)

BACKOFF_CAP = timedelta(hours=24)
FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/rdf+xml;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5"
)


class PollStatus(StrEnum):
    NEW = "new"  # fetched and parsed (maybe with no new entries)
    NOT_MODIFIED = "not_modified"  # 304
    ERROR = "error"
    NOT_DUE = "not_due"
    DISABLED = "disabled"
    DEFERRED = "deferred"  # the host could not take the request within the politeness wait


ErrorKind = HttpError | FeedError


@dataclass(frozen=True)
class FeedState:
    url: str
    etag: str | None = None
    last_modified: str | None = None
    last_polled_at: datetime | None = None
    last_success_at: datetime | None = None
    consecutive_errors: int = 0
    last_error_kind: ErrorKind | str | None = None
    last_error: str | None = None
    next_poll_at: datetime | None = None
    redirected_to: str | None = None
    disabled_reason: str | None = None

    @property
    def fetch_url(self) -> str:
        """The URL to request: the permanent-redirect target once one was seen."""
        return self.redirected_to or self.url


@dataclass(frozen=True)
class PollOutcome:
    state: FeedState
    status: PollStatus
    entries: tuple[FeedEntry, ...] = ()
    items: int = 0  # items the document listed (more than ``entries`` when it listed over MAX_ITEMS)
    feed_title: str | None = None
    error_kind: ErrorKind | None = None
    error: str | None = None
    bozo_reason: str | None = None
    elapsed: float = 0.0


def backoff_delay(interval: timedelta, errors: int, cap: timedelta = BACKOFF_CAP) -> timedelta:
    """Delay before the next poll after ``errors`` consecutive failures (never below ``interval``)."""
    if errors <= 0:
        return interval
    return min(interval * (1 << min(errors, 20)), max(cap, interval))


def _quick_outcome(state: FeedState, now: datetime, force: bool) -> PollOutcome | None:
    if state.disabled_reason:
        return PollOutcome(state=state, status=PollStatus.DISABLED, error=state.disabled_reason)
    if not force and state.next_poll_at is not None and now < state.next_poll_at:
        return PollOutcome(state=state, status=PollStatus.NOT_DUE)
    return None


def _success_state(state: FeedState, result: FetchResult, now: datetime, interval: timedelta) -> FeedState:
    redirected = state.redirected_to
    if result.permanent_redirect and result.permanent_redirect != state.fetch_url:
        log.info("feed %s moved permanently to %s", state.url, result.permanent_redirect)
        redirected = result.permanent_redirect if result.permanent_redirect != state.url else None
    return replace(
        state,
        last_polled_at=now,
        last_success_at=now,
        consecutive_errors=0,
        last_error_kind=None,
        last_error=None,
        next_poll_at=now + interval,
        redirected_to=redirected,
    )


def _error_outcome(
    state: FeedState,
    kind: ErrorKind,
    message: str,
    now: datetime,
    interval: timedelta,
    retry_after: float | None = None,
    elapsed: float = 0.0,
) -> PollOutcome:
    errors = state.consecutive_errors + 1
    delay = backoff_delay(interval, errors)
    if retry_after is not None:
        delay = max(delay, timedelta(seconds=retry_after))
    disabled = state.disabled_reason
    next_poll: datetime | None = now + delay
    if kind == HttpError.GONE:
        disabled = f"gone: HTTP 410 at {now.isoformat(timespec='seconds')}"
        next_poll = None  # never, until enabled again
        log.warning("feed %s disabled: %s (newsmon feeds enable URL brings it back)", state.url, disabled)
    new_state = replace(
        state,
        last_polled_at=now,
        consecutive_errors=errors,
        last_error_kind=kind,
        last_error=message,
        next_poll_at=next_poll,
        disabled_reason=disabled,
    )
    return PollOutcome(
        state=new_state, status=PollStatus.ERROR, error_kind=kind, error=message, elapsed=elapsed
    )


def _poll(
    state: FeedState,
    policy: HttpPolicy,
    now: datetime,
    interval: timedelta,
    limiter: HostLimiter,
    force: bool,
) -> PollOutcome:
    quick = _quick_outcome(state, now, force)
    if quick:
        return quick
    url = state.fetch_url
    try:
        result = limiter.fetch(
            url, policy, etag=state.etag, last_modified=state.last_modified, accept=FEED_ACCEPT
        )
    except HostDeferred as deferred:
        log.info("feed %s deferred: %s", state.url, deferred.reason)
        return PollOutcome(state=state, status=PollStatus.DEFERRED, error=deferred.reason)
    if result.not_modified:
        new_state = _success_state(state, result, now, interval)
        new_state = replace(
            new_state,
            etag=result.headers.get("etag") or state.etag,
            last_modified=result.headers.get("last-modified") or state.last_modified,
        )
        return PollOutcome(state=new_state, status=PollStatus.NOT_MODIFIED, elapsed=result.elapsed)
    if not result.ok:
        return _error_outcome(
            state,
            result.error_kind or HttpError.HTTP_OTHER,
            result.error or f"HTTP {result.status}",
            now,
            interval,
            result.retry_after,
            result.elapsed,
        )
    try:
        parsed = parse_feed(result.body, url=result.final_url, headers=result.headers, now=now)
    except FeedParseError as exc:
        log.warning("feed %s: %s: %s", url, exc.kind, exc.message)
        return _error_outcome(state, exc.kind, exc.message, now, interval, elapsed=result.elapsed)
    new_state = replace(
        _success_state(state, result, now, interval),
        etag=result.headers.get("etag"),
        last_modified=result.headers.get("last-modified"),
    )
    if parsed.bozo_reason:
        log.info(
            "feed %s is not well-formed, %d entries kept: %s", url, len(parsed.entries), parsed.bozo_reason
        )
    return PollOutcome(
        state=new_state,
        status=PollStatus.NEW,
        entries=parsed.entries,
        items=parsed.items,
        feed_title=parsed.title,
        bozo_reason=parsed.bozo_reason,
        elapsed=result.elapsed,
    )


def poll_feed(
    state: FeedState,
    *,
    policy: HttpPolicy,
    now: datetime,
    interval: timedelta,
    limiter: HostLimiter | None = None,
    force: bool = False,
) -> PollOutcome:
    """Poll one feed if due (or ``force``); never raises. ``now`` must be timezone-aware.

    ``limiter`` defaults to a fresh :class:`HostLimiter` of this call alone.
    """
    try:
        return _poll(state, policy, now, interval, limiter or HostLimiter(), force)
    except Exception as exc:
        log.exception("feed %s: internal error while polling", state.url)
        return _error_outcome(state, FeedError.INTERNAL, f"{type(exc).__name__}: {exc}", now, interval)


def poll_feeds(
    states: Iterable[FeedState],
    *,
    policy: HttpPolicy,
    now: datetime,
    interval_for: Callable[[FeedState], timedelta],
    max_workers: int = 8,
    force: bool = False,
    limiter: HostLimiter | None = None,
    policy_for: Callable[[FeedState], HttpPolicy] | None = None,
) -> list[PollOutcome]:
    """Poll many feeds concurrently; outcomes in the order of ``states``.

    ``limiter`` defaults to a fresh ``HostLimiter()`` (2 per host, 1 s apart) shared by this cycle.
    ``policy_for`` lets a caller give one feed extra rights (its own ``allow_private`` host:port).
    """
    states = list(states)
    limiter = limiter or HostLimiter()
    outcomes: list[PollOutcome | None] = [None] * len(states)
    with ThreadPoolExecutor(max_workers=max(1, max_workers), thread_name_prefix="poll") as pool:
        futures = {}
        for index, state in enumerate(states):
            quick = _quick_outcome(state, now, force)
            if quick:
                outcomes[index] = quick
                continue
            feed_policy = policy_for(state) if policy_for else policy
            futures[index] = pool.submit(
                poll_feed,
                state,
                policy=feed_policy,
                now=now,
                interval=interval_for(state),
                limiter=limiter,
                force=force,
            )
        for index, future in futures.items():
            outcomes[index] = future.result()
    return [o for o in outcomes if o is not None]
