from __future__ import annotations

import pytest

from newsmon.stories.dates import days_apart, stated_dates


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The fire broke out on 19 October, officials said.", (0, 10, 19)),
        ("Officials said on Oct. 19th, 2025 that the fire was out.", (2025, 10, 19)),
        ("Le feu a pris le 19 octobre dans la nuit.", (0, 10, 19)),
        ("Das Feuer brach am 19. Oktober 2025 aus.", (2025, 10, 19)),
        ("El incendio comenzó el 19 de octubre.", (0, 10, 19)),
        ("Пожар начался 19 октября в порту.", (0, 10, 19)),
        ("Yangın 19 Ekim'de limanda başladı.", (0, 10, 19)),
        ("Η φωτιά ξέσπασε στις 19 Οκτωβρίου.", (0, 10, 19)),
        ("اندلع الحريق في 19 أكتوبر في الميناء.", (0, 10, 19)),
        ("火灾于10月19日在港口发生。", (0, 10, 19)),
        ("화재는 10월 19일 항구에서 발생했다.", (0, 10, 19)),
        ("Vụ cháy xảy ra ngày 19 tháng 10 tại cảng.", (0, 10, 19)),
        ("published 2025-10-19 at the port", (2025, 10, 19)),
        ("Stand: 19.10.2025, Hafen", (2025, 10, 19)),
    ],
)
def test_a_day_and_month_in_any_language_is_a_stated_date(text: str, expected: tuple[int, int, int]) -> None:
    assert stated_dates(text)[:1] == (expected,)


def test_figures_that_are_no_dates_are_left_out() -> None:
    # A count before a word that is no month, a month without a day, a day 32, a decimal.
    text = "He won 19 seats in March; 32 January is no day; a depth of 10.5 km and 3.10 metres."
    assert stated_dates(text) == ()


def test_dates_are_in_text_order_each_once() -> None:
    text = "On 5 May the talks opened; on 2 May a draft circulated; by May 5 they had a text."
    assert stated_dates(text) == ((0, 5, 5), (0, 5, 2))


def test_days_apart_takes_a_missing_year_from_the_other_date_and_wraps_the_year() -> None:
    assert days_apart((0, 10, 19), (2025, 10, 20)) == 1
    assert days_apart((0, 12, 30), (0, 1, 2)) == 3
    assert days_apart((2024, 10, 19), (2025, 10, 19)) == 365
