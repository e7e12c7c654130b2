"""trafilatura's extraction cascade in stages, so that its comparison stage runs only when asked for.

trafilatura's ``bare_extraction`` runs its whole cascade in one call: prune and clean the tree, its
own extractor, (unless ``fast``) a comparison with readability and jusText, a baseline rescue of an
empty result and a recall retry of a result that covers little of the page. newsmon wants the
comparison only when the fast result may be incomplete (:mod:`.main_text` decides), and calling
``bare_extraction`` a second time for it repeats everything before the comparison: the pruning, the
cleaning, trafilatura's own extractor, the baseline and the page measure of the recall retry, which
is most of the second call.

:class:`Cascade` runs trafilatura's own stage functions once, in the order its ``trafilatura_sequence``
calls them for newsmon's settings (no comments, tables, balanced focus), keeps what both modes share
and runs only the comparison and the stages after it again for the full result. Both results are
exactly what ``bare_extraction`` returns with ``fast=True`` and ``fast=False`` (a test holds the two
to it on every page it has, so that a trafilatura upgrade that changes the order is caught; the
version is pinned in requirements.txt). trafilatura's extractor reads the mode in one place only: its
last-resort recovery keeps "teaser" blocks in fast mode. When the page has none, the extractor's
result is the same in both modes and is shared; otherwise it runs again for the full result.
"""

from __future__ import annotations

import logging
import unicodedata
from copy import copy
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from lxml.etree import XPath, _Element
from trafilatura.baseline import _BLOCK_ELEMS, baseline, html2txt
from trafilatura.core import (
    ESCALATION_ACCEPT_RATIO,
    ESCALATION_JUSTEXT_RATIO,
    ESCALATION_MAX_LENGTH,
    ESCALATION_PAGE_SHARE,
    _forum_thread_page,
    _prepare_tree,
)
from trafilatura.external import compare_extraction, justext_rescue
from trafilatura.htmlprocessing import prune_unwanted_nodes
from trafilatura.main_extractor import extract_content
from trafilatura.settings import Extractor
from trafilatura.xml import xmltotxt
from trafilatura.xpaths import RAW_TREE_PRUNE_XPATH, REMOVE_COMMENTS_AND_LISTS_XPATH

log = logging.getLogger(__name__)

# newsmon's settings: the article without reader comments, tables kept (as ``bare_extraction`` is
# called with include_comments=False, include_tables=True).
_SETTINGS: dict[str, Any] = {"comments": False, "tables": True}


# trafilatura's TEASER_DISCARD_XPATH (div, item, list, p, section, span with "teaser" in the id or
# class) read before tag conversion: ``item`` and ``list`` are still li/dd/dt and ul/ol/dl there, and a
# ``div`` may still be a ``details``.
_TEASERS_BEFORE_CONVERSION = XPath(
    ".//*[self::div or self::details or self::p or self::section or self::span or self::ul or self::ol"
    " or self::dl or self::li or self::dd or self::dt]"
    "[contains(translate(@id, 'T', 't'), 'teaser') or contains(translate(@class, 'T', 't'), 'teaser')]"
)


def _options(url: str | None, *, fast: bool, recall: bool = False) -> Extractor:
    return Extractor(output_format="python", url=url, fast=fast, recall=recall, **_SETTINGS)


# What trafilatura's page text (``html2txt``: BASIC_CLEAN_XPATH's cleaning, then the text with a space
# at each block boundary) always removes whole: these elements, whatever their attributes.
_PAGE_TEXT_DROPS = ("aside", "fencedframe", "footer", "script", "style", "svg", "template")
_SPACE_STARTS = (" ", "\t", "\n", "\r")


def page_chars_bound(page: Any) -> int | None:
    """An upper bound of ``len(html2txt(page))`` at a fraction of its cost (no copy, no regex XPath).

    ``html2txt`` takes the ``<body>``, deletes some elements (their tails stay), puts a space before
    the text and the tail of every block element, and joins the whitespace-separated words with single
    spaces. Deleting a character never lengthens that joined text and deleting a non-space character
    shortens it by at least one; inserting a space lengthens it by at most one, and by none when the
    character after it is whitespace. So the bound is the joined text of the whole body, less the
    non-space characters of the elements always deleted, plus one per space inserted before a text
    that does not start with whitespace. Exact as long as ``html2txt`` cleans and spaces that way
    (a test holds the bound to ``html2txt`` on every page it has). None for a page without a body.
    """
    body = page.find(".//body")
    if body is None:
        return None
    chars = len(" ".join(body.text_content().split()))
    counted: set[Any] = set()
    for el in body.iter(*_PAGE_TEXT_DROPS):
        if not counted.intersection(el.iterancestors(*_PAGE_TEXT_DROPS)):
            counted.add(el)
            chars -= len("".join(el.text_content().split()))
    for el in body.iter(*_BLOCK_ELEMS):
        for run in (el.text, el.tail):
            chars += not run or not run.startswith(_SPACE_STARTS)
    return chars


