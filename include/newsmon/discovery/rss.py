"""Any news search that answers RSS or Atom, as a discovery provider: a URL template with ``{query}``.

``{query}`` is replaced by the URL-encoded search text, ``{lang}`` by the topic language's code (empty for
a query without a language). The answer is read like any feed (``feeds.parse``: size, entity and
encoding defences included); each item's link is an article. Search engines often wrap those links in
a redirect of their own (``...?url=https%3A...``): the store unwraps them offline (``stories.urls``),
so the article is fetched from its site, never through the tracker.
"""

from __future__ import annotations

from urllib.parse import quote_plus

from newsmon.config.discovery import ProviderConfig
from newsmon.discovery.results import FoundArticle, SearchError, SearchOutcome, failed
from newsmon.feeds.parse import FeedParseError, parse_feed
from newsmon.feeds.poll import FEED_ACCEPT
from newsmon.http.client import FetchResult
from newsmon.http.errors import HttpError


class RssSearchProvider:
    accept = FEED_ACCEPT

    def __init__(self, config: ProviderConfig) -> None:
        self.config = config

    def supports(self, lang: str) -> bool:
        return True

    def request_url(self, query: str, lang: str) -> str:
        return self.config.url.replace("{query}", quote_plus(query)).replace(
            "{lang}", "" if lang == "any" else quote_plus(lang)
        )

    def read_answer(self, result: FetchResult) -> SearchOutcome:
        if result.error_kind is not None or not result.ok:
            return failed(result.error_kind or HttpError.HTTP_OTHER, result.error or f"HTTP {result.status}")
        try:
            parsed = parse_feed(result.body, url=result.final_url, headers=result.headers)
        except FeedParseError as exc:
            return failed(SearchError.BAD_ANSWER, f"{exc.kind}: {exc.message}")
        found = [
            FoundArticle(url=e.link, title=e.title, published=e.published) for e in parsed.entries if e.link
        ]
        return SearchOutcome(articles=tuple(found[: self.config.max_records]), listed=parsed.items)
