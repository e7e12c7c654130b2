"""Plain text out of HTML fragments: feed titles and summaries, page metadata, fallback summaries.

Every string newsmon stores or shows is text, never markup, so that no page or email can render what a
feed author (or an attacker who controls a feed or a page) put there. Tags are dropped, the content of
script-like elements with them, entities decoded, control characters removed. A second pass runs when
decoding revealed tags: publishers often escape HTML twice ("&amp;lt;b&amp;gt;"), and metadata read from
RCDATA (``<title><script>...</script></title>``) arrives as literal tag text. Text comes out in
Unicode NFC, so that the same word matches whichever composition the source used.
"""

from __future__ import annotations

import re
import unicodedata
from html import unescape
from html.parser import HTMLParser

_SKIP = frozenset({"script", "style", "template", "noscript", "iframe", "object", "svg", "math", "head"})
_BLOCK = frozenset(
    {
        "br",
        "p",
        "div",
        "li",
        "ul",
        "ol",
        "dl",
        "dt",
        "dd",
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
        "aside",
        "header",
        "footer",
        "figure",
        "figcaption",
        "hr",
    }
)
_SPACES = re.compile(r"[^\S\n]+")
_NEWLINES = re.compile(r"\s*\n\s*")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_TAGLIKE = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>")
# A plainly written tag: a name of ASCII letters and digits, attributes name="value", 'value' or a bare
# value, ASCII white space between them (the parser's own patterns read Unicode spaces differently), no
# angle bracket in a value. Such a tag ends where the parser ends it.
_WS = "[ \t\n\r\f]"
_PLAIN_TAG = re.compile(
    rf"<(?:/([A-Za-z][A-Za-z0-9]*){_WS}*"
    rf"|([A-Za-z][A-Za-z0-9]*)"
    rf"(?:{_WS}+[A-Za-z_:][-A-Za-z0-9_:.]*(?:{_WS}*={_WS}*(?:\"[^\"<>]*\"|'[^'<>]*'|[!#-&(-;?-_a-~]+))?)*"
    rf"{_WS}*/?)>"
)


class _TextCollector(HTMLParser):
    """Character data outside script-like elements; a newline where a block element starts or ends."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self._skipping += 1
        elif tag in _BLOCK:
            self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self._skipping = max(0, self._skipping - 1)
        elif tag in _BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def _strip_plain(value: str) -> str | None:
    """What ``_TextCollector`` makes of ``value`` when its markup is plain tags only (no script-like
    element, comment, declaration or stray "<"): the text between tags with its references decoded, a
    newline for each block tag. None for anything else, which the parser then reads.

    Feed titles and summaries are mostly such fragments; the parser (pure Python) cost more than the
    rest of a feed's parsing. The two agree on every fragment ``tests/extract/test_html_text.py`` tries.
    """
    parts: list[str] = []
    start = 0
    for tag in _PLAIN_TAG.finditer(value):
        text = value[start : tag.start()]
        if "<" in text:
            return None
        parts.append(unescape(text))
        name = (tag.group(1) or tag.group(2)).lower()
        if name in _SKIP:
            return None
        if name in _BLOCK:
            parts.append("\n")
        start = tag.end()
    text = value[start:]
    if "<" in text:
        return None
    parts.append(unescape(text))
    return "".join(parts)


def _strip_once(value: str) -> str:
    plain = _strip_plain(value)
    if plain is not None:
        return plain
    collector = _TextCollector()
    collector.feed(value)
    collector.close()
    return "".join(collector.parts)


def _stripped(value: str) -> str:
    """Markup removed, with a newline at every block boundary (not yet collapsed)."""
    if "<" in value or "&" in value:
        value = _strip_once(value)
        if _TAGLIKE.search(value):
            value = _strip_once(value)
    return unicodedata.normalize("NFC", _CONTROL.sub("", value.replace("\r", "\n")))


def html_to_text(value: object, *, limit: int | None = None) -> str:
    """``value`` (an HTML fragment, or any object's ``str``) as one line of plain text; "" when empty."""
    if value is None:
        return ""
    text = " ".join(_stripped(str(value)).split())
    return text[:limit] if limit is not None else text


def html_to_lines(value: object, *, limit: int | None = None) -> str:
    """``value`` as plain text with one line per paragraph, list item or other block; "" when empty."""
    if value is None:
        return ""
    text = _NEWLINES.sub("\n", _SPACES.sub(" ", _stripped(str(value)))).strip()
    return text[:limit] if limit is not None else text
