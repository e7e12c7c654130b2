"""A local server on 127.0.0.1 that answers like the GDELT DOC 2.0 API (``/api/v2/doc/doc``).

What it imitates (see newsmon.discovery.gdelt): ``mode=artlist`` with ``format=json`` (``{"articles":
[...]}``, ``{}`` when nothing matched) or ``format=rss`` (an RSS 2.0 channel); ``maxrecords`` capped at 250;
``sourcelang:`` and ``sourcecountry:`` picking the articles of one language; and its plain-text refusals,
checked on the query itself the way GDELT checks them: an OR outside parentheses, a quoted phrase under
five characters, a keyword under four, a timespan under an hour. Tests set what it answers per language
(``articles``) and can make it misbehave (``trouble``): rate-limit notices, a 503 outage, an answer far
over any sane size, broken JSON. Every request is recorded with its parsed parameters.
"""

from __future__ import annotations

import http.server
import json
import re
import shlex
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

from tests.http.localserver import LocalServer, respond

PATH = "/api/v2/doc/doc"
RATE_LIMIT_TEXT = "Please limit requests to one every 5 seconds or contact the project for larger queries."


@dataclass
class Request:
    params: dict[str, str]

    @property
    def query(self) -> str:
        return self.params.get("query", "")

    @property
    def language(self) -> str | None:
        found = re.search(r"source(?:lang|country):(\w+)", self.query)
        return found.group(1) if found else None


@dataclass
class FakeGdelt:
    server: LocalServer
    articles: dict[str, list[dict]] = field(default_factory=dict)  # sourcelang name ("" = any) -> articles
    trouble: str | None = None  # None | rate_limited | rate_limited_200 | down | oversized | broken_json
    requests: list[Request] = field(default_factory=list)

    @property
    def url(self) -> str:
        return self.server.url(PATH)

    @property
    def pair(self) -> str:
        return self.server.pair

    def article(self, url: str, title: str, lang: str = "English", country: str = "United Kingdom") -> dict:
        """One article as the JSON list shows it."""
        domain = urlsplit(url).hostname or ""
        return {
            "url": url,
            "url_mobile": "",
            "title": title,
            "seendate": "20260312T101500Z",
            "socialimage": f"https://{domain}/cover.jpg",
            "domain": domain,
            "language": lang,
            "sourcecountry": country,
        }

    def handle(self, h: http.server.BaseHTTPRequestHandler) -> None:
        params = {k: v[0] for k, v in parse_qs(urlsplit(h.path).query, keep_blank_values=True).items()}
        request = Request(params)
        self.requests.append(request)
        if self.trouble == "down":
            return respond(h, 503, b"Service Unavailable", {"Content-Type": "text/html"})
        if self.trouble == "rate_limited":
            return respond(h, 429, RATE_LIMIT_TEXT.encode(), {"Content-Type": "text/html"})
        if self.trouble == "rate_limited_200":
            return respond(h, 200, RATE_LIMIT_TEXT.encode(), {"Content-Type": "text/html; charset=utf-8"})
        refusal = refuse(params)
        if refusal:
            return respond(h, 200, refusal.encode(), {"Content-Type": "text/html; charset=utf-8"})
        if self.trouble == "oversized":
            return self._oversized(h)
        records = min(int(params.get("maxrecords", "75")), 250)
        found = self.articles.get(request.language or "", [])[:records]
        if params.get("format", "html").lower() == "rss":
            return respond(h, 200, rss(found), {"Content-Type": "application/rss+xml; charset=utf-8"})
        if self.trouble == "broken_json":
            return respond(h, 200, b'{"articles": [{"url": "http://x', {"Content-Type": "application/json"})
        body = json.dumps({"articles": found} if found else {}, ensure_ascii=False).encode()
        respond(h, 200, body, {"Content-Type": "application/json; charset=utf-8"})

    def _oversized(self, h: http.server.BaseHTTPRequestHandler) -> None:
        """A JSON answer of ~64 MB, streamed without Content-Length: a client must stop reading at its cap."""
        h.send_response(200)
        h.send_header("Content-Type", "application/json")
        h.send_header("Connection", "close")
        h.end_headers()
        h.close_connection = True
        h.wfile.write(b'{"articles": [')
        item = json.dumps(self.article("https://example.org/a", "x" * 900)).encode() + b","
        for _ in range(64 * 1024 * 1024 // len(item)):
            h.wfile.write(item)


def refuse(params: dict[str, str]) -> str | None:
    """GDELT's plain-text refusal of a query, or None when it would run it."""
    if params.get("mode", "").lower() != "artlist":
        return "Invalid mode."
    timespan = params.get("timespan", "")
    if re.fullmatch(r"\d+min", timespan) and int(timespan[:-3]) < 60:
        return "Timespan is too short."
    query = params.get("query", "")
    try:
        tokens = shlex.split(query.replace("(", " ( ").replace(")", " ) "), posix=False)
    except ValueError:
        return "Your query contained an unmatched quote."
    depth = 0
    for word in tokens:
        if word in ("(", ")"):
            depth += 1 if word == "(" else -1
        elif word == "OR":
            if depth == 0:
                return "Queries containing OR'd terms must be surrounded by ()."
        elif (word.startswith('"') and len(word.strip('"')) < 5) or (":" not in word and len(word) < 4):
            return "The specified phrase is too short."
    return None


def rss(articles: list[dict]) -> bytes:
    """The RSS 2.0 answer of format=rss: one item per article, pubDate = when GDELT saw it."""
    seen = format_datetime(datetime(2026, 3, 12, 10, 15, tzinfo=UTC))
    items = "".join(
        f"<item><title>{escape(a['title'])}</title><link>{escape(a['url'])}</link>"
        f"<description>{escape(a['domain'])}</description><pubDate>{seen}</pubDate>"
        f"<guid>{escape(a['url'])}</guid></item>"
        for a in articles
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>GDELT DOC API</title>'
        "<link>https://gdeltproject.org/</link><description>search results</description>"
        f"{items}</channel></rss>"
    ).encode()


@contextmanager
def fake_gdelt() -> Iterator[FakeGdelt]:
    server = LocalServer().start()
    fake = FakeGdelt(server)
    server.route(PATH, fake.handle)
    try:
        yield fake
    finally:
        server.stop()