@dataclass
class _Stage:
    """What trafilatura's own extractor made of one prepared tree (the first stage of the cascade)."""

    body: _Element
    text: str
    backup: Any  # the cleaned tree before tag conversion: the comparison's input

    @cached_property
    def teasers(self) -> bool:
        """The tree may hold "teaser" blocks, which the extractor's recovery treats by mode.

        Asked only when the full result is wanted (most pages never are), so it is read from the
        backup, which the comparison consumes: ask before it runs. Tag conversion only renames
        elements (lists to ``list``/``item``, ``details`` to ``div``) and drops attributes, so a
        teaser block of the converted tree is one of these elements of the backup; a match here that
        conversion would have dropped costs a second extraction, never a wrong result.
        """
        return bool(_TEASERS_BEFORE_CONVERSION(self.backup))


def _extract_stage(tree: Any, options: Extractor, url: str | None) -> _Stage:
    cleaned, backup = _prepare_tree(tree, options, url)
    body, text = extract_content(cleaned, options)
    return _Stage(body, text, backup)


class Cascade:
    """trafilatura's cascade over one page; :attr:`fast_text` and :attr:`full_text` share their work."""

    def __init__(self, tree: Any, url: str | None) -> None:
        self.url = url
        page = copy(tree)  # the stages prune in place; the caller's tree stays whole
        is_forum = _forum_thread_page(page)
        page = prune_unwanted_nodes(page, RAW_TREE_PRUNE_XPATH)
        if not is_forum:  # comments off: comment sections go, except where they are a forum's posts
            page = prune_unwanted_nodes(page, REMOVE_COMMENTS_AND_LISTS_XPATH)
        self.page = page
        self._fast_options = _options(url, fast=True)
        self._first = _extract_stage(page, self._fast_options, url)
        self._recall: _Stage | None = None

    @cached_property
    def _baseline(self) -> tuple[_Element, str, int]:
        return baseline(self.page)

    @cached_property
    def _page_chars(self) -> int:
        return len(html2txt(self.page))

    @cached_property
    def _page_chars_bound(self) -> int | None:
        return page_chars_bound(self.page)

    def _covers_little(self, chars: int) -> bool:
        """``chars`` is under the recall retry's share of the page text (trafilatura's test, exactly).

        The page text (``html2txt``) costs as much as the fast extraction's cleaning; a cheap upper
        bound of it settles most pages, where the text is no small share of even the bound.
        """
        bound = self._page_chars_bound
        if bound is not None and chars >= ESCALATION_PAGE_SHARE * bound:
            return False
        return chars < ESCALATION_PAGE_SHARE * self._page_chars

    def _recall_stage(self) -> _Stage:
        """The recall retry's extraction (no teaser pruning in recall focus: the same in both modes)."""
        if self._recall is None:
            self._recall = _extract_stage(self.page, _options(self.url, fast=True, recall=True), self.url)
        return self._recall

    def _finish(self, body: _Element, text: str, options: Extractor) -> str:
        """The stages after the comparison: baseline rescue, recall retry; the result as plain text."""
        if len(text) < options.min_extracted_size:
            b_body, b_text, b_len = self._baseline
            if b_len > len(text):
                body, text = b_body, b_text
        if 0 < len(text) < ESCALATION_MAX_LENGTH and self._covers_little(len(text)):
            body, text = self._escalate(body, text, options)
        if not text:
            return ""
        return unicodedata.normalize("NFC", xmltotxt(body, options.formatting).strip())

    def _escalate(self, body: _Element, text: str, options: Extractor) -> tuple[_Element, str]:
        r_body, r_text = body, ""
        try:
            recall = self._recall_stage()
            if options.fast:
                r_body, r_text = recall.body, recall.text
            else:
                r_options = _options(self.url, fast=False, recall=True)
                r_body, r_text = compare_extraction(
                    recall.backup, copy(self.page), recall.body, recall.text, r_options
                )
        except Exception as exc:  # trafilatura logs and skips a failed retry too
            log.debug("recall retry failed on %s: %s", self.url, exc)
        j_body, j_text = body, ""
        if not options.fast:
            try:
                j_body, j_text = justext_rescue(copy(self.page), options)
            except Exception as exc:
                log.debug("justext candidate failed on %s: %s", self.url, exc)
        if len(j_text) > len(r_text) and len(j_text) > ESCALATION_JUSTEXT_RATIO * len(text):
            return j_body, j_text
        if len(r_text) >= options.min_extracted_size and len(r_text) > ESCALATION_ACCEPT_RATIO * len(text):
            return r_body, r_text
        return body, text

    @cached_property
    def fast_text(self) -> str:
        """What ``bare_extraction(fast=True)`` gives: trafilatura's extractor without the comparison."""
        return self._finish(self._first.body, self._first.text, self._fast_options)

    @cached_property
    def full_text(self) -> str:
        """What ``bare_extraction(fast=False)`` gives: the fast extraction compared with the others.

        Computed once: the comparison consumes the first stage's cleaned tree.
        """
        options = _options(self.url, fast=False)
        first = self._first if not self._first.teasers else _extract_stage(self.page, options, self.url)
        body, text = compare_extraction(first.backup, copy(self.page), first.body, first.text, options)
        return self._finish(body, text, options)
