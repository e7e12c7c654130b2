"""Turn the bytes of an HTTP body (a feed or an article page) into text, whatever it claims to be.

Servers and templates lie about encodings: a header says ISO-8859-1 for UTF-8 bytes, a
``<meta charset="utf-8">`` copied from a template sits on windows-1251 bytes, an XML declaration
contradicts the BOM, and many pages are UTF-8 with a few stray bytes from a legacy include. A wrong
guess garbles every later stage (fingerprints, topic rules), so the evidence is weighed in this order:

1. a byte-order mark, or BOM-less UTF-16/32 recognised by how ``<`` is spelled;
2. UTF-8 when the bytes are valid UTF-8 (multi-byte UTF-8 almost never validates by accident), or
   *mostly* UTF-8: more valid multi-byte characters than invalid bytes. The stray bytes are then read
   in the declared single-byte charset (else windows-1252) instead of re-reading the whole page in a
   legacy charset, which would turn every genuine UTF-8 letter into mojibake;
3. the declared charsets, HTTP header first, then ``<meta>`` or the XML declaration (labels mapped as
   browsers map them, by w3lib: ISO-8859-1 means windows-1252, GB2312 means GB18030): a multi-byte
   charset when the bytes decode in it, a single-byte one when charset-normalizer does not find the
   result to be mojibake;
4. charset-normalizer's best guess among the charsets the web actually uses (windows-125x, KOI8,
   ISO-8859-2/7/8, the CJK ones): rare Latin variants such as ISO-8859-10 or -16 read cp1250 pages
   nearly as well and would otherwise win on ties;
5. windows-1252 with replacement characters.

Both feeds and article pages go through :func:`decode_body`; what differs (the XML declaration that
must be rewritten once the text is UTF-8) is :func:`as_utf8_xml`.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import AnyStr

from charset_normalizer import from_bytes
from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding, read_bom

# BOM-less UTF-16/32 recognised by how "<" is spelled (XML 1.0 appendix F; HTML starts with "<" too).
_SNIFF: tuple[tuple[bytes, str], ...] = (
    (b"<\x00\x00\x00", "utf-32-le"),
    (b"\x00\x00\x00<", "utf-32-be"),
)
_UTF16_LE = re.compile(rb"^<\x00[\x01-\x7f]\x00")
_UTF16_BE = re.compile(rb"^\x00<\x00[\x01-\x7f]")
_LABEL = re.compile(r"""charset\s*=\s*["']?\s*([^\s;"',]+)""", re.IGNORECASE)
_XML_DECL = re.compile(rb"""^\s*<\?xml[^>]{0,200}?encoding\s*=\s*["']([^"']{1,40})["']""")
_XML_DECL_TEXT = re.compile(r"""^(\s*<\?xml[^>]{0,200}?encoding\s*=\s*)(["'])[^"']*\2""")
_META_LABEL = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([^\s;"'/>]+)""", re.IGNORECASE)
# Charsets the web uses, for detection (WHATWG's list without the rarely seen Latin variants).
WEB_CHARSETS = (
    "cp1252",
    "cp1250",
    "cp1251",
    "cp1253",
    "cp1254",
    "cp1255",
    "cp1256",
    "cp1257",
    "cp1258",
    "iso8859_2",
    "iso8859_7",
    "iso8859_8",
    "koi8_r",
    "koi8_u",
    "cp866",
    "cp874",
    "gb18030",
    "big5",
    "cp932",
    "euc_jp",
    "cp949",
)
# charset-normalizer only needs a sample; markup is mostly ASCII and dilutes the signal anyway.
_SAMPLE = 64 * 1024
_FALLBACK = "cp1252"


class DecodedBy(StrEnum):
    """Which evidence chose the encoding."""

    BOM = "bom"
    SNIFFED = "sniffed"  # BOM-less UTF-16/32
    UTF8 = "utf-8"
    MOSTLY_UTF8 = "mostly-utf-8"  # UTF-8 with a few stray legacy bytes
    DECLARED = "declared"
    DETECTED = "detected"
    FALLBACK = "fallback"


@dataclass(frozen=True)
class Decoded:
    """Text of a body, the codec that produced it and why (kept for logs and tests)."""

    text: str
    encoding: str
    how: DecodedBy
    note: str | None = None
    """Set when the bytes contradicted a declaration (a diagnostic, stored with feeds)."""


@dataclass(frozen=True)
class _Declared:
    source: str  # "HTTP" | "document"
    label: str  # as written
    codec: str | None  # Python codec after browser-style mapping; None when unknown


def _first_label(pattern: re.Pattern[AnyStr], text: AnyStr) -> str | None:
    found = pattern.search(text)
    if not found:
        return None
    label = found.group(1)
    return label.decode("ascii", "replace") if isinstance(label, bytes) else label


def declared_charsets(body: bytes, content_type: str | None) -> list[_Declared]:
    """The charsets the HTTP header and the document itself (``<meta>``, XML declaration) name."""
    out = []
    header_label = _first_label(_LABEL, content_type or "")
    if header_label:
        out.append(_Declared("HTTP", header_label, http_content_type_encoding(content_type)))
    head = body[:4096]
    doc_label = _first_label(_XML_DECL, head) or _first_label(_META_LABEL, head)
    if doc_label:
        out.append(_Declared("document", doc_label, html_body_declared_encoding(head)))
    return out


@lru_cache(maxsize=32)
def _single_byte(codec: str) -> bool:
    """True for charsets where every byte is one character (Latin, Cyrillic, ... code pages)."""
    if codec.startswith(("utf", "cp65001")):
        return False
    try:
        return len(bytes(range(256)).decode(codec, errors="replace")) == 256
    except LookupError:
        return False


@lru_cache(maxsize=16)
def _stray_bytes_handler(codec: str) -> str:
    """Name of a codec error handler that reads bytes invalid in UTF-8 as ``codec`` (registered once)."""
    name = f"newsmon-stray-{codec}"

    def handler(error: UnicodeError) -> tuple[str, int]:
        if not isinstance(error, UnicodeDecodeError):
            raise error
        return error.object[error.start : error.end].decode(codec, errors="replace"), error.end

    codecs.register_error(name, handler)
    return name


def _mostly_utf8(body: bytes) -> str | None:
    """The body as UTF-8 when its valid multi-byte characters outnumber its invalid bytes."""
    text = body.decode("utf-8", errors="replace")
    invalid = text.count("\ufffd")
    valid = len(text) - len(text.encode("ascii", errors="ignore")) - invalid
    return text if valid > invalid else None


def _sample(body: bytes) -> bytes:
    return body if len(body) <= _SAMPLE else body[: _SAMPLE // 2] + body[-_SAMPLE // 2 :]


def _plausible(body: bytes, codec: str) -> bool:
    """The bytes decode in ``codec``, and (single-byte charsets) the result does not look like mojibake."""
    try:
        codecs.decode(body, codec)
    except (UnicodeDecodeError, LookupError):
        return False
    if not _single_byte(codec):
        return True
    return from_bytes(_sample(body), cp_isolation=[codec]).best() is not None


def _detect(body: bytes) -> str | None:
    best = from_bytes(_sample(body), cp_isolation=list(WEB_CHARSETS)).best()
    if best is None:
        return None
    try:
        return codecs.lookup(best.encoding).name
    except LookupError:
        return None


def _sniff(body: bytes) -> tuple[str, DecodedBy, int] | None:
    """Codec, evidence and BOM length when the first bytes settle the encoding."""
    codec, bom = read_bom(body)
    if codec is not None and bom is not None:
        return codec, DecodedBy.BOM, len(bom)
    for prefix, name in _SNIFF:
        if body.startswith(prefix):
            return name, DecodedBy.SNIFFED, 0
    if _UTF16_LE.match(body):
        return "utf-16-le", DecodedBy.SNIFFED, 0
    if _UTF16_BE.match(body):
        return "utf-16-be", DecodedBy.SNIFFED, 0
    return None


def decode_body(body: bytes, content_type: str | None = None) -> Decoded:
    """Decode an HTTP body; ``content_type`` is the raw Content-Type header (may carry a charset).

    Never raises: the worst case is windows-1252 with replacement characters, and a note says why.
    """
    sniffed = _sniff(body)
    if sniffed is not None:
        codec, how, skip = sniffed
        return Decoded(body[skip:].decode(codec, errors="replace"), codec, how)

    notes: list[str] = []
    usable: list[_Declared] = []
    for declared in declared_charsets(body, content_type):
        if declared.codec is None:
            notes.append(f"unknown {declared.source} encoding {declared.label!r}")
        elif declared.codec.startswith(("utf-16", "utf-32")):
            # no BOM and no UTF-16/32 spelling of "<" above: the bytes are ASCII-compatible, the label lies
            notes.append(f"{declared.source} says {declared.label} but the bytes are ASCII-compatible")
        else:
            usable.append(declared)

    def note() -> str | None:
        return "; ".join(notes) or None

    if body.isascii():
        return Decoded(body.decode("ascii"), "utf-8", DecodedBy.UTF8, note())
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        contradicted = [d for d in usable if d.codec != "utf-8"]
        notes.extend(f"{d.source} says {d.label} but the bytes are UTF-8" for d in contradicted)
        return Decoded(text, "utf-8", DecodedBy.UTF8, note())

    legacy = next((d.codec for d in usable if d.codec and _single_byte(d.codec)), _FALLBACK)
    if _mostly_utf8(body) is not None:
        text = body.decode("utf-8", errors=_stray_bytes_handler(legacy))
        notes.append(f"UTF-8 with stray bytes read as {legacy}")
        return Decoded(text, "utf-8", DecodedBy.MOSTLY_UTF8, note())

    for declared in usable:
        codec = declared.codec or ""
        if codec != "utf-8" and _plausible(body, codec):
            return Decoded(body.decode(codec), codec, DecodedBy.DECLARED, note())
        notes.append(f"{declared.source} says {declared.label} but the bytes do not decode with it")

    guess = _detect(body)
    if guess is not None:
        notes.append(f"detected {guess}")
        return Decoded(body.decode(guess, errors="replace"), guess, DecodedBy.DETECTED, note())
    notes.append(f"undetectable; decoded as {_FALLBACK}")
    return Decoded(body.decode(_FALLBACK, errors="replace"), _FALLBACK, DecodedBy.FALLBACK, note())


def as_utf8_xml(text: str) -> bytes:
    """UTF-8 bytes whose XML declaration (if any) says utf-8, so no XML parser second-guesses them."""
    text = text.removeprefix("\ufeff")
    text = _XML_DECL_TEXT.sub(r"\1\2utf-8\2", text, count=1)
    return text.encode("utf-8")
