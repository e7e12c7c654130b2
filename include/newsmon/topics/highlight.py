"""Marking the matched terms (and evidence sentences) of a flag inside text: the one term highlighter.

Alert emails, `newsmon topics explain` and the News Monitor story page all show where a topic's terms
are. They get the marks from here as (piece, marked) pairs and wrap them in their own way (a <mark>
element, ``**bold**``, ``[brackets]``), so no caller builds markup by joining strings.

Matching is whole-word, case-insensitive, and tolerant of whitespace that extraction reflowed (a term
or sentence split over a line break still matches); overlapping matches ("al-Hol" and "Hol camp")
become one marked span.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence


def _pattern(phrase: str) -> re.Pattern[str] | None:
    words = phrase.split()
    if not words:
        return None
    body = r"\s+".join(re.escape(w) for w in words)
    start = r"(?<!\w)" if re.match(r"\w", words[0]) else ""
    end = r"(?!\w)" if re.search(r"\w$", words[-1]) else ""
    return re.compile(start + body + end, re.IGNORECASE)


def phrase_spans(text: str, phrases: Iterable[str]) -> list[tuple[int, int]]:
    """(start, end) of every occurrence of the phrases in text, sorted, overlaps merged."""
    found: list[tuple[int, int]] = []
    for phrase in {p for p in phrases if p and p.strip()}:
        pattern = _pattern(phrase)
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


def cut(text: str, spans: Sequence[tuple[int, int]]) -> list[tuple[str, bool]]:
    """The text as consecutive (piece, inside_a_span) pairs; joined they give the text back."""
    out: list[tuple[str, bool]] = []
    pos = 0
    for start, end in spans:
        if start > pos:
            out.append((text[pos:start], False))
        out.append((text[start:end], True))
        pos = end
    if pos < len(text):
        out.append((text[pos:], False))
    return out


def mark_terms(text: str, terms: Iterable[str]) -> list[tuple[str, bool]]:
    """Split text into pieces, flagging those that are matched terms (whole words, any case)."""
    return cut(text, phrase_spans(text, terms)) if text else []


def bracket_terms(text: str, terms: Iterable[str]) -> str:
    """The text with each matched term in [brackets], for terminals."""
    return "".join(f"[{piece}]" if hit else piece for piece, hit in mark_terms(text, terms))
