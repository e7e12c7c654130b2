"""Extract an article's main text and metadata from its HTML, cleaned of syndication leftovers.

trafilatura does the heavy lifting (main-text detection, title, author, date, site name,
description). Around it, newsmon adds what a monitoring pipeline needs: decoding that survives
lying charset declarations, the declared language and canonical URL, a detected language when
none is declared, a cleaner for aggregator furniture trafilatura keeps, and the copy's declared
original (attribution) taken out of the text. Metadata is always plain text.

Extraction runs trafilatura in its fast mode (its own extractor only) and falls back to the full
cascade (readability/jusText comparison) only when the fast result is suspiciously short: on the
benchmark this keeps the quality of the full cascade at the cost of the fast one.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from newsmon.extract.attribution import Attribution
from newsmon.extract.boilerplate import site_key
from newsmon.extract.charset import decode_html
from newsmon.extract.clean import clean_lines
from newsmon.extract.containers import joined_copy, link_item_lookup, needs_join, split_body_chars
from newsmon.extract.dates import parse_date
from newsmon.extract.language import detect_language
from newsmon.extract.page_meta import (
    canonical_url,
    declared_language,
    has_password_field,
    normalise_language,
    plain_text,
)
from newsmon.extract.walls import looks_like_login_wall

if TYPE_CHECKING:
    from newsmon.extract.boilerplate import BoilerplateMemory

log = logging.getLogger(__name__)

__all__ = ["Attribution", "ExtractError", "Extracted", "extract_article"]

# Below this many characters the fast extraction is retried with trafilatura's full cascade.
RETRY_BELOW_CHARS = 1000
# A text with at least this many lines, more than this share of them of 1-3 words, is probably
# navigation: the full cascade gets a second opinion.
LISTY_MIN_LINES = 30
LISTY_SHARE = 0.5
# A text shorter than this with a password field on the page is a login wall, not an article.
LOGIN_WALL_MAX_CHARS = 600
MIN_TEXT_CHARS = 1
# Lines a site repeats are furniture only while they are a minority of the page: when they would take
# more than this share of its characters, the page is a repeat of one seen before (the same article at
# a second URL, a follow-up reusing the text), not a page made of furniture, and the memory is ignored.
MEMORY_MAX_SHARE = 0.5


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
    removed_lines: tuple[str, ...] = ()  # what the cleaner took out (for logs and tuning)


def _header(headers: Mapping[str, str] | None, name: str) -> str | None:
    if not headers:
        return None
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return None


def _date_params() -> dict[str, Any]:
    return {
        "original_date": True,
        "extensive_search": False,
        "outputformat": "%Y-%m-%dT%H:%M:%S%z",
        "max_date": datetime.now(UTC).strftime("%Y-%m-%d"),
    }


def _metadata(tree: Any, url: str) -> Any:
    """trafilatura's metadata for the fields newsmon stores, without the ones it does not.

    ``trafilatura.metadata.extract_metadata`` also hunts categories, tags and licences, which cost
    about a third of its time and are not stored; the steps below are its own, in its order.
    """
    try:
        from htmldate import find_date
        from trafilatura.metadata import (
            examine_meta,
            extract_author,
            extract_meta_json,
            extract_sitename,
            extract_title,
        )
    except ImportError:  # a trafilatura release that moved its helpers: take the complete routine
        from trafilatura.metadata import extract_metadata

        return extract_metadata(tree, url, _date_params())
    try:
        meta = examine_meta(tree)
        if meta.author and " " not in meta.author:
            meta.author = None  # single tokens are mostly handles or site names
        try:
            meta = extract_meta_json(tree, meta)
        except Exception as exc:  # broken JSON-LD is common; the meta tags still count
            log.debug("JSON-LD metadata failed on %s: %s", url, exc)
        meta.title = meta.title or extract_title(tree)
        meta.author = meta.author or extract_author(tree)
        meta.date = find_date(tree, url=url, **_date_params())
        meta.sitename = meta.sitename or extract_sitename(tree)
        if meta.sitename:
            meta.sitename = meta.sitename.lstrip("@")
        meta.clean_and_trim()
        return meta
    except Exception as exc:  # metadata is optional, the text is not
        log.warning("metadata extraction failed on %s: %s", url, exc)
        return None


def _run_trafilatura(tree: Any, url: str, *, fast: bool) -> str:
    from trafilatura import bare_extraction

    try:
        document = bare_extraction(tree, url=url, fast=fast, include_comments=False, include_tables=True)
    except Exception as exc:  # a library bug on one hostile page must not fail a batch
        log.warning("trafilatura failed on %s: %s", url, exc)
        return ""
    return (getattr(document, "text", None) or "").strip()


def _listy(text: str) -> float:
    """Share of lines of at most three words: near 1 for a menu or tag cloud taken for the article."""
    lines = [ln for ln in text.split("\n") if ln.strip()]
    if len(lines) < LISTY_MIN_LINES:
        return 0.0
    return sum(1 for ln in lines if len(ln.split()) <= 3) / len(lines)


def _main_text(tree: Any, url: str) -> str:
    """Main text of ``tree``: fast mode, and the full cascade when that came out short or listy.

    When the article body is split over several same-kind containers and the text came out clearly
    shorter than they hold together, the extraction is redone on a copy with the parts joined.
    """
    text = _cascade(tree, url)
    split_chars, parts = split_body_chars(tree)
    if needs_join(len(text), split_chars):
        joined = _cascade(joined_copy(tree, parts), url)
        if len(joined) > len(text):
            log.debug("%s: article body joined from %d containers", url, len(parts))
            text = joined
    return text


def _cascade(tree: Any, url: str) -> str:
    text = _run_trafilatura(tree, url, fast=True)
    if len(text) < RETRY_BELOW_CHARS:
        fuller = _run_trafilatura(tree, url, fast=False)
        if len(fuller) > len(text):
            text = fuller
    elif _listy(text) > LISTY_SHARE:
        fuller = _run_trafilatura(tree, url, fast=False)
        if fuller and _listy(fuller) < _listy(text):
            text = fuller
    return text


def _site_furniture(memory: BoilerplateMemory, site: str, lines: list[str]) -> frozenset[str]:
    """The lines of this page that ``site`` repeats (learning from the page), unless they are most of it."""
    repeated = frozenset(ln for ln in lines if memory.is_boilerplate(site, ln))
    memory.observe(site, lines)
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
    from trafilatura.utils import load_html

    decoded = decode_html(html, _header(headers, "content-type"))
    if not decoded.text.strip():
        raise ExtractError("empty", "no content")
    if "\x00" in decoded.text[:2048]:
        raise ExtractError("not_html", "binary content")
    tree = load_html(decoded.text)
    if tree is None:
        raise ExtractError("not_html", "not parseable as HTML")

    lang = declared_language(tree) or normalise_language(_header(headers, "content-language"))
    canonical = canonical_url(tree, url)
    password = has_password_field(tree)
    meta = _metadata(tree, url)
    raw_text = _main_text(tree, url)
    title = plain_text(getattr(meta, "title", None), limit=500)

    raw_lines = [ln.strip() for ln in raw_text.split("\n") if ln.strip()]
    repeated = _site_furniture(boilerplate, site_key(url), raw_lines) if boilerplate is not None else None
    cleaned = clean_lines(
        raw_lines,
        title=title,
        is_boilerplate=repeated.__contains__ if repeated else None,
        is_link_item=link_item_lookup(tree),
    )
    text = "\n".join(cleaned.lines).strip()

    if looks_like_login_wall(text, has_password=password, max_chars=LOGIN_WALL_MAX_CHARS):
        raise ExtractError("login_wall", f"{len(text)} characters and a sign-in prompt")
    if len(text) < MIN_TEXT_CHARS:
        raise ExtractError("empty", "no main text found")

    lang_detected = False
    if lang is None:
        lang = detect_language(text)
        lang_detected = lang is not None
    return Extracted(
        text=text,
        title=title,
        author=plain_text(getattr(meta, "author", None), limit=300),
        published=parse_date(getattr(meta, "date", None)),
        site_name=plain_text(getattr(meta, "sitename", None), limit=200),
        lang=lang,
        description=plain_text(getattr(meta, "description", None), limit=2000),
        canonical_url=canonical,
        attribution=cleaned.attribution,
        lang_detected=lang_detected,
        encoding=decoded.encoding,
        removed_lines=tuple(cleaned.removed),
    )
