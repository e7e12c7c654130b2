"""Timestamps as feeds, HTTP headers and page metadata write them, read into aware UTC datetimes.

One module for every stage (feeds, http, extract): each used to carry its own copy of "naive means UTC"
and of the RFC 822 and ISO 8601 readers. A date written without a zone is taken as UTC, because an
approximate instant is more useful than none. Prose dates ("31 декабря 2018") are the extractor's
business (``newsmon.extract.dates``), built on these.
"""

from __future__ import annotations

import email.utils
from datetime import UTC, datetime


def to_utc(value: datetime) -> datetime:
    """Attach UTC to a naive datetime, convert an aware one."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def parse_http_date(text: str | None) -> datetime | None:
    """An RFC 822 / HTTP date ("Thu, 01 Jan 2026 00:05:00 GMT") in UTC; None if it is not one."""
    if not text:
        return None
    try:
        parsed = email.utils.parsedate_to_datetime(text.strip())
    except (TypeError, ValueError, IndexError):
        return None
    return to_utc(parsed)


def parse_iso(text: str | None) -> datetime | None:
    """An ISO 8601 timestamp ("2019-11-19T09:01:42+0530", a trailing "Z") in UTC; None if it is not one."""
    if not text:
        return None
    try:
        return to_utc(datetime.fromisoformat(text.strip().replace("Z", "+00:00").replace("z", "+00:00")))
    except ValueError:
        return None
