"""What a search answered, as values: the articles it listed, or why it failed and what that costs.

One vocabulary for storage (``discovery_providers.last_error_kind``, ``discovery_queries.last_error_kind``),
the Feed health page and the logs: the HTTP kinds of ``http/errors.py`` plus :class:`SearchError` for an
answer that came back but cannot be used. Whether a failure stops the provider's run is a property of
the kind, decided here and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from newsmon.http.errors import HttpError


class SearchError(StrEnum):
    """Why an answer that arrived is of no use (the HTTP ones are :class:`HttpError`)."""

    QUERY_REJECTED = "query_rejected"  # the provider refused the query (GDELT: a plain-text reason)
    BAD_ANSWER = "bad_answer"  # neither the JSON nor the feed the provider promised
    INTERNAL = "internal"  # a bug met while running this search


ErrorKind = HttpError | SearchError

# Failures of one search: the next query may fare better. Anything else (the provider is down, refuses
# connections, asks us to slow down, is blocked by policy) is an outage: the provider's run stops there.
_QUERY_ONLY = frozenset({SearchError.QUERY_REJECTED, SearchError.BAD_ANSWER, HttpError.TOO_LARGE})


def stops_provider(kind: ErrorKind) -> bool:
    """Whether a failure of this kind ends the provider's run (an outage) rather than one search."""
    return kind not in _QUERY_ONLY


@dataclass(frozen=True)
class FoundArticle:
    """One article a search listed: its link as listed (perhaps wrapped in a redirect), title, date."""

    url: str
    title: str = ""
    published: datetime | None = None  # the article's own date, when the answer gives one


@dataclass(frozen=True)
class SearchOutcome:
    """One search's answer: the articles, or the kind and text of its failure."""

    articles: tuple[FoundArticle, ...] = ()
    error_kind: ErrorKind | None = None
    error: str | None = None
    listed: int = 0  # articles the answer held, beyond the provider's cap included

    @property
    def ok(self) -> bool:
        return self.error_kind is None

    @property
    def outage(self) -> bool:
        return self.error_kind is not None and stops_provider(self.error_kind)


def failed(kind: ErrorKind, message: str) -> SearchOutcome:
    return SearchOutcome(error_kind=kind, error=message[:2000])
