"""The hostile catalogue of issue #15, run as an operator would: every feed is first good (entries and
copies are stored), then turns hostile, and the pipeline runs again over all of them at once.

Each case must end in its own stored outcome, and nothing stored by the good run may be lost or altered.
All servers listen on loopback; the addresses the SSRF guard must refuse are never reached (127.0.0.2
runs a server that counts what reaches it: nothing may).
"""

from __future__ import annotations

import gzip
import http.server
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from newsmon import pipeline
from newsmon.config.settings import load_settings
from newsmon.demo.farm import article_html, feed_xml
from newsmon.extract.outcome import FetchFailure
from newsmon.http.links import link_for
from newsmon.store.db import session_scope
from newsmon.store.hosts import DatabaseHostState
from newsmon.store.models import Copy, Entry, EntryState, Feed
from tests.feeds import samples
from tests.http.localserver import LocalServer, drip, endless, redirect, respond, running, static

RSS = "application/rss+xml"


def good_feed(server: LocalServer, name: str, items: int = 2) -> bytes:
    """A small RSS feed whose article pages live on the same server."""
    body = []
    for i in range(items):
        path = f"/a/{name}/{i}.html"
        server.route(path, static(200, article_html(path), {"Content-Type": "text/html; charset=utf-8"}))
        body.append(
            f"<item><title>{name} good {i}</title><link>{server.url(path)}</link><guid>{name}-good-{i}</guid>"
            f"<description>Summary of {name} {i}.</description></item>"
        )
    return (f'<rss version="2.0"><channel><title>Good {name}</title>{"".join(body)}</channel></rss>').encode()


def rss_items(items: list[tuple[str, str, str]], title: str = "Hostile") -> bytes:
    """(guid, title, link) -> RSS bytes."""
    body = "".join(
        f"<item><title>{t}</title><link>{link}</link><guid>{g}</guid><description>On {g}</description></item>"
        for g, t, link in items
    )
    return f'<rss version="2.0"><channel><title>{title}</title>{body}</channel></rss>'.encode()


def early_close(h: http.server.BaseHTTPRequestHandler) -> None:
    respond(h, 200, b"<rss><channel><item>", {"Content-Length": "90000", "Connection": "close"})
    h.close_connection = True


def hostile_routes(server: LocalServer, trap: LocalServer, tmp: Path) -> dict[str, object]:
    """Case name -> the handler that replaces the case's good feed."""
    secret = tmp / "secret.txt"
    secret.write_text("TOP-SECRET-MARKER")
    xxe = (
        f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file://{secret}">]>'
        '<rss version="2.0"><channel><title>x</title><item><title>a&x;b</title><guid>xxe-1</guid>'
        "<link>http://127.0.0.1:9/none</link></item></channel></rss>"
    )
    server.route("/meta-redirect", redirect(302, "http://169.254.169.254/latest/meta-data/"))
    server.route("/a/title_2mb/big.html", static(200, article_html("/big"), {"Content-Type": "text/html"}))
    cyrillic = samples.rss_with(samples.CYRILLIC, samples.CYRILLIC_BODY, "utf-8").replace(
        "<guid>enc-1</guid>", "<guid>enc-1</guid><link>http://127.0.0.1:9/enc</link>"
    )
    latin1 = samples.rss_with(samples.LATIN1, encoding="iso-8859-1").replace(
        "<guid>enc-1</guid>", "<guid>enc-1</guid><link>http://127.0.0.1:9/latin</link>"
    )
    return {
        "gzip_bomb": static(200, gzip.compress(b"\0" * (30 << 20)), {"Content-Encoding": "gzip"}),
        "gzip_file_bomb": static(200, gzip.compress(b"\0" * (25 << 20)), {"Content-Type": RSS}),
        "xxe": static(200, xxe.encode(), {"Content-Type": RSS}),
        "billion_laughs": static(200, samples.BILLION_LAUGHS.encode(), {"Content-Type": RSS}),
        "redirect_metadata": redirect(302, "http://169.254.169.254/latest/meta-data/"),
        "redirect_private": redirect(301, "http://10.0.0.1/feed.xml"),
        "redirect_loopback": redirect(302, trap.url("/feed.xml")),
        "redirect_file": redirect(302, "file:///etc/passwd"),
        "endless": endless(),
        "drip": drip(every=0.5, limit=1000),
        "items_20000": static(200, feed_xml(server.url(""), "huge", 20_000), {"Content-Type": RSS}),
        "title_2mb": static(
            200,
            rss_items([("big-title", "T" * 2_000_000, server.url("/a/title_2mb/big.html"))]),
            {"Content-Type": RSS},
        ),
        "wrong_encoding": static(200, cyrillic.encode("cp1251"), {"Content-Type": "application/rss+xml"}),
        "wrong_encoding_header": static(  # UTF-8 bytes, a header and a declaration saying Latin-1
            200, latin1.encode("utf-8"), {"Content-Type": "application/rss+xml; charset=iso-8859-1"}
        ),
        "garbage_json": static(
            200,
            b'{"version": "https://jsonfeed.org/version/1.1", "title": "J", "items": {"id": "1"}}',
            {"Content-Type": "application/feed+json"},
        ),
        "html_page": static(200, b"<!DOCTYPE html><html><body>Down for maintenance</body></html>"),
        "http_401": static(401, b"who are you"),
        "http_404": static(404, b"no"),
        "http_410": static(410, b"gone"),
        "http_500": static(500, b"oops"),
        "early_close": early_close,
        "javascript_links": static(
            200,
            rss_items([("js-1", "Click me", "javascript:alert(1)"), ("js-2", "Data", "data:text/html,hi")]),
            {"Content-Type": RSS},
        ),
        "private_article_links": static(
            200,
            rss_items(
                [
                    ("priv-1", "Intranet story", "http://10.0.0.7/story.html"),
                    ("priv-2", "Metadata story", server.url("/meta-redirect")),
                    ("priv-3", "Loopback story", trap.url("/story.html")),
                ]
            ),
            {"Content-Type": RSS},
        ),
    }


