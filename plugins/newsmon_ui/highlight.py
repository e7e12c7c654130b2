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
    against: bool = False  # the sentence took points off (a negative rule): shown apart, or it misleads


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


def highlight(
    text: str, sentences: Sequence[str], terms: Sequence[str], against: Sequence[str] = ()
) -> list[list[Segment]]:
    """Paragraphs of segments: evidence sentences marked, and the rule terms marked inside them.

    `against` are the sentences that counted against the topic; where one overlaps a sentence for it,
    the sentence for it wins (the stronger claim is the one the analyst must check)."""
    text = text[:MAX_TEXT_CHARS]
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n|\n", text) if p.strip()]
    result = []
    for para in paragraphs:
        segments: list[Segment] = []
        for piece, is_evidence in _cut(para, _spans(para, sentences)):
            if is_evidence:
                segments.extend(_with_terms(piece, terms, against=False))
                continue
            for sub, is_against in _cut(piece, _spans(piece, against)):
                if is_against:
                    segments.extend(_with_terms(sub, terms, against=True))
                else:
                    segments.append(Segment(sub))
        result.append(segments)
    return result


def _with_terms(piece: str, terms: Sequence[str], against: bool) -> list[Segment]:
    return [
        Segment(sub, evidence=True, term=is_term, against=against)
        for sub, is_term in _cut(piece, _spans(piece, terms))
    ]
