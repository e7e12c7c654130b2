"""Feed bytes -> ParsedFeed: RSS 0.9x/1.0/2.0, Atom, RDF via feedparser, JSON Feed 1.x by hand.

Decisions that are easy to get wrong, hence written down:
- feedparser is given an ``io.BytesIO``, never raw bytes or str: given bytes or str it first tries
  ``open(value)``, so a response body reading "/etc/passwd" would be read from disk.
- Bytes are decoded by ``charset.decode_body`` first (feedparser's fallback makes mojibake of lying feeds).
- An internal DTD with ENTITY declarations is removed before parsing (billion laughs, quadratic
  blow-up, external entities). Small literal entities are expanded by us within a fixed budget, so a
  harmless ``<!ENTITY copy "(c)">`` still reads right. expat's own amplification limit only starts at
  8 MiB of output, far too late for a 10 MiB body.
- Well-formed RSS 2.0/RDF/Atom documents go through :mod:`newsmon.feeds.fastparse` (lxml), which gives
  the same raw values as feedparser or declines the whole document, which feedparser then parses.
- Entries of a feed that is not well-formed are kept (feedparser's loose parser), with the reason.
- At most ``MAX_ITEMS`` items are parsed: feedparser spends ~0.5 ms per item, so a 20,000-item feed
  cost 10 s of CPU on every poll for entries of which only the newest few hundred are ever kept
  (``store.entries``). Beyond the cap the middle of the document is cut out before parsing, keeping the
  first and the last ``MAX_ITEMS // 2`` items: whichever way the feed is sorted, its newest are kept.
  ``ParsedFeed.items`` still counts every item the document listed.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any
from urllib.parse import urljoin, urlsplit

from newsmon.feeds import fastparse, jsonfeed
from newsmon.feeds.text import from_struct, parse_date_string, sane_date
from newsmon.html_text import html_to_text
from newsmon.http import charset

log = logging.getLogger(__name__)

_DOCTYPE = re.compile(r"<!DOCTYPE\s[^\[>]*\[(.*?)\]\s*>", re.DOTALL | re.IGNORECASE)
_ENTITY = re.compile(r"""<!ENTITY\s+(%\s+)?([^\s%;&<>"']+)\s+(?:"([^"]*)"|'([^']*)'|[^>]*)>""", re.DOTALL)
_ENTITY_BUDGET = 64 * 1024
_MAX_KEY = 1024
_FORMATS = {"rss10": "rdf", "rss090": "rdf"}
_GUNZIP_LIMIT = 20 * 1024 * 1024
MAX_ITEMS = 1000
_ITEM_START = re.compile(r"<(?:[A-Za-z_][\w.-]*:)?(?:item|entry)[\s/>]")
_ITEM_END = re.compile(r"</(?:[A-Za-z_][\w.-]*:)?(?:item|entry)\s*>")


class FeedError(StrEnum):
    """Why a poll failed when HTTP did not (those are :class:`~newsmon.http.errors.HttpError`).

    Stored in ``feeds.last_error_kind`` like the HTTP kinds.
    """

    PARSE = "parse"  # broken XML or JSON with nothing usable, or a malformed JSON Feed
    NOT_A_FEED = "not_a_feed"  # e.g. an HTML page
    INTERNAL = "internal"  # a bug met while polling this feed


class FeedParseError(Exception):
    """Nothing usable in the document; ``kind`` says whether it is broken or not a feed at all."""

    def __init__(self, kind: FeedError, message: str) -> None:
        super().__init__(f"{kind}: {message}")
        self.kind = kind
        self.message = message


@dataclass(frozen=True)
class FeedEntry:
    key: str
    link: str | None
    title: str
    summary: str
    published: datetime | None
    author: str | None = None


@dataclass(frozen=True)
class ParsedFeed:
    title: str | None
    link: str | None
    lang: str | None
    format: str
    entries: tuple[FeedEntry, ...]
    bozo_reason: str | None
    encoding: str | None = None
    encoding_note: str | None = None
    """Set when the bytes contradicted the declared encoding (see ``charset.decode_body``)."""
    items: int = 0
    """Items the document listed, those beyond ``MAX_ITEMS`` (not parsed) included."""


def _defuse_entities(text: str) -> tuple[str, str | None]:
    """Remove an internal DTD that declares entities; expand small literal ones within a budget."""
    head = text[:65536]
    match = _DOCTYPE.search(head)
    if not match or "<!ENTITY" not in match.group(1):
        return text, None
    literals: dict[str, str] = {}
    declared: set[str] = set()
    for m in _ENTITY.finditer(match.group(1)):
        if m.group(1):  # parameter entity: never expanded
            continue
        name = m.group(2)
        declared.add(name)
        value = m.group(3) if m.group(3) is not None else m.group(4)
        if value is not None and not any(c in value for c in "&%<"):
            literals[name] = value
    body = text[: match.start()] + text[match.end() :]
    budget = [_ENTITY_BUDGET]

    def expand(ref: re.Match[str]) -> str:
        value = literals.get(ref.group(1), "")
        if len(value) > budget[0]:
            return ""
        budget[0] -= len(value)
        return value

    if declared:
        names = "|".join(re.escape(n) for n in sorted(declared, key=len, reverse=True))
        body = re.sub(rf"&({names});", expand, body)
    reason = f"internal DTD with {len(declared)} entity declaration(s) removed"
    if budget[0] <= 0 or any(n not in literals for n in declared):
        reason += " (some references dropped)"
    return body, reason


def _cap_items(text: str, cap: int = MAX_ITEMS) -> tuple[str, int]:
    """The document with only its first and last ``cap // 2`` items, and how many were cut out."""
    starts = [m.start() for m in _ITEM_START.finditer(text)]
    if len(starts) <= cap:
        return text, 0
    head, tail = cap // 2, cap - cap // 2
    ends = list(_ITEM_END.finditer(text, starts[head - 1] if head else 0, starts[-tail]))
    if not ends:
        return text, 0
    cut_from = ends[0].end() if head else starts[0]
    cut_to = starts[-tail]
    return text[:cut_from] + text[cut_to:], len(starts) - cap


def _gunzip_if_needed(body: bytes) -> bytes:
    """Some servers send ``feed.xml.gz`` bytes without Content-Encoding; inflate them, bounded."""
    if not body.startswith(b"\x1f\x8b"):
        return body
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(body, _GUNZIP_LIMIT)
    except zlib.error as exc:
        raise FeedParseError(FeedError.PARSE, f"gzip-compressed body is corrupt: {exc}") from None
    if inflater.unconsumed_tail:
        raise FeedParseError(FeedError.PARSE, f"gzip-compressed body inflates beyond {_GUNZIP_LIMIT} bytes")
    return out


def _absolute(link: Any, base: str) -> str | None:
    """An absolute http(s) link, resolved against ``base``; anything else (javascript:, mailto:) is None."""
    if not isinstance(link, str) or not link.strip():
        return None
    absolute = urljoin(base, link.strip())
    return absolute if urlsplit(absolute).scheme in ("http", "https") else None


def _entry_key(raw_id: Any, link: str | None, title: str, summary: str, published: datetime | None) -> str:
    if isinstance(raw_id, str) and raw_id.strip():
        key = raw_id.strip()
        if len(key) <= _MAX_KEY:
            return key
        return "sha256:" + hashlib.sha256(key.encode("utf-8")).hexdigest()
    if link:
        return link if len(link) <= _MAX_KEY else "sha256:" + hashlib.sha256(link.encode("utf-8")).hexdigest()
    material = "\x1f".join((title, summary, published.isoformat() if published else ""))
    return "sha256:" + hashlib.sha256(material.encode("utf-8")).hexdigest()


def _make_entry(
    raw_id: Any,
    raw_link: Any,
    raw_title: Any,
    raw_summary: Any,
    published: datetime | None,
    author: Any,
    base: str,
    now: datetime | None,
) -> FeedEntry:
    title = html_to_text(raw_title if isinstance(raw_title, str) else "")
    summary = html_to_text(raw_summary if isinstance(raw_summary, str) else "")
    link = _absolute(raw_link, base)
    published = sane_date(published, now=now)
    author_text = html_to_text(author) if isinstance(author, str) else None
    return FeedEntry(
        key=_entry_key(raw_id, link, title, summary, published),
        link=link,
        title=title,
        summary=summary,
        published=published,
        author=author_text or None,
    )


def _parse_json(text: str, url: str, decoded: charset.Decoded, now: datetime | None) -> ParsedFeed:
    try:
        doc = jsonfeed.load(text)
    except jsonfeed.NotJsonFeed as exc:
        raise FeedParseError(FeedError.PARSE, str(exc)) from None
    problems = "; ".join(doc["problems"]) or None
    base = _absolute(doc["link"], url) or url
    listed = doc["entries"]
    if len(listed) > MAX_ITEMS:  # as for XML (module docstring): the first and the last half of the cap
        listed = listed[: MAX_ITEMS // 2] + listed[-(MAX_ITEMS - MAX_ITEMS // 2) :]
    entries = tuple(
        _make_entry(
            e["id"],
            e["link"],
            e["title"],
            e["summary"],
            parse_date_string(e["published"]),
            e["author"],
            url,
            now,
        )
        for e in listed
    )
    return ParsedFeed(
        title=html_to_text(doc["title"]) or None,
        link=base if doc["link"] else None,
        lang=doc["lang"],
        format="json1",
        entries=entries,
        bozo_reason=problems,
        encoding=decoded.encoding,
        encoding_note=decoded.note,
        items=len(doc["entries"]),
    )


def _entry_date(entry: Mapping[str, Any]) -> datetime | None:
    for field in ("published", "updated", "created"):
        value = from_struct(entry.get(f"{field}_parsed")) or parse_date_string(entry.get(field))
        if value is not None:
            return value
    return None


def _from_raw(
    raw: fastparse.RawFeed, url: str, decoded: charset.Decoded, now: datetime | None, uncounted: int
) -> ParsedFeed:
    """A ParsedFeed from the fast path's raw values, through the same ``_make_entry`` as feedparser's."""
    entries = tuple(
        _make_entry(e.raw_id, e.link, e.title, e.summary, _raw_date(e.published), e.author, url, now)
        for e in raw.entries
    )
    return ParsedFeed(
        title=html_to_text(raw.title) or None,
        link=_absolute(raw.link, url),
        lang=raw.lang or None,
        format=_FORMATS.get(raw.version, raw.version),
        entries=entries,
        bozo_reason=None,
        encoding=decoded.encoding,
        encoding_note=decoded.note,
        items=len(entries) + uncounted,
    )


def _raw_date(dates: Mapping[str, tuple[Any, str]]) -> datetime | None:
    """``_entry_date`` on the fast path's (feedparser-parsed struct, text) pairs."""
    for field in ("published", "updated", "created"):
        pair = dates.get(field)
        if pair is None:
            continue
        value = from_struct(pair[0]) or parse_date_string(pair[1])
        if value is not None:
            return value
    return None


def parse_feed(
    body: bytes,
    *,
    url: str,
    headers: Mapping[str, str] | None = None,
    now: datetime | None = None,
    fast: bool = True,
) -> ParsedFeed:
    """Parse a feed document fetched from ``url`` (the final URL, used as the base for relative links).

    Raises :class:`FeedParseError` only when nothing usable is in the document; a feed with entries
    but broken XML returns them with ``bozo_reason`` set. ``now`` bounds future dates (default: now).
    ``fast=False`` skips the lxml fast path (:mod:`newsmon.feeds.fastparse`): the reference for tests
    and the benchmark, which prove both give the same result.
    """
    import feedparser  # heavy: keep `import newsmon` cheap

    lowered = {k.lower(): v for k, v in (headers or {}).items()}
    if not body or not body.strip():
        raise FeedParseError(FeedError.PARSE, "empty document")
    body = _gunzip_if_needed(body)
    decoded = charset.decode_body(body, lowered.get("content-type"))
    text = decoded.text.removeprefix("\ufeff")
    stripped = text.lstrip()
    ctype = lowered.get("content-type", "").lower()
    if stripped.startswith("{") or ("json" in ctype and not stripped.startswith("<")):
        return _parse_json(stripped, url, decoded, now)

    text, entity_reason = _defuse_entities(text)
    text, uncounted = _cap_items(text)
    data = charset.as_utf8_xml(text)
    if entity_reason is None and fast:
        raw = fastparse.parse_raw(data, url)
        if raw is not None and raw.entries:
            return _from_raw(raw, url, decoded, now, uncounted)
    result = feedparser.parse(
        io.BytesIO(data),
        response_headers={"content-type": "application/xml; charset=utf-8", "content-location": url},
        sanitize_html=False,
        resolve_relative_uris=False,
    )
    reasons = [r for r in (entity_reason,) if r]
    if result.get("bozo"):
        exc = result.get("bozo_exception")
        reasons.append(f"{type(exc).__name__}: {exc}" if exc else "not well-formed")
    bozo_reason = "; ".join(reasons) or None
    version = result.get("version") or ""
    feed = result.get("feed", {})
    if not result.entries and (not version or result.get("bozo")):
        if not version:
            looks_html = re.match(r"\s*(<!doctype\s+html|<html)", text[:2048], re.IGNORECASE)
            kind, what = (
                (FeedError.NOT_A_FEED, "an HTML page") if looks_html else (FeedError.PARSE, "no feed found")
            )
            raise FeedParseError(kind, f"{what}{': ' + bozo_reason if bozo_reason else ''}")
        raise FeedParseError(FeedError.PARSE, bozo_reason or "no entries")
    feed_link = _absolute(feed.get("link"), url)
    entries = tuple(
        _make_entry(
            e.get("id"),
            e.get("link"),
            e.get("title"),
            e.get("summary") or e.get("description"),
            _entry_date(e),
            e.get("author"),
            url,
            now,
        )
        for e in result.entries
    )
    return ParsedFeed(
        title=html_to_text(feed.get("title")) or None,
        link=feed_link,
        lang=(feed.get("language") or None),
        format=_FORMATS.get(version, version or "unknown"),
        entries=entries,
        bozo_reason=bozo_reason,
        encoding=decoded.encoding,
        encoding_note=decoded.note,
        items=len(entries) + uncounted,
    )
