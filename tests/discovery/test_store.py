"""The entry path of discovered articles (store.entries), on SQLite and PostgreSQL: one entry per article
across feeds and searches, a find per query, nothing twice, bounded per provider, planned fairly."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from newsmon.config.discovery import ProviderConfig, ProviderKind
from newsmon.discovery.queries import PlannedQuery, QueryOrigin
from newsmon.discovery.results import FoundArticle
from newsmon.feeds.parse import FeedEntry
from newsmon.feeds.schedule import fair_order
from newsmon.store import discovery as discovery_store
from newsmon.store import entries as entries_store
from newsmon.store.db import session_scope
from newsmon.store.models import Copy, DiscoveryFind, DiscoveryProvider, Entry, Feed

NOW = datetime(2026, 3, 12, 10, 0, tzinfo=UTC)


@pytest.fixture
def ids(db_url):
    """A feed, a provider and two of its queries."""
    provider = ProviderConfig(name="gdelt", kind=ProviderKind.GDELT, url="https://api.example/doc")
    with session_scope(db_url) as s:
        feed = Feed(url="https://wire.example/rss", name="Wire", created_at=NOW, consecutive_errors=0)
        s.add(feed)
        discovery_store.sync_providers(s, [provider], NOW)
        s.flush()
        provider_id = s.scalar(select(DiscoveryProvider.id))
        planned = [
            PlannedQuery("topic", "en", "(children OR minors) repatriated", QueryOrigin.GENERATED),
            PlannedQuery("topic", "any", '"al-Hol" camp', QueryOrigin.WRITTEN),
        ]
        discovery_store.sync_queries(s, provider_id, planned, NOW)
        queries = [q.query_id for q in discovery_store.queries_to_run(s, provider_id, 10)]
        return {"db": db_url, "feed": feed.id, "provider": provider_id, "q1": queries[0], "q2": queries[1]}


def _add(ids, query: str, found: list[FoundArticle], *, backlog: int = 200, now: datetime = NOW):
    with session_scope(ids["db"]) as s:
        return entries_store.add_discovered(
            s, ids["provider"], ids[query], found, now, backlog=backlog, max_attempts=3
        )


def _poll(ids, items: list[FeedEntry]):
    with session_scope(ids["db"]) as s:
        return entries_store.add_entries(s, ids["feed"], items, NOW, backlog=200, max_attempts=3)


def _count(db: str, model, *where) -> int:
    with session_scope(db) as s:
        return s.scalar(select(func.count()).select_from(model).where(*where)) or 0


def test_the_same_article_found_again_by_the_same_or_another_query_is_one_entry(ids):
    found = [
        FoundArticle("https://daily.example/news/children-home?utm_source=gdelt", "Children home"),
        FoundArticle("https://www.daily.example/news/children-home/", "Children home (www)"),  # same article
        FoundArticle("https://north.example/a", "Another"),
    ]
    first = _add(ids, "q1", found)
    assert (first.listed, first.new, first.known) == (3, 2, 0)
    again = _add(ids, "q1", found)
    assert (again.new, again.known) == (0, 2)
    other = _add(ids, "q2", found[:1])
    assert (other.new, other.known) == (0, 1)
    assert _count(ids["db"], Entry) == 2
    assert _count(ids["db"], DiscoveryFind) == 3  # (entry, query) pairs: two by q1, one by q2


def test_an_article_a_feed_listed_gets_a_find_not_a_second_entry(ids):
    _poll(ids, [FeedEntry("guid-1", "https://wire.example/2026/kids-flown-home", "Kids flown home", "", NOW)])
    added = _add(ids, "q1", [FoundArticle("http://wire.example/2026/kids-flown-home#top", "Kids flown home")])
    assert (added.new, added.known) == (0, 1)
    with session_scope(ids["db"]) as s:
        entry = s.scalars(select(Entry)).one()
        assert entry.feed_id == ids["feed"] and entry.provider_id is None
        assert s.scalars(select(DiscoveryFind.entry_id)).one() == entry.id


def test_a_feed_that_lists_an_article_a_search_found_first_takes_that_entry_over(ids):
    _add(ids, "q1", [FoundArticle("https://wire.example/2026/kids-flown-home", "as the search titled it")])
    polled = _poll(
        ids,
        [FeedEntry("guid-1", "https://wire.example/2026/kids-flown-home?utm_medium=rss", "Kids flown home",
                   "The feed's summary", NOW - timedelta(hours=1))],
    )  # fmt: skip
    assert (polled.new, polled.adopted) == (0, 1)
    with session_scope(ids["db"]) as s:
        entry = s.scalars(select(Entry)).one()
        assert (entry.feed_id, entry.provider_id, entry.key) == (ids["feed"], None, "guid-1")
        assert entry.title == "Kids flown home" and entry.summary == "The feed's summary"
        assert s.scalar(select(func.count()).select_from(DiscoveryFind)) == 1  # the search is still credited
    assert (
        _poll(ids, [FeedEntry("guid-1", "https://wire.example/2026/kids-flown-home", "x", "", NOW)]).new == 0
    )


def test_an_entry_the_search_could_not_fetch_starts_over_as_the_feed_s(ids):
    _add(ids, "q1", [FoundArticle("https://wire.example/a", "found")])
    with session_scope(ids["db"]) as s:
        entry = s.scalars(select(Entry)).one()
        entries_store.mark_failed(s, entry.id, "ssrf_blocked: private address", final=True)
    polled = _poll(ids, [FeedEntry("guid-9", "https://wire.example/a", "Listed", "", NOW)])
    assert polled.adopted == 1
    with session_scope(ids["db"]) as s:
        entry = s.scalars(select(Entry)).one()
        assert (entry.state, entry.fetch_attempts, entry.fetch_error) == ("new", 0, None)
        assert entry.feed_id == ids["feed"] and entry.title == "Listed"


def test_a_copy_stored_without_an_entry_key_is_found_by_its_url_key(ids):
    """Entries from before schema 0008 have no URL key; their copy still makes the article known."""
    with session_scope(ids["db"]) as s:
        copy = Copy(url_key="https://old.example/story", url="https://old.example/story", fetched_at=NOW)
        s.add(copy)
        s.flush()
        s.add(Entry(feed_id=ids["feed"], key="old-guid", link="https://old.example/story", first_seen_at=NOW,
                    state="done", copy_id=copy.id))  # fmt: skip
    added = _add(ids, "q1", [FoundArticle("https://old.example/story/", "Old")])
    assert (added.new, added.known) == (0, 1)
    assert _count(ids["db"], Entry) == 1 and _count(ids["db"], DiscoveryFind) == 1


def test_wrapped_and_unusable_links(ids):
    added = _add(
        ids,
        "q1",
        [
            FoundArticle("https://www.google.com/url?q=https%3A%2F%2Fnorth.example%2Fa&sa=D", "wrapped"),
            FoundArticle("https://north.example/a", "the same, plain"),
            FoundArticle("javascript:alert(1)", "not the web"),
            FoundArticle("", "no link"),
            FoundArticle("https://north.example/" + "x" * 3000, "too long to store"),
        ],
    )
    assert (added.new, added.unusable) == (1, 3)
    with session_scope(ids["db"]) as s:
        assert s.scalars(select(Entry.link)).one() == "https://north.example/a"


def test_a_provider_s_waiting_entries_are_bounded_like_a_feed_s(ids):
    many = [FoundArticle(f"https://site{i}.example/a", f"#{i}") for i in range(8)]
    added = _add(ids, "q1", many, backlog=5)
    assert (added.new, added.skipped) == (8, 3)
    waiting = _count(ids["db"], Entry, Entry.state == "new")
    assert waiting == 5
    with session_scope(ids["db"]) as s:
        assert s.scalar(select(DiscoveryProvider.entries_skipped)) == 3


def test_a_provider_is_one_source_among_the_feeds_in_the_fetch_plan(ids):
    """A search that found 30 articles on one host takes turns with a feed's 3 on another."""
    _add(ids, "q1", [FoundArticle(f"https://found.example/a{i}", "") for i in range(30)])
    _poll(ids, [FeedEntry(f"g{i}", f"https://wire.example/b{i}", "", "", NOW) for i in range(3)])
    with session_scope(ids["db"]) as s:
        pending = entries_store.pending_entries(s, per_feed=10, max_attempts=3)
        feed_ids = set(s.scalars(select(Entry.id).where(Entry.feed_id == ids["feed"])))
    assert len(pending) == 13  # per source: the provider's 10, the feed's 3
    plan = fair_order(pending, limit=6)
    assert feed_ids <= set(plan)  # all the feed's entries within the first six
    assert {p.source for p in pending} == {("feed", ids["feed"]), ("discovery", ids["provider"])}


