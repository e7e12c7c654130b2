"""The pipeline: each function is one stage of an article's journey, run as one Airflow task (or in turn by
`newsmon run`). Stages talk to each other only through the database, so any stage can be retried, run on
another worker or run twice without changing the outcome.

poll_feeds -> plan_fetch -> fetch_batch (mapped) -> fold_stories -> flag_topics -> send_alerts
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy.exc import DBAPIError

from newsmon.config.settings import Settings
from newsmon.store import copies as copies_store
from newsmon.store import feeds as feeds_store
from newsmon.store import flags as flags_store
from newsmon.store.db import session_scope, upgrade

log = logging.getLogger(__name__)


def utcnow() -> datetime:
    return datetime.now(UTC)


def http_policy(settings: Settings, extra_private: frozenset[str] = frozenset()):
    from newsmon.http.client import HttpPolicy

    return HttpPolicy(allowed_private=settings.allowed_private | extra_private)


def host_limiter(settings: Settings):
    from newsmon.http.client import HostLimiter

    return HostLimiter(max_per_host=settings.host_concurrency, min_delay=settings.host_delay)


def _private_pairs(url: str, allow_private: bool) -> frozenset[str]:
    """A feed marked allow_private may reach its own host:port on a private address; nothing else opens."""
    from newsmon.config.feeds import own_host_port

    return own_host_port(url) if allow_private else frozenset()


def prepare(settings: Settings, now: datetime | None = None) -> dict[str, int]:
    """Migrate the schema and mirror the feed list into the database."""
    from newsmon.config.feeds import load_feeds

    upgrade(settings.db_url)
    configs = load_feeds(settings.feeds_file) if settings.feeds_file.exists() else []
    if not configs:
        log.warning("no feeds configured in %s", settings.feeds_file)
    with session_scope(settings.db_url) as session:
        return feeds_store.sync_feed_list(session, configs, now or utcnow())


def poll_feeds(settings: Settings, now: datetime | None = None, *, force: bool = False) -> dict[str, int]:
    """Poll every due feed; a feed's failure is stored on the feed, never raised."""
    from newsmon.feeds.poll import FeedState
    from newsmon.feeds.poll import poll_feeds as poll

    now = now or utcnow()
    with session_scope(settings.db_url) as session:
        feeds = [
            (f.id, f.allow_private, f.interval_seconds, feeds_store.feed_state_values(f, FeedState))
            for f in feeds_store.active_feeds(session)
        ]
    intervals = {
        state.url: timedelta(seconds=sec) if sec else settings.poll_interval for _, _, sec, state in feeds
    }
    # A feed may reach a private address only when it says so, and then only its own host:port.
    policies = {
        state.url: http_policy(settings, _private_pairs(state.url, allow)) for _, allow, _, state in feeds
    }
    outcomes = poll(
        [state for *_, state in feeds],
        policy=http_policy(settings),
        policy_for=lambda s: policies[s.url],
        now=now,
        interval_for=lambda s: intervals.get(s.url, settings.poll_interval),
        max_workers=settings.http_workers,
        force=force,
        limiter=host_limiter(settings),
    )
    counts = {"feeds": len(feeds), "new_entries": 0, "errors": 0, "not_modified": 0, "not_due": 0}
    for (feed_id, *_), outcome in zip(feeds, outcomes, strict=True):
        if outcome.status == "not_due":
            counts["not_due"] += 1
            continue
        with session_scope(settings.db_url) as session:
            counts["new_entries"] += feeds_store.save_poll(
                session, feed_id, outcome.state, outcome.feed_title, outcome.entries, now
            )
        if outcome.status == "error":
            counts["errors"] += 1
            log.warning("feed %s failed: %s: %s", outcome.state.url, outcome.error_kind, outcome.error)
        elif outcome.status == "not_modified":
            counts["not_modified"] += 1
    log.info("poll: %s", counts)
    return counts


