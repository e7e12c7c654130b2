"""The pipeline: each function is one stage of an article's journey, run as one Airflow task (or in turn by
`newsmon run`). Stages talk to each other only through the database, so any stage can be retried, run on
another worker or run twice without changing the outcome.

poll_feeds -> discover -> plan_fetch -> fetch_batch (mapped) -> fold_stories -> flag_topics
    -> send_alerts, check_surges
"""

from __future__ import annotations

import functools
import gc
import logging
import threading
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, NamedTuple, ParamSpec, TypeAlias, TypeVar
from urllib.parse import urlsplit

from sqlalchemy.exc import DBAPIError

from newsmon.config.discovery import ProviderConfig, load_discovery
from newsmon.config.feeds import load_feeds, own_host_port
from newsmon.config.settings import Settings
from newsmon.extract.boilerplate import BoilerplateMemory
from newsmon.extract.outcome import ArticleError, FetchFailure, FetchStatus
from newsmon.extract.robots import RobotsCache
from newsmon.feeds import schedule
from newsmon.feeds.poll import FeedState, PollStatus
from newsmon.feeds.poll import poll_feeds as poll_many
from newsmon.http.client import HttpPolicy, close_connections
from newsmon.http.errors import HttpError
from newsmon.http.politeness import HostDeferred, HostLimiter, host_key
from newsmon.store import boilerplate as boilerplate_store
from newsmon.store import copies as copies_store
from newsmon.store import discovery as discovery_store
from newsmon.store import entries as entries_store
from newsmon.store import feeds as feeds_store
from newsmon.store import flags as flags_store
from newsmon.store.copies import NewCopy
from newsmon.store.db import session_scope, upgrade
from newsmon.store.entries import EntryToFetch
from newsmon.store.hosts import DatabaseHostState
from newsmon.stories.urls import url_key

if TYPE_CHECKING:  # imported by the stages that use them, when they run
    from newsmon.alerts.smtp import SmtpConfig
    from newsmon.extract.fetch import ArticleResult, Page
    from newsmon.topics.model import Topic

log = logging.getLogger(__name__)
_Page: TypeAlias = (
    "Page | ArticleResult"  # what a download gives (newsmon.extract.fetch, imported when fetching)
)


def utcnow() -> datetime:
    return datetime.now(UTC)


_P = ParamSpec("_P")
_R = TypeVar("_R")


