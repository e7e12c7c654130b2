"""Text handling for topic matching: tokens, sentences, stems and a cheap language guess.

Matching works on *stems* from the Snowball family (through PyStemmer when it is installed, which is
the same algorithms compiled to C, else the pure-Python `snowballstemmer`), so "детей"/"дети" or
"Kindern"/"Kinder" meet the same term without anyone writing suffix lists. Every token keeps its
character offsets so evidence can quote the surface form exactly as it appears in the article.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

#: ISO 639-1 code -> Snowball algorithm name, for the languages a topic may list.
SNOWBALL_LANGUAGES: dict[str, str] = {
    "ar": "arabic",
    "ca": "catalan",
    "da": "danish",
    "de": "german",
    "el": "greek",
    "en": "english",
    "es": "spanish",
    "fi": "finnish",
    "fr": "french",
    "hu": "hungarian",
    "id": "indonesian",
    "it": "italian",
    "nl": "dutch",
    "no": "norwegian",
    "pt": "portuguese",
    "ro": "romanian",
    "ru": "russian",
    "sr": "serbian",
    "sv": "swedish",
    "tr": "turkish",
}

# Word characters plus the marks that live *inside* words: Arabic harakat/tatweel, soft hyphen and
# zero-width joiners. Hyphens and apostrophes split words on purpose: "IS-Kinder" -> "IS", "Kinder";
# "d'enfants" -> "d", "enfants"; the same split is applied to terms, so multi-part names still match.
_TOKEN_RE = re.compile(r"[\w\u064B-\u065F\u0670\u0640\u00AD\u200C\u200D]+")
_STRIP_RE = re.compile(r"[\u064B-\u065F\u0670\u0640\u00AD\u200C\u200D_]")
# A sentence ends at . ! ? … ؟ ; or a line break, when followed by space and what may start a sentence.
_SENTENCE_END_RE = re.compile(r"(?<=[.!?…؟;])[\"'»”)\]]*\s+(?=[\"'«“(\[]?[\w\u0600-\u06FF])|\n\s*\n?|\r\n?")

_CYRILLIC_RE = re.compile(r"[\u0400-\u04FF]")
_ARABIC_RE = re.compile(r"[\u0600-\u06FF]")
_LATIN_RE = re.compile(r"[A-Za-z\u00C0-\u024F]")

# A few dozen of the commonest function words per Latin-script language: enough to tell en/de/fr/es/it/nl
# apart on a news paragraph, which is all the topic engine needs when the caller has no language.
_STOPWORDS: dict[str, frozenset[str]] = {
    "en": frozenset(
        [
            "the",
            "and",
            "of",
            "to",
            "in",
            "is",
            "that",
            "for",
            "was",
            "with",
            "on",
            "as",
            "by",
            "at",
            "from",
            "has",
            "have",
            "were",
            "are",
            "which",
        ]
    ),
    "de": frozenset(
        [
            "der",
            "die",
            "das",
            "und",
            "ist",
            "nicht",
            "mit",
            "den",
            "von",
            "zu",
            "im",
            "sich",
            "auf",
            "für",
            "des",
            "dem",
            "ein",
            "eine",
            "auch",
            "wurde",
        ]
    ),
    "fr": frozenset(
        [
            "le",
            "la",
            "les",
            "et",
            "des",
            "est",
            "une",
            "un",
            "du",
            "dans",
            "pour",
            "que",
            "qui",
            "sur",
            "au",
            "par",
            "pas",
            "ont",
            "été",
            "aux",
            "avec",
        ]
    ),
    "es": frozenset(
        [
            "el",
            "la",
            "los",
            "las",
            "y",
            "de",
            "que",
            "en",
            "es",
            "por",
            "una",
            "para",
            "con",
            "del",
            "se",
            "al",
            "fue",
            "han",
            "como",
        ]
    ),
    "it": frozenset(
        [
            "il",
            "di",
            "che",
            "e",
            "la",
            "per",
            "una",
            "sono",
            "del",
            "della",
            "con",
            "non",
            "gli",
            "al",
            "le",
            "dei",
            "nel",
            "è",
        ]
    ),
    "nl": frozenset(
        [
            "de",
            "het",
            "een",
            "van",
            "en",
            "is",
            "dat",
            "op",
            "te",
            "niet",
            "met",
            "voor",
            "zijn",
            "werd",
            "aan",
            "ook",
            "bij",
        ]
    ),
}


@dataclass(frozen=True, slots=True)
class Token:
    """One word of the text: offsets into the text, the matching key and the sentence it belongs to."""

    start: int
    end: int
    norm: str  # lower-cased, marks stripped: what globs and literal terms compare against
    sentence: int


def normalise(word: str) -> str:
    """Lower-case and drop in-word marks so "Ребёнок", "ребенок" and vocalised Arabic compare equal."""
    word = _STRIP_RE.sub("", word).lower().replace("ё", "е")
    return unicodedata.normalize("NFC", word)


def tokenize(text: str) -> list[tuple[int, int, str]]:
    """Split text into (start, end, surface) word tuples."""
    return [(m.start(), m.end(), m.group()) for m in _TOKEN_RE.finditer(text)]


def term_words(term: str) -> list[str]:
    """Split a term from a topic file the same way article text is split."""
    return [m.group() for m in _TOKEN_RE.finditer(term)]


_PATTERN_RE = re.compile(r"[\w*\u064B-\u065F\u0670\u0640\u00AD\u200C\u200D]+")


def pattern_words(term: str) -> list[str]:
    """Split a term that may hold * wildcards into words, splitting like `tokenize` does."""
    return [m.group() for m in _PATTERN_RE.finditer(term)]


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Return (start, end) spans of sentences; a line without final punctuation (a heading, a caption)
    stands alone, so it never glues its words onto the next sentence."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for m in _SENTENCE_END_RE.finditer(text):
        if m.start() > pos:
            spans.append((pos, m.start()))
        pos = m.end()
    if pos < len(text):
        spans.append((pos, len(text)))
    out: list[tuple[int, int]] = []
    for s, e in spans:
        chunk = text[s:e]
        stripped = chunk.strip()
        if not stripped:
            continue
        lead = len(chunk) - len(chunk.lstrip())
        out.append((s + lead, s + lead + len(stripped)))
    return out


@lru_cache(maxsize=64)
def stemmer_for(lang: str) -> Callable[[str], str]:
    """Return a function word -> stem for an ISO code; identity for languages Snowball lacks.

    The stem cache lives here (one per language, bounded) because the same few thousand words recur in
    every article and stemming is the only non-trivial per-token work.
    """
    algorithm = SNOWBALL_LANGUAGES.get(lang)
    if algorithm is None:
        return _identity
    try:
        import Stemmer  # PyStemmer: C implementation of the Snowball algorithms

        stem_word = Stemmer.Stemmer(algorithm).stemWord
    except ImportError:  # pragma: no cover - depends on the environment
        import snowballstemmer

        stem_word = snowballstemmer.stemmer(algorithm).stemWord

    cache: dict[str, str] = {}

    def stem(word: str) -> str:
        got = cache.get(word)
        if got is None:
            got = stem_word(word)
            if len(cache) < 200_000:
                cache[word] = got
        return got

    return stem


def _identity(word: str) -> str:
    return word


def detect_language(text: str) -> str | None:
    """Guess the language of a news text from its script and function words; None when unsure.

    Deliberately small: the pipeline usually knows the language from the page metadata, and the topic
    engine only needs to pick the right stemmer among the few languages a topic covers.
    """
    sample = text[:4000]
    cyr = len(_CYRILLIC_RE.findall(sample))
    arab = len(_ARABIC_RE.findall(sample))
    latin = len(_LATIN_RE.findall(sample))
    total = cyr + arab + latin
    if total == 0:
        return None
    if cyr / total > 0.4:
        return "ru"
    if arab / total > 0.4:
        return "ar"
    words = [normalise(w) for _, _, w in tokenize(sample)]
    best, best_hits = None, 0
    for lang, stops in _STOPWORDS.items():
        hits = sum(1 for w in words if w in stops)
        if hits > best_hits:
            best, best_hits = lang, hits
    if best_hits < 2:
        return None
    return best