def plan_fetch(settings: Settings) -> list[list[int]]:
    """Split the entries still to fetch into batches: one mapped task each."""
    limit = settings.batch_size * settings.max_batches
    with session_scope(settings.db_url) as session:
        ids = copies_store.pending_entry_ids(session, max_attempts=settings.max_fetch_attempts, limit=limit)
    return [ids[i : i + settings.batch_size] for i in range(0, len(ids), settings.batch_size)]


# Reasons for which fetching the same URL again cannot succeed: do not retry them.
FINAL_REASONS = (
    "ssrf_blocked",
    "robots_disallowed",
    "not_html",
    "http_404",
    "http_410",
    "gone",
    "unsupported",
)


def fetch_batch(settings: Settings, entry_ids: Sequence[int], now: datetime | None = None) -> dict[str, int]:
    """Fetch and extract the article of each entry; one bad page is recorded on its entry, never raised.

    Lines a site repeats on its pages are learned across batches, runs and workers: the batch's memory
    reads a site's counts from the database the first time the site comes up, and at the end the pages'
    lines are added back as increments keyed by the copies' URL keys (a retry or a twin task counts a page
    once).
    """
    from newsmon.extract.boilerplate import BoilerplateMemory
    from newsmon.extract.fetch import fetch_article
    from newsmon.extract.robots import RobotsCache
    from newsmon.store import boilerplate as boilerplate_store
    from newsmon.stories.urls import url_key

    now = now or utcnow()
    counts = {"entries": len(entry_ids), "copies": 0, "known": 0, "fallback": 0, "failed": 0}
    with session_scope(settings.db_url) as session:
        work = [
            (e.id, e.link, e.title, e.summary, e.published, f.id, f.allow_private, f.url)
            for e, f in copies_store.entries_with_feeds(session, list(entry_ids))
        ]
        # Entries whose URL is stored already (another feed's entry, a retry, another worker) are done
        # without a fetch: found with one query for the batch, marked in the same transaction.
        keys: dict[int, str] = {}
        for entry_id, link, *_ in work:
            try:
                keys[entry_id] = url_key(link)
            except Exception:  # noqa: S112 - the loop below meets the same error and records it on the entry
                continue
        stored = copies_store.copy_ids_for_keys(session, keys.values())
        for entry_id, key in keys.items():
            if key in stored:
                copies_store.mark_entry_done(session, entry_id, stored[key])
                counts["known"] += 1
    work = [w for w in work if keys.get(w[0]) not in stored]

    def load_site(site: str):
        # Lines seen on one page only are most rows and cannot be furniture yet: not worth loading.
        try:
            with session_scope(settings.db_url) as session:
                known = boilerplate_store.load_site(session, site, min_count=2)
        except Exception:  # the memory is an aid: without it the page is still extracted
            log.exception("boilerplate memory of %s not loaded", site)
            return None
        return (known.pages, known.lines) if known else None

    observed: dict[str, list[tuple[str, frozenset[str]]]] = {}  # site -> [(url key, line hashes)]

    def save_observations() -> None:
        """One transaction for the batch, sites in sorted order (lock order); a failure costs no copy,
        and a crash before it only leaves pages uncounted, never counted twice."""
        try:
            with session_scope(settings.db_url) as session:
                for site in sorted(observed):
                    boilerplate_store.record_pages(session, site, observed[site], now)
        except Exception:
            log.exception("boilerplate observations of %d site(s) not saved", len(observed))

    # min_pages=3: two pages sharing a sentence (a follow-up quoting its predecessor) are not yet a pattern.
    memory = BoilerplateMemory(min_pages=3, min_share=0.2, loader=load_site, record=True)
    limiter = host_limiter(settings)
    robots: dict[frozenset[str], RobotsCache] = {}  # one per policy: robots.txt comes through the same guard
    for entry_id, link, title, summary, published, feed_id, allow_private, feed_url in work:
        try:
            key = url_key(link)
            known = stored.get(key)  # stored by an earlier entry of this batch
            if known is not None:
                with session_scope(settings.db_url) as session:
                    copies_store.mark_entry_done(session, entry_id, known)
                counts["known"] += 1
                continue
            private = _private_pairs(feed_url, allow_private)
            policy = http_policy(settings, private)
            robots_cache = robots.setdefault(private, RobotsCache(policy))
            result = fetch_article(
                link,
                policy=policy,
                summary=summary or None,
                title=title or None,
                robots=robots_cache,
                limiter=limiter,
                boilerplate=memory,
            )
            for seen in memory.take_observations():
                observed.setdefault(seen.site, []).append((key, seen.line_hashes))
            if result.status == "error" or result.extracted is None:
                reason = result.reason or "unknown error"
                with session_scope(settings.db_url) as session:
                    copies_store.mark_entry_failed(
                        session, entry_id, reason, final=reason.startswith(FINAL_REASONS)
                    )
                counts["failed"] += 1
                log.warning("article %s not stored: %s", link, reason)
                continue
            row = copy_row(result, key=key, feed_id=feed_id, feed_title=title, published=published, now=now)
            with session_scope(settings.db_url) as session:
                copy_id = copies_store.save_copy(session, row)
                copies_store.mark_entry_done(session, entry_id, copy_id)
            stored[key] = copy_id
            counts["fallback" if result.status == "fallback" else "copies"] += 1
        except DBAPIError:
            # The database, not the page, failed: let Airflow retry the task rather than spend the entry's
            # fetch attempts on an outage (the entries done so far are committed and are not redone).
            raise
        except Exception as exc:  # one page must never fail its batch
            log.exception("entry %s (%s) failed unexpectedly", entry_id, link)
            with session_scope(settings.db_url) as session:
                copies_store.mark_entry_failed(session, entry_id, f"internal: {type(exc).__name__}: {exc}")
            counts["failed"] += 1
    save_observations()
    log.info("fetch: %s", counts)
    return counts


