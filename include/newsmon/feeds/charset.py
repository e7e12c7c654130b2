"""Turn feed bytes into text with the right characters, whatever the feed claims.

Real feeds lie about their encoding: an HTTP header says iso-8859-1 for a UTF-8 body, an XML
declaration says utf-8 for windows-1251 bytes, a BOM contradicts both. feedparser's own fallback
(utf-8, then windows-1252) turns those into mojibake silently, so newsmon decodes first and hands
feedparser clean UTF-8. The order: BOM, then the HTTP charset, then the XML declaration (each only if
the bytes really decode with it), then UTF-8, then charset-normalizer's guess.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from functools import lru_cache

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE, whose BOM is its prefix
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# BOM-less UTF-16/32 recognised by how "<?" is spelled (XML 1.0 appendix F).
_SNIFF: tuple[tuple[bytes, str], ...] = (
    (b"<\x00\x00\x00", "utf-32-le"),
    (b"\x00\x00\x00<", "utf-32-be"),
    (b"<\x00?\x00", "utf-16-le"),
    (b"\x00<\x00?", "utf-16-be"),
)
# Labels that in practice mean a superset (what browsers do, per the WHATWG encoding standard).
_SUPERSETS = {
    "ascii": "cp1252",
    "iso8859-1": "cp1252",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "euc_kr": "cp949",
    "shift_jis": "cp932",
    "big5": "big5hkscs",
}
_DECL = re.compile(rb"""^\s*<\?xml[^>]{0,200}?encoding\s*=\s*["']([A-Za-z0-9._:-]{1,40})["']""")
_DECL_TEXT = re.compile(r"""^(\s*<\?xml[^>]{0,200}?encoding\s*=\s*)(["'])[^"']*\2""")


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str
    note: str | None = None
    """Set when the bytes contradicted what the feed declared (kept as a diagnostic)."""


def codec_name(label: str | None) -> str | None:
    """Python's codec name for an encoding label, or None if unknown (never raises)."""
    if not label:
        return None
    try:
        return codecs.lookup(label.strip().strip("\"'")).name
    except (LookupError, ValueError):
        return None


@lru_cache(maxsize=64)
def _single_byte(codec: str) -> bool:
    """True for encodings where every byte is one character (Latin, Cyrillic, ... code pages)."""
    if codec.startswith(("utf", "cp65001")):
        return False
    try:
        return len(bytes(range(256)).decode(codec, errors="replace")) == 256
    except LookupError:
        return False


def _has_non_ascii(body: bytes) -> bool:
    return not body.isascii()


def _valid_utf8(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def declared_encoding(body: bytes) -> str | None:
    """The encoding label in an ASCII-compatible XML declaration, if any."""
    match = _DECL.match(body[:512])
    return match.group(1).decode("ascii") if match else None


def http_charset(headers: dict[str, str] | None) -> str | None:
    """The charset parameter of a Content-Type header value."""
    if not headers:
        return None
    ctype = headers.get("content-type") or ""
    for param in ctype.split(";")[1:]:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            return value.strip().strip("\"'")
    return None


def _detect(body: bytes) -> str | None:
    from charset_normalizer import from_bytes  # only needed for broken feeds

    best = from_bytes(body[: 256 * 1024]).best()
    return codec_name(best.encoding) if best else None


def decode(body: bytes, *, header_charset: str | None = None) -> Decoded:
    """Decode feed bytes; see the module docstring for the order of evidence."""
    for bom, codec in _BOMS:
        if body.startswith(bom):
            return Decoded(body[len(bom) :].decode(codec, errors="replace"), codec)
    for prefix, codec in _SNIFF:
        if body.startswith(prefix):
            return Decoded(body.decode(codec, errors="replace"), codec)

    declared = [
        (src, codec_name(lbl), lbl)
        for src, lbl in (("HTTP", header_charset), ("XML", declared_encoding(body)))
    ]
    notes: list[str] = []
    non_ascii = _has_non_ascii(body)
    for source, codec, label in declared:
        if label and codec is None:
            notes.append(f"unknown {source} encoding {label!r}")
            continue
        if codec is None:
            continue
        if codec.startswith(("utf-16", "utf-32")):
            # ASCII-compatible bytes (we sniffed no UTF-16/32 above) cannot be UTF-16: the label lies.
            notes.append(f"{source} says {label} but the bytes are ASCII-compatible")
            continue
        if non_ascii and _single_byte(codec) and _valid_utf8(body):
            notes.append(f"{source} says {label} but the bytes are UTF-8")
            return Decoded(body.decode("utf-8"), "utf-8", "; ".join(notes))
        for candidate in dict.fromkeys((_SUPERSETS.get(codec, codec), codec)):
            try:
                text = body.decode(candidate)
            except (UnicodeDecodeError, LookupError):
                continue
            return Decoded(text, candidate, "; ".join(notes) or None)
        notes.append(f"{source} says {label} but the bytes do not decode with it")

    if not non_ascii or _valid_utf8(body):
        return Decoded(body.decode("utf-8"), "utf-8", "; ".join(notes) or None)
    guess = _detect(body)
    if guess:
        notes.append(f"detected {guess}")
        return Decoded(body.decode(guess, errors="replace"), guess, "; ".join(notes))
    notes.append("undetectable; decoded as windows-1252")
    return Decoded(body.decode("cp1252", errors="replace"), "cp1252", "; ".join(notes))


def as_utf8_xml(text: str) -> bytes:
    """UTF-8 bytes whose XML declaration (if any) says utf-8, so no parser second-guesses them."""
    text = text.removeprefix("\ufeff")
    text = _DECL_TEXT.sub(r"\1\2utf-8\2", text, count=1)
    return text.encode("utf-8")
