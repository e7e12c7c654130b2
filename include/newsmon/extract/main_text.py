"""The main text of a page: trafilatura's fast extraction, and its full cascade when that may be incomplete.

trafilatura's fast mode runs its own extractor only; the full cascade also compares the result with
readability and jusText and takes theirs when it holds clearly more. The comparison costs about half
as much again, and on most pages changes nothing, so it runs only when the fast result may be
incomplete (on the fast run's own first stage, see :mod:`.cascade`):

- it is short (under ``FULL_BELOW_CHARS``), where the comparison most often finds the article;
- the page holds blocks of paragraph text the fast result lacks, more of it than the result holds
  (a second half of the body, a closing section: what readability would bring back);
- it is made of short lines, like a menu or a tag cloud taken for the article.

When the article body is split over several same-kind containers (see :mod:`.containers`) and the text
came out clearly shorter than they hold together, the extraction is redone on a copy with the parts
joined. Texts are NFC-normalised, as trafilatura's own ``extract()`` does, so that the same words match
whatever composition the page used.
"""

from __future__ import annotations

import logging
from typing import Any

from newsmon.extract.cascade import Cascade
from newsmon.extract.containers import (
    Paragraphs,
    joined_copy,
    missing_chars,
    needs_join,
    other_posts_share,
    read_paragraphs,
    split_body_chars,
)

log = logging.getLogger(__name__)

# Below this many characters the fast extraction is compared with the full cascade.
FULL_BELOW_CHARS = 1000
# The cascade also runs when the paragraph blocks the fast text lacks hold this share of its length.
MISSING_SHARE = 1.0
# A text with at least this many lines, more than this share of them of 1-3 words, is probably
# navigation: the full cascade gets a second opinion.
LISTY_MIN_LINES = 30
LISTY_SHARE = 0.5
# The full cascade's result is refused when more than this share of what it adds is other posts.
OTHER_POSTS_SHARE = 0.5


def _listy(text: str) -> float:
    """Share of lines of at most three words: near 1 for a menu or tag cloud taken for the article."""
    lines = [ln for ln in text.split("\n") if ln.strip()]
    if len(lines) < LISTY_MIN_LINES:
        return 0.0
    return sum(1 for ln in lines if len(ln.split()) <= 3) / len(lines)


def may_be_incomplete(text: str, paragraphs: Paragraphs) -> bool:
    """The fast result is short, lacks paragraph blocks of the page, or looks like navigation."""
    if len(text) < FULL_BELOW_CHARS:
        return True
    if missing_chars(paragraphs, text) > MISSING_SHARE * len(text):
        return True
    return _listy(text) > LISTY_SHARE


def _cascade(tree: Any, url: str, paragraphs: Paragraphs) -> str:
    try:
        cascade = Cascade(tree, url)
        text = cascade.fast_text
    except Exception as exc:  # a library bug on one hostile page must not fail a batch
        log.warning("trafilatura failed on %s: %s", url, exc)
        return ""
    if not may_be_incomplete(text, paragraphs):
        return text
    try:
        fuller = cascade.full_text
    except Exception as exc:
        log.warning("trafilatura's comparison failed on %s: %s", url, exc)
        return text
    if not fuller:
        return text
    if _listy(text) > LISTY_SHARE and _listy(fuller) >= _listy(text):
        return text  # the second opinion is no less of a menu
    if other_posts_share(paragraphs, text, fuller) > OTHER_POSTS_SHARE:
        return text  # what it adds are teasers of other posts
    return fuller


def main_text(tree: Any, url: str, paragraphs: Paragraphs | None = None) -> str:
    """Main text of ``tree`` (see the module docstring); ``paragraphs`` when already read."""
    paragraphs = paragraphs or read_paragraphs(tree)
    text = _cascade(tree, url, paragraphs)
    split_chars, parts = split_body_chars(tree, paragraphs)
    if needs_join(len(text), split_chars):
        joined_tree = joined_copy(tree, parts)
        joined = _cascade(joined_tree, url, read_paragraphs(joined_tree))
        if len(joined) > len(text):
            log.debug("%s: article body joined from %d containers", url, len(parts))
            text = joined
    return text
