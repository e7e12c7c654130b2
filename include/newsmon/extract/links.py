"""Which texts of a page were links: the page fact behind "this line is navigation, not prose".

A short line at an edge of the extracted text ("Politics", "Next story"), a list that ends it
("- Ferry timetable changes") and a box of headlines inside it have the same shape as a sign-off, a
recipe fact, a list of key points or a run of subheadings. What tells them apart is the page, not the
text: navigation was a link there. A line counts as linked when one link text of the page covers at
least ``LINKED_SHARE`` of its words, starting within its first few words (after a bullet, a number or
a label such as "Video:"); a link's own text covers a line completely.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from typing import Any

LINKED_SHARE = 0.5
# A link text may start this many words into the line.
MAX_OFFSET = 3
# A link this many words long at the start of a list item is a headline (shorter: "More", "Read on").
HEADLINE_MIN_WORDS = 3
_WORDS = re.compile(r"\w+", re.UNICODE)


def words(text: str) -> list[str]:
    """Words, case-folded: how a line of extracted text is compared with the page's link texts."""
    return [w.casefold() for w in _WORDS.findall(text)]


def _link_index(tree: Any) -> dict[str, list[list[str]]]:
    """The page's link texts (as word lists), indexed by their first word.

    A page repeats many links (a menu in the header and the footer, "More" under every teaser), so a
    text is split into words once.
    """
    index: defaultdict[str, list[list[str]]] = defaultdict(list)
    seen: set[str] = set()
    for a in tree.iter("a"):
        href = a.get("href")
        href = href.strip() if href else ""
        if not href or href.startswith(("#", "javascript:")):
            continue  # a jump within the page (a table of contents) is not navigation away
        text = a.text_content()
        if text in seen:
            continue
        seen.add(text)
        if found := words(text):
            index[found[0]].append(found)
    return index


def link_share(line_words: list[str], index: dict[str, list[list[str]]]) -> float:
    """The share of ``line_words`` covered by the longest link text found near its start."""
    if not line_words:
        return 0.0
    best = 0
    for i in range(min(MAX_OFFSET + 1, len(line_words))):
        for anchor in index.get(line_words[i], ()):
            if len(anchor) > best and line_words[i : i + len(anchor)] == anchor:
                best = len(anchor)
    return best / len(line_words)


def leading_link_words(line_words: list[str], index: dict[str, list[list[str]]]) -> int:
    """Words of the longest link text that ``line_words`` opens with (0 when it opens with none)."""
    if not line_words:
        return 0
    return max(
        (len(anchor) for anchor in index.get(line_words[0], ()) if line_words[: len(anchor)] == anchor),
        default=0,
    )


class PageLinks:
    """The page's link texts, scanned on first use only, and the two questions asked of them."""

    def __init__(self, tree: Any) -> None:
        self._tree = tree
        self._index: dict[str, list[list[str]]] | None = None

    @property
    def index(self) -> dict[str, list[list[str]]]:
        if self._index is None:
            self._index = _link_index(self._tree)
        return self._index

    def is_linked(self, text: str) -> bool:
        """Was this text (mostly) a link on the page?"""
        return link_share(words(text), self.index) >= LINKED_SHARE

    def opens_with_headline_link(self, text: str) -> bool:
        """Does this text open with a linked headline (a link of ``HEADLINE_MIN_WORDS`` words or more)?

        A teaser of another story is its linked headline followed by a plain summary ("Ferry fares to
        rise" + "The operator blames fuel costs"): the link opens the text but need not cover half of it.
        """
        return leading_link_words(words(text), self.index) >= HEADLINE_MIN_WORDS


def linked_text_lookup(tree: Any) -> Callable[[str], bool]:
    """A test "was this text (mostly) a link on the page?", whose page scan runs on first use only."""
    return PageLinks(tree).is_linked
