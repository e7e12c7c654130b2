"""Main-text selection: full cascade when the fast text may be incomplete, NFC, no index-page joins."""

from __future__ import annotations

import unicodedata

from lxml import html

from newsmon.extract.article import extract_article
from newsmon.extract.containers import read_paragraphs, split_body_chars
from newsmon.extract.main_text import may_be_incomplete
from tests.extract import extract_pages as pages
from tests.extract.test_containers import FIRST_HALF, SECOND_HALF


def test_text_needing_nfc_comes_out_composed():
    result = extract_article(pages.decomposed_text(), url="https://news.example/bruecke")
    text = result.text
    assert unicodedata.is_normalized("NFC", text)
    assert unicodedata.normalize("NFC", pages.NFD_GERMAN) in text
    assert "München" in text and "Mu\u0308nchen" not in text
    assert unicodedata.normalize("NFC", pages.NFD_BENGALI) in text
    assert result.title == "Neue Brücke"


def test_index_page_posts_are_not_joined_into_one_article():
    tree = html.fromstring(pages.blog_index())
    assert split_body_chars(tree) == (0, [])
    result = extract_article(pages.blog_index(), url="https://blog.example/")
    # the old join glued every post of the index into one text
    assert sum(1 for _, text in pages.INDEX_POSTS if text in result.text) < len(pages.INDEX_POSTS)


def _page_with_a_second_block() -> bytes:
    first = "".join(f"<p>{p}</p>" for p in FIRST_HALF)
    second = "".join(f"<p>{p}</p>" for p in SECOND_HALF)
    return (
        "<html><body><main><div class='lead'>" + first + "</div><aside><p>Advert</p></aside>"
        "<section class='closing'>" + second + "</section></main></body></html>"
    ).encode()


def test_fast_text_missing_a_block_of_the_page_may_be_incomplete():
    paragraphs = read_paragraphs(html.fromstring(_page_with_a_second_block()))
    assert may_be_incomplete("\n".join(FIRST_HALF), paragraphs)  # short: the cascade compares
    padded = "\n".join(FIRST_HALF * 5)  # long, lacking a block smaller than itself
    assert len(padded) > 1000 and not may_be_incomplete(padded, paragraphs)
    assert not may_be_incomplete("\n".join((FIRST_HALF + SECOND_HALF) * 2), paragraphs)


def test_long_fast_text_lacking_more_than_it_holds_goes_to_the_full_cascade():
    first = "".join(f"<p>{p}</p>" for p in FIRST_HALF * 5)
    second = "".join(f"<p>{p}</p>" for p in SECOND_HALF * 6)
    page = f"<html><body><div class='a'>{first}</div><div class='b'>{second}</div></body></html>"
    paragraphs = read_paragraphs(html.fromstring(page))
    text = "\n".join(FIRST_HALF * 5)
    assert len(text) > 1000
    assert may_be_incomplete(text, paragraphs)  # the closing block holds more than the text
    assert not may_be_incomplete(text + "\n" + "\n".join(SECOND_HALF * 6), paragraphs)


def test_a_page_the_cleaner_would_empty_keeps_its_text():
    links = "".join(f"<li><a href='/s/{n}'>Story number {n} about the harbour</a></li>" for n in range(6))
    page = f"<html><body><main><ul>{links}</ul></main></body></html>".encode()
    result = extract_article(page, url="https://news.example/list")
    assert "Story number 3 about the harbour" in result.text and result.removed == ()
