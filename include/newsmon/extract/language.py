"""Detect the language of a text: the one language detector of newsmon (extraction and topics).

py3langid is small (a bundled naive-Bayes model, numpy only), maintained alongside trafilatura, and
fast enough to run on every copy; a prefix of the text is plenty for a reliable answer.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

SAMPLE_CHARS = 3000
MIN_CHARS = 20


@lru_cache(maxsize=1)
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(text: str | None, sample_chars: int = SAMPLE_CHARS) -> str | None:
    """ISO 639 code of ``text``'s language, or None when the text is too short or ambiguous.

    The cost grows with the sample (py3langid walks its bytes); callers that detect on every scoring
    call pass a shorter `sample_chars`: a news paragraph or two is plenty.
    """
    if not text or len(text.strip()) < MIN_CHARS:
        return None
    code, probability = _identifier().classify(text[:sample_chars])
    return str(code) if probability >= 0.5 else None
