"""Parse the dates pages and attribution lines write, in a few languages, into UTC datetimes.

Dates arrive as ISO timestamps from metadata ("2019-11-19T09:01:42+0530") or as prose in
attribution lines ("December 31, 2018", "31 декабря 2018"). dateutil reads English prose; for
other languages the month word is first mapped to its English name. A naive result is taken as
UTC, because a date with no zone is more useful as an approximate UTC instant than as nothing.
"""

from __future__ import annotations

import re
from datetime import datetime

from newsmon.dates import parse_iso, to_utc

# Month stems (lower case, matched as a word prefix) for languages our feeds commonly carry.
_MONTH_STEMS: dict[str, tuple[str, ...]] = {
    "January": ("январ", "janvier", "januar", "enero", "gennaio", "janeiro", "styczni", "ocak"),
    "February": (
        "феврал",
        "février",
        "fevrier",
        "februar",
        "febrero",
        "febbraio",
        "fevereiro",
        "lute",
        "luty",
        "şubat",
    ),
    "March": ("март", "мар", "mars", "märz", "maerz", "marzo", "março", "marco", "mart"),
    "April": ("апрел", "avril", "abril", "aprile", "kwie", "nisan"),
    "May": ("мая", "май", "mai", "mayo", "maggio", "maio", "maj", "mayıs"),
    "June": ("июн", "juin", "juni", "junio", "giugno", "junho", "czerw", "haziran"),
    "July": ("июл", "juillet", "juli", "julio", "luglio", "julho", "lipc", "lipi", "temmuz"),
    "August": ("август", "août", "aout", "agosto", "sierp", "ağustos"),
    "September": ("сентябр", "septembre", "septiembre", "settembre", "setembro", "wrze", "eylül"),
    "October": ("октябр", "octobre", "oktober", "octubre", "ottobre", "outubro", "paźdz", "ekim"),
    "November": ("ноябр", "novembre", "noviembre", "novembro", "listopad", "kasım"),
    "December": (
        "декабр",
        "décembre",
        "decembre",
        "dezember",
        "diciembre",
        "dicembre",
        "dezembro",
        "grud",
        "aralık",
    ),
}
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_ENGLISH = {m.lower() for m in _MONTH_STEMS} | {m[:3].lower() for m in _MONTH_STEMS} | {"sept"}
# Words that carry no date but confuse dateutil ("г." after a Russian year, "de" in Spanish dates).
_NOISE = {"г", "года", "год", "de", "del", "di", "le", "der", "den", "am", "um", "в", "at", "on", "à", "o"}


def _englishize(text: str) -> str:
    """Replace non-English month words by English ones and drop filler words."""

    def repl(m: re.Match[str]) -> str:
        word = m.group(0)
        low = word.lower()
        if low in _ENGLISH:
            return word
        if low in _NOISE:
            return " "
        for english, stems in _MONTH_STEMS.items():
            if any(low.startswith(stem) for stem in stems) and len(low) <= len(max(stems, key=len)) + 4:
                return english
        return word

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