def copy_row(result, *, key: str, feed_id: int, feed_title: str | None, published, now: datetime) -> dict:
    ex = result.extracted
    attribution = ex.attribution
    host = urlsplit(result.final_url or result.url).hostname or ""
    return {
        "url_key": key,
        "url": result.url,
        "final_url": result.final_url,
        "canonical_url": ex.canonical_url,
        "feed_id": feed_id,
        "site": ex.site_name or host.removeprefix("www."),
        "title": (ex.title or feed_title or "")[:2000],
        "feed_title": feed_title,
        "author": (ex.author or None),
        "description": ex.description,
        # The feed's timestamp is this copy's own and carries the time of day; pages often give a date only.
        "published": published or ex.published,
        "lang": ex.lang,
        "text": ex.text,
        "text_source": result.text_source,
        "fetch_status": result.status,
        "fetch_reason": result.reason,
        "attribution_site": attribution.site if attribution else None,
        "attribution_url": attribution.url if attribution else None,
        "attribution_published": attribution.published if attribution else None,
        "fetched_at": now,
    }


def fold_stories(settings: Settings, now: datetime | None = None) -> dict[str, int]:
    from newsmon.stories.fold import fold_pending

    with session_scope(settings.db_url) as session:
        report = fold_pending(session, now=now or utcnow())
    counts = {
        "folded": report.folded,
        "new_stories": report.new_stories,
        "joined": report.joined,
        "merges": len(report.merges),
    }
    log.info("fold: %s", counts)
    return counts


def load_topics(settings: Settings):
    from newsmon.topics.model import load_topics as load

    return [topic for topic in load(settings.topics_dir) if topic.enabled]


