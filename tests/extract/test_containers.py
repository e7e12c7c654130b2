"""Page-structure rules: an article body split over same-kind containers, trailing lists of links."""

from __future__ import annotations

from lxml import html

from newsmon.extract.article import extract_article
from newsmon.extract.clean import clean_lines, trailing_link_list_start
from newsmon.extract.containers import (
    body_parts,
    joined_copy,
    other_posts_share,
    read_paragraphs,
    split_body_chars,
)
from newsmon.extract.links import PageLinks, linked_text_lookup

FIRST_HALF = [
    "The river authority opened the northern sluice gates at dawn after three days of steady rain upstream.",
    "Farmers along the lower valley had moved their cattle to higher pastures the evening before.",
    "Engineers said the reservoir had reached its highest level in eleven years by the end of the weekend.",
]
SECOND_HALF = [
    "By midday the water at the old stone bridge stood almost a metre above its usual summer mark.",
    "The mayor of the nearest town asked residents to keep away from the embankments until further notice.",
    "A second release is planned for Thursday if the forecast for the mountains does not improve by then.",
    "Volunteers filled sandbags in the market square while the fire brigade pumped out flooded cellars.",
]


def _split_page() -> bytes:
    """An article whose body is cut in two by a promotional box, both halves in the same kind of div."""
    first = "".join(f"<p>{p}</p>" for p in FIRST_HALF)
    second = "".join(f"<p>{p}</p>" for p in SECOND_HALF)
    return (
        "<html><head><title>Sluice gates opened</title></head><body><main>"
        "<h1>Sluice gates opened</h1><div class='wrap'>"
        f"<div class='slot'><div class='article-body part'>{first}</div></div>"
        "<div class='promo'><aside><h4>Our weekly letter</h4><a href='/x'>Get it</a></aside></div>"
        f"<div class='slot'><div class='article-body part'>{second}</div></div>"
        "</div></main>"
        "<footer><div class='article-body part'><p>Short footer note about the company.</p></div></footer>"
        "</body></html>"
    ).encode()


def test_body_parts_finds_both_halves_in_document_order() -> None:
    tree = html.fromstring(_split_page())
    parts = body_parts(tree)
    assert len(parts) == 2
    assert FIRST_HALF[0] in parts[0].text_content()
    assert SECOND_HALF[0] in parts[1].text_content()
    chars, _ = split_body_chars(tree)
    assert chars == sum(len(p) for p in FIRST_HALF + SECOND_HALF)


def test_single_body_is_not_split() -> None:
    body = "".join(f"<p>{p}</p>" for p in FIRST_HALF + SECOND_HALF)
    tree = html.fromstring(f"<html><body><div class='story-body'>{body}</div></body></html>")
    assert split_body_chars(tree) == (0, [])


def test_joined_copy_moves_later_parts_into_the_first_and_leaves_the_page_alone() -> None:
    tree = html.fromstring(_split_page())
    copy = joined_copy(tree, body_parts(tree))
    joined = copy.xpath("//div[@class='article-body part']")
    assert len(joined) == 2  # the first part, now whole, and the unrelated footer block
    assert SECOND_HALF[-1] in joined[0].text_content()
    assert len(tree.xpath("//div[@class='article-body part']")) == 3


def test_extract_article_returns_both_halves_of_a_split_body() -> None:
    result = extract_article(_split_page(), url="https://news.example/sluice")
    for paragraph in FIRST_HALF + SECOND_HALF:
        assert paragraph in result.text
    assert "weekly letter" not in result.text


def _page_with_more_stories() -> bytes:
    body = "".join(f"<p>{p}</p>" for p in FIRST_HALF)
    return (
        "<html><body><ul>"
        "<li><a href='/a'>Bridge repairs to start in spring</a></li>"
        "<li>Council votes <a href='/b'>on the new bus depot</a></li>"
        "<li>Ferry timetable changes for the winter</li>"
        f"</ul>{body}</body></html>"
    ).encode()


def test_linked_text_lookup_reads_link_share_of_list_items() -> None:
    is_link = linked_text_lookup(html.fromstring(_page_with_more_stories()))
    assert is_link("Bridge repairs to start in spring")
    assert is_link("Council votes on the new bus depot")
    assert not is_link("Ferry timetable changes for the winter")


