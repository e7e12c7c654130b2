"""Small readings of a page's head that trafilatura does not give us, in one pass over it.

trafilatura reports a canonical URL but falls back to the page URL without saying so, and it does not
read the declared language; the cleaner also wants the titles a page gives itself (``<title>``,
og:title) to recognise a headline kept in the body. All of it sits in ``<html>``, ``<meta>``,
``<link>`` and ``<title>`` elements, read here with a single walk over those elements.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from lxml import etree

_LANG = re.compile(r"^([a-zA-Z]{2,3})(?:[-_][a-zA-Z0-9]+)*$")
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@dataclass(frozen=True)
class PageMeta:
    """What the page declares about itself."""

    lang: str | None  # ISO 639-1 code from <html lang>, Content-Language meta, og:locale, language meta
    canonical_url: str | None  # absolute rel=canonical (else og:url), only when the page declares one
    titles: tuple[str, ...]  # <title> and og:title, as written


def normalise_language(value: str | None) -> str | None:
    """ "en-GB" / "ru_RU" / "EN" -> "en"; None for anything that is not a language tag."""
    if not value:
        return None
    found = _LANG.match(value.strip().split(",")[0].strip())
    if not found:
        return None
    code = found.group(1).lower()
    return code if len(code) == 2 else None


def _absolute(page_url: str, value: str | None) -> str | None:
    if not value or not value.strip():
        return None
    absolute = urljoin(page_url, html.unescape(value.strip()))
    parts = urlsplit(absolute)
    return absolute if parts.scheme in ("http", "https") and parts.hostname else None


def read_page_meta(tree: etree._Element, page_url: str) -> PageMeta:
    """Language, canonical URL and titles declared by the page (first declaration of each kind wins)."""
    langs: dict[str, str] = {}  # kind of declaration -> value, ranked below
    canonical = og_url = title = og_title = None
    root = tree.getroottree().getroot()
    for source in ("lang", _XML_LANG):
        if root.get(source):
            langs.setdefault("html", root.get(source))
    for el in tree.iter("meta", "link", "title"):
        if el.tag == "title":
            if title is None and (text := el.text_content().strip()):
                title = text
            continue
        if el.tag == "link":
            rel = (el.get("rel") or "").lower().split()
            if canonical is None and "canonical" in rel:
                canonical = _absolute(page_url, el.get("href"))
            continue
        content = el.get("content")
        if not content:
            continue
        prop = el.get("property") or el.get("name") or ""
        if (el.get("http-equiv") or "").lower() == "content-language":
            langs.setdefault("header", content)
        elif prop == "og:locale":
            langs.setdefault("locale", content)
        elif prop == "language":
            langs.setdefault("name", content)
        elif prop == "og:url" and og_url is None:
            og_url = _absolute(page_url, content)
        elif prop == "og:title" and og_title is None and content.strip():
            og_title = content.strip()
    lang = next(
        (
            code
            for kind in ("html", "header", "locale", "name")
            if (code := normalise_language(langs.get(kind)))
        ),
        None,
    )
    return PageMeta(lang, canonical or og_url, tuple(t for t in (title, og_title) if t))
