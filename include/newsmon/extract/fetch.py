"""Fetch one article page and extract it, with a recorded outcome for every way that can fail.

A feed entry's link may lead to a PDF, an image, a login wall, an empty page, a 404, a private
address, or a host whose robots.txt says no. None of these may stop a batch, and none may lose the
entry: the result then carries its :class:`~newsmon.extract.outcome.FetchFailure` and, when the feed
gave a summary, that summary as the text (status "fallback", text_source "summary") so later stages
still see something. HTTP failure kinds pass through unchanged (one vocabulary, ``outcome.py``).
All HTTP goes through :mod:`newsmon.http.client` (SSRF guard, size cap, timeouts, redirects) and, when
a limiter is given, the politeness of :mod:`newsmon.http.politeness`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from newsmon.extract.article import Extracted, ExtractError, extract_article
from newsmon.extract.boilerplate import site_key
from newsmon.extract.outcome import ArticleError, FetchFailure, FetchStatus, TextSource
from newsmon.html_text import html_to_lines, html_to_text
from newsmon.http.client import FetchResult, HttpPolicy, fetch
from newsmon.http.errors import HttpError
from newsmon.http.politeness import HostDeferred, HostLimiter, host_key

if TYPE_CHECKING:
    from newsmon.extract.boilerplate import BoilerplateMemory
    from newsmon.extract.robots import RobotsCache, RobotsDecision

log = logging.getLogger(__name__)
_R = TypeVar("_R")

ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1"
_HTML_TYPES = ("text/html", "application/xhtml+xml", "application/xml", "text/xml")
_HTML_START = re.compile(
    rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta|title)", re.I | re.S
)
# Magic numbers of common non-HTML answers served without (or with a wrong) Content-Type.
_MAGIC = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF8", "image/gif"),
    (b"PK\x03\x04", "application/zip"),
    (b"\x1f\x8b", "application/gzip"),
    (b"RIFF", "application/octet-stream"),
    (b"ID3", "audio/mpeg"),
)


@dataclass(frozen=True)
class ArticleResult:
    """What became of one article URL."""

    url: str
    final_url: str
    status: FetchStatus
    failure: FetchFailure | None  # why not "ok"
    extracted: Extracted | None
    text_source: TextSource
    http_status: int | None = None
    encoding: str | None = None

    @property
    def reason(self) -> str | None:
        """The failure as stored: "not_html: application/pdf", "robots_disallowed", "not_found", ..."""
        return str(self.failure) if self.failure else None


def sniff_type(content_type: str | None, body: bytes) -> str | None:
    """The non-HTML type of an answer, or None when it is (or looks like) HTML."""
    for magic, kind in _MAGIC:
        if body.startswith(magic):
            return kind
    declared = (content_type or "").split(";")[0].strip().lower()
    if _HTML_START.match(body[:4096]):
        return None  # HTML whatever the header says (text/plain and octet-stream lie often)
    if declared and not declared.startswith(_HTML_TYPES):
        return declared
    if b"\x00" in body[:4096]:
        return declared or "application/octet-stream"
    return None


_WITH_STATUS = (HttpError.HTTP_4XX, HttpError.HTTP_5XX, HttpError.HTTP_OTHER, HttpError.RATE_LIMITED)


def http_failure(result: FetchResult) -> FetchFailure:
    """The failure of an HTTP fetch, its kind unchanged; the status number where the kind is a range."""
    kind = result.error_kind or HttpError.HTTP_OTHER
    detail = f"HTTP {result.status}" if kind in _WITH_STATUS and result.status is not None else None
    return FetchFailure(kind, detail)


def _fallback(
    url: str,
    final_url: str,
    failure: FetchFailure,
    summary: str | None,
    title: str | None,
    http_status: int | None = None,
) -> ArticleResult:
    text = html_to_lines(summary)  # a feed summary is often HTML: one paragraph per line
    if not text:
        log.warning("article %s: %s (no summary to fall back on)", url, failure)
        return ArticleResult(url, final_url, FetchStatus.ERROR, failure, None, TextSource.NONE, http_status)
    from newsmon.extract.language import detect_language

    log.info("article %s: %s; keeping the feed summary", url, failure)
    extracted = Extracted(
        text=text,
        title=html_to_text(title, limit=500) or None,
        author=None,
        published=None,
        site_name=None,
        lang=detect_language(text),
        description=None,
        canonical_url=None,
        attribution=None,
        lang_detected=True,
    )
    return ArticleResult(
        url, final_url, FetchStatus.FALLBACK, failure, extracted, TextSource.SUMMARY, http_status
    )


def fetch_article(
    url: str,
    *,
    policy: HttpPolicy,
    summary: str | None = None,
    title: str | None = None,
    robots: RobotsCache | None = None,
    limiter: HostLimiter | None = None,
    boilerplate: BoilerplateMemory | None = None,
) -> ArticleResult:
    """Fetch ``url`` and extract its article; every failure of the page is a result with its reason.

    Raises what is not the page's failure, so that it is never stored as one:
    :class:`~newsmon.http.politeness.HostDeferred` (the host cannot take the request now: the caller
    leaves the entry for a later run) and whatever the state pages share raises (the limiter's slots and
    the site's boilerplate memory live in newsmon's database; during an outage the caller's task is
    retried, and no page is extracted without the memory a clean run would have used). Turned into
    "internal error, the feed's summary kept", an outage stored summaries where a clean run stores the
    articles, and those summaries stayed stories of their own (issue #14).

    The two halves, :func:`download_article` and :func:`extract_page`, can run apart (the pipeline
    downloads the next pages of a batch while it extracts this one); this is both in turn.
    """
    page = download_article(url, policy=policy, summary=summary, title=title, robots=robots, limiter=limiter)
    return extract_page(page, summary=summary, title=title, boilerplate=boilerplate)


@dataclass(frozen=True)
class Page:
    """A page downloaded for extraction: an HTML answer that robots.txt allowed, not yet extracted."""

    url: str
    final_url: str
    body: bytes
    headers: Mapping[str, str]
    http_status: int | None


def download_article(
    url: str,
    *,
    policy: HttpPolicy,
    summary: str | None = None,
    title: str | None = None,
    robots: RobotsCache | None = None,
    limiter: HostLimiter | None = None,
) -> Page | ArticleResult:
    """The first half of :func:`fetch_article` (robots.txt, the request, what the answer is): the page to
    extract, or the article's result when the answer already decides it (an error, not HTML, empty).
    Raises as :func:`fetch_article` does. Safe to call from several threads at once."""
    return _guarded(url, summary, title, lambda: _download(url, policy, summary, title, robots, limiter))


def extract_page(
    page: Page | ArticleResult,
    *,
    summary: str | None = None,
    title: str | None = None,
    boilerplate: BoilerplateMemory | None = None,
) -> ArticleResult:
    """The second half of :func:`fetch_article`: extract a downloaded page (a result passes through)."""
    if isinstance(page, ArticleResult):
        return page
    return _guarded(page.url, summary, title, lambda: _extract(page, summary, title, boilerplate))


def _guarded(url: str, summary: str | None, title: str | None, step: Callable[[], _R]) -> _R | ArticleResult:
    """Run one half: a page's own failure becomes its result; what is not the page's is raised."""
    try:
        return step()
    except HostDeferred:
        raise
    except _SharedStateFailed as failed:
        # The limiter's own exception, with its type, traceback and cause (the driver's error).
        raise failed.error from failed.error.__cause__
    except Exception as exc:  # one bad page must never fail its batch
        log.exception("article %s: unexpected failure", url)
        return _fallback(url, url, FetchFailure(ArticleError.INTERNAL, type(exc).__name__), summary, title)


class _SharedStateFailed(Exception):
    """Carries an exception of the state pages share (the limiter's slots, the site's boilerplate memory:
    newsmon's database) past the page's catch-all."""

    def __init__(self, error: Exception) -> None:
        super().__init__(str(error))
        self.error = error


@contextmanager
def _shared_state() -> Iterator[None]:
    """Marks what the shared state raises, but the limiter's HostDeferred, as not the page's failure (see
    fetch_article)."""
    try:
        yield
    except HostDeferred:
        raise
    except Exception as exc:
        raise _SharedStateFailed(exc) from exc


def _refusal(decision: RobotsDecision) -> FetchFailure:
    """Why robots.txt refused: every refusal carries its reason, a bare one reads as disallowed."""
    return decision.failure or FetchFailure(ArticleError.ROBOTS_DISALLOWED)


def _download(
    url: str,
    policy: HttpPolicy,
    summary: str | None,
    title: str | None,
    robots: RobotsCache | None,
    limiter: HostLimiter | None,
) -> Page | ArticleResult:
    if robots is not None:
        decision = robots.check(url)
        if not decision.allowed:
            return _fallback(url, url, _refusal(decision), summary, title)
        if limiter is not None:
            with _shared_state():
                limiter.note_crawl_delay(host_key(url), decision.crawl_delay)

    if limiter is not None:
        with _shared_state():
            result = limiter.fetch(url, policy, accept=ACCEPT)
    else:
        result = fetch(url, policy, accept=ACCEPT)
    final_url = result.final_url or url
    if not result.ok:
        return _fallback(url, final_url, http_failure(result), summary, title, result.status)

    if robots is not None and final_url != url:
        decision = robots.check(final_url)  # a redirect may lead to a host (or path) that says no
        if not decision.allowed:
            return _fallback(url, final_url, _refusal(decision), summary, title, result.status)

    body = result.body
    if not body.strip():
        return _fallback(url, final_url, FetchFailure(ArticleError.EMPTY), summary, title, result.status)
    other = sniff_type(result.headers.get("content-type"), body)
    if other is not None:
        failure = FetchFailure(ArticleError.NOT_HTML, other)
        return _fallback(url, final_url, failure, summary, title, result.status)
    return Page(url, final_url, body, result.headers, result.status)


def _extract(
    page: Page, summary: str | None, title: str | None, boilerplate: BoilerplateMemory | None
) -> ArticleResult:
    url, final_url = page.url, page.final_url
    if boilerplate is not None:
        with _shared_state():
            boilerplate.load(site_key(final_url))
    try:
        extracted = extract_article(page.body, url=final_url, headers=page.headers, boilerplate=boilerplate)
    except ExtractError as exc:
        failure = FetchFailure.of_extraction(exc.reason)
        return _fallback(url, final_url, failure, summary, title, page.http_status)
    return ArticleResult(
        url, final_url, FetchStatus.OK, None, extracted, TextSource.PAGE, page.http_status, extracted.encoding
    )