# case -> (last_error_kind after the hostile poll, or None for a poll that succeeded)
FEED_OUTCOMES = {
    "gzip_bomb": "too_large",
    "gzip_file_bomb": "parse",
    "xxe": None,
    "billion_laughs": None,
    "redirect_metadata": "ssrf_blocked",
    "redirect_private": "ssrf_blocked",
    "redirect_loopback": "ssrf_blocked",
    "redirect_file": "bad_url",
    "endless": "too_large",
    "drip": "timeout",
    "items_20000": None,
    "title_2mb": None,
    "wrong_encoding": None,
    "wrong_encoding_header": None,
    "garbage_json": "parse",
    "html_page": "not_a_feed",
    "http_401": "http_4xx",
    "http_404": "not_found",
    "http_410": "gone",
    "http_500": "http_5xx",
    "early_close": "truncated",
    "javascript_links": None,
    "private_article_links": None,
}


def guid(entry: Entry) -> str:
    """The item's guid as written in the feed (feedparser resolves a relative one against the feed URL)."""
    return entry.key.rsplit("/", 1)[-1]


def snapshot(db_url: str) -> tuple[dict, dict]:
    with session_scope(db_url) as s:
        entries = {(e.feed_id, e.key): (e.title, e.link, e.copy_id) for e in s.scalars(select(Entry))}
        copies = {c.id: (c.url_key, c.title, c.text, c.fetch_status) for c in s.scalars(select(Copy))}
    return entries, copies


def run(settings) -> dict:
    summary = {"poll": pipeline.poll_feeds(settings, force=True)}
    for batch in pipeline.plan_fetch(settings):
        pipeline.fetch_batch(settings, batch)
    return summary