def flag_topics(settings: Settings, now: datetime | None = None) -> dict[str, int]:
    """Score every newly folded copy against every topic; a story's flag keeps its best-scoring copy.

    Each copy is detected, split and tokenised once (`analyse`) and then matched against every topic.
    """
    from newsmon.topics.learned import apply_learned, load_model_for
    from newsmon.topics.score import score_analysis
    from newsmon.topics.text import analyse

    now = now or utcnow()
    topics = load_topics(settings)
    # A learned layer is used only where one was trained and beat the rules on held-out data.
    models = {t.name: load_model_for(t) for t in topics}
    counts = {"scored": 0, "new_flags": 0}
    while True:
        with session_scope(settings.db_url) as session:
            batch = copies_store.copies_to_score(session, limit=500)
            if not batch:
                break
            for copy in batch:
                story_id = flags_store.live_story_id(session, copy.story_id)
                analysis = analyse(copy.title or "", copy.text or "", copy.lang)
                for topic in topics:
                    result = apply_learned(models[topic.name], score_analysis(topic, analysis))
                    if result.flagged:
                        counts["new_flags"] += flags_store.record_flag(
                            session,
                            story_id=story_id,
                            topic=topic.name,
                            score=result.score,
                            copy_id=copy.id,
                            evidence=result.to_json(),
                            now=now,
                        )
            copies_store.mark_scored(session, [c.id for c in batch], now)
            counts["scored"] += len(batch)
    log.info("flag: %s", counts)
    return counts


def send_alerts(settings: Settings, smtp, now: datetime | None = None) -> dict[str, int]:
    """Queue one alert per new (story, topic) flag and deliver what is pending; no SMTP -> they wait.

    Idempotent: queueing goes through the (story, topic) key and delivery claims each alert before sending,
    so a retry or a second run sends nothing that was sent. `superseded` counts alerts dropped because
    their story was merged into one whose alert covers the topic; `pending` those left for a later run.
    """
    from newsmon.alerts.stage import deliver_pending, queue_alerts

    now = now or utcnow()
    recipients = {t.name: tuple(t.recipients) for t in load_topics(settings)}
    with session_scope(settings.db_url) as session:
        queued = queue_alerts(session, topics=recipients, now=now)
    report = deliver_pending(settings.db_url, smtp=smtp, now=now, ui_url=settings.ui_url)
    counts = {
        "queued": len(queued),
        "sent": report.sent,
        "failed": report.failed,
        "superseded": report.superseded,
        "pending": report.pending,
    }
    if report.errors:
        log.warning("alerts: %d delivery problem(s), first: %s", len(report.errors), report.errors[0])
    log.info("alerts: %s", counts)
    return counts


def run_once(settings: Settings, *, smtp=None, force_poll: bool = False) -> dict[str, dict[str, int]]:
    """The whole pipeline in one process, in the order the DAG runs it."""
    summary: dict[str, dict[str, int]] = {"prepare": prepare(settings)}
    summary["poll"] = poll_feeds(settings, force=force_poll)
    fetched: dict[str, int] = {}
    for batch in plan_fetch(settings):
        for k, v in fetch_batch(settings, batch).items():
            fetched[k] = fetched.get(k, 0) + v
    summary["fetch"] = fetched
    summary["fold"] = fold_stories(settings)
    summary["flag"] = flag_topics(settings)
    summary["alerts"] = send_alerts(settings, smtp)
    return summary


def send_digest(
    settings: Settings, smtp, *, now: datetime | None = None, period: str = "daily"
) -> dict[str, int | str]:
    """Send this period's digest (hourly, daily or weekly, in UTC) to every recipient of every topic.

    At most one per (recipient, period): a second run of the same period finds the digest sent and sends
    nothing, so Airflow retries and re-runs are safe. `now` fixes the period and the end of the window;
    the DAG passes its run's time, so that a retry or a cleared run of yesterday never sends today's.
    The schema is migrated first because the digest may run before the monitor ever did.
    """
    from newsmon.alerts.digest import send_digest as deliver_digest

    now = now or utcnow()
    upgrade(settings.db_url)
    recipients = {t.name: tuple(t.recipients) for t in load_topics(settings)}
    report = deliver_digest(
        settings.db_url, smtp=smtp, now=now, period=period, topics=recipients, ui_url=settings.ui_url
    )
    counts: dict[str, int | str] = {
        "period": report.period,
        "sent": report.sent,
        "failed": report.failed,
        "skipped": report.skipped,
        "already_sent": report.already_sent,
        "pending": report.pending,
    }
    for error in report.errors:
        log.warning("digest: %s", error)
    log.info("digest: %s", counts)
    return counts
