"""The most a stored field may hold, and what happens to more.

Feeds and pages are written by strangers: a 2,000,000-character title, a 5,000-character ETag or a
redirect to a 10 kB URL must neither fill the database nor fail an insert on PostgreSQL (whose
VARCHAR(n) refuses longer values where SQLite would store them). Every writer in ``store`` passes its
row through :func:`bound_row`, so the rule lives here once:

* text is *cut* to its bound (the start of a title is still the title);
* a value that is useless once cut — a URL, an ETag, a Last-Modified date — is *dropped* (None);
* either way the field's original length is returned, and the writer records it (``cuts`` columns,
  the log), so a cut is never silent.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Bound:
    limit: int
    drop: bool = False  # True: a value over the limit is dropped, not cut

    def apply(self, value: str | None) -> str | None:
        if value is None or len(value) <= self.limit:
            return value
        return None if self.drop else value[: self.limit]


def cut(limit: int) -> Bound:
    return Bound(limit)


def drop(limit: int) -> Bound:
    return Bound(limit, drop=True)


URL = drop(2048)  # the width of every URL column; a longer URL cut short would point elsewhere
ERROR = cut(2000)

FEED = {
    "title": cut(500),
    "etag": drop(500),
    "last_modified": drop(100),
    "last_error": ERROR,
    "disabled_reason": cut(500),
    "redirected_to": URL,
}
ENTRY = {
    "title": cut(1000),
    "summary": cut(20_000),
    "author": cut(300),
    "link": URL,
    "fetch_error": ERROR,
}
COPY = {
    "url": URL,
    "final_url": URL,
    "canonical_url": URL,
    "attribution_url": URL,
    "site": cut(300),
    "attribution_site": cut(300),
    "author": cut(300),
    "title": cut(2000),
    "feed_title": cut(1000),
    "description": cut(5000),
    "fetch_reason": ERROR,
    "lang": drop(16),
}


def bound_row(row: Mapping[str, Any], bounds: Mapping[str, Bound]) -> tuple[dict[str, Any], dict[str, int]]:
    """The row with every bounded field within its bound, and {field: original length} of those cut."""
    out = dict(row)
    cuts: dict[str, int] = {}
    for name, bound in bounds.items():
        value = out.get(name)
        if not isinstance(value, str):  # only text has a length to bound
            continue
        bounded = bound.apply(value)
        if bounded is not value:
            out[name] = bounded
            cuts[name] = len(value)
    return out, cuts


def bound_text(value: str | None, bound: Bound) -> str | None:
    """One value within its bound (for writers that set a single column)."""
    return bound.apply(value)
