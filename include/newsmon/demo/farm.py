"""A farm of generated feeds on 127.0.0.1: many ordinary feeds and one huge one, for the fairness test
and ``bench/feeds.py --mode fairness``.

Feed ``n`` lives at ``/feed{n}/rss.xml`` and lists ``items`` articles; the huge feed at
``/huge/rss.xml`` lists ``huge_items`` (20,000 by default). Every article page is generated from its
path (a few paragraphs of made-up words, so extraction has something to find and no two pages are
alike), so the farm holds only the feed documents in memory. ``mint()`` gives the huge feed a new set of
ids, like a feed that renumbers everything on every poll. Loopback only; the standard library only.
"""

from __future__ import annotations

import hashlib
import threading
from collections import Counter
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType

_VOCABULARY = (
    "harbour council ferry bridge winter budget school river market library station village festival road "
    "museum clinic bakery orchard mayor teacher farmer railway weather storm election lighthouse hospital "
    "factory garden theatre court island valley mountain coast"
)
WORDS = _VOCABULARY.split()
_NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)


def _words(seed: str, count: int) -> str:
    digest = hashlib.sha256(seed.encode()).digest()
    picked = [WORDS[(digest[i % 32] + i * 7) % len(WORDS)] for i in range(count)]
    return " ".join(picked)


def article_html(path: str) -> bytes:
    """The page at ``path``: a title and five paragraphs that differ from every other path's."""
    title = _words(path + "#title", 6).capitalize()
    paragraphs = "".join(
        f"<p>{_words(f'{path}#{n}', 24).capitalize()}, the {_words(path, 3)} said on {path}.</p>"
        for n in range(5)
    )
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title></head>'
        f"<body><nav><a href='/'>Home</a></nav><article><h1>{title}</h1>{paragraphs}</article>"
        "<footer>Farm News, all rights reserved</footer></body></html>"
    ).encode()


def feed_xml(base: str, name: str, items: int, generation: int = 0) -> bytes:
    """RSS 2.0 with ``items`` items, newest first, one a minute; ids change with ``generation``."""
    parts = [
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>',
        f"<title>Farm {name}</title><link>{base}/{name}/</link><description>generated</description>",
    ]
    for j in range(items):
        path = f"/{name}/g{generation}/a{j}.html"
        when = format_datetime(_NOW - timedelta(minutes=j))
        parts.append(
            f"<item><title>{name} item {j} g{generation}</title><link>{base}{path}</link>"
            f"<guid>{base}{path}</guid><pubDate>{when}</pubDate>"
            f"<description>Summary of {name} item {j}.</description></item>"
        )
    parts.append("</channel></rss>")
    return "".join(parts).encode()


class FeedFarm:
    """``with FeedFarm(feeds=100, items=3) as farm:`` serves until the block ends."""

    def __init__(self, feeds: int = 100, items: int = 3, huge_items: int = 20_000) -> None:
        self.feeds, self.items, self.huge_items = feeds, items, huge_items
        self.generation = 0
        self.hits: Counter[str] = Counter()  # article fetches per feed name ("feed7", "huge")
        self._lock = threading.Lock()
        self._docs: dict[str, bytes] = {}
        farm = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out in two writes: with Nagle's algorithm on, the second waits for the
            # client's delayed ACK (40 ms) on a kept connection. Web servers turn it off (TCP_NODELAY).
            disable_nagle_algorithm = True

            def do_GET(self) -> None:
                status, ctype, body = farm._answer(self.path.split("?", 1)[0])
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    def _answer(self, path: str) -> tuple[int, str, bytes]:
        if path == "/robots.txt":
            return 200, "text/plain", b"User-agent: *\nAllow: /\n"
        name, _, rest = path.strip("/").partition("/")
        if rest == "rss.xml" and (name == "huge" or name.removeprefix("feed").isdigit()):
            return 200, "application/rss+xml", self._feed(name)
        if rest.endswith(".html"):
            with self._lock:
                self.hits[name] += 1
            return 200, "text/html; charset=utf-8", article_html(path)
        return 404, "text/plain", b"not here"

    def _feed(self, name: str) -> bytes:
        key = f"{name}@{self.generation if name == 'huge' else 0}"
        with self._lock:
            doc = self._docs.get(key)
        if doc is None:
            if name == "huge":
                doc = feed_xml(self.base_url, name, self.huge_items, self.generation)
            else:
                doc = feed_xml(self.base_url, name, self.items)
            with self._lock:
                self._docs = {k: v for k, v in self._docs.items() if not k.startswith("huge@")} | {key: doc}
        return doc

    def mint(self) -> None:
        """The huge feed renumbers every item: all its ids are new on the next poll."""
        self.generation += 1

    def feed_urls(self) -> dict[str, str]:
        """Feed name -> URL, the huge feed first (lowest ids: the worst case for a queue read in id order)."""
        names = ["huge"] + [f"feed{n}" for n in range(self.feeds)]
        return {name: f"{self.base_url}/{name}/rss.xml" for name in names}

    def write_feeds_yaml(self, path: Path) -> Path:
        lines = ["feeds:"]
        for name, url in self.feed_urls().items():
            lines += [f'  - url: "{url}"', f'    name: "Farm {name}"', "    allow_private: true"]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path

    def __enter__(self) -> FeedFarm:
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=30)