def test_trailing_list_of_links_is_removed_but_a_plain_list_is_kept() -> None:
    items = [
        "- Bridge repairs to start in spring",
        "- Council votes on the new bus depot",
        "- Ferry timetable changes for the coming winter months",
    ]
    linked = {"Bridge repairs to start in spring", "Council votes on the new bus depot"}
    cleaned = clean_lines(FIRST_HALF + items, is_linked=linked.__contains__)
    assert cleaned.lines == FIRST_HALF
    kept = clean_lines(FIRST_HALF + items, is_linked=lambda item: False)
    assert kept.lines[-3:] == items


def test_trailing_link_list_needs_prose_before_it_and_three_items() -> None:
    always = lambda item: True  # noqa: E731
    assert trailing_link_list_start(["- one link", "- two links", "- three links"], always) is None
    assert trailing_link_list_start([*FIRST_HALF, "- one link", "- two links"], always) is None
    assert trailing_link_list_start([*FIRST_HALF, "- a", "- b", "- c"], always) == len(FIRST_HALF)


TEASERS = [
    "Harbour master retires after thirty years of guiding ships through the narrow channel",
    "Night buses return to the valley route after the bridge reopens to heavy traffic",
    "School choir wins regional prize with a programme of songs from the fishing villages",
]


def _article_with_cards(card_class: str) -> tuple[bytes, str, str]:
    """An article, then a row of article cards; the fast text (the article) and a fuller one (plus cards)."""
    body = "".join(f"<p>{p}</p>" for p in FIRST_HALF + SECOND_HALF)
    cards = "".join(f"<article class='{card_class}'><p>{t}</p></article>" for t in TEASERS)
    page = (
        f"<html><body><main><article class='story'><div class='text'>{body}</div></article>"
        f"<section class='more'>{cards}</section></main></body></html>"
    ).encode()
    kept = "\n".join(FIRST_HALF + SECOND_HALF)
    return page, kept, kept + "\n" + "\n".join(TEASERS)


def test_what_a_fuller_text_adds_from_cards_of_another_kind_is_other_posts() -> None:
    page, kept, fuller = _article_with_cards("card")
    assert other_posts_share(read_paragraphs(html.fromstring(page)), kept, fuller) == 1.0


def test_sections_in_units_of_the_articles_own_kind_are_not_other_posts() -> None:
    # a live blog: every update is an <article class="story"> like the one the fast text came from
    page, kept, fuller = _article_with_cards("story")
    assert other_posts_share(read_paragraphs(html.fromstring(page)), kept, fuller) == 0.0


def test_other_posts_share_is_zero_when_the_kept_text_is_not_the_article() -> None:
    page, _, fuller = _article_with_cards("card")
    assert other_posts_share(read_paragraphs(html.fromstring(page)), "Menu\nHome\nNews", fuller) == 0.0


def test_a_hidden_container_is_no_part_of_the_body() -> None:
    first = "".join(f"<p>{p}</p>" for p in FIRST_HALF)
    second = "".join(f"<p>{p}</p>" for p in SECOND_HALF)
    page = (
        "<html><body><main><div class='wrap'>"
        f"<div class='slot'><div class='article-body'>{second}</div></div>"
        f"<div class='slot' style='display: none'><div class='article-body'>{first}</div></div>"
        "</div></main></body></html>"
    )
    tree = html.fromstring(page)
    parts = body_parts(tree)
    assert len(parts) == 1 and SECOND_HALF[0] in parts[0].text_content()  # a card template, not a part
    assert split_body_chars(tree) == (0, [])


def test_a_list_item_opening_with_a_linked_headline_is_a_teaser() -> None:
    page = (
        "<html><body><p>Text</p><ul>"
        "<li><a href='/a'>Bridge repairs to start in spring</a> Work will close one lane for a month</li>"
        "<li><a href='/b'>More</a> about the bridge and the lanes that close</li>"
        "</ul></body></html>"
    )
    links = PageLinks(html.fromstring(page))
    assert links.opens_with_headline_link(
        "Bridge repairs to start in spring Work will close one lane for a month"
    )
    assert not links.is_linked("Bridge repairs to start in spring Work will close one lane for a month")
    assert not links.opens_with_headline_link(
        "More about the bridge and the lanes that close"
    )  # not a headline
    assert not links.opens_with_headline_link("Work will close one lane for a month")
