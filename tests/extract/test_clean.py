"""Pure tests of the leftover cleaner, attribution parser, boilerplate memory and helpers."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from newsmon.extract.attribution import parse_attribution
from newsmon.extract.boilerplate import BoilerplateMemory
from newsmon.extract.clean import CleanRule, clean_lines, is_call_to_action, is_doubled
from newsmon.extract.dates import parse_date
from newsmon.extract.page_meta import normalise_language
from newsmon.html_text import html_to_text
from newsmon.http.charset import decode_body as decode_html

PROSE = [
    "The ministry confirmed on Monday that a second flight carrying children from the camp had landed.",
    "Doctors said most of the children were in stable condition but several needed treatment for infections.",
    "Relatives had campaigned for more than two years for the government to act on their behalf.",
]


@pytest.mark.parametrize(
    "line",
    [
        "SIGN UP TODAY",
        "Subscribe to our newsletter",
        "Loading, please wait...",
        "Back to Middle East",
        "Share this article",
        "We use cookies to improve your experience. Accept all",
        "Follow us on Twitter for the latest updates",
        "Click here to read the full report",
        "Подпишитесь на наш канал",
        "Читайте также",
        "https://example.org/more",
        "« Previous story",
    ],
)
def test_calls_to_action_at_the_edges_are_removed(line):
    assert is_call_to_action(line)
    cleaned = clean_lines([line, *PROSE, line])
    assert cleaned.lines == PROSE
    assert [r.line for r in cleaned.removed].count(line) == 2


@pytest.mark.parametrize("line", [*PROSE, "Prices rose by 3% in March, the statistics office said."])
def test_prose_is_not_a_call_to_action(line):
    assert not is_call_to_action(line)


def test_short_lines_inside_the_text_are_kept():
    # subheadings and table cells in the middle are content: only the edges are scanned for prompts
    lines = [PROSE[0], "WHAT HAPPENS NEXT", PROSE[1], "Read the full statement", PROSE[2]]
    assert clean_lines(lines).lines == lines


def test_trailing_related_block_is_removed():
    block = [
        "Get our daily briefing",
        "Thanks for signing up!",
        "- Camp conditions worsen as winter nears",
        "- Families wait for news of relatives",
        "- Aid groups call for faster returns",
    ]
    assert clean_lines([*PROSE, *block]).lines == PROSE


def test_trailing_list_that_is_content_is_kept():
    items = ["- Four of the children are under six", "- Two need surgery", "- All have relatives waiting"]
    lines = [*PROSE, "The ministry listed the following facts:", *items]
    assert clean_lines(lines).lines == lines


def test_doubled_caption_and_credits_are_removed_anywhere():
    caption = "Relatives waiting at the airport on Sunday © agency.example"
    lines = [PROSE[0], f"{caption} {caption}", PROSE[1], "Photo: Jane Roe/Agency", PROSE[2]]
    assert is_doubled(f"{caption} {caption}")
    assert clean_lines(lines).lines == PROSE


def test_headline_echo_at_the_start_is_removed():
    title = "Thirty children born to fighters in Iraq at last get to return home"
    lines = [
        "Thirty children born to fighters",
        "... in Iraq at last get to return homelast get to return home",
        *PROSE,
    ]
    assert clean_lines(lines, titles=[title]).lines == PROSE


def test_recirculation_labels_are_removed_in_the_middle():
    lines = [
        PROSE[0],
        "READ MORE: Camp conditions worsen as winter nears",
        PROSE[1],
        "Related: Families wait for news",
        PROSE[2],
    ]
    assert clean_lines(lines).lines == PROSE


def test_seed_like_tail_with_attribution_between_prompts():
    lines = [
        *PROSE,
        "REGISTER NOW",
        "(Source: rt.com; December 31, 2018; http://tinyurl.com/y9nal3s3)",
        "Back to INF",
        "Loading please wait...",
    ]
    cleaned = clean_lines(lines)
    assert cleaned.lines == PROSE
    assert cleaned.attribution is not None
    assert cleaned.attribution.site == "rt.com"
    assert cleaned.attribution.published == datetime(2018, 12, 31, tzinfo=UTC)
    assert cleaned.attribution.url == "http://tinyurl.com/y9nal3s3"


def test_boilerplate_callback_removes_repeated_lines_anywhere():
    furniture = "Our partners help keep this service free."
    cleaned = clean_lines([PROSE[0], furniture, PROSE[1]], is_boilerplate=lambda line: line == furniture)
    assert cleaned.lines == PROSE[:2]


# --- attribution -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "site", "published", "url"),
    [
        (
            "(Source: rt.com; December 31, 2018; http://tinyurl.com/y9nal3s3)",
            "rt.com",
            datetime(2018, 12, 31, tzinfo=UTC),
            "http://tinyurl.com/y9nal3s3",
        ),
        ("This article originally appeared on The Conversation.", "The Conversation", None, None),
        (
            "This story was originally published by ProPublica on May 5, 2020.",
            "ProPublica",
            datetime(2020, 5, 5, tzinfo=UTC),
            None,
        ),
        (
            "Originally published at https://example.org/a/b.html",
            "example.org",
            None,
            "https://example.org/a/b.html",
        ),
        ("Republished with permission from Mother Jones.", "Mother Jones", None, None),
        ("Source: Reuters", "Reuters", None, None),
        ("Источник: РИА Новости, 31 декабря 2018", "РИА Новости", datetime(2018, 12, 31, tzinfo=UTC), None),
        ("Источник: https://ria.ru/20181231/123.html", "ria.ru", None, "https://ria.ru/20181231/123.html"),
        (
            "Статья впервые опубликована на сайте Коммерсантъ 12 января 2019 года",
            "Коммерсантъ",
            datetime(2019, 1, 12, tzinfo=UTC),
            None,
        ),
        ("Dieser Artikel erschien zuerst bei Zeit Online.", "Zeit Online", None, None),
        ("Cet article a été initialement publié sur Le Monde.", "Le Monde", None, None),
    ],
)
def test_attribution_lines_are_parsed(line, site, published, url):
    found = parse_attribution(line)
    assert found is not None
    assert (found.site, found.published, found.url, found.line) == (site, published, url, line)


@pytest.mark.parametrize(
    "line",
    [
        "The source said the talks would continue.",
        "Source: officials who asked not to be named because they were not authorised to speak",
        "Back to INF",
        "Источник в министерстве сообщил, что переговоры продолжаются.",
        PROSE[0],
    ],
)
def test_non_attribution_lines_are_not_parsed(line):
    assert parse_attribution(line) is None


def test_attribution_in_the_middle_of_the_text_stays():
    line = "Source: Reuters"
    cleaned = clean_lines([PROSE[0], line, *PROSE[1:], *PROSE])
    assert line in cleaned.lines and cleaned.attribution is None


# --- boilerplate memory ------------------------------------------------------------------------


def test_boilerplate_memory_learns_repeated_lines_per_site():
    memory = BoilerplateMemory(min_pages=2, min_share=0.5)
    footer = "Loading the comments, one moment"
    memory.observe("https://www.example.com/a", [footer, "unique line one"])
    assert not memory.is_boilerplate("example.com", footer)
    memory.observe("https://example.com/b", [footer, "unique line two", footer])  # once per page
    assert memory.is_boilerplate("https://www.example.com/c", footer)
    assert memory.is_boilerplate("example.com", "LOADING  the comments, one moment")  # case/space-blind
    assert not memory.is_boilerplate("example.com", "unique line one")
    assert not memory.is_boilerplate("other.org", footer)


def test_boilerplate_memory_share_threshold():
    memory = BoilerplateMemory(min_pages=2, min_share=0.5)
    for n in range(10):
        memory.observe("example.com", [f"story {n}"] + (["shared quote"] if n < 2 else []))
    assert not memory.is_boilerplate("example.com", "shared quote")  # 2 of 10 pages


def test_boilerplate_memory_round_trips_through_json():
    memory = BoilerplateMemory(min_pages=2, min_share=0.3, max_lines=100)
    for n in range(3):
        memory.observe("example.com", ["Back to section", f"line {n} unique text here"])
    restored = BoilerplateMemory.from_dict(json.loads(json.dumps(memory.to_dict())))
    assert restored.is_boilerplate("example.com", "Back to section")
    assert restored.pages("example.com") == 3
    assert (restored.min_pages, restored.min_share, restored.max_lines) == (2, 0.3, 100)
    assert "Back to section" not in json.dumps(memory.to_dict())  # hashes only, no text
    assert BoilerplateMemory.from_dict({"version": 999}).pages("example.com") == 0


def test_boilerplate_memory_is_bounded_and_mergeable():
    memory = BoilerplateMemory(max_lines=50)
    for n in range(200):
        memory.observe("example.com", [f"unique {n} words", "common footer line"])
    assert len(memory.to_dict()["sites"]["example.com"]["lines"]) <= 50
    assert memory.is_boilerplate("example.com", "common footer line")
    other = BoilerplateMemory()
    other.observe("news.org", ["x footer"])
    other.observe("news.org", ["x footer"])
    memory.merge(other)
    assert memory.is_boilerplate("news.org", "x footer")


# --- charset, dates, plain text ---------------------------------------------------------

RUSSIAN = "Дети вернулись домой из лагеря на северо-востоке Сирии, сообщили в министерстве. " * 3


def test_cp1251_without_any_declaration():
    body = f"<html><body><p>{RUSSIAN}</p></body></html>".encode("cp1251")
    decoded = decode_html(body, "text/html")
    assert RUSSIAN in decoded.text and decoded.encoding == "cp1251"


def test_declared_charset_that_lies_is_overruled():
    body = f'<html><head><meta charset="utf-8"></head><body><p>{RUSSIAN}</p></body></html>'.encode("cp1251")
    assert RUSSIAN in decode_html(body, "text/html; charset=iso-8859-1").text


def test_plausible_declared_charset_is_kept_for_short_text():
    text = "Café crème, déjà vu. Ça va très bien."
    decoded = decode_html(text.encode("cp1252"), "text/html; charset=windows-1252")
    assert decoded.text == text and decoded.how == "declared"


def test_utf8_wins_over_a_wrong_header():
    text = "Привет, мир"
    assert decode_html(text.encode(), "text/html; charset=iso-8859-1").text == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2019-11-19T09:01:42+0530", datetime(2019, 11, 19, 3, 31, 42, tzinfo=UTC)),
        ("2019-11-19", datetime(2019, 11, 19, tzinfo=UTC)),
        ("December 31, 2018", datetime(2018, 12, 31, tzinfo=UTC)),
        ("31 декабря 2018 г.", datetime(2018, 12, 31, tzinfo=UTC)),
        ("15. März 2020", datetime(2020, 3, 15, tzinfo=UTC)),
        ("Monday", None),
        ("rt.com", None),
        ("", None),
    ],
)
def test_parse_date(text, expected):
    assert parse_date(text) == expected


def test_plain_text_strips_script_and_markup():
    assert html_to_text("<script>alert(1)</script>Budget &amp; <b>tax</b>") == "Budget & tax"
    assert html_to_text("&lt;script&gt;alert(1)&lt;/script&gt;Budget") == "Budget"
    assert html_to_text("  many   spaces\n") == "many spaces"
    assert html_to_text("<img src=x onerror=alert(1)>") == ""


def test_normalise_language():
    assert normalise_language("en-GB") == "en"
    assert normalise_language("ru_RU") == "ru"
    assert normalise_language("not a language") is None


# --- line rules that cannot delete body text (issue #16) ---------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "Bis zum nächsten Mal, eure Redaktion",  # a sign-off
        "- 420 kcal",  # a recipe fact ending a list
        "| Stadium | City | Seats |",  # a table row
        "x Marta",  # a signature
        "– „Gut.“",  # a quoted answer
    ],
)
def test_short_lines_at_the_edges_that_are_not_links_stay(line):
    lines = [*PROSE, line]
    assert clean_lines(lines, is_linked=lambda text: False).lines == lines
    assert clean_lines([line, *PROSE], is_linked=lambda text: False).lines == [line, *PROSE]


def test_short_line_at_an_edge_that_was_a_link_is_removed():
    cleaned = clean_lines([*PROSE, "World news"], is_linked=lambda text: text == "World news")
    assert cleaned.lines == PROSE
    assert [(r.line, r.rule) for r in cleaned.removed] == [("World news", CleanRule.EDGE_LABEL)]


@pytest.mark.parametrize(
    "line",
    [
        "When you subscribe to our podcast, each new episode reaches your phone on the day it is out.",
        "This privacy policy explains which cookies the site sets and how long the data is kept by us.",
        "Wenn du unseren Podcast abonnierst, bekommst du jede neue Folge am Morgen ihres Erscheinens.",
    ],
)
def test_body_sentences_that_mention_interface_things_stay(line):
    assert not is_call_to_action(line)
    assert clean_lines([*PROSE, line]).lines == [*PROSE, line]


def test_imperative_interface_sentence_is_still_a_prompt():
    line = "Subscribe to our newsletter to get the best stories of the week in your inbox every Friday."
    assert is_call_to_action(line)
    assert clean_lines([*PROSE, line]).lines == PROSE


HEADLINES = ["Ferry fares to rise in spring", "New bus depot opens on Monday", "Library extends its hours"]


def test_labelled_box_of_linked_headlines_inside_the_text_is_removed():
    lines = [PROSE[0], "RELATED", *HEADLINES, PROSE[1], PROSE[2]]
    cleaned = clean_lines(lines, is_linked=set(HEADLINES).__contains__)
    assert cleaned.lines == PROSE
    assert {r.rule for r in cleaned.removed} == {CleanRule.LINK_RUN}


def test_unlabelled_linked_list_inside_the_text_stays_but_a_trailing_one_goes():
    inside = [PROSE[0], PROSE[1], *HEADLINES, PROSE[2]]
    assert clean_lines(inside, is_linked=set(HEADLINES).__contains__).lines == inside
    trailing = [*PROSE, *HEADLINES]
    assert clean_lines(trailing, is_linked=set(HEADLINES).__contains__).lines == PROSE


def test_each_removal_names_its_rule():
    cleaned = clean_lines(["SIGN UP TODAY", *PROSE, "Photo: Jane Roe/Agency", "https://example.org/x"])
    assert {(r.line, r.rule) for r in cleaned.removed} == {
        ("SIGN UP TODAY", CleanRule.EDGE_PROMPT),
        ("Photo: Jane Roe/Agency", CleanRule.CREDIT),
        ("https://example.org/x", CleanRule.EDGE_LINK),
    }


def test_repeated_then_observe_answers_as_before_the_page_and_counts_it_once():
    memory = BoilerplateMemory(min_pages=2, min_share=0.5)
    footer = "Loading the comments, one moment"
    assert memory.repeated_then_observe("example.com", [footer, "first page text"]) == frozenset()
    assert memory.repeated_then_observe("example.com", [footer, "second page text", footer]) == frozenset()
    assert memory.repeated_then_observe("example.com", [footer, "third"]) == {footer}
    assert memory.pages("example.com") == 3 and not memory.is_boilerplate("example.com", "third")


def test_a_list_the_article_announces_with_its_own_sentence_stays():
    intro = "These are the five places the council has chosen for the new cycle parking racks:"
    announced = [*PROSE, intro, *HEADLINES]
    assert clean_lines(announced, is_linked=set(HEADLINES).__contains__).lines == announced
    labelled = [*PROSE, "More stories:", *HEADLINES]
    assert clean_lines(labelled, is_linked=set(HEADLINES).__contains__).lines == PROSE


def test_a_linked_headline_in_capitals_inside_the_text_is_removed():
    promo = "COUNCIL APPROVES NEW FERRY TERMINAL FOR THE ISLAND"
    lines = [PROSE[0], promo, PROSE[1], PROSE[2]]
    cleaned = clean_lines(lines, is_linked={promo}.__contains__)
    assert cleaned.lines == PROSE
    assert {(r.line, r.rule) for r in cleaned.removed} == {(promo, CleanRule.SHOUTED_LINK)}
    # not a link on the page, a numbered heading of a list article, a short label: all stay
    assert clean_lines(lines, is_linked=lambda line: False).lines == lines
    numbered = "3. THE OLD LIGHTHOUSE CAFE ON THE PIER"
    kept = [PROSE[0], numbered, PROSE[1], PROSE[2]]
    assert clean_lines(kept, is_linked={numbered}.__contains__).lines == kept


TEASER_ITEMS = [
    "- Ferry fares to rise in spring The operator blames the price of fuel and new crew rules",
    "- New bus depot opens on Monday Forty electric buses will be parked and charged there",
    "- Library extends its hours Readers asked for evenings, and the council found the money",
]


def test_a_trailing_run_of_teasers_opening_with_linked_headlines_is_removed():
    opens = lambda item: any(item.startswith(h) for h in HEADLINES)  # noqa: E731
    own_list = ["- Ferries: 2 routes", "- Buses: 40 vehicles"]
    cleaned = clean_lines([*PROSE, *own_list, *TEASER_ITEMS], opens_with_link=opens)
    assert cleaned.lines == [*PROSE, *own_list]
    assert {r.rule for r in cleaned.removed} == {CleanRule.TEASER_LIST}
    # two teasers are not a box; a list the article announces stays; items without the link stay
    assert clean_lines([*PROSE, *TEASER_ITEMS[:2]], opens_with_link=opens).lines == [
        *PROSE,
        *TEASER_ITEMS[:2],
    ]
    announced = [*PROSE, "These are the three stories our readers asked us to follow up:", *TEASER_ITEMS]
    assert clean_lines(announced, opens_with_link=opens).lines == announced
    assert clean_lines([*PROSE, *TEASER_ITEMS], opens_with_link=lambda item: False).lines == [
        *PROSE,
        *TEASER_ITEMS,
    ]