def _frozen_heap(stage: Callable[_P, _R]) -> Callable[_P, _R]:
    """Run a heavy stage with what was alive before it (imports, Airflow's own objects, earlier stages'
    caches) out of the cyclic collector's full passes, which otherwise walk all of it again each time the
    stage's own allocations trigger one; it is handed back to the collector when the stage ends.

    On the pipeline bench's 2,000 articles in one process, full collections took 2.9 s before, 1.1 s after.
    """

    @functools.wraps(stage)
    def run(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        gc.freeze()
        try:
            return stage(*args, **kwargs)
        finally:
            gc.unfreeze()

    return run


def http_policy(settings: Settings, extra_private: frozenset[str] = frozenset()) -> HttpPolicy:
    timeout = settings.http_timeout
    return HttpPolicy(
        allowed_private=settings.allowed_private | extra_private,
        total_timeout=timeout,
        read_timeout=min(20.0, timeout),
        connect_timeout=min(10.0, timeout),
    )


def host_limiter(settings: Settings) -> HostLimiter:
    """Politeness shared by every task, process and worker through the database (see http/politeness.py)."""
    return HostLimiter(
        DatabaseHostState(settings.db_url),
        max_per_host=settings.host_concurrency,
        min_delay=settings.host_delay,
        max_wait=settings.host_max_wait,
        lease=settings.http_timeout + settings.host_max_wait + 60,  # outlives any request it covers
    )


def _private_pairs(url: str | None, allow_private: bool) -> frozenset[str]:
    """A feed marked allow_private may reach its own host:port on a private address; nothing else opens
    (an entry a discovery provider found has no feed: its link opens nothing)."""
    return own_host_port(url) if url and allow_private else frozenset()


def discovery_providers(settings: Settings) -> list[ProviderConfig]:
    """The configured discovery providers; none without a discovery file."""
    path = settings.discovery_file
    return load_discovery(path) if path is not None and path.exists() else []


def prepare(settings: Settings, now: datetime | None = None) -> dict[str, int]:
    """Migrate the schema and mirror the feed list and the discovery providers into the database."""
    upgrade(settings.db_url)
    configs = load_feeds(settings.feeds_file) if settings.feeds_file.exists() else []
    if not configs:
        log.warning("no feeds configured in %s", settings.feeds_file)
    providers = discovery_providers(settings)
    with session_scope(settings.db_url) as session:
        counts = feeds_store.sync_feed_list(session, configs, now or utcnow())
        counts.update(discovery_store.sync_providers(session, providers, now or utcnow()))
    return counts


class FeedToPoll(NamedTuple):
    feed_id: int
    state: FeedState
    policy: HttpPolicy  # a feed may reach a private address only when it says so, and only its own
    interval: timedelta


@_frozen_heap
def poll_feeds(settings: Settings, now: datetime | None = None, *, force: bool = False) -> dict[str, int]:
    """Poll every due feed; a feed's failure is stored on the feed, never raised.

    What a feed may add is bounded (``store.entries``): the newest ``feed_backlog`` items of a poll are
    considered, older waiting entries are skipped when newer ones fill the backlog.
    """
    now = now or utcnow()
    with session_scope(settings.db_url) as session:
        feeds = [
            FeedToPoll(
                feed_id=f.id,
                state=feeds_store.feed_state_values(f, FeedState),
                policy=http_policy(settings, _private_pairs(f.url, f.allow_private)),
                interval=timedelta(seconds=f.interval_seconds)
                if f.interval_seconds
                else settings.poll_interval,
            )
            for f in feeds_store.active_feeds(session)
        ]
    by_url = {f.state.url: f for f in feeds}
    outcomes = poll_many(
        [f.state for f in feeds],
        policy=http_policy(settings),
        policy_for=lambda s: by_url[s.url].policy,
        now=now,
        interval_for=lambda s: by_url[s.url].interval,
        max_workers=settings.http_workers,
        force=force,
        limiter=host_limiter(settings),
    )
    close_connections()
    counts = dict.fromkeys(
        (
            "feeds",
            "new_entries",
            "skipped",
            "surplus",
            "errors",
            "not_modified",
            "not_due",
            "disabled",
            "deferred",
        ),
        0,
    )
    counts["feeds"] = len(feeds)
    for feed, outcome in zip(feeds, outcomes, strict=True):
        if outcome.status in (PollStatus.NOT_DUE, PollStatus.DISABLED, PollStatus.DEFERRED):
            counts[str(outcome.status)] += 1
            continue
        with session_scope(settings.db_url) as session:
            added = feeds_store.save_poll(
                session,
                feed.feed_id,
                outcome.state,
                outcome.feed_title,
                outcome.entries,
                now,
                listed=outcome.items,
                backlog=settings.feed_backlog,
                max_attempts=settings.max_fetch_attempts,
            )
        counts["new_entries"] += added.new
        counts["skipped"] += added.skipped
        counts["surplus"] += added.surplus
        if outcome.status == PollStatus.ERROR:
            counts["errors"] += 1
            log.warning("feed %s failed: %s: %s", outcome.state.url, outcome.error_kind, outcome.error)
        elif outcome.status == PollStatus.NOT_MODIFIED:
            counts["not_modified"] += 1
    log.info("poll: %s", counts)
    return counts


def discover(settings: Settings, now: datetime | None = None, *, force: bool = False) -> dict[str, int]:
    """Run the due discovery providers' searches; what they find becomes entries (``newsmon.discovery``).

    A provider's outage is logged and stored on the provider, never raised. Runs after ``poll_feeds`` so
    that an article a feed listed in this run is one entry with the search's find recorded on it.
    """
    from newsmon.discovery.stage import DiscoveryRun, run_discovery  # like the other stages: when it runs

    configs = discovery_providers(settings)
    if not configs:
        return {}

    def policy_for(config: ProviderConfig) -> HttpPolicy:
        # The provider's own host:port when allowed, and the operator's allowance; nothing its answers name.
        return replace(http_policy(settings, config.allowed_private()), max_bytes=config.max_bytes)

    run = DiscoveryRun(
        limiter=host_limiter(settings),
        policy_for=policy_for,
        now=now or utcnow(),
        backlog=settings.feed_backlog,
        max_attempts=settings.max_fetch_attempts,
        force=force,
    )
    return run_discovery(settings.db_url, configs, load_topics(settings), run)


def plan_fetch(settings: Settings) -> list[list[int]]:
    """Split the entries still to fetch into batches (one mapped task each), fairly: see feeds/schedule.py."""
    with session_scope(settings.db_url) as session:
        pending = entries_store.pending_entries(
            session, per_feed=settings.feed_fetch_per_run, max_attempts=settings.max_fetch_attempts
        )
    plan = schedule.fair_order(pending, limit=settings.batch_size * settings.max_batches)
    log.info(
        "plan: %d of %d waiting entries, %d sources",
        len(plan),
        len(pending),
        len({p.source for p in pending}),
    )
    return schedule.batches(plan, settings.batch_size)


class EntryWork(NamedTuple):
    """One entry of a batch, with the URL key its copy is stored under."""

    entry: EntryToFetch
    key: str


class Downloads:
    """The pages of a batch downloaded ahead of their extraction, in threads: the batch's hosts in parallel,
    each host's pages one after another in the plan's order, at most ``window`` pages ahead of the page
    being extracted (so at most that many bodies wait in memory).

    One request at a time per host from a batch keeps what the sequential batch guaranteed: a host's
    429 Retry-After or robots.txt Crawl-delay is known before the batch's next request to it starts (the
    limiter then defers that page). Politeness across batches and workers is the limiter's, as before.
    """

    def __init__(
        self, items: Sequence[tuple[int, EntryWork]], download: Callable[[EntryWork], _Page], *, window: int
    ) -> None:
        self._download = download
        self._window = max(1, window)
        self._futures: dict[int, Future[_Page]] = {index: Future() for index, _item in items}
        self._queues: dict[str, deque[tuple[int, EntryWork, Future[_Page]]]] = {}  # host -> pages to start
        for index, item in items:
            queue = self._queues.setdefault(host_key(item.entry.link or ""), deque())
            queue.append((index, item, self._futures[index]))
        self._busy: set[str] = set()  # hosts with a download in flight
        self._limit = 0  # pages below this index may start
        self._closed = False
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=min(self._window, len(self._queues) or 1))

    def get(self, index: int) -> Future[_Page] | None:
        """The download of the page at ``index`` (None: it is not downloaded ahead); starts the next ones."""
        with self._lock:
            self._limit = index + self._window
            self._start()
        return self._futures.pop(index, None)

    def _start(self) -> None:  # under the lock
        while not self._closed:
            ready = [
                (queue[0][0], host)
                for host, queue in self._queues.items()
                if queue and host not in self._busy and queue[0][0] < self._limit
            ]
            if not ready:
                return
            _first, host = min(ready)
            self._busy.add(host)
            _index, item, future = self._queues[host].popleft()
            self._pool.submit(self._run, host, item, future)

    def _run(self, host: str, item: EntryWork, future: Future[_Page]) -> None:
        try:
            if future.set_running_or_notify_cancel():
                future.set_result(self._download(item))
        except BaseException as exc:  # HostDeferred, a database failure: raised where the page is taken
            future.set_exception(exc)
        finally:
            with self._lock:
                self._busy.discard(host)
                self._start()

    def __enter__(self) -> Downloads:
        return self

    def __exit__(self, *exc_info: object) -> None:
        """Start nothing more (after a database failure the batch ends); wait for requests in flight."""
        with self._lock:
            self._closed = True
        for future in self._futures.values():
            future.cancel()
        self._pool.shutdown(wait=True)


