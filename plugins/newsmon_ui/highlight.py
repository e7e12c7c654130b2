"""Evidence highlighting as data, not HTML.

The text is cut into segments (plain / evidence sentence / matched term) and the template wraps each
segment in its own element, escaping the text. No markup is ever built by string concatenation, so an
article containing `<script>` stays text however the evidence lines up with it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

MAX_TEXT_CHARS = 200_000  # a page longer than this is cut: the analyst reads articles, not dumps


@dataclass(frozen=True)
class Segment:
    text: str
    evidence: bool = False
    term: bool = False


def _flexible(phrase: str) -> re.Pattern[str] | None:
    """Match a phrase however the whitespace between its words was reflowed by extraction."""
    words = phrase.split()
    if not words:
        return None
    body = r"\s+".join(re.escape(w) for w in words)
    start = r"\b" if re.match(r"\w", words[0]) else ""
    end = r"\b" if re.search(r"\w$", words[-1]) else ""
    return re.compile(start + body + end, re.IGNORECASE)


def _spans(text: str, phrases: Iterable[str]) -> list[tuple[int, int]]:
    found = []
    for phrase in phrases:
        pattern = _flexible(phrase)
        if pattern is not None:
            found.extend(m.span() for m in pattern.finditer(text))
    found.sort()
    merged: list[tuple[int, int]] = []
    for start, end in found:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _cut(text: str, spans: Sequence[tuple[int, int]]) -> list[tuple[str, bool]]:
    """The text as alternating (piece, inside_a_span) pairs."""
    out, pos = [], 0
    for start, end in spans:
        if start > pos:
            out.append((text[pos:start], False))
        out.append((text[start:end], True))
        pos = end
    if pos < len(text):
        out.append((text[pos:], False))
    return out


def highlight(text: str, sentences: Sequence[str], terms: Sequence[str]) -> list[list[Segment]]:
    """Paragraphs of segments: evidence sentences marked, and the rule terms marked inside them."""
    text = text[:MAX_TEXT_CHARS]
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n|\n", text) if p.strip()]
    result = []
    for para in paragraphs:
        segments: list[Segment] = []
        for piece, is_evidence in _cut(para, _spans(para, sentences)):
            if not is_evidence:
                segments.append(Segment(piece))
                continue
            for sub, is_term in _cut(piece, _spans(piece, terms)):
                segments.append(Segment(sub, evidence=True, term=is_term))
        result.append(segments)
    return result
