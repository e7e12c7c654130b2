"""Timestamps as feeds, HTTP headers and page metadata write them, read into aware UTC datetimes.

One module for every stage (feeds, http, extract): each used to carry its own copy of "naive means UTC"
and of the RFC 822 and ISO 8601 readers. A date written without a zone is taken as UTC, because an
approximate instant is more useful than none. Prose dates ("31 декабря 2018") are read by the extractor
(``newsmon.extract.dates``, a page's date) and the story stage (``newsmon.stories.dates``, the dates a
report states), both with the month names here.
"""

from __future__ import annotations

import email.utils
import itertools
import unicodedata
from datetime import UTC, datetime
from functools import lru_cache
from typing import Literal


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


#: CLDR locales whose month names are read: the languages news is monitored in, and their neighbours.
MONTH_LOCALES = [
    "en",
    "de",
    "fr",
    "es",
    "it",
    "pt",
    "nl",
    "ca",
    "ro",
    "pl",
    "cs",
    "sk",
    "sl",
    "hr",
    "sr",
    "sr_Latn",
    "bs",
    "hu",
    "fi",
    "sv",
    "da",
    "nb",
    "et",
    "lv",
    "lt",
    "ru",
    "uk",
    "be",
    "bg",
    "mk",
    "el",
    "tr",
    "az",
    "kk",
    "ky",
    "uz",
    "uz_Cyrl",
    "tk",
    "ka",
    "hy",
    "sq",
    "ar",
    "fa",
    "ur",
    "he",
    "hi",
    "bn",
    "id",
    "ms",
    "tl",
    "sw",
]

# Abbreviations of a wire dateline ("Oct 19", "Aug. 10"): English only, as other languages' short
# forms are often words of their own ("mar", "set", "mai").
_EN_SHORT = {"jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9}
_EN_SHORT |= {"oct": 10, "nov": 11, "dec": 12}


@lru_cache(maxsize=2)
def month_numbers(abbreviated: bool = False) -> dict[str, int]:
    """Month names (lower case, NFKC) of the `MONTH_LOCALES` in CLDR, both grammatical forms ("октября",
    "октябрь"), and the English short forms: word -> month number. `abbreviated` adds every locale's
    short forms ("мар.", "janv."), for a date line; in running text many of them are words of their
    own ("mar", "set", "mai")."""
    from babel.dates import get_month_names  # only prose dates need it, not every stage that imports this

    months: dict[str, int] = dict(_EN_SHORT)
    widths: tuple[Literal["wide", "abbreviated"], ...] = ("wide", "abbreviated") if abbreviated else ("wide",)
    contexts: tuple[Literal["format", "stand-alone"], ...] = ("format", "stand-alone")
    for loc, width, context in itertools.product(MONTH_LOCALES, widths, contexts):
        try:
            names = get_month_names(width, context, loc)
        except (ValueError, LookupError):  # a locale this babel lacks costs its names only
            continue
        for number, name in names.items():
            word = unicodedata.normalize("NFKC", name).lower().rstrip(".")
            # CLDR falls back to the root's "一月" for some stand-alone forms, and Vietnamese writes
            # "tháng 1" (the story stage reads both with patterns of their own).
            if len(word) < 3 or not all(ch.isalpha() and not "\u3000" <= ch <= "\u9fff" for ch in word):
                continue
            months.setdefault(word, int(number))
            # ...and as a page without its accents writes it ("fevrier", "aout", "marco")
            bare = "".join(ch for ch in unicodedata.normalize("NFKD", word) if not unicodedata.combining(ch))
            months.setdefault(bare, int(number))
    return months
