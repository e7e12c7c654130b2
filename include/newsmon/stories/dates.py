"""Dates a text states ("19 October", "October 19th", "19 октября", "19 Ekim", "10月19日", "2025-10-19"),
in any language the Unicode CLDR names the months of (through babel), as (year or 0, month, day).

A report without a publication date still says when its event happened: "on Sunday 19 October",
"в воскресенье, 19 октября". Two reports of one event state its day; another event of the same kind
at the same place (a second quake of the same magnitude two months later) states another.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from newsmon.dates import month_numbers

# Connecting words between a day and its month: "19 de octubre", "19 di ottobre", "ngày 19 tháng 10".
_LINK = r"(?:\s+(?:de|del|di|do|da)\s+|\.?\s*|\s*-\s*)"
_YEAR = r"(?:,?\s+((?:19|20)\d\d)(?!\d))?"
_DAY = r"(?<![\d.,:/])(\d{1,2})(?:st|nd|rd|th|er|e|º|\.)?"
_NUMERIC = (
    # ISO 2025-10-19, and a URL's or a page stamp's 2025/10/19
    re.compile(r"(?<!\d)((?:19|20)\d\d)[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)"),
    # 19.10.2025, 19/10/2025: day first (the order of most of the world; an ambiguous US date that
    # reads as another day is a date the two texts do not share, never a wrong shared one)
    re.compile(r"(?<![\d.])(\d{1,2})[./](\d{1,2})[./]((?:19|20)\d\d)(?!\d)"),
)
# 10月19日 (Chinese, Japanese), 10월 19일 (Korean), ngày 19 tháng 10 (Vietnamese)
_CJK_RE = re.compile(r"(?:((?:19|20)\d\d)\s?[年년]\s?)?(\d{1,2})\s?[月월]\s?(\d{1,2})\s?[日号號일]")
_VI_RE = re.compile(r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})(?:\s+năm\s+((?:19|20)\d\d))?", re.IGNORECASE)


# A day next to a word (the word is looked up in `month_numbers`): "19 octobre", "19. Oktober",
# "19 de octubre", "19th October, 2025", "October 19", "Oct. 19th 2025".
_DAY_WORD_RE = re.compile(rf"{_DAY}{_LINK}([^\W\d_]{{3,}})\.?{_YEAR}")
_WORD_DAY_RE = re.compile(
    rf"(?<![^\W\d_])([^\W\d_]{{3,}})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?(?![\d.,:]\d|\d){_YEAR}"
)


Stated = tuple[int, int, int]  # (year or 0, month, day)


def _valid(year: int, month: int, day: int) -> Stated | None:
    try:
        date(year or 2000, month, day)  # a leap year: 29 February without a year is a date
    except ValueError:
        return None
    return (year, month, day)


# The numeric forms, each with the groups of its year (perhaps empty), month and day.
_NUMBERED = (
    (_NUMERIC[0], 1, 2, 3),
    (_NUMERIC[1], 3, 2, 1),
    (_CJK_RE, 1, 2, 3),
    (_VI_RE, 3, 2, 1),
)


def stated_dates(text: str) -> tuple[Stated, ...]:
    """The dates `text` states, in text order, each once: (year, month, day), year 0 when not given."""
    text = unicodedata.normalize("NFKC", text)
    found: list[tuple[int, Stated]] = []
    months = month_numbers()
    for pattern, day_group, word_group in ((_DAY_WORD_RE, 1, 2), (_WORD_DAY_RE, 2, 1)):
        for m in pattern.finditer(text):
            month = months.get(m.group(word_group).lower())
            if month and (got := _valid(int(m.group(3) or 0), month, int(m.group(day_group)))):
                found.append((m.start(), got))
    for pattern, year_group, month_group, day_group in _NUMBERED:
        for m in pattern.finditer(text):
            year, month, day = (int(m.group(g) or 0) for g in (year_group, month_group, day_group))
            if got := _valid(year, month, day):
                found.append((m.start(), got))
    out: list[Stated] = []
    for _, got in sorted(found):
        if got not in out:
            out.append(got)
    return tuple(out)


def _day(year: int, month: int, day: int) -> date:
    return date(year, month, min(day, 28) if month == 2 else day)  # 29 February in a common year


def days_apart(a: Stated, b: Stated) -> int:
    """Days between two stated dates. A date without a year is taken in the other's year (or in a
    common year when neither gives one), and then the year before or after may be nearer (30
    December and 2 January)."""
    year = a[0] or b[0] or 2001
    gap = abs((_day(a[0] or year, a[1], a[2]) - _day(b[0] or year, b[1], b[2])).days)
    if not a[0] or not b[0]:
        gap = min(gap, abs(gap - 365), abs(gap - 366))
    return gap
