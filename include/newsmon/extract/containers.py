"""Join an article split over several sibling containers, so the extractor sees all of it.

Some templates cut a long article into several body blocks of the same kind (same tag, same class)
with an advert, a video or a newsletter box between them. trafilatura takes the first block that looks
like the article body and stops there, so everything after the first interruption is lost. The test
here is structural, not site-specific: the element that holds the most paragraph text is the article
body; other elements with exactly its tag and class, close to it in the tree (a shared ancestor a few
levels up) and carrying paragraphs of their own, are further parts of the same body, unless they are
articles of their own: an index page lists its posts in identical containers too, each with its own
headline. A copy of the page with the parts moved into the first one is what the extractor gets a
second look at.
"""

from __future__ import annotations

import re
from collections import Counter
from copy import deepcopy
from dataclasses import dataclass
from typing import Any

_HEADLINES = ("h1", "h2", "h3")
_HIDDEN_CLASSES = frozenset({"hide", "hidden", "d-none"})  # the common utility classes for display: none
_ITEM_ARTICLE = re.compile(r"schema\.org/\w*(?:Article|Posting)\b", re.IGNORECASE)
# A part must carry at least this many characters of paragraph text to count as article body.
MIN_PART_CHARS = 200
# A paragraph is looked for in an extracted text by this many of its characters, after skipping the
# first few (the start of a paragraph is where inline markup most often changes the spacing).
PROBE_CHARS = 40
PROBE_SKIP = 20
# How far above the main paragraph block the article's region (headline, byline, wall) may reach.
REGION_MAX_LEVELS = 6
_HEADLINE = ("h1",)
# Parts must share an ancestor at most this many levels above each of them.
MAX_COMMON_DEPTH = 4
# The extraction is only redone when the parts together hold this much more paragraph text than it
# returned: a complete extraction needs no second look.
MISSING_RATIO = 1.3


@dataclass(frozen=True)
class Paragraphs:
    """The page's ``<p>`` text per parent element, read once and used by the checks below."""

    chars: Counter[Any]  # parent element -> characters of paragraph text in it
    probes: dict[Any, str]  # parent element -> a piece of its longest paragraph, to look for in a text

    def main_block(self) -> Any | None:
        """The element holding the most paragraph text: where the article body is."""
        return self.chars.most_common(1)[0][0] if self.chars else None


def read_paragraphs(tree: Any) -> Paragraphs:
    chars: Counter[Any] = Counter()
    longest: dict[Any, str] = {}
    for p in tree.iter("p"):
        parent = p.getparent()
        if parent is None:
            continue
        text = " ".join(p.text_content().split())
        chars[parent] += len(text)
        if len(text) > len(longest.get(parent, "")):
            longest[parent] = text
    probes = {
        el: t[PROBE_SKIP : PROBE_SKIP + PROBE_CHARS] if len(t) >= 2 * PROBE_CHARS else t[:PROBE_CHARS]
        for el, t in longest.items()
    }
    return Paragraphs(chars, probes)


def missing_chars(paragraphs: Paragraphs, text: str) -> int:
    """Paragraph text of the page, in blocks of real size, that ``text`` does not contain.

    Each block is checked by a piece of its longest paragraph: a block whose piece is absent from the
    text was left out whole (a second half of the body, a closing section, a list the extractor missed).
    """
    flat = " ".join(text.split())
    return sum(
        chars
        for el, chars in paragraphs.chars.items()
        if chars >= MIN_PART_CHARS and paragraphs.probes[el] not in flat
    )


def _ancestors(el: Any, depth: int) -> list[Any]:
    out: list[Any] = []
    node = el.getparent()
    while node is not None and len(out) < depth:
        out.append(node)
        node = node.getparent()
    return out


def _hidden(el: Any) -> bool:
    """``el`` or an ancestor is hidden by markup (``hidden``, ``display: none``, a "hide" class)."""
    for node in (el, *el.iterancestors()):
        if node.get("hidden") is not None or _HIDDEN_CLASSES.intersection((node.get("class") or "").split()):
            return True
        if "display:none" in (node.get("style") or "").replace(" ", "").lower():
            return True
    return False


def body_parts(tree: Any, paragraphs: Paragraphs | None = None) -> list[Any]:
    """The article body's parts in document order (one element when the body is not split).

    Hidden containers are no part of it: a card template or a closed tab may hold a whole other article
    in the same markup, and it is not on the page a reader sees.
    """
    paragraphs = paragraphs or read_paragraphs(tree)
    per_parent = paragraphs.chars
    main = paragraphs.main_block()
    if main is None or _hidden(main):
        return []
    cls = (main.get("class") or "").strip()
    if not cls:
        return [main]
    near = set(_ancestors(main, MAX_COMMON_DEPTH))
    parts = []
    for el, chars in per_parent.items():
        if el.tag != main.tag or (el.get("class") or "").strip() != cls or chars < MIN_PART_CHARS:
            continue
        if el is not main and (not near.intersection(_ancestors(el, MAX_COMMON_DEPTH)) or _hidden(el)):
            continue
        parts.append(el)
    # no part may sit inside another one (a nested block is already inside its parent's text)
    parts = [el for el in parts if not any(other in _ancestors(el, 50) for other in parts if other is not el)]
    # parts share their tag: document order among elements of that tag is enough
    order = {el: i for i, el in enumerate(tree.iter(main.tag))} if len(parts) > 1 else {}
    return sorted(parts, key=lambda el: order.get(el, 0))


