"""The staged cascade gives exactly what trafilatura's ``bare_extraction`` gives, in both modes.

:mod:`newsmon.extract.cascade` calls trafilatura's stage functions itself so that the comparison
stage reuses the fast run's work. That is only right while it calls them as ``bare_extraction`` does;
these pages (our own text) cover the branches: plain articles, a teaser block (the one place the
extractor reads the mode), a short result on a long page (the recall retry and the jusText
candidate), a page with almost nothing (the baseline rescue), and markup that is no article at all.
"""

from __future__ import annotations

import inspect
import unicodedata

import pytest
from lxml import html
from trafilatura import bare_extraction
from trafilatura.baseline import html2txt

from newsmon.extract.cascade import Cascade, page_chars_bound
from tests.extract import extract_pages as pages
from tests.extract.test_containers import FIRST_HALF, SECOND_HALF
from tests.extract.test_main_text import _page_with_a_second_block

URL = "https://news.example/story"


def _teaser_page() -> bytes:
    """An article followed by teaser blocks of other stories (trafilatura keeps them in fast mode only)."""
    body = "".join(f"<p>{p}</p>" for p in FIRST_HALF)
    teasers = "".join(
        f"<div class='teaser'><p>{p} <a href='/s/{n}'>More</a></p></div>" for n, p in enumerate(SECOND_HALF)
    )
    return f"<html><body><main><div class='story'>{body}</div>{teasers}</main></body></html>".encode()


def _short_text_on_a_long_page() -> bytes:
    """A short lead in an article element and a long run of text in plain divs beside it."""
    lead = f"<article><p>{FIRST_HALF[0]}</p></article>"
    rest = "".join(f"<div class='row'><div>{p}</div></div>" for p in SECOND_HALF * 6)
    nav = "".join(f"<li><a href='/n/{n}'>Section {n}</a></li>" for n in range(30))
    return f"<html><body><nav><ul>{nav}</ul></nav>{lead}<div class='rows'>{rest}</div></body></html>".encode()


def _almost_empty() -> bytes:
    return b"<html><body><div><span>Opening hours: nine to five.</span></div></body></html>"


def _no_article() -> bytes:
    items = "".join(f"<li><a href='/p/{n}'>Product {n}</a> <span>{n}.99</span></li>" for n in range(40))
    return f"<html><body><h1>Catalogue</h1><ul>{items}</ul></body></html>".encode()


def _fixture_pages() -> list[tuple[str, bytes]]:
    found = [
        (name, fn())
        for name, fn in vars(pages).items()
        if inspect.isfunction(fn) and not inspect.signature(fn).parameters
    ]
    found.append(("plain_article", pages.plain_article("Bakery prize", pages.SHORT_ARTICLE)))
    return found


PAGES: list[tuple[str, bytes]] = [
    *_fixture_pages(),
    ("teasers", _teaser_page()),
    ("short_text_on_a_long_page", _short_text_on_a_long_page()),
    ("almost_empty", _almost_empty()),
    ("no_article", _no_article()),
    ("second_block", _page_with_a_second_block()),
]


def _reference(tree: html.HtmlElement, *, fast: bool) -> str:
    document = bare_extraction(tree, url=URL, fast=fast, include_comments=False, include_tables=True)
    return unicodedata.normalize("NFC", (getattr(document, "text", None) or "").strip())


@pytest.mark.parametrize(("name", "page"), PAGES, ids=[name for name, _ in PAGES])
def test_cascade_matches_bare_extraction_in_both_modes(name: str, page: bytes) -> None:
    tree = html.fromstring(page)
    before = html.tostring(tree)
    cascade = Cascade(tree, URL)
    assert cascade.fast_text == _reference(tree, fast=True)
    assert cascade.full_text == _reference(tree, fast=False)
    assert html.tostring(tree) == before  # the caller's tree is left whole


def test_the_fixtures_reach_the_branches_they_are_here_for() -> None:
    teasers = Cascade(html.fromstring(_teaser_page()), URL)
    assert teasers._first.teasers
    plain = Cascade(html.fromstring(pages.plain_article("Bakery prize", pages.SHORT_ARTICLE)), URL)
    assert not plain._first.teasers
    escalated = Cascade(html.fromstring(_short_text_on_a_long_page()), URL)
    assert escalated.fast_text and escalated._recall is not None  # the recall retry ran
    rescued = Cascade(html.fromstring(_almost_empty()), URL)
    assert rescued.fast_text and "_baseline" in vars(rescued)  # the baseline rescue ran


def _minified_page_with_furniture() -> bytes:
    """Blocks glued without whitespace, scripts, styles, an aside, a footer and a cookie banner."""
    story = "".join(f"<p>{p}</p>" for p in FIRST_HALF)
    return (
        "<html><head><style>p{margin:0}</style></head><body>"
        "<script>var tracking={id:42,pages:['a','b']};</script>"
        "<div class='cookie-consent'><span>We use cookies</span><button>OK</button></div>"
        f"<div><h1>Harbour reopens</h1>{story}<div>Filed<br>by<br>a<br>reporter</div></div>"
        "<aside><h2>Most read</h2><ul><li><a href='/a'>Tide tables</a></li></ul>"
        "<script>loadWidget()</script></aside>"
        "<div id='page-footer'>Contact us</div><footer><p>Copyright the harbour paper</p></footer>"
        "<svg><text>logo</text></svg><template><p>hidden template</p></template>"
        "</body></html>"
    ).encode()


@pytest.mark.parametrize(
    ("name", "page"),
    [*PAGES, ("minified_page_with_furniture", _minified_page_with_furniture())],
    ids=[*(name for name, _ in PAGES), "minified_page_with_furniture"],
)
def test_page_chars_bound_never_undercuts_trafilaturas_page_text(name: str, page: bytes) -> None:
    tree = html.fromstring(page)
    bound = page_chars_bound(tree)
    exact = len(html2txt(tree))
    assert bound is not None and bound >= exact
    assert bound <= 2 * exact + 50  # and it is a bound worth having, not a page size


def test_page_chars_bound_is_none_without_a_body() -> None:
    assert page_chars_bound(html.fromstring("<div><p>Just a fragment of text.</p></div>")) is None
