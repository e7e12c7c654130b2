"""The per-site boilerplate memory in the database: learned across batches, each page counted once,
right under concurrent writers, bounded; on real SQLite and PostgreSQL, pages from a real 127.0.0.1 server."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from newsmon import pipeline
from newsmon.config.settings import load_settings
from newsmon.extract.boilerplate import BoilerplateMemory, line_key
from newsmon.store import boilerplate as store
from newsmon.store.db import session_scope
from newsmon.store.models import Copy, Entry, Feed, SiteBoilerplateLine
from tests.extract import extract_pages as pages

NOW = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
PROMO = "Our regional desk is supported by readers like you and by the Harbour Light civic fund."

_TOWNS = ["Ostrava", "Tromso", "Galway", "Lecce", "Bruges", "Tartu", "Split", "Leiden", "Kaunas", "Aarhus"]
_MATTERS = ["the ferry timetable", "a new school roof", "winter road gritting", "the river embankment"]


def article_paragraphs(n: int) -> list[str]:
    """Three paragraphs no other page shares (page ``n``), written for these tests."""
    town, matter = _TOWNS[n % len(_TOWNS)], _MATTERS[n % len(_MATTERS)]
    return [
        f"Councillors in {town} spent {n + 2} hours on Tuesday arguing over {matter}, a question that has "
        f"divided the town since the spring of {1990 + n}.",
        f"Page {n} of this series: residents who attended said the vote, passed by {n + 7} to {n % 5}, "
        f"would change little before the next budget in {town}.",
        f"The mayor promised a public meeting about {matter} within {n + 3} weeks and asked engineers to "
        f"report on costs, case number {1000 + 37 * n}.",
    ]


def page_with_promo(n: int) -> bytes:
    first, *rest = article_paragraphs(n)
    return pages.plain_article(f"Council report {n}", [first, PROMO, *rest])


def _line_count(db_url: str, site: str, line: str) -> int:
    with session_scope(db_url) as s:
        value = s.scalar(
            select(SiteBoilerplateLine.pages).where(
                SiteBoilerplateLine.site == site, SiteBoilerplateLine.line_hash == line_key(line)
            )
        )
    return int(value or 0)


# --- the store alone -----------------------------------------------------------------------------


def test_a_page_is_counted_once_per_url_key(db_url):
    hashes = frozenset({line_key("footer line"), line_key("a sentence")})
    with session_scope(db_url) as s:
        assert store.record_page(s, "example.org", "example.org/a", hashes, NOW)
        assert not store.record_page(s, "example.org", "example.org/a", hashes, NOW)  # a retry
        assert store.record_page(s, "example.org", "example.org/b", {line_key("footer line")}, NOW)
        assert store.record_page(s, "other.net", "example.org/a", hashes, NOW)  # another site's log
    with session_scope(db_url) as s:
        known = store.load_site(s, "example.org")
        assert known is not None and known.pages == 2
        assert known.lines == {line_key("footer line"): 2, line_key("a sentence"): 1}
        assert store.load_site(s, "example.org", min_count=2).lines == {line_key("footer line"): 2}
        assert store.load_site(s, "nowhere.test") is None


def test_concurrent_writers_lose_no_increment_and_count_shared_pages_once(db_url):
    footer = line_key("Follow us for more local news")
    keys = [f"example.org/story/{chr(97 + i // 26)}{chr(97 + i % 26)}" for i in range(60)]  # digits: 0
    errors: list[BaseException] = []

    def writer(my_keys: list[str]) -> None:
        try:
            for key in my_keys:
                with session_scope(db_url) as s:
                    store.record_page(s, "example.org", key, {footer, line_key(key)}, NOW)
        except BaseException as exc:  # surfaced below: a thread's exception would otherwise vanish
            errors.append(exc)

    # Each writer records 40 pages; 20 of them are recorded by both (twin tasks fetching the same URL).
    threads = [
        threading.Thread(target=writer, args=(keys[:40],)),
        threading.Thread(target=writer, args=(keys[20:],)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors
    with session_scope(db_url) as s:
        assert store.site_sizes(s, "example.org") == (60, 61, 60)
    assert _line_count(db_url, "example.org", "Follow us for more local news") == 60


def test_halving_bounds_a_site_and_keeps_its_furniture(db_url):
    footer = "Follow us for more local news"
    for i in range(95):
        with session_scope(db_url) as s:
            words = (f"{chr(97 + i // 26)}{chr(97 + i % 26)}{chr(97 + j)}" for j in range(10))
            lines = {line_key(footer), *(line_key(f"sentence {w} of a story") for w in words)}
            store.record_page(s, "example.org", f"k{i}", lines, NOW + timedelta(days=i), decay_at=40)
    with session_scope(db_url) as s:
        pages_seen, line_rows, log_rows = store.site_sizes(s, "example.org")
        known = store.load_site(s, "example.org")
    # halvings at pages 40, 60 and 80: 95 pages x 11 lines would be 1046 rows; the page log keeps two days
    # before the last halving (pages 78-80) and the 15 pages since
    assert (pages_seen, log_rows) == (35, 18) and line_rows < 200
    memory = BoilerplateMemory(min_pages=3, min_share=0.2, loader=lambda site: (known.pages, known.lines))
    assert memory.is_boilerplate("https://example.org/next", footer)
    assert not memory.is_boilerplate("https://example.org/next", "sentence dqa of a story")


# --- fetch_batch --------------------------------------------------------------------------------


def _entries(db_url: str, site, paths: list[str], feed_name: str = "f") -> list[int]:
    """One feed on the test server with one entry per path; returns the entry ids in path order."""
    with session_scope(db_url) as s:
        feed = Feed(
            url=site.url(f"/{feed_name}.xml"), name=feed_name, allow_private=True, created_at=NOW, tags=[]
        )
        s.add(feed)
        s.flush()
        entries = [
            Entry(feed_id=feed.id, key=path, link=site.url(path), title="", summary="", first_seen_at=NOW)
            for path in paths
        ]
        s.add_all(entries)
        s.flush()
        return [e.id for e in entries]


def _texts(db_url: str, site, paths: list[str]) -> list[str]:
    with session_scope(db_url) as s:
        by_url = {c.url: c.text for c in s.scalars(select(Copy))}
    return [by_url[site.url(p)] for p in paths]


def test_fetch_batch_learns_site_furniture_across_batches(db_url, site):
    paths = [f"/news/{n}" for n in range(5)]
    for n, path in enumerate(paths):
        site.page(path, page_with_promo(n))
    ids = _entries(db_url, site, paths)
    settings = load_settings().with_(db_url=db_url)
    # three pages in one batch, then the others in later batches (new memories, read from the database)
    assert pipeline.fetch_batch(settings, ids[:3], now=NOW)["copies"] == 3
    assert pipeline.fetch_batch(settings, ids[3:4], now=NOW)["copies"] == 1
    assert pipeline.fetch_batch(settings, ids[4:], now=NOW)["copies"] == 1
    texts = _texts(db_url, site, paths)
    assert all(PROMO in text for text in texts[:3])  # not yet a pattern: kept
    for n in (3, 4):
        assert PROMO not in texts[n]
        assert all(paragraph in texts[n] for paragraph in article_paragraphs(n))
    assert _line_count(db_url, "127.0.0.1", PROMO) == 5


def test_a_retried_batch_and_a_twin_batch_do_not_count_twice(db_url, site):
    paths = [f"/twin/{n}" for n in range(6)]
    for n, path in enumerate(paths):
        site.page(path, page_with_promo(n))
    # two feeds list the same articles: their entries land in two batches that run at the same time
    first, second = _entries(db_url, site, paths, "a"), _entries(db_url, site, paths, "b")
    settings = load_settings().with_(db_url=db_url)
    errors: list[BaseException] = []

    def run(ids: list[int]) -> None:
        try:
            pipeline.fetch_batch(settings, ids, now=NOW)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(ids,)) for ids in (first, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors
    with session_scope(db_url) as s:
        assert store.site_sizes(s, "127.0.0.1")[0] == 6
    assert _line_count(db_url, "127.0.0.1", PROMO) == 6

    # A retry after a crash between counting and storing: the copies are gone, the counts are not.
    with session_scope(db_url) as s:
        s.execute(update(Entry).values(state="new", copy_id=None))
        for copy in s.scalars(select(Copy)):
            s.delete(copy)
    assert pipeline.fetch_batch(settings, first, now=NOW)["copies"] == 6
    with session_scope(db_url) as s:
        assert store.site_sizes(s, "127.0.0.1")[0] == 6
    assert _line_count(db_url, "127.0.0.1", PROMO) == 6


def test_a_page_that_repeats_an_earlier_one_is_kept_whole():
    memory = BoilerplateMemory(min_pages=2, min_share=0.2)
    from newsmon.extract.article import extract_article

    body = pages.plain_article("Same story", article_paragraphs(1))
    for n in range(3):  # the same article at three URLs of one site (tracking parameters, AMP, ...)
        text = extract_article(body, url=f"https://example.org/a?utm={n}", boilerplate=memory).text
        assert all(paragraph in text for paragraph in article_paragraphs(1))


def test_the_loader_is_asked_once_per_site_and_observations_are_taken_once():
    asked: list[str] = []

    def loader(site: str):
        asked.append(site)
        return (10, {line_key("Follow us for more local news"): 9}) if site == "example.org" else None

    memory = BoilerplateMemory(min_pages=3, min_share=0.2, loader=loader, record=True)
    assert memory.is_boilerplate("https://www.example.org/a", "Follow us for more local news")
    assert not memory.is_boilerplate("https://other.net/a", "Follow us for more local news")
    memory.observe("https://example.org/b", ["Follow us for more local news", "A new sentence."])
    assert asked == ["example.org", "other.net"] and memory.pages("example.org") == 11
    (seen,) = memory.take_observations()
    assert seen.site == "example.org" and len(seen.line_hashes) == 2
    assert memory.take_observations() == []


def test_a_long_page_counts_only_its_edges():
    from newsmon.extract.boilerplate import MAX_LINES_PER_PAGE, line_keys

    lines = [f"line {chr(97 + i // 26 // 26)}{chr(97 + i // 26 % 26)}{chr(97 + i % 26)}" for i in range(1000)]
    keys = line_keys(lines)
    assert len(keys) == MAX_LINES_PER_PAGE
    assert line_key(lines[0]) in keys and line_key(lines[-1]) in keys and line_key(lines[500]) not in keys
