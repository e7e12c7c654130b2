"""What became of fetching one article: the statuses and failure kinds, defined once.

A failure is stored as text, ``"kind"`` or ``"kind: detail"`` (an entry's ``fetch_error``, a copy's
``fetch_reason``), where the kind is an :class:`~newsmon.http.errors.HttpError` passed through
unchanged from the HTTP client or an :class:`ArticleError` of the article stage. Storage, the UI and
the logs read it back with :meth:`FetchFailure.parse`; whether to try again is the kind's ``final``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from newsmon.http.errors import HttpError


class FetchStatus(StrEnum):
    """``copies.fetch_status``."""

    OK = "ok"  # the page's article
    FALLBACK = "fallback"  # the page failed; the feed's summary kept as the text
    ERROR = "error"  # the page failed and there was no summary: no copy is stored


class TextSource(StrEnum):
    """``copies.text_source``: where the copy's text came from."""

    PAGE = "page"
    SUMMARY = "summary"
    NONE = "none"


class ArticleError(StrEnum):
    """Failures of the article stage itself (the HTTP ones are :class:`HttpError`)."""

    ROBOTS_DISALLOWED = "robots_disallowed"
    ROBOTS_UNREACHABLE = "robots_unreachable"  # robots.txt unreadable (5xx, network): wait, ask later
    NOT_HTML = "not_html"  # a PDF, an image, ...
    EMPTY = "empty"  # no body, or no main text in it
    LOGIN_WALL = "login_wall"
    NO_ARTICLE = "no_article"  # extraction found no article for another reason (the detail says which)
    INTERNAL = "internal"  # a bug met on this page

    @property
    def final(self) -> bool:
        return self in (ArticleError.ROBOTS_DISALLOWED, ArticleError.NOT_HTML)

    @property
    def refused(self) -> bool:
        return False


FailureKind = HttpError | ArticleError


@dataclass(frozen=True)
class FetchFailure:
    kind: FailureKind
    detail: str | None = None

    def __str__(self) -> str:
        return f"{self.kind}: {self.detail}" if self.detail else str(self.kind)

    @property
    def final(self) -> bool:
        """Fetching the same URL again cannot succeed: do not retry."""
        return self.kind.final

    @property
    def refused(self) -> bool:
        """newsmon refused the URL itself (a private address, not a web address): never make it a link."""
        return self.kind.refused

    @classmethod
    def of_extraction(cls, reason: str) -> FetchFailure:
        """From the reason word of an ``ExtractError``."""
        try:
            return cls(ArticleError(reason))
        except ValueError:
            return cls(ArticleError.NO_ARTICLE, reason)

    @classmethod
    def parse(cls, text: str | None) -> FetchFailure | None:
        """Read a stored failure back; None for no text or a kind no enum knows (e.g. written by an older
        version)."""
        if not text:
            return None
        word, _, detail = text.partition(": ")
        for enum in (HttpError, ArticleError):
            try:
                return cls(enum(word.strip()), detail or None)
            except ValueError:
                continue
        return None
