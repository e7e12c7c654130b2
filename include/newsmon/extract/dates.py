"""Parse the dates pages and attribution lines write, in a few languages, into UTC datetimes.

Dates arrive as ISO timestamps from metadata ("2019-11-19T09:01:42+0530") or as prose in
attribution lines ("December 31, 2018", "31 декабря 2018"). dateutil reads English prose; for
other languages the month word is first mapped to its English name. A naive result is taken as
UTC, because a date with no zone is more useful as an approximate UTC instant than as nothing.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime

from newsmon.dates import month_numbers, parse_iso, to_utc

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_ENGLISH = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
# Words that carry no date but confuse dateutil ("г." after a Russian year, "de" in Spanish dates).
_NOISE = {"г", "года", "год", "de", "del", "di", "le", "der", "den", "am", "um", "в", "at", "on", "à", "o"}


def _englishize(text: str) -> str:
    """Replace month words of any language `month_numbers` knows, short forms too, by the English ones
    dateutil reads, and drop filler words."""
    months = month_numbers(abbreviated=True)

    def repl(m: re.Match[str]) -> str:
        word = m.group(0)
        low = word.lower()
        if low in _NOISE:
            return " "
        number = months.get(unicodedata.normalize("NFKC", low))
        return _ENGLISH[number - 1] if number else word

    return _WORD.sub(repl, text)


def parse_date(text: str | None) -> datetime | None:
    """Best-effort parse of ``text``; None when it holds no recognisable date (never raises)."""
    if not text:
        return None
    text = text.strip()
    if not text or len(text) > 80:
        return None
    iso = parse_iso(text)
    if iso is not None:
        return iso
    from dateutil import parser as date_parser  # only prose dates need it

    cleaned = _englishize(text)
    if not re.search(r"\d{4}|\d{1,2}\D+\d{1,2}", cleaned):
        return None  # no year and no day/month pair: "Monday" alone is not a date
    try:
        parsed = date_parser.parse(cleaned, fuzzy=True, default=datetime(1900, 1, 1))
    except (ValueError, OverflowError):
        return None
    if parsed.year == 1900:
        return None
    return to_utc(parsed)