def _is_article_unit(el: Any) -> bool:
    return el.tag == "article" or bool(_ITEM_ARTICLE.search(el.get("itemtype") or ""))


def _article_unit(el: Any) -> Any | None:
    """The nearest enclosing ``<article>`` or schema.org article/posting item, if any."""
    return next((node for node in el.iterancestors() if _is_article_unit(node)), None)


def _unit_kind(el: Any) -> tuple[str, str] | None:
    """Tag and class of the article unit ``el`` (a paragraph block) belongs to, itself included."""
    unit = el if _is_article_unit(el) else _article_unit(el)
    return None if unit is None else (unit.tag, " ".join((unit.get("class") or "").split()))


def other_posts_share(paragraphs: Paragraphs, kept: str, fuller: str) -> float:
    """Share of what ``fuller`` adds to ``kept`` that is other posts: cards of a kind the article is not.

    Related posts arrive as a row of article units (``<article>`` or schema.org items) of their own
    kind, each a teaser of another page; a list article or a live blog holds its own sections in
    units of one kind, the kind its first part came in. So paragraph text ``fuller`` brings from at
    least two units of a kind none of ``kept``'s paragraphs sits in is taken for other posts; the
    share is 0 when ``kept`` does not even hold the page's main paragraph block (it is not the article).
    """
    main = paragraphs.main_block()
    if main is None or paragraphs.probes.get(main, "\0") not in " ".join(kept.split()):
        return 0.0
    flat_kept, flat_fuller = " ".join(kept.split()), " ".join(fuller.split())
    kept_kinds: set[tuple[str, str] | None] = set()
    added: list[tuple[int, tuple[str, str] | None, Any]] = []
    for el, chars in paragraphs.chars.items():
        probe = paragraphs.probes.get(el, "")
        if len(probe) < PROBE_CHARS // 2:
            continue
        if probe in flat_kept:
            kept_kinds.add(_unit_kind(el))
        elif probe in flat_fuller:
            added.append((chars, _unit_kind(el), el))
    foreign = [(chars, el) for chars, kind, el in added if kind is not None and kind not in kept_kinds]
    units = {_article_unit(el) if not _is_article_unit(el) else el for _, el in foreign}
    if len(units) < 2:
        return 0.0
    return sum(chars for chars, _ in foreign) / max(1, sum(chars for chars, _, _ in added))


def _common_ancestor(parts: list[Any]) -> Any | None:
    for node in parts[0].iterancestors():
        if all(node in _ancestors(el, 1000) for el in parts[1:]):
            return node
    return None


def _has_own_headline(part: Any, common: Any) -> bool:
    """``part`` sits in a branch below ``common`` that carries a headline outside the part itself."""
    branch = part
    while branch.getparent() is not None and branch.getparent() is not common:
        branch = branch.getparent()
    if branch is part:
        return False
    return any(part not in set(h.iterancestors()) for h in branch.iter(*_HEADLINES))


def separate_articles(parts: list[Any]) -> bool:
    """The parts are articles of their own (the posts of an index page), not fragments of one.

    A fragment continues the article above it; a post comes with its own ``<article>`` element or its
    own headline (a heading beside it in its own container, as every post of a blog index has).
    """
    units = [_article_unit(el) for el in parts]
    if len({id(u) for u in units if u is not None}) > 1:
        return True
    common = _common_ancestor(parts)
    return common is not None and any(_has_own_headline(el, common) for el in parts[1:])


def article_region(main_block: Any | None) -> Any | None:
    """The nearest ancestor of ``main_block`` that also holds a headline (at most a few levels up)."""
    if main_block is None:
        return None
    node = main_block
    for _ in range(REGION_MAX_LEVELS):
        if next(node.iter(*_HEADLINE), None) is not None:
            return node
        parent = node.getparent()
        if parent is None or parent.tag in ("body", "html"):
            return node
        node = parent
    return node


def split_body_chars(tree: Any, paragraphs: Paragraphs | None = None) -> tuple[int, list[Any]]:
    """Paragraph characters of all body parts together, and the parts, when one article's body is split."""
    paragraphs = paragraphs or read_paragraphs(tree)
    per_parent = paragraphs.chars
    parts = body_parts(tree, paragraphs)
    if len(parts) < 2 or separate_articles(parts):
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