class FetchBatch:
    """One batch of ``fetch_batch``, as named steps over typed rows.

    1. ``take``: the batch's entries that still wait, each with its URL key (an unusable link is
       recorded on its entry here);
    2. ``settle_known``: entries whose URL is stored already (another feed's entry, a retry, another
       worker) are done without a fetch — one query and one transaction for the batch;
    3. ``fetch_all``: each remaining entry's article is fetched, extracted and stored, or why not
       recorded; a copy stored earlier in this batch is found by the same look-up as in step 2. The next
       pages are downloaded ahead in threads (``download``, see ``Downloads``: each host's pages one
       after another, at most ``http_workers`` pages ahead) while this thread extracts and stores each
       page in the plan's order (``store``), one transaction per page as before: a page's network wait
       no longer adds to the batch's time, and pages of several hosts are in flight at once;
    4. ``save_observations``: the lines the pages repeat, for the boilerplate memory.
    """

    def __init__(self, settings: Settings, now: datetime) -> None:
        self.settings = settings
        self.now = now
        self.counts = dict.fromkeys(("entries", "copies", "known", "fallback", "failed", "deferred"), 0)
        self.stored: dict[str, int] = {}  # url key -> copy id, for every key of this batch stored so far
        self.limiter = host_limiter(settings)
        self.robots: dict[frozenset[str], RobotsCache] = {}  # per policy: robots.txt passes the same guard
        self._lock = threading.Lock()
        # min_pages=3: two pages sharing a sentence (a follow-up quoting its predecessor) are no pattern yet.
        self.memory = BoilerplateMemory(min_pages=3, min_share=0.2, loader=self._load_site, record=True)
        self.observed: dict[str, list[tuple[str, frozenset[str]]]] = {}  # site -> [(url key, line hashes)]

    def take(self, entry_ids: Sequence[int]) -> list[EntryWork]:
        self.counts["entries"] = len(entry_ids)
        with session_scope(self.settings.db_url) as session:
            rows = entries_store.entries_to_fetch(session, entry_ids)
        position = {entry_id: i for i, entry_id in reversed(list(enumerate(entry_ids)))}
        rows.sort(key=lambda r: position[r.entry_id])  # the plan's order: fair, newest first
        work = []
        for row in rows:
            try:
                key = url_key(row.link or "")
                if len(key) > 2048:
                    raise ValueError(f"URL of {len(key)} characters")
            except Exception as exc:
                self._failed(row, FetchFailure(HttpError.BAD_URL, f"no usable URL: {exc}"))
                continue
            work.append(EntryWork(row, key))
        return work

    def settle_known(self, work: list[EntryWork]) -> list[EntryWork]:
        with session_scope(self.settings.db_url) as session:
            self.stored.update(copies_store.copy_ids_for_keys(session, {w.key for w in work}))
            for item in work:
                if item.key in self.stored:
                    entries_store.mark_done(session, item.entry.entry_id, self.stored[item.key])
                    self.counts["known"] += 1
        return [w for w in work if w.key not in self.stored]

    def fetch_all(self, work: list[EntryWork]) -> None:
        """Step 3 for the whole batch (see the class docstring and ``Downloads``)."""
        first: dict[str, int] = {}
        # Of entries sharing a URL key only the first is downloaded ahead; the others wait for its copy.
        ahead = [(i, work[i]) for i, item in enumerate(work) if first.setdefault(item.key, i) == i]
        with Downloads(ahead, self.download, window=self.settings.http_workers) as downloads:
            for i, item in enumerate(work):
                self.fetch(item, downloads.get(i))

    def fetch(self, item: EntryWork, download: Future[_Page] | None = None) -> None:
        """One entry: done with a copy stored earlier in this batch, else its page (downloaded ahead, or now)
        extracted and stored; a failure of the page is recorded on the entry, one of the database raised."""
        try:
            known = self.stored.get(item.key)  # a copy stored earlier in this batch (step 2's look-up)
            if known is not None:
                with session_scope(self.settings.db_url) as session:
                    entries_store.mark_done(session, item.entry.entry_id, known)
                self.counts["known"] += 1
                return
            self.store(item, download.result() if download is not None else self.download(item))
        except HostDeferred as deferred:  # the host, not the page: the entry waits for a later run
            log.info("article %s deferred: %s", item.entry.link, deferred.reason)
            self.counts["deferred"] += 1
        except DBAPIError:
            # The database, not the page, failed: let Airflow retry the task rather than spend the entry's
            # fetch attempts on an outage (the entries done so far are committed and are not redone).
            raise
        except Exception as exc:  # one page must never fail its batch
            log.exception("entry %s (%s) failed unexpectedly", item.entry.entry_id, item.entry.link)
            self._failed(item.entry, FetchFailure(ArticleError.INTERNAL, f"{type(exc).__name__}: {exc}"))

    def download(self, item: EntryWork) -> _Page:
        """An entry's page, within its host's politeness (any thread); raises HostDeferred and what the
        shared state raises, as ``fetch_article`` does."""
        # Extraction (trafilatura, lxml) is imported by the stage that extracts: every other task's
        # process, a fresh one per task under Celery, is spared the second and a half it takes.
        from newsmon.extract.fetch import download_article

        entry = item.entry
        private = _private_pairs(entry.feed_url, entry.allow_private)
        policy = http_policy(self.settings, private)
        with self._lock:  # robots.txt passes the same guard as the page: one cache per policy
            robots = self.robots.get(private) or self.robots.setdefault(private, RobotsCache(policy))
        return download_article(
            entry.link or "",
            policy=policy,
            summary=entry.summary or None,
            title=entry.title or None,
            robots=robots,
            limiter=self.limiter,
        )

    def store(self, item: EntryWork, page: _Page) -> None:
        """Extract a downloaded page and store its copy (or why not) in one transaction (this thread)."""
        from newsmon.extract.fetch import extract_page

        entry = item.entry
        result = extract_page(
            page, summary=entry.summary or None, title=entry.title or None, boilerplate=self.memory
        )
        for seen in self.memory.take_observations():
            self.observed.setdefault(seen.site, []).append((item.key, seen.line_hashes))
        if result.status == FetchStatus.ERROR or result.extracted is None:
            self._failed(entry, result.failure or FetchFailure(ArticleError.NO_ARTICLE))
            return
        row = copy_row(result, key=item.key, entry=entry, now=self.now)
        with session_scope(self.settings.db_url) as session:
            copy_id = copies_store.save_copy(session, row)
            entries_store.mark_done(session, entry.entry_id, copy_id)
        self.stored[item.key] = copy_id
        self.counts["fallback" if result.status == FetchStatus.FALLBACK else "copies"] += 1

    def _failed(self, entry: EntryToFetch, failure: FetchFailure) -> None:
        with session_scope(self.settings.db_url) as session:
            entries_store.mark_failed(session, entry.entry_id, str(failure), final=failure.final)
        self.counts["failed"] += 1
        log.warning("article %s not stored: %s", entry.link, failure)

    def _load_site(self, site: str) -> tuple[int, Mapping[str, int]] | None:
        # Lines seen on one page only are most rows and cannot be furniture yet: not worth loading.
        # A database failure is the run's (the task is retried): a page extracted without the memory a
        # clean run would use could keep the site's furniture, and its text then depends on the outage.
        with session_scope(self.settings.db_url) as session:
            known = boilerplate_store.load_site(session, site, min_count=2)
        return (known.pages, known.lines) if known else None

    def save_observations(self) -> None:
        """One transaction for the batch, sites in sorted order (lock order); a failure costs no copy,
        and a crash before it only leaves pages uncounted, never counted twice."""
        try:
            with session_scope(self.settings.db_url) as session:
                for site in sorted(self.observed):
                    boilerplate_store.record_pages(session, site, self.observed[site], self.now)
        except Exception:
            log.exception("boilerplate observations of %d site(s) not saved", len(self.observed))


