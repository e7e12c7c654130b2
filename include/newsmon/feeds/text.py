"""Plain text and sane dates out of feed fields.

Titles and summaries are stored as text, never HTML, so that no page or email can ever render markup a
feed author (or an attacker who controls a feed) put there. Dates are clamped because feeds publish
"1970-01-01" placeholders and far-future timestamps that would pin an entry to the top forever.
"""

from __future__ import annotations

import email.utils
import re
import time
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

EARLIEST = datetime(1995, 1, 1, tzinfo=UTC)
FUTURE_SLACK = timedelta(days=1)

_SKIP = frozenset({"script", "style", "template", "noscript", "iframe", "object", "svg", "math", "head"})
_BREAK = frozenset(
    {
        "br",
        "p",
        "div",
        "li",
        "ul",
        "ol",
        "tr",
        "td",
        "th",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "pre",
        "table",
        "section",
        "article",
        "header",
        "footer",
        "figure",
        "figcaption",
        "hr",
    }
)
_SPACES = re.compile(r"\s+")
_TAGLIKE = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>")


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in _SKIP:
            self._skipping += 1
        elif tag in _BREAK:
            self.parts.append(" ")

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        if tag in _BREAK:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self._skipping = max(0, self._skipping - 1)
        elif tag in _BREAK:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def _strip_once(value: str) -> str:
    collector = _TextCollector()
    collector.feed(value)
    collector.close()
    return "".join(collector.parts)


def html_to_text(value: str | None) -> str:
    """Tags stripped (script/style content dropped), entities decoded, whitespace collapsed.

    A second pass runs when decoding revealed tags: publishers often escape HTML twice
    ("&amp;lt;b&amp;gt;"), and a reader should not see "<b>" in a title, nor a careless page render it.
    """
    if not value:
        return ""
    if "<" in value or "&" in value:
        value = _strip_once(value)
        if _TAGLIKE.search(value):
            value = _strip_once(value)
    return _SPACES.sub(" ", value.replace("\x00", "")).strip()


def sane_date(value: datetime | None, *, now: datetime | None = None) -> datetime | None:
    """UTC datetime, or None when before 1995 or more than a day in the future (placeholders, typos)."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    value = value.astimezone(UTC)
    now = now or datetime.now(UTC)
    if value < EARLIEST or value > now + FUTURE_SLACK:
        return None
    return value


def from_struct(value: time.struct_time | None) -> datetime | None:
    """feedparser's ``*_parsed`` fields are UTC struct_times."""
    if not value:
        return None
    try:
        return datetime(*value[:6], tzinfo=UTC)
    except (TypeError, ValueError, OverflowError):
        return None


def parse_date_string(value: str | None) -> datetime | None:
    """RFC 822 or ISO 8601 text to an aware datetime (naive means UTC); None if unreadable."""
    if not value or not isinstance(value, str):
        return None
    value = value.strip()
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        parsed = None
    if parsed is None:
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError:
            return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
