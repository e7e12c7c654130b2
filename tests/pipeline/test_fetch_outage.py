"""A database failure in the middle of an article's fetch is the run's failure, not the page's: the task
fails (to be retried), and nothing is stored in the page's name. Stored as "internal error, the feed's
summary kept", a run broken by an outage kept summaries where a clean run keeps the articles, and each
summary stayed a story of its own (issue #14: 14 or 15 stories where a clean run folds 13)."""

from __future__ import annotations

import http.server

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.exc import DBAPIError

from newsmon import pipeline
from newsmon.config.settings import load_settings
from newsmon.demo.farm import article_html
from newsmon.extract.fetch import fetch_article
from newsmon.extract.outcome import FetchStatus, TextSource
from newsmon.http.politeness import HostLimiter
from newsmon.store.db import session_scope
from newsmon.store.hosts import DatabaseHostState
from newsmon.store.models import Copy, Entry, EntryState
from tests.http.localserver import respond, running, static

SUMMARY = "Harbour cranes stood idle for a second day as dock workers kept up their strike over new rosters."


def _rename_table(db_url: str, old: str, new: str) -> None:
    engine = create_engine(db_url)
    try:
        with engine.begin() as conn:
            conn.execute(text(f"ALTER TABLE {old} RENAME TO {new}"))
    finally:
        engine.dispose()


def _page_that_breaks_the_database(db_url: str, page: bytes, table: str = "host_slots"):
    """The page's handler takes ``table`` away while the request is under way. The politeness table: the
    limiter's release of the slot, after a good answer, then fails on the database; the boilerplate
    memory's: reading the site's memory before the page is extracted fails."""
    served: list[int] = []

    def handler(h: http.server.BaseHTTPRequestHandler) -> None:
        if not served:
            _rename_table(db_url, table, f"{table}_away")
        served.append(1)
        respond(h, 200, page, {"Content-Type": "text/html; charset=utf-8"})

    return handler


def test_fetch_article_raises_a_database_failure_instead_of_keeping_the_summary(db_url: str) -> None:
    table = "host_slots"
    with running() as site:
        site.route("/robots.txt", static(200, b"User-agent: *\nAllow: /\n", {"Content-Type": "text/plain"}))
        url = site.route("/docks/strike.html", _page_that_breaks_the_database(db_url, article_html("/docks")))
        limiter = HostLimiter(DatabaseHostState(db_url), min_delay=0, max_wait=5)
        settings = load_settings().with_(db_url=db_url, allowed_private=frozenset({site.pair}))
        try:
            with pytest.raises(DBAPIError):
                fetch_article(url, policy=pipeline.http_policy(settings), summary=SUMMARY, limiter=limiter)
        finally:
            _rename_table(db_url, f"{table}_away", table)
        # The database back, the same page is the article, not the summary.
        result = fetch_article(url, policy=pipeline.http_policy(settings), summary=SUMMARY, limiter=limiter)
        assert result.status == FetchStatus.OK and result.text_source == TextSource.PAGE
        assert result.extracted is not None and SUMMARY not in result.extracted.text


@pytest.mark.parametrize("table", ["host_slots", "site_boilerplate"])
def test_a_batch_broken_by_the_database_stores_no_summary_and_the_retry_stores_the_article(
    db_url: str, tmp_path, table: str
) -> None:
    """The limiter's slots and the site's boilerplate memory are both newsmon's database: a page
    extracted without the memory a clean run reads could keep the site's furniture, so that failure too
    is the run's, not a page stored without it."""
    with running() as site:
        site.route("/robots.txt", static(200, b"User-agent: *\nAllow: /\n", {"Content-Type": "text/plain"}))
        link = site.route(
            "/docks/strike.html", _page_that_breaks_the_database(db_url, article_html("/docks"), table)
        )
        rss = (
            '<rss version="2.0"><channel><title>Port news</title><item><title>Dock strike enters second day'
            f"</title><link>{link}</link><guid>{link}</guid><description>{SUMMARY}</description></item>"
            "</channel></rss>"
        )
        feed = site.route("/feed.xml", static(200, rss.encode(), {"Content-Type": "application/rss+xml"}))
        feeds_file = tmp_path / "feeds.yaml"
        feeds_file.write_text(f"feeds:\n  - url: {feed}\n    name: Port\n    allow_private: true\n")
        settings = load_settings().with_(
            db_url=db_url, feeds_file=feeds_file, allowed_private=frozenset({site.pair}), host_delay=0
        )
        pipeline.prepare(settings)
        pipeline.poll_feeds(settings, force=True)
        (batch,) = pipeline.plan_fetch(settings)
        try:
            with pytest.raises(DBAPIError):  # the task fails, to be retried
                pipeline.fetch_batch(settings, batch)
        finally:
            _rename_table(db_url, f"{table}_away", table)
        with session_scope(db_url) as s:
            assert s.scalars(select(Copy)).all() == []  # no copy in the page's name
            (entry,) = s.scalars(select(Entry)).all()
            assert entry.state == EntryState.NEW and entry.fetch_attempts == 0  # no attempt spent

        assert pipeline.fetch_batch(settings, batch)["copies"] == 1  # the retry
        with session_scope(db_url) as s:
            (copy,) = s.scalars(select(Copy)).all()
            assert copy.fetch_status == FetchStatus.OK and copy.text_source == TextSource.PAGE
            assert SUMMARY not in copy.text
