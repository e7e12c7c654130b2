"""Which texts of a page were links: the page fact behind "this line is navigation, not prose".

A short line at an edge of the extracted text ("Politics", "Next story") and a list that ends it
("- Ferry timetable changes") have the same shape as a sign-off, a recipe fact or a list of key points.
What tells them apart is the page, not the text: navigation was a link there. A text counts as linked
when it is the text of an ``<a href>`` element, or of a list item at least ``LINK_ITEM_SHARE`` of whose
text is link text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

LINK_ITEM_SHARE = 0.3
_WORDS = re.compile(r"\w+", re.UNICODE)


def words_key(text: str) -> str:
    """Words only, case-folded: how a line of extracted text is compared with the page's texts."""
    return " ".join(_WORDS.findall(text)).casefold()


def _linked_texts(tree: Any) -> set[str]:
    linked: set[str] = set()
    for a in tree.iter("a"):
        if a.get("href"):
            key = words_key(a.text_content())
            if key:
                linked.add(key)
    for li in tree.iter("li"):
        text = li.text_content()
        chars = len(text.strip())
        if not chars:
            continue
        in_links = sum(len(a.text_content().strip()) for a in li.iter("a") if a.get("href"))
        if in_links >= LINK_ITEM_SHARE * chars:
            linked.add(words_key(text))
    return linked


def linked_text_lookup(tree: Any) -> Callable[[str], bool]:
    """A test "was this text (mostly) a link on the page?", whose page scan runs on first use only.

    The cleaner asks only about lines at the edges of the text, often not at all.
    """
    linked: set[str] | None = None

    def is_linked(text: str) -> bool:
        nonlocal linked
        if linked is None:
            linked = _linked_texts(tree)
        key = words_key(text)
        return bool(key) and key in linked

    return is_linked
