"""Sane dates out of feed fields (titles and summaries become text in :mod:`newsmon.html_text`).

Dates are clamped because feeds publish "1970-01-01" placeholders and far-future timestamps that would
pin an entry to the top forever.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from newsmon.dates import parse_http_date, parse_iso, to_utc

EARLIEST = datetime(1995, 1, 1, tzinfo=UTC)
FUTURE_SLACK = timedelta(days=1)


def sane_date(value: datetime | None, *, now: datetime | None = None) -> datetime | None:
    """UTC datetime, or None when before 1995 or more than a day in the future (placeholders, typos)."""
    if value is None:
        return None
    value = to_utc(value)
    now = now or datetime.now(UTC)
    if value < EARLIEST or value > now + FUTURE_SLACK:
        return None
    return value


def from_struct(value: time.struct_time | None) -> datetime | None:
    """feedparser's ``*_parsed`` fields are UTC struct_times."""
    if not value:
        return None
    try:
        return datetime(*value[:6], tzinfo=UTC)
    except (TypeError, ValueError, OverflowError):
        return None


def parse_date_string(value: str | None) -> datetime | None:
    """RFC 822 or ISO 8601 text (a feed's date field) to a UTC datetime; None if unreadable."""
    if not value or not isinstance(value, str):
        return None
    return parse_http_date(value) or parse_iso(value)
