"""Parse a decoded page into the lxml tree trafilatura works on, the way its ``load_html`` does, for less.

``load_html`` repairs the markup libxml2 trips on (characters XML forbids, a DOCTYPE it misreads, an
``<html/>`` that closes itself) and hands the text to lxml as a Python string. Two of its costs buy
nothing on most pages:

- the repair scans the whole page for forbidden characters with a regular expression; the same
  question asked of the UTF-8 bytes is a C loop, and when the answer is no, only the first line (and
  a self-closing ``<html/>`` near the top) can need repair;
- lxml turns a string holding any character above U+00FF into a wide buffer that libxml2 converts
  again; its UTF-8 encoding parses a quarter faster into the same tree (the parser is told the
  encoding, so a page's own charset declaration cannot mislead it). ``load_html`` itself parses the
  bytes when the string is refused.
"""

from __future__ import annotations

import logging

from lxml.html import HtmlElement, fromstring
from trafilatura.utils import HTML_PARSER, is_dubious_html, load_html, repair_faulty_html

log = logging.getLogger(__name__)

# What repair_faulty_html removes (its INVALID_XML_CHARS), as UTF-8: C0 controls other than tab,
# newline and carriage return, and the non-characters U+FFFE and U+FFFF.
_FORBIDDEN_BYTES = bytes(range(0x00, 0x09)) + b"\x0b\x0c" + bytes(range(0x0E, 0x20))
_FORBIDDEN_SEQUENCES = (b"\xef\xbf\xbe", b"\xef\xbf\xbf")
# repair_faulty_html looks for a self-closing <html/> among this many first lines of this many characters.
_TOP_CHARS = 4096
_TOP_LINES = 4


def _has_forbidden(data: bytes) -> bool:
    return len(data.translate(None, _FORBIDDEN_BYTES)) != len(data) or any(
        seq in data for seq in _FORBIDDEN_SEQUENCES
    )


def _may_self_close_html(page: str) -> bool:
    """A first line holds ``<html`` and ``/>``: where repair_faulty_html may rewrite ``<html/>``."""
    return any("<html" in line and "/>" in line for line in page[:_TOP_CHARS].splitlines()[:_TOP_LINES])


def parse_page(page: str) -> HtmlElement | None:
    """The tree of ``page`` (as ``trafilatura.utils.load_html(page)`` gives it), None when it is no HTML."""
    try:
        data = page.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates (never from decode_body): load_html's own way
        return load_html(page)
    beginning = page[:50].lower()
    if _has_forbidden(data) or _may_self_close_html(page):
        data = repair_faulty_html(page, beginning).encode("utf-8")
    else:
        # Nothing past the first line can change: repair that line alone (its newline kept, so that
        # the repair adds none) and take the rest of the bytes as they are.
        first = page.partition("\n")[0] + ("\n" if "\n" in page else "")
        head = repair_faulty_html(first, beginning)
        if head != first:
            data = head.encode("utf-8") + data[len(first.encode("utf-8")) :]
    try:
        tree = fromstring(data, parser=HTML_PARSER)
    except Exception as exc:  # as load_html: a page lxml cannot read is no HTML
        log.debug("lxml could not parse the page: %s", exc)
        return None
    if tree is not None and is_dubious_html(beginning) and len(tree) < 2:
        return None  # load_html's test: a document that is no (well-formed) HTML
    return tree
