"""html_to_text's plain-markup path against the HTML parser it stands in for (``newsmon.html_text``)."""

from __future__ import annotations

import random

import pytest

from newsmon.html_text import _strip_plain, _TextCollector, html_to_lines, html_to_text


def _parsed(value: str) -> str:
    collector = _TextCollector()
    collector.feed(value)
    collector.close()
    return "".join(collector.parts)


# Pieces a feed's titles and summaries are made of, the odd ones included: the plain path must either
# give exactly what the parser gives or decline.
PIECES = [
    "Council votes",
    " on the budget",
    "Fish & chips",
    "AT&amp;T",
    "&lt;b&gt;bold&lt;/b&gt;",
    "&eacute;t&eacute;",
    "&#8217;",
    "&#x2019;",
    "&amp",
    "&notit;",
    "&",
    "a < b",
    "<3",
    "x > y",
    "<p>",
    "</p>",
    "<P>",
    "<br>",
    "<br/>",
    "<br />",
    "<BR>",
    "<b>",
    "</b>",
    "<i>",
    "</i >",
    '<a href="https://example.org/a?b=1&amp;c=2">',
    "<a href='x'>",
    "<a href=/x/>",
    "<a href=x title=y>",
    "</a>",
    '<img src="x.jpg" alt="a > b">',
    '<img src="x.jpg" alt="a &lt; b"/>',
    '<div class="c"\n  id="d">',
    "</div>",
    "<li>",
    "<h2>",
    "</h2>",
    "<script>",
    "var a = '<p>';",
    "</script>",
    "<style>p{}</style>",
    "<!-- note -->",
    "<!DOCTYPE html>",
    "<![CDATA[x]]>",
    "<?xml version='1.0'?>",
    "<p\xa0class=x>",
    "<p\x0bclass=x>",
    '<a title="x<y">',
    "<a b c d>",
    "<a\thref=x>",
    "<1>",
    "</>",
    "<",
    ">",
    "\xa0",
    "\r\n",
    " ",
    "caf\u0065\u0301",
    "\x07",
]


def test_fixed_fragments_agree_or_decline() -> None:
    for piece in PIECES:
        plain = _strip_plain(piece)
        assert plain is None or plain == _parsed(piece), piece


def test_random_fragments_agree_or_decline() -> None:
    rng = random.Random(18)
    taken = 0
    for _ in range(20000):
        value = "".join(rng.choice(PIECES) for _ in range(rng.randint(1, 8)))
        plain = _strip_plain(value)
        if plain is not None:
            taken += 1
            assert plain == _parsed(value), value
    assert taken > 2000  # the plain path is really tried, not declined throughout


@pytest.mark.parametrize(
    ("value", "text", "lines"),
    [
        (
            "<p>Council votes</p><p>on the budget &amp; taxes</p>",
            "Council votes on the budget & taxes",
            "Council votes\non the budget & taxes",
        ),
        ("&lt;b&gt;Escaped&lt;/b&gt; twice", "Escaped twice", "Escaped twice"),
        ("<script>alert(1)</script>Shown", "Shown", "Shown"),
        ("1 < 2 and <b>bold</b>", "1 < 2 and bold", "1 < 2 and bold"),
    ],
)
def test_html_to_text_and_lines(value: str, text: str, lines: str) -> None:
    assert html_to_text(value) == text
    assert html_to_lines(value) == lines


def test_long_unclosed_attributes_stay_fast() -> None:
    """No pattern backtracks without end on a tag that never closes (a cut summary)."""
    value = "<a" + ' b="c"' * 20000
    assert _strip_plain(value) is None
