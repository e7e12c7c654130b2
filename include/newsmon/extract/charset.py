"""Turn the bytes of a fetched page into text, trusting declarations only when the bytes agree.

Servers and templates often lie about the charset: a Russian site may serve windows-1251 with no
charset header and a ``<meta charset="utf-8">`` copied from a template, or a header saying
ISO-8859-1 for UTF-8 bytes. A wrong guess garbles every later stage (fingerprints, topic rules), so
the order here is: a byte-order mark; valid UTF-8 (multi-byte UTF-8 almost never validates by
accident); then the declared charsets, but only if charset-normalizer finds them plausible for
these bytes; then charset-normalizer's own best guess.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
# charset-normalizer only needs a sample; markup is mostly ASCII and dilutes the signal anyway.
_SAMPLE = 64 * 1024


@dataclass(frozen=True)
class Decoded:
    """Text of a page and how its encoding was chosen (kept for logs and tests)."""

    text: str
    encoding: str
    how: str  # "bom" | "utf-8" | "declared" | "detected" | "replace"


def _normal(name: str | None) -> str | None:
    """Canonical codec name, or None for names Python does not know."""
    if not name:
        return None
    try:
        return codecs.lookup(name.strip().lower()).name
    except LookupError:
        return None


def header_charset(content_type: str | None) -> str | None:
    """Charset named in a Content-Type header value, if any."""
    if not content_type:
        return None
    found = _HEADER_CHARSET.search(content_type)
    return found.group(1) if found else None


def meta_charset(body: bytes) -> str | None:
    """Charset declared by ``<meta charset>`` or ``http-equiv`` in the first few KB."""
    found = _META_CHARSET.search(body[:8192])
    return found.group(1).decode("ascii", "ignore") if found else None


def decode_html(body: bytes | str, content_type: str | None = None) -> Decoded:
    """Decode ``body``; ``content_type`` is the raw Content-Type header (may carry a charset)."""
    if isinstance(body, str):
        return Decoded(body, "str", "str")
    for bom, name in _BOMS:
        if body.startswith(bom):
            return Decoded(body.decode(name, errors="replace"), name, "bom")
    try:
        return Decoded(body.decode("utf-8"), "utf-8", "utf-8")
    except UnicodeDecodeError:
        pass

    from charset_normalizer import from_bytes  # heavy-ish; only pages that are not UTF-8 get here

    declared = [
        n for n in (_normal(header_charset(content_type)), _normal(meta_charset(body))) if n and n != "utf-8"
    ]
    sample = body if len(body) <= _SAMPLE else body[: _SAMPLE // 2] + body[-_SAMPLE // 2 :]
    for name in declared:
        # A declaration wins when the bytes read as plausible text in it (charset-normalizer drops
        # candidates whose decoding looks like mojibake); short pages are too weak to overrule it.
        if from_bytes(sample, cp_isolation=[name]).best() is not None:
            return Decoded(body.decode(name, errors="replace"), name, "declared")
    best = from_bytes(sample).best()
    if best is not None:
        name = _normal(best.encoding) or best.encoding
        return Decoded(body.decode(name, errors="replace"), name, "detected")
    return Decoded(body.decode("utf-8", errors="replace"), "utf-8", "replace")
