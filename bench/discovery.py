"""The entry path of discovered articles: what storing a search's answer costs, and the fetch plan's share.

On the database given (an SQLAlchemy URL; default a temporary SQLite file), with synthetic links only:

1. a feed's backlog of ``--existing`` entries is stored first (each with its URL key);
2. ``--answers`` answers of 250 articles each are stored with ``store.entries.add_discovered``, half of
   their links new, a quarter already a feed's entry, a quarter found by an earlier answer (the mix a
   search that runs every 15 minutes over a one-day window produces); printed: ms per answer (p50/p95),
   articles per second, entries and finds written;
3. the same answers again (every link known): ms per answer — what a re-run costs;
4. the first run's fetch plan with the provider's waiting entries beside 100 feeds of 10 new entries:
   how many of the first 1,600 fetches (25 × 64 batches) are the provider's.

    .venv/bin/python bench/discovery.py
    .venv/bin/python bench/discovery.py --db postgresql+psycopg://postgres@127.0.0.1:5432/bench --answers 200
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from newsmon.config.discovery import ProviderConfig, ProviderKind
from newsmon.discovery.queries import PlannedQuery, QueryOrigin
from newsmon.discovery.results import FoundArticle
from newsmon.feeds.parse import FeedEntry
from newsmon.feeds.schedule import fair_order
from newsmon.store import discovery as discovery_store
from newsmon.store import entries as entries_store
from newsmon.store.db import session_scope, upgrade
from newsmon.store.models import DiscoveryFind, Entry, Feed

NOW = datetime(2026, 3, 12, 10, 0, tzinfo=UTC)
ANSWER = 250


def _feed(session, url: str) -> int:
    feed = Feed(url=url, name=url, created_at=NOW, consecutive_errors=0, entries_skipped=0)
    session.add(feed)
    session.flush()
    return feed.id


def _ms(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return f"p50 {statistics.median(ordered) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", help="SQLAlchemy URL of an empty database (default: a temporary SQLite file)")
    parser.add_argument("--existing", type=int, default=20_000, help="feed entries stored first")
    parser.add_argument("--answers", type=int, default=100, help="answers of 250 articles to store")
    args = parser.parse_args()
    db = args.db or f"sqlite:///{Path(tempfile.mkdtemp(prefix='newsmon-bench-discovery-')) / 'bench.db'}"
    upgrade(db)
    provider = ProviderConfig(name="bench", kind=ProviderKind.GDELT, url="https://api.bench.example/doc")
    with session_scope(db) as s:
        feed_id = _feed(s, "https://wire.bench.example/rss")
        discovery_store.sync_providers(s, [provider], NOW)
        s.flush()
        provider_id = discovery_store.provider_states(s)["bench"].provider_id
        planned = [PlannedQuery("t", "en", f"query {i}", QueryOrigin.GENERATED) for i in range(10)]
        discovery_store.sync_queries(s, provider_id, planned, NOW)
        query_ids = [q.query_id for q in discovery_store.queries_to_run(s, provider_id, 10)]
    for start in range(0, args.existing, 1000):
        items = [
            FeedEntry(f"g{i}", f"https://wire.bench.example/a/{i}?utm_source=rss", f"#{i}", "", NOW)
            for i in range(start, min(start + 1000, args.existing))
        ]
        with session_scope(db) as s:
            entries_store.add_entries(s, feed_id, items, NOW, backlog=10**9, max_attempts=3)

    answers = []
    for n in range(args.answers):
        new = [f"https://site{(n * 125 + i) % 997}.bench.example/{n}/{i}" for i in range(ANSWER // 2)]
        feed = [
            f"https://www.wire.bench.example/a/{(n * 37 + i) % max(args.existing, 1)}/"
            for i in range(ANSWER // 4)
        ]
        earlier = [
            f"https://site{((n - 1) * 125 + i) % 997}.bench.example/{n - 1}/{i}" for i in range(ANSWER // 4)
        ]
        answers.append([FoundArticle(u, "t") for u in (*new, *feed, *earlier)])

    def store_all() -> list[float]:
        times = []
        for n, answer in enumerate(answers):
            start = time.perf_counter()
            with session_scope(db) as s:
                entries_store.add_discovered(
                    s,
                    provider_id,
                    query_ids[n % 10],
                    answer,
                    NOW + timedelta(minutes=n),
                    backlog=10**9,
                    max_attempts=3,
                )
            times.append(time.perf_counter() - start)
        return times

    first = store_all()
    with session_scope(db) as s:
        found_entries = s.scalar(
            select(func.count()).select_from(Entry).where(Entry.provider_id == provider_id)
        )
        finds = s.scalar(select(func.count()).select_from(DiscoveryFind))
    again = store_all()
    print(f"database: {db.split('://', 1)[0]}; {args.existing} feed entries stored first")
    print(
        f"store {len(answers)} answers of {ANSWER} articles: {_ms(first)}; "
        f"{len(answers) * ANSWER / sum(first):.0f} articles/s; {found_entries} entries, {finds} finds"
    )
    print(f"the same answers again (all known): {_ms(again)}")

    with session_scope(db) as s:
        for f in range(100):
            fid = _feed(s, f"https://feed{f}.bench.example/rss")
            items = [
                FeedEntry(f"f{f}-{i}", f"https://feed{f}.bench.example/{i}", "", "", NOW) for i in range(10)
            ]
            entries_store.add_entries(s, fid, items, NOW, backlog=200, max_attempts=3)
        s.execute(Entry.__table__.update().where(Entry.feed_id == feed_id).values(state="done"))
        pending = entries_store.pending_entries(s, per_feed=50, max_attempts=3)
    plan = set(fair_order(pending, limit=25 * 64))
    mine = sum(1 for p in pending if p.provider_id == provider_id and p.entry_id in plan)
    per_feed: dict[int, int] = {}
    for p in pending:
        if p.feed_id is not None and p.entry_id in plan:
            per_feed[p.feed_id] = per_feed.get(p.feed_id, 0) + 1
    print(
        f"first fetch plan: {len(plan)} of {len(pending)} waiting; the provider's: {mine} "
        f"(of {found_entries} it found); the 100 feeds: {min(per_feed.values())}..{max(per_feed.values())} "
        f"of their 10 each"
    )


if __name__ == "__main__":
    main()
