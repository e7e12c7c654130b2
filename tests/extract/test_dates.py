"""A page's date line in the languages the month names cover (CLDR through newsmon.dates)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from newsmon.dates import month_numbers
from newsmon.extract.dates import parse_date


@pytest.mark.parametrize(
    ("line", "day"),
    [
        ("31 декабря 2018", (2018, 12, 31)),
        ("5 fevrier 2020", (2020, 2, 5)),  # French without its accents
        ("10. März 2021", (2021, 3, 10)),
        ("12 de octubre de 2019", (2019, 10, 12)),
        ("3 мар. 2020 г.", (2020, 3, 3)),  # a short form in a date line
        ("3 janv. 2020", (2020, 1, 3)),
        ("19 Οκτωβρίου 2025", (2025, 10, 19)),  # Greek: no stem list had it
        ("19 oktober 2025", (2025, 10, 19)),
        ("15 Ekim 2020", (2020, 10, 15)),
    ],
)
def test_a_date_line_in_another_language_is_read(line: str, day: tuple[int, int, int]) -> None:
    assert parse_date(line) == datetime(*day, tzinfo=UTC)


def test_a_weekday_alone_is_no_date() -> None:
    assert parse_date("Monday") is None


def test_short_forms_are_read_in_date_lines_only() -> None:
    # "mar" (sea), "set" and "mai" are words of running text; a date line reads them as months.
    assert "set" not in month_numbers() and month_numbers(abbreviated=True)["set"] == 9
