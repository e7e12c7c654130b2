"""The GDELT DOC 2.0 API as a discovery provider: request URLs and reading its answers.

What the API is like (checked against its documentation and against what others met using it):

* ``GET https://api.gdeltproject.org/api/v2/doc/doc?query=...&mode=artlist&format=json|rss&maxrecords=N
  &timespan=1d&sort=datedesc``; ``maxrecords`` at most 250, ``timespan`` like ``15min``, ``24h``, ``1w``.
* It searches the English machine translation of the news it monitors in 65 languages (native-language
  search was phased out), so a query is English words narrowed to the articles first written in one
  language with ``sourcelang:<language name>``. Languages it does not translate (Uzbek, Tajik, Kyrgyz)
  are narrowed to the country instead (``sourcecountry:``), whose press it monitors in other languages.
* JSON: ``{"articles": [{"url", "url_mobile", "title", "seendate", "socialimage", "domain", "language",
  "sourcecountry"}, ...]}``; nothing found is ``{}``. RSS: an RSS 2.0 channel, one item per article.
  ``seendate`` is when GDELT saw the article, not its date: it is not kept as the article's date.
* A query it cannot run is answered with a sentence of plain text, usually with HTTP 200 and
  ``text/html``: "The specified phrase is too short.", "Queries containing OR'd terms must be surrounded
  by ().", "Timespan is too short.". Too many requests get "Please limit requests to one every 5
  seconds ..." (HTTP 429, sometimes 200): one request per 5 seconds is its documented limit.
* Its JSON sometimes carries raw control characters inside strings; they are read leniently.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote, urlencode

from newsmon.config.discovery import AnswerFormat, ProviderConfig
from newsmon.discovery.results import FoundArticle, SearchError, SearchOutcome, failed
from newsmon.feeds.parse import FeedParseError, parse_feed
from newsmon.feeds.poll import FEED_ACCEPT
from newsmon.html_text import html_to_text
from newsmon.http.client import FetchResult
from newsmon.http.errors import HttpError

MAX_RECORDS = 250  # the API's own ceiling for mode=artlist

#: How a topic language is narrowed in GDELT: its ``sourcelang:`` name(s), or the country whose press
#: GDELT monitors when it does not translate the language. Several are OR'd (Bosnian/Croatian/Serbian).
LANGUAGE_FILTERS: dict[str, tuple[str, ...]] = {
    "en": ("sourcelang:english",),
    "ru": ("sourcelang:russian",),
    "de": ("sourcelang:german",),
    "fr": ("sourcelang:french",),
    "ar": ("sourcelang:arabic",),
    "es": ("sourcelang:spanish",),
    "it": ("sourcelang:italian",),
    "pt": ("sourcelang:portuguese",),
    "nl": ("sourcelang:dutch",),
    "pl": ("sourcelang:polish",),
    "sv": ("sourcelang:swedish",),
    "no": ("sourcelang:norwegian",),
    "da": ("sourcelang:danish",),
    "fi": ("sourcelang:finnish",),
    "tr": ("sourcelang:turkish",),
    "uk": ("sourcelang:ukrainian",),
    "sq": ("sourcelang:albanian",),
    "sh": ("sourcelang:bosnian", "sourcelang:croatian", "sourcelang:serbian"),
    "kk": ("sourcelang:kazakh",),
    "uz": ("sourcecountry:uzbekistan",),
    "tg": ("sourcecountry:tajikistan",),
    "ky": ("sourcecountry:kyrgyzstan",),
    "az": ("sourcelang:azerbaijani",),
    "fa": ("sourcelang:persian",),
    "id": ("sourcelang:indonesian",),
    "hu": ("sourcelang:hungarian",),
    "ro": ("sourcelang:romanian",),
    "cs": ("sourcelang:czech",),
    "el": ("sourcelang:greek",),
    "ca": ("sourcelang:catalan",),
}
ANY = "any"
_RATE_LIMIT_TEXT = "limit requests"


def language_filter(lang: str) -> str:
    """The filter that narrows a search to ``lang`` ("" for "any")."""
    if lang == ANY:
        return ""
    filters = LANGUAGE_FILTERS[lang]
    return filters[0] if len(filters) == 1 else "(" + " OR ".join(filters) + ")"


class GdeltProvider:
    def __init__(self, config: ProviderConfig) -> None:
        self.config = config

    def supports(self, lang: str) -> bool:
        return lang == ANY or lang in LANGUAGE_FILTERS

    @property
    def accept(self) -> str:
        return "application/json" if self.config.format == AnswerFormat.JSON else FEED_ACCEPT

    def request_url(self, query: str, lang: str) -> str:
        text = " ".join(part for part in (query, language_filter(lang)) if part)
        params = {
            "query": text,
            "mode": "artlist",
            "format": str(self.config.format),
            "maxrecords": str(min(self.config.max_records, MAX_RECORDS)),
            "timespan": self.config.timespan,
            "sort": "datedesc",
        }
        return f"{self.config.url}?{urlencode(params, quote_via=quote)}"

    def read_answer(self, result: FetchResult) -> SearchOutcome:
        if result.error_kind is not None or not result.ok:
            kind = result.error_kind or HttpError.HTTP_OTHER
            return failed(kind, result.error or f"HTTP {result.status}")
        text = result.body.decode("utf-8", errors="replace").lstrip("\ufeff").strip()
        if self.config.format == AnswerFormat.JSON and text.startswith(("{", "[")):
            return self._read_json(text)
        if self.config.format == AnswerFormat.RSS and text.startswith("<") and not _looks_html(text):
            return self._read_rss(result)
        return _plain_answer(text, result.headers.get("content-type", ""))

    def _read_json(self, text: str) -> SearchOutcome:
        try:
            data = json.loads(text, strict=False)  # raw control characters inside strings happen
        except ValueError as exc:
            return failed(SearchError.BAD_ANSWER, f"not JSON: {exc}")
        if not isinstance(data, dict):
            return failed(
                SearchError.BAD_ANSWER, f"JSON {type(data).__name__}, not an object with 'articles'"
            )
        items = data.get("articles", [])  # {} is GDELT's "nothing found"
        if not isinstance(items, list):
            return failed(SearchError.BAD_ANSWER, f"'articles' is a {type(items).__name__}, not a list")
        found = [a for a in (_article(item) for item in items) if a is not None]
        return SearchOutcome(articles=tuple(found[: self.config.max_records]), listed=len(items))

    def _read_rss(self, result: FetchResult) -> SearchOutcome:
        try:
            parsed = parse_feed(result.body, url=result.final_url, headers=result.headers)
        except FeedParseError as exc:
            return failed(SearchError.BAD_ANSWER, f"{exc.kind}: {exc.message}")
        found = [
            FoundArticle(url=e.link, title=e.title)
            for e in parsed.entries
            if e.link  # pubDate = seendate
        ]
        return SearchOutcome(articles=tuple(found[: self.config.max_records]), listed=parsed.items)


def _article(item: Any) -> FoundArticle | None:
    if not isinstance(item, dict) or not isinstance(item.get("url"), str) or not item["url"].strip():
        return None
    title = item.get("title")
    return FoundArticle(url=item["url"].strip(), title=title.strip() if isinstance(title, str) else "")


def _looks_html(text: str) -> bool:
    head = text[:200].lower()
    return head.startswith(("<!doctype html", "<html")) or "<body" in head


def _plain_answer(text: str, content_type: str) -> SearchOutcome:
    """GDELT's plain-text answers: a rate-limit notice (an outage for now) or why it refused the query."""
    sentence = " ".join((html_to_text(text, limit=5000) if text.startswith("<") else text).split())[:500]
    if _RATE_LIMIT_TEXT in sentence.lower():
        return failed(HttpError.RATE_LIMITED, sentence)
    if not sentence:
        return failed(SearchError.BAD_ANSWER, f"empty answer ({content_type or 'no Content-Type'})")
    if len(text) <= 2000:
        return failed(SearchError.QUERY_REJECTED, sentence)
    return failed(SearchError.BAD_ANSWER, f"unexpected {content_type or 'answer'}: {sentence[:200]}")
