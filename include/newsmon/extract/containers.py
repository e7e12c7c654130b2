"""Join an article split over several sibling containers, so the extractor sees all of it.

Some templates cut a long article into several body blocks of the same kind (same tag, same class)
with an advert, a video or a newsletter box between them. trafilatura takes the first block that looks
like the article body and stops there, so everything after the first interruption is lost. The test
here is structural, not site-specific: the element that holds the most paragraph text is the article
body; other elements with exactly its tag and class, close to it in the tree (a shared ancestor a few
levels up) and carrying paragraphs of their own, are further parts of the same body. A copy of the
page with those parts moved into the first one is what the extractor gets a second look at.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from copy import deepcopy
from typing import Any

# A part must carry at least this many characters of paragraph text to count as article body.
MIN_PART_CHARS = 200
# Parts must share an ancestor at most this many levels above each of them.
MAX_COMMON_DEPTH = 4
# The extraction is only redone when the parts together hold this much more paragraph text than it
# returned: a complete extraction needs no second look.
MISSING_RATIO = 1.3


def _paragraph_chars(tree: Any) -> Counter[Any]:
    """Characters of ``<p>`` text per parent element."""
    per_parent: Counter[Any] = Counter()
    for p in tree.iter("p"):
        parent = p.getparent()
        if parent is not None:
            per_parent[parent] += len(p.text_content().strip())
    return per_parent


def _ancestors(el: Any, depth: int) -> list[Any]:
    out = []
    node = el.getparent()
    while node is not None and len(out) < depth:
        out.append(node)
        node = node.getparent()
    return out


def body_parts(tree: Any, per_parent: Counter[Any] | None = None) -> list[Any]:
    """The article body's parts in document order (one element when the body is not split)."""
    per_parent = _paragraph_chars(tree) if per_parent is None else per_parent
    if not per_parent:
        return []
    main, _ = per_parent.most_common(1)[0]
    cls = (main.get("class") or "").strip()
    if not cls:
        return [main]
    near = set(_ancestors(main, MAX_COMMON_DEPTH))
    parts = []
    for el, chars in per_parent.items():
        if el.tag != main.tag or (el.get("class") or "").strip() != cls or chars < MIN_PART_CHARS:
            continue
        if el is not main and not near.intersection(_ancestors(el, MAX_COMMON_DEPTH)):
            continue
        parts.append(el)
    # no part may sit inside another one (a nested block is already inside its parent's text)
    parts = [el for el in parts if not any(other in _ancestors(el, 50) for other in parts if other is not el)]
    order = {el: i for i, el in enumerate(tree.iter())} if len(parts) > 1 else {}
    return sorted(parts, key=lambda el: order.get(el, 0))


def split_body_chars(tree: Any) -> tuple[int, list[Any]]:
    """Paragraph characters of all body parts together, and the parts, when the body is split."""
    per_parent = _paragraph_chars(tree)
    parts = body_parts(tree, per_parent)
    if len(parts) < 2:
        return 0, []
    return sum(per_parent[el] for el in parts), parts


def joined_copy(tree: Any, parts: list[Any]) -> Any:
    """A copy of ``tree`` whose first body part also holds the content of the others (removed)."""
    root = tree.getroottree()
    paths = [root.getpath(el) for el in parts]
    copied = deepcopy(tree)
    croot = copied.getroottree()
    targets = [croot.xpath(path) for path in paths]
    if any(len(found) != 1 for found in targets):
        return copied
    first = targets[0][0]
    for (other,) in targets[1:]:
        if other.text and other.text.strip():
            loose = first.makeelement("p", {})
            loose.text = other.text
            first.append(loose)
        for child in list(other):
            first.append(child)
        parent = other.getparent()
        if parent is not None:
            parent.remove(other)
    return copied


def needs_join(extracted_chars: int, split_chars: int) -> bool:
    """The extraction returned clearly less than the split body holds."""
    return split_chars > 0 and split_chars > MISSING_RATIO * extracted_chars


# A list item counts as a link when at least this share of its text is the text of links.
LINK_ITEM_SHARE = 0.3
_WORDS = re.compile(r"\w+", re.UNICODE)


def _words_key(text: str) -> str:
    return " ".join(_WORDS.findall(text)).casefold()


def link_item_lookup(tree: Any) -> Callable[[str], bool]:
    """A test "was this list item text mostly a link on the page?", built on first use.

    The page's ``<li>`` elements are read only when the cleaner asks, i.e. when the text ends in a list.
    """
    linked: set[str] | None = None

    def is_link_item(item: str) -> bool:
        nonlocal linked
        if linked is None:
            linked = set()
            for li in tree.iter("li"):
                chars = len(li.text_content().strip())
                if not chars:
                    continue
                in_links = sum(len(a.text_content().strip()) for a in li.iter("a") if a.get("href"))
                if in_links >= LINK_ITEM_SHARE * chars:
                    linked.add(_words_key(li.text_content()))
        return _words_key(item) in linked

    return is_link_item
