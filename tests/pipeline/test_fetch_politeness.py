"""Article fetches honour what hosts ask, across the batch and the run: robots.txt Crawl-delay and a
429's Retry-After hold a host's further pages back (left waiting, attempts untouched) while other hosts'
pages are fetched."""

from __future__ import annotations

from contextlib import ExitStack

from sqlalchemy import select

from newsmon import pipeline
from newsmon.config.settings import load_settings
from newsmon.demo.farm import article_html
from newsmon.store.db import session_scope
from newsmon.store.hosts import DatabaseHostState
from newsmon.store.models import Entry, EntryState
from tests.http.localserver import LocalServer, running, static


def _site(server: LocalServer, name: str, robots: bytes = b"User-agent: *\nAllow: /\n") -> list[str]:
    server.route("/robots.txt", static(200, robots, {"Content-Type": "text/plain"}))
    links = []
    for i in range(3):
        path = f"/{name}/{i}.html"
        links.append(server.route(path, static(200, article_html(path), {"Content-Type": "text/html"})))
    return links


def _feed(server: LocalServer, links: list[str]) -> str:
    items = "".join(
        f"<item><title>T{i}</title><link>{u}</link><guid>{u}</guid></item>" for i, u in enumerate(links)
    )
    return server.route(
        "/feed.xml",
        static(200, f'<rss version="2.0"><channel><title>M</title>{items}</channel></rss>'.encode()),
    )


def test_crawl_delay_and_retry_after_hold_a_host_back_and_not_the_others(db_url, tmp_path):
    with ExitStack() as stack:
        slow, busy, normal, feeds = (stack.enter_context(running()) for _ in range(4))
        slow_links = _site(slow, "slow", b"User-agent: *\nCrawl-delay: 100\nAllow: /\n")
        busy_links = _site(busy, "busy")
        busy.routes["/busy/0.html"] = static(429, b"", {"Retry-After": "900"})
        normal_links = _site(normal, "normal")
        url = _feed(feeds, slow_links + busy_links + normal_links)
        feeds_file = tmp_path / "feeds.yaml"
        feeds_file.write_text(f"feeds:\n  - url: {url}\n    name: M\n    allow_private: true\n")
        pairs = frozenset({slow.pair, busy.pair, normal.pair})
        settings = load_settings().with_(
            db_url=db_url, feeds_file=feeds_file, allowed_private=pairs, host_delay=0
        )
        pipeline.prepare(settings)
        pipeline.poll_feeds(settings, force=True)
        counts = {"copies": 0, "deferred": 0, "failed": 0}
        for batch in pipeline.plan_fetch(settings):
            for k, v in pipeline.fetch_batch(settings, batch).items():
                if k in counts:
                    counts[k] += v

        assert counts == {"copies": 4, "deferred": 4, "failed": 1}  # 3 normal + 1 slow; 2 slow + 2 busy wait
        with session_scope(db_url) as s:
            entries = {e.link: e for e in s.scalars(select(Entry))}
        assert all(entries[u].state == EntryState.DONE for u in normal_links)
        assert sum(entries[u].state == EntryState.DONE for u in slow_links) == 1
        assert entries[busy_links[0]].state == EntryState.FAILED  # 429 is worth a retry, later
        assert entries[busy_links[0]].fetch_error.startswith("rate_limited")
        waiting = [entries[u] for u in slow_links + busy_links[1:] if entries[u].state == EntryState.NEW]
        assert len(waiting) == 4 and all(e.fetch_attempts == 0 for e in waiting)  # deferral costs no attempt
        assert [p for p in busy.paths() if p.startswith("/busy/")] == ["/busy/0.html"]
        assert len([p for p in slow.paths() if p.startswith("/slow/")]) == 1

        state = DatabaseHostState(db_url)
        assert state.host(slow.pair).crawl_delay == 100
        assert state.host(busy.pair).blocked_until is not None
        assert pipeline.plan_fetch(settings)  # the waiting entries are planned again for a later run
