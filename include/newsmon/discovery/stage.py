"""The discovery stage: run the due providers' searches and store the articles they found as entries.

Per provider, when it is due (its ``interval`` after the last run, or later after failures):

1. its queries are planned from the topics (``discovery.queries``) and stored; the ``queries_per_run``
   that waited longest are run, one request each, in the shared per-host politeness: the provider's
   documented rate limit (``request_spacing``) is its host's spacing, a Retry-After is honoured, and a
   request that would wait longer than ``host_max_wait`` ends the run early (``deferred``: no state
   change, the next run goes on where this one stopped);
2. an answer's articles go to ``store.entries.add_discovered``: one entry per article across feeds and
   searches, a find per (entry, query), the provider's backlog bounded like a feed's;
3. a query the provider refuses, an oversized or unreadable answer is that query's error (recorded on
   it, the next query runs); anything else (no connection, DNS, timeout, 5xx, 429, a private address
   not allowed) is an outage: logged, recorded on the provider with its kind, its next run pushed back
   exponentially (``feeds.poll.backoff_delay``), and the stage goes on with the next provider.

Nothing here raises for a provider's sake: a provider's failure is data, the pipeline runs on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.exc import DBAPIError

from newsmon.config.discovery import ProviderConfig
from newsmon.discovery.providers import Provider, provider_for
from newsmon.discovery.queries import plan_queries
from newsmon.discovery.results import SearchError, SearchOutcome, failed
from newsmon.feeds.poll import backoff_delay
from newsmon.http.client import HttpPolicy
from newsmon.http.politeness import HostDeferred, HostLimiter, host_key
from newsmon.store import discovery as store
from newsmon.store import entries as entries_store
from newsmon.store.db import SessionSource, session_scope
from newsmon.store.discovery import ProviderState, QueryToRun
from newsmon.topics.model import Topic

log = logging.getLogger(__name__)

COUNTS = (
    "providers",
    "not_due",
    "queries",
    "found",
    "new_entries",
    "known",
    "query_errors",
    "errors",
    "deferred",
)


@dataclass
class DiscoveryRun:
    """What one run of the stage needs besides the database."""

    limiter: HostLimiter
    policy_for: Callable[[ProviderConfig], HttpPolicy]
    now: datetime
    backlog: int
    max_attempts: int
    force: bool = False
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTS, 0))


def run_discovery(
    source: SessionSource, configs: Sequence[ProviderConfig], topics: Sequence[Topic], run: DiscoveryRun
) -> dict[str, int]:
    """Run every enabled, due provider; returns the run's counts (see ``COUNTS``)."""
    with session_scope(source) as session:
        states = store.provider_states(session)
    for config in configs:
        state = states.get(config.name)
        if not config.enabled or state is None or not state.active:
            continue
        run.counts["providers"] += 1
        try:
            _run_provider(source, provider_for(config), state, topics, run)
        except DBAPIError:
            raise  # the database, not the provider: let the task be retried
        except Exception:  # a bug met with one provider must not stop the others or the pipeline
            log.exception("discovery provider %s: internal error", config.name)
            run.counts["errors"] += 1
    log.info("discovery: %s", run.counts)
    return run.counts


def _run_provider(
    source: SessionSource,
    provider: Provider,
    state: ProviderState,
    topics: Sequence[Topic],
    run: DiscoveryRun,
) -> None:
    config = provider.config
    planned, skipped = plan_queries(config, topics, provider.supports)
    for gap in skipped:
        log.debug("discovery %s: no query for %s/%s: %s", config.name, gap.topic, gap.lang, gap.reason)
    with session_scope(source) as session:
        store.sync_queries(session, state.provider_id, planned, run.now)
        due = state.next_run_at is None or state.next_run_at <= run.now
        if not (due or run.force):
            run.counts["not_due"] += 1
            return
        queries = store.queries_to_run(session, state.provider_id, config.queries_per_run)
    # The documented rate limit is the host's spacing for every worker (a longer robots Crawl-delay wins).
    host = host_key(provider.request_url("q", "any"))
    run.limiter.note_crawl_delay(host, config.request_spacing or None)
    policy = run.policy_for(config)
    for query in queries:
        try:
            outcome = _search(provider, query, policy, run.limiter)
        except HostDeferred as deferred:
            log.info("discovery %s: deferred after %s: %s", config.name, query.text[:80], deferred.reason)
            run.counts["deferred"] += 1
            return  # the queries not run keep their turn; the provider's state is unchanged
        run.counts["queries"] += 1
        if outcome.outage:
            _outage(source, state, config, outcome, run)
            return
        _store(source, state, query, outcome, run)
    next_run = run.now + config.interval
    with session_scope(source) as session:
        store.record_success(session, state.provider_id, run.now, next_run)


def _search(provider: Provider, query: QueryToRun, policy: HttpPolicy, limiter: HostLimiter) -> SearchOutcome:
    url = provider.request_url(query.text, query.lang)
    result = limiter.fetch(url, policy, accept=provider.accept)
    try:
        return provider.read_answer(result)
    except Exception as exc:  # a bug in reading one answer must not end discovery
        log.exception("discovery %s: reading the answer to %s failed", provider.config.name, url)
        return failed(SearchError.INTERNAL, f"{type(exc).__name__}: {exc}")


def _store(
    source: SessionSource, state: ProviderState, query: QueryToRun, outcome: SearchOutcome, run: DiscoveryRun
) -> None:
    with session_scope(source) as session:
        if not outcome.ok:
            run.counts["query_errors"] += 1
            log.warning(
                "discovery %s: query %r (%s) failed: %s: %s",
                state.name,
                query.text,
                query.lang,
                outcome.error_kind,
                outcome.error,
            )
            store.record_query(
                session,
                query.query_id,
                run.now,
                found=None,
                new=None,
                error_kind=str(outcome.error_kind),
                error=outcome.error,
            )
            return
        added = entries_store.add_discovered(
            session,
            state.provider_id,
            query.query_id,
            outcome.articles,
            run.now,
            backlog=run.backlog,
            max_attempts=run.max_attempts,
        )
        store.record_query(session, query.query_id, run.now, found=added.listed, new=added.new)
    run.counts["found"] += added.listed
    run.counts["new_entries"] += added.new
    run.counts["known"] += added.known


def _outage(
    source: SessionSource,
    state: ProviderState,
    config: ProviderConfig,
    outcome: SearchOutcome,
    run: DiscoveryRun,
) -> None:
    run.counts["errors"] += 1
    delay = backoff_delay(config.interval, state.consecutive_errors + 1)
    log.warning(
        "discovery provider %s failed: %s: %s (next try in %s)",
        config.name,
        outcome.error_kind,
        outcome.error,
        delay,
    )
    with session_scope(source) as session:
        store.record_failure(
            session,
            state.provider_id,
            run.now,
            kind=str(outcome.error_kind),
            error=outcome.error or "",
            next_run_at=run.now + max(delay, timedelta(0)),
        )
