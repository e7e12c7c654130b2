"""Evidence highlighting as data, not HTML.

The text is cut into segments (plain / evidence sentence / matched term) and the template wraps each
segment in its own element, escaping the text. Finding sentences and terms is the one highlighter of
`newsmon.topics.highlight`; this module only arranges its pieces into paragraphs for the page. No
markup is ever built by string concatenation, so an article containing `<script>` stays text however
the evidence lines up with it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from newsmon.topics.highlight import cut, mark_terms, phrase_spans

MAX_TEXT_CHARS = 200_000  # a page longer than this is cut: the analyst reads articles, not dumps


@dataclass(frozen=True)
class Segment:
    text: str
    evidence: bool = False
    term: bool = False
    against: bool = False  # the sentence took points off (a negative rule): shown apart, or it misleads


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
        for piece, is_evidence in cut(para, phrase_spans(para, sentences)):
            if is_evidence:
                segments.extend(_with_terms(piece, terms, against=False))
                continue
            for sub, is_against in cut(piece, phrase_spans(piece, against)):
                if is_against:
                    segments.extend(_with_terms(sub, terms, against=True))
                else:
                    segments.append(Segment(sub))
        result.append(segments)
    return result


def _with_terms(piece: str, terms: Sequence[str], against: bool) -> list[Segment]:
    return [
        Segment(sub, evidence=True, term=is_term, against=against)
        for sub, is_term in mark_terms(piece, terms)
    ]