@_frozen_heap
def fetch_batch(settings: Settings, entry_ids: Sequence[int], now: datetime | None = None) -> dict[str, int]:
    """Fetch and extract the article of each entry; one bad page is recorded on its entry, never raised.

    Lines a site repeats on its pages are learned across batches, runs and workers: the batch's memory
    reads a site's counts from the database the first time the site comes up, and at the end the pages'
    lines are added back as increments keyed by the copies' URL keys (a retry or a twin task counts a page
    once). An entry whose host cannot take a request within ``host_max_wait`` is left waiting.
    """
    batch = FetchBatch(settings, now or utcnow())
    try:
        batch.fetch_all(batch.settle_known(batch.take(entry_ids)))
    finally:
        close_connections()  # kept for the batch's next page of a host; nothing idles after it
    batch.save_observations()
    log.info("fetch: %s", batch.counts)
    return batch.counts


def copy_row(result: ArticleResult, *, key: str, entry: EntryToFetch, now: datetime) -> NewCopy:
    ex = result.extracted
    assert ex is not None
    attribution = ex.attribution
    host = urlsplit(result.final_url or result.url).hostname or ""
    return {
        "url_key": key,
        "url": result.url,
        "final_url": result.final_url,
        "canonical_url": ex.canonical_url,
        "feed_id": entry.feed_id,
        "site": ex.site_name or host.removeprefix("www."),
        "title": ex.title or entry.title or "",
        "feed_title": entry.title or None,
        "author": (ex.author or None),
        "description": ex.description,
        # The feed's timestamp is this copy's own and carries the time of day; pages often give a date only.
        "published": entry.published or ex.published,
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


@_frozen_heap
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


def load_topics(settings: Settings) -> list[Topic]:
    from newsmon.topics.model import load_topics as load

    return [topic for topic in load(settings.topics_dir) if topic.enabled]


@_frozen_heap
def flag_topics(settings: Settings, now: datetime | None = None) -> dict[str, int]:
    """Score every newly folded copy against every topic; a story's flag keeps its best-scoring copy.

    Each copy is detected, split and tokenised once and then matched against every topic
    (`newsmon.topics.flagging`, the rule the preview and the backfill share); each flag records the
    version (content hash) of the topic that scored it.
    """
    from newsmon.topics.flagging import score_copy, scoring_topics

    now = now or utcnow()
    # A learned layer is used only where one was trained and beat the rules on held-out data.
    topics = scoring_topics(load_topics(settings))
    counts = {"scored": 0, "new_flags": 0}
    while True:
        with session_scope(settings.db_url) as session:
            batch = copies_store.copies_to_score(session, limit=500)
            if not batch:
                break
            for copy in batch:
                results = score_copy(topics, title=copy.title, text=copy.text, lang=copy.lang)
                story_id: int | None = None  # followed through merges only for a copy that flags (a query)
                for topic, result in zip(topics, results, strict=True):
                    if result.flagged:
                        if story_id is None:
                            story_id = flags_store.live_story_id(session, copy.story_id)
                        counts["new_flags"] += flags_store.record_flag(
                            session,
                            story_id=story_id,
                            topic=topic.name,
                            score=result.score,
                            copy_id=copy.id,
                            evidence=result.to_json(),
                            now=now,
                            topic_hash=topic.hash,
                        )
            copies_store.mark_scored(session, [c.id for c in batch], now)
            counts["scored"] += len(batch)
    log.info("flag: %s", counts)
    return counts


def send_alerts(settings: Settings, smtp: SmtpConfig | None, now: datetime | None = None) -> dict[str, int]:
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


def check_surges(settings: Settings, smtp: SmtpConfig | None, now: datetime | None = None) -> dict[str, int]:
    """Record the stories that surged since the last check (many copies from many sites within a topic's
    hours) and send one surge alert per (story, topic), ever; no SMTP -> they wait. A re-run sends nothing
    new."""
    from newsmon.alerts.surge import check_surges as check

    report = check(
        settings.db_url, load_topics(settings), smtp=smtp, now=now or utcnow(), ui_url=settings.ui_url
    )
    counts = {"found": report.queued, "sent": report.sent, "failed": report.failed, "pending": report.pending}
    for error in report.errors:
        log.warning("surge: %s", error)
    log.info("surge: %s", counts)
    return counts


def record_run(
    settings: Settings,
    run_id: str,
    *,
    started_at: datetime | None = None,
    summary: Mapping[str, Mapping[str, int]] | None = None,
    now: datetime | None = None,
) -> None:
    """Note that a run reached its end: the health check's "age of the last successful run" (the library
    cannot ask Airflow, so newsmon keeps its own record). Re-recording a run id rewrites its row."""
    from newsmon.store.health import record_run as store_run

    with session_scope(settings.db_url) as session:
        store_run(session, run_id=run_id, started_at=started_at, finished_at=now or utcnow(), summary=summary)


def run_once(
    settings: Settings, *, smtp: SmtpConfig | None = None, force_poll: bool = False
) -> dict[str, dict[str, int]]:
    """The whole pipeline in one process, in the order the DAG runs it."""
    started = utcnow()
    summary: dict[str, dict[str, int]] = {"prepare": prepare(settings)}
    summary["poll"] = poll_feeds(settings, force=force_poll)
    summary["discover"] = discover(settings, force=force_poll)
    fetched: dict[str, int] = {}
    for batch in plan_fetch(settings):
        for k, v in fetch_batch(settings, batch).items():
            fetched[k] = fetched.get(k, 0) + v
    summary["fetch"] = fetched
    summary["fold"] = fold_stories(settings)
    summary["flag"] = flag_topics(settings)
    summary["alerts"] = send_alerts(settings, smtp)
    summary["surge"] = check_surges(settings, smtp)
    record_run(settings, f"newsmon-run-{started.isoformat()}", started_at=started, summary=summary)
    return summary


def send_digest(
    settings: Settings, smtp: SmtpConfig | None, *, now: datetime | None = None, period: str = "daily"
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