def test_every_hostile_case_ends_in_its_stored_outcome_and_nothing_stored_is_lost(db_url, tmp_path):
    with ExitStack() as stack:
        server = stack.enter_context(running())
        busy = stack.enter_context(
            running()
        )  # a host of its own: its Retry-After must not hold up the others
        trap = stack.enter_context(running("127.0.0.2"))  # reachable, but only through a refused redirect
        trap.route("/feed.xml", static(200, samples.RSS20.encode()))
        trap.route("/story.html", static(200, article_html("/trap")))
        names = list(FEED_OUTCOMES)
        for name in names:
            server.route(f"/f/{name}.xml", static(200, good_feed(server, name), {"Content-Type": RSS}))
        busy.route("/f/http_429.xml", static(200, good_feed(busy, "http_429"), {"Content-Type": RSS}))
        feeds_file = tmp_path / "feeds.yaml"
        urls = {name: server.url(f"/f/{name}.xml") for name in names} | {
            "http_429": busy.url("/f/http_429.xml")
        }
        feeds_file.write_text(
            "feeds:\n"
            + "".join(f"  - url: {u}\n    name: {n}\n    allow_private: true\n" for n, u in urls.items()),
            encoding="utf-8",
        )
        settings = load_settings().with_(db_url=db_url, feeds_file=feeds_file, http_timeout=3.0)
        pipeline.prepare(settings)

        good = run(settings)
        assert good["poll"]["errors"] == 0
        before_entries, before_copies = snapshot(db_url)
        assert len(before_copies) == 2 * len(urls)
        with session_scope(db_url) as s:
            titles_before = dict(s.execute(select(Feed.url, Feed.title)).all())

        for name, handler in hostile_routes(server, trap, tmp_path).items():
            server.routes[f"/f/{name}.xml"] = handler
        busy.routes["/f/http_429.xml"] = static(429, b"slow down", {"Retry-After": "3600"})
        started = datetime.now(UTC)
        hostile = run(settings)

        # Nothing stored earlier is lost or changed, whatever each feed did.
        after_entries, after_copies = snapshot(db_url)
        assert {k: after_entries[k] for k in before_entries} == before_entries
        assert {k: after_copies[k] for k in before_copies} == before_copies
        assert trap.requests == []  # the refused addresses were never reached

        with session_scope(db_url) as s:
            feeds = {f.name: f for f in s.scalars(select(Feed))}
            assert all(f.title == titles_before[f.url] for f in feeds.values() if f.last_error_kind)
            for name, kind in FEED_OUTCOMES.items():
                feed = feeds[name]
                assert feed.last_error_kind == kind, (name, feed.last_error_kind, feed.last_error)
                if kind is not None:
                    assert feed.consecutive_errors == 1 and feed.last_error, name
            assert hostile["poll"]["errors"] == sum(1 for k in FEED_OUTCOMES.values() if k) + 1

            # 429: back off until the server said, and the host itself is blocked for everyone until then.
            busy_feed = feeds["http_429"]
            assert busy_feed.last_error_kind == "rate_limited"
            assert busy_feed.next_poll_at >= started + timedelta(seconds=3600)
            host = DatabaseHostState(db_url).host(busy.pair)
            assert host is not None and host.blocked_until >= started.timestamp() + 3599

            # 410: disabled for good, no next poll.
            gone = feeds["http_410"]
            assert gone.disabled_reason.startswith("gone: HTTP 410") and gone.next_poll_at is None
            assert "items" in feeds["garbage_json"].last_error and "list" in feeds["garbage_json"].last_error

            def entries_of(name: str) -> list[Entry]:
                return list(
                    s.scalars(select(Entry).where(Entry.feed_id == feeds[name].id).order_by(Entry.id))
                )

            # XXE and billion laughs: parsed, nothing read from disk, nothing expanded.
            xxe = [e for e in entries_of("xxe") if guid(e) == "xxe-1"]
            assert xxe and "TOP-SECRET" not in xxe[0].title + xxe[0].summary
            assert all(len(e.title) < 200 and len(e.summary) < 1000 for e in entries_of("billion_laughs"))

            # 20,000 items: the newest 200 kept, the rest counted, at most 50 fetched this run.
            huge = feeds["items_20000"]
            assert (huge.last_poll_items, huge.last_poll_surplus) == (20_000, 19_800)
            new = [e for e in entries_of("items_20000") if e.key.startswith(server.url("/huge/"))]
            assert len(new) == 200
            fetched = [e for e in new if e.state == EntryState.DONE]  # their pages are 404: summaries kept
            assert len(fetched) == settings.feed_fetch_per_run
            assert s.get(Copy, fetched[0].copy_id).fetch_reason == "not_found"

            # A 2,000,000-character title is cut, and the cut recorded.
            (big,) = [e for e in entries_of("title_2mb") if guid(e) == "big-title"]
            assert big.title == "T" * 1000 and big.cuts == {"title": 2_000_000}
            big_copy = s.get(Copy, big.copy_id) if big.copy_id else None
            assert big_copy is not None and len(big_copy.feed_title) == 1000

            # A feed that lies about its encoding still reads right.
            assert any(e.title == samples.CYRILLIC for e in entries_of("wrong_encoding"))
            assert any(e.title == samples.LATIN1 for e in entries_of("wrong_encoding_header"))

            # javascript: and data: links are never fetched nor linked.
            js = [e for e in entries_of("javascript_links") if guid(e).startswith("js-")]
            assert [(e.link, e.state) for e in js] == [(None, "gave_up"), (None, "gave_up")]
            assert all(e.fetch_error.startswith("bad_url") for e in js)

            # Links to private addresses: refused, kept as text with the reason, never a clickable link.
            private = {guid(e): e for e in entries_of("private_article_links") if guid(e).startswith("priv-")}
            assert set(private) == {"priv-1", "priv-2", "priv-3"}
            for entry in private.values():
                copy = s.get(Copy, entry.copy_id)
                assert copy is not None and copy.fetch_status == "fallback", entry.key
                failure = FetchFailure.parse(copy.fetch_reason)
                assert failure is not None and failure.kind == "ssrf_blocked" and failure.final
                link = link_for(copy.url, failure.kind, outcome_known=True)
                assert link.href is None and "refused" in link.refused


@pytest.mark.parametrize(
    ("url", "failure_kind", "known", "href"),
    [
        ("https://news.example/a", None, False, "https://news.example/a"),
        ("https://news.example/a", "ssrf_blocked", True, None),  # the name resolved to a private address
        ("http://10.1.2.3/a", None, False, None),  # an email: how its fetch went is not known
        ("http://10.1.2.3/a", "ssrf_blocked", True, None),
        ("http://127.0.0.1:8765/wire/a.html", None, True, "http://127.0.0.1:8765/wire/a.html"),  # opened
        ("http://169.254.169.254/latest", None, False, None),
        ("http://[::1]:8080/", None, False, None),
        ("javascript:alert(1)", None, True, None),
        ("file:///etc/passwd", None, True, None),
        ("http://[bad", None, True, None),
        ("https://news.example/a", "not_found", True, "https://news.example/a"),  # not refused: a link
    ],
)
def test_link_rule(url, failure_kind, known, href):
    link = link_for(url, failure_kind, outcome_known=known)
    assert link.href == href and (link.refused is None) == (href is not None)
