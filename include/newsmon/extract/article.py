"""Extract an article's main text and metadata from its HTML, cleaned of syndication leftovers.

trafilatura does the heavy lifting (main-text detection, title, author, date, site name,
description). Around it, newsmon adds what a monitoring pipeline needs: decoding that survives
lying charset declarations, the declared language and canonical URL, a detected language when
none is declared, a cleaner for aggregator furniture trafilatura keeps, and the copy's declared
original (attribution) taken out of the text. Metadata is always plain text.

Which trafilatura mode runs is :mod:`.main_text`'s business (fast, and the full cascade when the fast
text may be incomplete); walls are told from short articles on evidence (:mod:`.walls`); every line the
cleaner removes is kept with the rule that removed it, so that ``bench/extract.py`` can measure the
recall each rule costs.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from newsmon.extract.attribution import Attribution
from newsmon.extract.boilerplate import site_key
from newsmon.extract.clean import Cleaned, Removal, clean_lines
from newsmon.extract.containers import article_region, read_paragraphs
from newsmon.extract.dates import parse_date
from newsmon.extract.language import detect_language
from newsmon.extract.links import PageLinks
from newsmon.extract.main_text import main_text
from newsmon.extract.metadata import read_metadata
from newsmon.extract.page_meta import normalise_language, read_page_meta
from newsmon.extract.parse import parse_page
from newsmon.extract.walls import wall_evidence
from newsmon.html_text import html_to_text
from newsmon.http.charset import decode_body

if TYPE_CHECKING:
    from newsmon.extract.boilerplate import BoilerplateMemory

log = logging.getLogger(__name__)

__all__ = ["Attribution", "ExtractError", "Extracted", "extract_article"]

MIN_TEXT_CHARS = 1
# Lines a site repeats are furniture only while they are a minority of the page: when they would take
# more than this share of its characters, the page is a repeat of one seen before (the same article at
# a second URL, a follow-up reusing the text), not a page made of furniture, and the memory is ignored.
MEMORY_MAX_SHARE = 0.5
# A page that declares no language is detected on this much of its text: a few paragraphs settle it
# (on three public corpora the answer never changed from 3,000 characters), and the cost grows with it.
LANG_SAMPLE_CHARS = 1000


class ExtractError(Exception):
    """The page holds no usable article; ``reason`` is a short machine-readable word."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class Extracted:
    """The article text of one copy and its metadata (all strings plain text)."""

    text: str
    title: str | None
    author: str | None
    published: datetime | None
    site_name: str | None
    lang: str | None
    description: str | None
    canonical_url: str | None
    attribution: Attribution | None
    lang_detected: bool = False  # True when ``lang`` came from the text, not from the page
    encoding: str | None = None  # how the bytes were decoded (for logs)
    removed: tuple[Removal, ...] = ()  # what the cleaner took out and why (for logs and tuning)


def _header(headers: Mapping[str, str] | None, name: str) -> str | None:
    if not headers:
        return None
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return None


def _site_furniture(memory: BoilerplateMemory, site: str, lines: list[str]) -> frozenset[str]:
    """The lines of this page that ``site`` repeats (learning from the page), unless they are most of it."""
    repeated = memory.repeated_then_observe(site, lines)
    if repeated:
        share = sum(len(ln) for ln in lines if ln in repeated) / max(1, sum(map(len, lines)))
        if share > MEMORY_MAX_SHARE:
            log.info("%s: %.0f%% of the page repeats earlier pages; kept as a repeat", site, 100 * share)
            return frozenset()
    return repeated


def extract_article(
    html: bytes | str,
    *,
    url: str,
    headers: Mapping[str, str] | None = None,
    boilerplate: BoilerplateMemory | None = None,
) -> Extracted:
    """Main text and metadata of the page ``html`` fetched from ``url``.

    ``headers`` are the response headers (Content-Type's charset and Content-Language are used).
    ``boilerplate``, when given, both removes lines the site repeats and learns from this page.
    Raises :class:`ExtractError` with reason ``empty``, ``not_html`` or ``login_wall``.
    """
    if isinstance(html, str):
        page, encoding = html, None
    else:
        decoded = decode_body(html, _header(headers, "content-type"))
        page, encoding = decoded.text, decoded.encoding
    if not page.strip():
        raise ExtractError("empty", "no content")
    if "\x00" in page[:2048]:
        raise ExtractError("not_html", "binary content")
    tree = parse_page(page)
    if tree is None:
        raise ExtractError("not_html", "not parseable as HTML")

    declared = read_page_meta(tree, url)
    lang = declared.lang or normalise_language(_header(headers, "content-language"))
    paragraphs = read_paragraphs(tree)
    raw_text = main_text(tree, url, paragraphs)
    meta = read_metadata(tree, url, paragraphs.main_block())
    title = html_to_text(getattr(meta, "title", None), limit=500) or None

    raw_lines = [ln.strip() for ln in raw_text.split("\n") if ln.strip()]
    repeated = _site_furniture(boilerplate, site_key(url), raw_lines) if boilerplate is not None else None
    links = PageLinks(tree)
    cleaned = clean_lines(
        raw_lines,
        titles=(title, *declared.titles),
        is_boilerplate=repeated.__contains__ if repeated else None,
        is_linked=links.is_linked,
        opens_with_link=links.opens_with_headline_link,
    )
    if raw_lines and not cleaned.lines:
        # The cleaner trims leftovers around an article; it does not decide that there is none (a page
        # of links is what the extractor found, and no worse than nothing for the stages after it).
        log.info("%s: every line looked like furniture; the text is kept uncleaned", url)
        cleaned = Cleaned(lines=raw_lines, attribution=None, removed=[])
    text = "\n".join(cleaned.lines).strip()

    wall = wall_evidence(raw_text, text, tree, article_region(paragraphs.main_block()))
    if wall is not None:
        raise ExtractError("login_wall", f"{len(text)} characters; {wall.value}")
    if len(text) < MIN_TEXT_CHARS:
        raise ExtractError("empty", "no main text found")

    lang_detected = False
    if lang is None:
        lang = detect_language(text, LANG_SAMPLE_CHARS)
        lang_detected = lang is not None
    return Extracted(
        text=text,
        title=title,
        author=html_to_text(getattr(meta, "author", None), limit=300) or None,
        published=parse_date(getattr(meta, "date", None)),
        site_name=html_to_text(getattr(meta, "sitename", None), limit=200) or None,
        lang=lang,
        description=html_to_text(getattr(meta, "description", None), limit=2000) or None,
        canonical_url=declared.canonical_url,
        attribution=cleaned.attribution,
        lang_detected=lang_detected,
        encoding=encoding,
        removed=tuple(cleaned.removed),
    )
