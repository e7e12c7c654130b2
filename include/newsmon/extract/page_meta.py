"""Small metadata readings trafilatura does not give us.

trafilatura reports a canonical URL but falls back to the page URL without saying so, and it does
not read the declared language; both are cheap XPath lookups on the tree it parses anyway.
"""

from __future__ import annotations

import html
import re
from urllib.parse import urljoin, urlsplit

from lxml import etree

_LANG = re.compile(r"^([a-zA-Z]{2,3})(?:[-_][a-zA-Z0-9]+)*$")


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


def page_titles(tree: etree._Element) -> list[str]:
    """The titles a page gives itself besides its headline: ``<title>`` and og:title."""
    found = []
    for xpath in ("//head/title//text()", "//meta[@property='og:title' or @name='og:title']/@content"):
        value = _first(tree, xpath)
        if value:
            found.append(value)
    return found