def test_a_disabled_provider_s_entries_wait(ids):
    _add(ids, "q1", [FoundArticle("https://found.example/a", "")])
    with session_scope(ids["db"]) as s:
        discovery_store.sync_providers(s, [], NOW)  # removed from the file
        assert entries_store.pending_entries(s, per_feed=10, max_attempts=3) == []
        assert entries_store.waiting_count(s, max_attempts=3, limit=100) == 0


def test_queries_take_turns_and_retired_ones_keep_their_finds(ids):
    with session_scope(ids["db"]) as s:
        discovery_store.record_query(s, ids["q1"], NOW, found=3, new=1)
        order = [q.query_id for q in discovery_store.queries_to_run(s, ids["provider"], 10)]
        assert order == [ids["q2"], ids["q1"]]  # never run first
        assert [q.query_id for q in discovery_store.queries_to_run(s, ids["provider"], 1)] == [ids["q2"]]
    _add(ids, "q2", [FoundArticle("https://found.example/a", "")])
    with session_scope(ids["db"]) as s:
        active = discovery_store.sync_queries(
            s, ids["provider"], [PlannedQuery("topic", "en", "new words", QueryOrigin.GENERATED)], NOW
        )
        assert active == 1
        runnable = discovery_store.queries_to_run(s, ids["provider"], 10)
        assert [q.text for q in runnable] == ["new words"]
        assert s.scalar(select(func.count()).select_from(DiscoveryFind)) == 1
