"""Small metadata readings trafilatura does not give us, and plain-text hygiene for all of it.

trafilatura reports a canonical URL but falls back to the page URL without saying so, and it does
not read the declared language; both are cheap XPath lookups on the tree it parses anyway.
Metadata strings come from attacker-controlled markup ("<title><script>...</script></title>" is
RCDATA, so it arrives as literal tag text): every one is reduced to plain text here, once.
"""

from __future__ import annotations

import html
import re
from urllib.parse import urljoin, urlsplit

from lxml import etree

_TAGLIKE = re.compile(r"<\s*/?\s*[a-zA-Z!][^>]*>?")
_SCRIPTISH = re.compile(
    r"<\s*(script|style|iframe|object|noscript|template)\b.*?(?:<\s*/\s*\1\s*>|$)", re.IGNORECASE | re.DOTALL
)
_SPACES = re.compile(r"\s+")
_LANG = re.compile(r"^([a-zA-Z]{2,3})(?:[-_][a-zA-Z0-9]+)*$")


def plain_text(value: object, *, limit: int = 1000) -> str | None:
    """``value`` as one line of plain text: tags and their script bodies removed, entities decoded."""
    if value is None:
        return None
    text = str(value)
    if "<" in text:
        text = _SCRIPTISH.sub(" ", text)
        text = _TAGLIKE.sub(" ", text)
    text = html.unescape(text)
    if "<" in text:  # entity-encoded markup ("&lt;script&gt;") decoded into tags: strip again
        text = _TAGLIKE.sub(" ", _SCRIPTISH.sub(" ", text))
    text = _SPACES.sub(" ", text).strip()
    text = "".join(ch for ch in text if ch.isprintable())
    return text[:limit] or None


def _first(tree: etree._Element, xpath: str) -> str | None:
    try:
        found = tree.xpath(xpath)
    except etree.XPathError:
        return None
    for value in found:
        value = str(value).strip()
        if value:
            return value
    return None


def declared_language(tree: etree._Element) -> str | None:
    """ISO 639-1 code from ``<html lang>``, Content-Language meta or og:locale, if declared."""
    for xpath in (
        "/html/@lang",
        "/html/@xml:lang",
        "//meta[translate(@http-equiv,'CONTENTLAGU','contentlagu')='content-language']/@content",
        "//meta[@property='og:locale']/@content",
        "//meta[@name='language']/@content",
    ):
        value = _first(tree, xpath)
        code = normalise_language(value)
        if code:
            return code
    return None


def normalise_language(value: str | None) -> str | None:
    """ "en-GB" / "ru_RU" / "EN" -> "en"; None for anything that is not a language tag."""
    if not value:
        return None
    found = _LANG.match(value.strip().split(",")[0].strip())
    if not found:
        return None
    code = found.group(1).lower()
    return code if len(code) == 2 else None


def canonical_url(tree: etree._Element, page_url: str) -> str | None:
    """Absolute ``rel=canonical`` (else ``og:url``) URL, only when the page declares one."""
    for xpath in (
        "//link[contains(concat(' ', translate(normalize-space(@rel),'CANONICAL','canonical'), ' '),"
        " ' canonical ')]/@href",
        "//meta[@property='og:url' or @name='og:url']/@content",
    ):
        value = _first(tree, xpath)
        if not value:
            continue
        absolute = urljoin(page_url, html.unescape(value.strip()))
        parts = urlsplit(absolute)
        if parts.scheme in ("http", "https") and parts.hostname:
            return absolute
    return None


def has_password_field(tree: etree._Element) -> bool:
    """A password input: the page asks to log in."""
    return bool(tree.xpath("//input[translate(@type,'PASSWORD','password')='password']"))
