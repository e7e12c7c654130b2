"""What one poll may add to a feed, stored (SQLite and PostgreSQL): the newest within the backlog, the
rest counted, every field within its bound with the cut recorded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from newsmon.feeds.parse import FeedEntry
from newsmon.store import entries as entries_store
from newsmon.store.db import session_scope
from newsmon.store.models import Entry, EntryState, Feed

NOW = datetime(2026, 11, 30, 12, tzinfo=UTC)


def _feed(db_url: str, url: str = "https://feed.example/rss", active: bool = True) -> int:
    with session_scope(db_url) as s:
        feed = Feed(url=url, name=url, created_at=NOW, consecutive_errors=0, entries_skipped=0, active=active)
        s.add(feed)
        s.flush()
        return feed.id


def entry(
    n: int, *, hours_ago: float | None = None, title: str | None = None, link: str | None = ""
) -> FeedEntry:
    return FeedEntry(
        key=f"k{n}",
        link=f"https://news.example/{n}" if link == "" else link,
        title=title if title is not None else f"Item {n}",
        summary=f"About {n}.",
        published=NOW - timedelta(hours=hours_ago) if hours_ago is not None else None,
    )


def add(db_url: str, feed_id: int, items, backlog: int = 3, now: datetime = NOW, **kw):
    with session_scope(db_url) as s:
        return entries_store.add_entries(s, feed_id, items, now, backlog=backlog, max_attempts=3, **kw)


def states(db_url: str, feed_id: int) -> dict[str, str]:
    with session_scope(db_url) as s:
        return {e.key: e.state for e in s.scalars(select(Entry).where(Entry.feed_id == feed_id))}


def test_only_the_newest_of_a_poll_are_stored_and_the_rest_counted(db_url):
    feed_id = _feed(db_url)
    items = [entry(n, hours_ago=h) for n, h in ((1, 5), (2, 1), (3, 9), (4, 2), (5, 3))]
    added = add(db_url, feed_id, items, listed=5_000)
    assert (added.items, added.new, added.skipped, added.surplus) == (5_000, 3, 0, 4_997)
    assert states(db_url, feed_id) == {"k2": "new", "k4": "new", "k5": "new"}
    with session_scope(db_url) as s:
        feed = s.get(Feed, feed_id)
        assert (feed.last_poll_items, feed.last_poll_surplus, feed.entries_skipped) == (5_000, 4_997, 0)
    assert add(db_url, feed_id, items).new == 0  # the same poll again adds nothing


def test_newer_entries_push_the_oldest_waiting_ones_out_of_the_backlog(db_url):
    feed_id = _feed(db_url)
    add(db_url, feed_id, [entry(n, hours_ago=10 + n) for n in range(3)])
    with session_scope(db_url) as s:  # k0 failed once (retry left), k1 failed for good: not waiting
        s.execute(update(Entry).where(Entry.key == "k0").values(state="failed", fetch_attempts=1))
        s.execute(update(Entry).where(Entry.key == "k1").values(state="failed", fetch_attempts=3))
    added = add(db_url, feed_id, [entry(n, hours_ago=n) for n in (7, 8)], now=NOW + timedelta(hours=1))
    assert (added.new, added.skipped) == (2, 1)
    assert states(db_url, feed_id) == {
        "k0": "failed",
        "k1": "failed",
        "k2": "skipped",
        "k7": "new",
        "k8": "new",
    }
    with session_scope(db_url) as s:
        assert s.scalar(select(Feed.entries_skipped).where(Feed.id == feed_id)) == 1
        skipped = s.scalars(select(Entry).where(Entry.key == "k2")).one()
        assert skipped.fetch_error.startswith("skipped: 3 newer entries")


def test_undated_items_keep_the_feed_order_newest_at_the_top(db_url):
    feed_id = _feed(db_url)
    add(db_url, feed_id, [entry(n) for n in range(5)], backlog=2)
    assert states(db_url, feed_id) == {"k0": "new", "k1": "new"}
    with session_scope(db_url) as s:
        plan = entries_store.pending_entries(s, per_feed=5, max_attempts=3)
    assert [p.entry_id for p in plan] == sorted((p.entry_id for p in plan), reverse=True)  # k0 first
    assert [p.rank for p in plan] == [1, 2]


def test_every_field_is_bounded_and_the_cut_recorded(db_url):
    feed_id = _feed(db_url)
    long_link = "https://news.example/" + "x" * 3000
    add(
        db_url,
        feed_id,
        [
            entry(1, title="T" * 2_000_000),
            FeedEntry(
                key="k2", link=long_link, title="ok", summary="S" * 50_000, published=None, author="A" * 400
            ),
            entry(3, link=None),
        ],
    )
    with session_scope(db_url) as s:
        rows = {e.key: e for e in s.scalars(select(Entry).where(Entry.feed_id == feed_id))}
        assert rows["k1"].title == "T" * 1000 and rows["k1"].cuts == {"title": 2_000_000}
        k2 = rows["k2"]
        assert (k2.link, k2.state, len(k2.summary), len(k2.author)) == (None, "gave_up", 20_000, 300)
        assert k2.cuts == {"link": len(long_link), "summary": 50_000, "author": 400}
        assert k2.fetch_error.startswith("bad_url") and rows["k3"].state == EntryState.GAVE_UP


def test_pending_entries_new_first_capped_per_feed_and_only_of_active_feeds(db_url):
    busy, quiet, gone = (
        _feed(db_url, "https://a.example/"),
        _feed(db_url, "https://b.example/"),
        _feed(db_url, "https://c.example/", active=False),
    )
    add(db_url, busy, [entry(n, hours_ago=n) for n in range(10)], backlog=10)
    add(db_url, quiet, [entry(n, hours_ago=n) for n in range(2)])
    add(db_url, gone, [entry(n, hours_ago=n) for n in range(2)])
    with session_scope(db_url) as s:
        s.execute(
            update(Entry)
            .where(Entry.feed_id == busy, Entry.key == "k0")
            .values(state="failed", fetch_attempts=1)
        )
        plan = entries_store.pending_entries(s, per_feed=4, max_attempts=3)
    by_feed = {f: [p for p in plan if p.feed_id == f] for f in (busy, quiet, gone)}
    assert len(by_feed[busy]) == 4 and len(by_feed[quiet]) == 2 and by_feed[gone] == []
    assert not any(p.retry for p in by_feed[busy])  # the retry (k0, the newest) waits behind 4 new ones
