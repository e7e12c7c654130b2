"""One pass over an article for every topic: its language, words, sentences and paragraphs.

`analyse` does the per-text work once (language detection through the one detector,
`newsmon.extract.language`; sentence splitting through sentencex; tokenising), so scoring the same
article against many topics only matches terms. Every word keeps its character offsets so evidence
quotes the article exactly as written.

Paragraphs are the lines of the extracted text (extraction writes one paragraph a line); a line is
never glued to the next, so a heading or caption without a full stop stays on its own. Inside a line,
sentencex finds the sentence ends ("Mr. Smith met U.S. officials on Jan. 5." is one sentence).
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

import sentencex
import Stemmer  # PyStemmer: the Snowball algorithms compiled to C

from newsmon.extract.language import detect_language
from newsmon.topics.languages import LANGUAGES, comparison_form, language_key

# Word characters plus the marks that live *inside* words: Arabic harakat/tatweel, soft hyphen and the
# zero-width joiner. Hyphens, apostrophes and the zero-width NON-joiner split words on purpose:
# "IS-Kinder" -> "IS", "Kinder"; "d'enfants" -> "d", "enfants"; Persian "کودکان‌شان" -> "کودکان", "شان".
# The same split is applied to terms, so multi-part names still match.
_WORD = r"[\w\u064B-\u065F\u0670\u0640\u00AD\u200D]+"
_TOKEN_RE = re.compile(_WORD)
# Uzbek writes o' and g' as letters: there an apostrophe between letters stays inside the word.
_TOKEN_APOSTROPHE_RE = re.compile(_WORD + r"(?:['’‘ʻʼ`]" + _WORD + ")*")
_STRIP_RE = re.compile(r"[\u064B-\u065F\u0670\u0640\u00AD\u200C\u200D\u0307_]")
_ARABIC_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي"})
_PERSIAN_FOLD = str.maketrans({"ي": "ی", "ك": "ک", "ة": "ه"})
_PATTERN_RE = re.compile(r"[\w*\u064B-\u065F\u0670\u0640\u00AD\u200D]+")
_PATTERN_APOSTROPHE_RE = re.compile(
    r"[\w*\u064B-\u065F\u0670\u0640\u00AD\u200D]+(?:['’‘ʻʼ`][\w*\u064B-\u065F\u0670\u0640\u00AD\u200D]+)*"
)
_LINE_RE = re.compile(r"[^\r\n]+")
_GROUP, _START = re.Match.group, re.Match.start
DETECT_CHARS = 1500  # what language detection reads of title + text
# sentencex 1.0.32 spends ~5 ms per 1,000 characters on its Danish and Catalan rules (about 100 times its
# other languages; measured); the Norwegian and Spanish rules split those texts the same way.
_SPLIT_AS = {"da": "no", "ca": "es"}


def normalise(word: str, lang: str | None = None) -> str:
    """Lower-case and drop in-word marks so "Ребёнок"/"ребенок", vocalised/plain Arabic and "İŞİD"/"işid"
    compare equal; then the language's own comparison form (Persian letters, folded scripts, accents)."""
    word = word.lower()
    if word.isascii():
        # Of the marks, letters and compositions below only the underscore is ASCII: most words of
        # most articles need no more (a cold run normalises tens of thousands of distinct words).
        if "_" in word:
            word = word.replace("_", "")
    else:
        word = _STRIP_RE.sub("", word).replace("ё", "е").translate(_ARABIC_FOLD)
        word = unicodedata.normalize("NFC", word)
        if lang == "fa":
            word = word.translate(_PERSIAN_FOLD)
    form = comparison_form(lang)
    return form(word) if form else word


def _token_re(lang: str | None) -> re.Pattern[str]:
    known = LANGUAGES.get(lang or "")
    return _TOKEN_APOSTROPHE_RE if known and known.apostrophe_letters else _TOKEN_RE


def tokenize(text: str, lang: str | None = None) -> list[tuple[int, int, str]]:
    """Split text into (start, end, surface) words, the way `lang` writes words."""
    return [(m.start(), m.end(), m.group()) for m in _token_re(lang).finditer(text)]


def term_words(term: str, lang: str | None = None) -> list[str]:
    """Split a term from a topic file the same way article text in that language is split."""
    return [m.group() for m in _token_re(lang).finditer(term)]


def pattern_words(term: str, lang: str | None = None) -> list[str]:
    """Split a term that may hold * wildcards into words, splitting like `tokenize` does."""
    known = LANGUAGES.get(lang or "")
    regex = _PATTERN_APOSTROPHE_RE if known and known.apostrophe_letters else _PATTERN_RE
    return [m.group() for m in regex.finditer(term)]


@lru_cache(maxsize=64)
def stemmer_for(lang: str | None) -> Callable[[str], str]:
    """word -> stem with the language's Snowball stemmer (PyStemmer); identity where it has none.

    The stem cache lives here (one per language, bounded) because the same few thousand words recur in
    every article and stemming is the only non-trivial per-word work.
    """
    known = LANGUAGES.get(lang or "")
    if known is None or known.stemmer is None:
        return _identity
    stemmer = Stemmer.Stemmer(known.stemmer)
    # PyStemmer's own cache (10,000 words) is off: the cache below holds every word, and once a run has
    # seen more distinct words than PyStemmer keeps, its purges made each new word cost five times its
    # stemming (measured on 21,000 words of one language).
    stemmer.maxCacheSize = 0
    stem_word = stemmer.stemWord
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


def split_sentences(text: str, lang: str | None = None) -> list[tuple[int, int, int]]:
    """(start, end, paragraph) of every sentence; a paragraph is a line of the text."""
    code = _SPLIT_AS.get(lang or "en", lang or "en")
    out: list[tuple[int, int, int]] = []
    for paragraph, line in enumerate(_LINE_RE.finditer(text)):
        base = line.start()
        chunk = line.group()
        if not chunk.strip():
            continue
        for piece in sentencex.get_sentence_boundaries(code, chunk):
            s, e = piece["start_index"], piece["end_index"]
            raw = chunk[s:e]
            stripped = raw.strip()
            if not stripped:
                continue
            lead = len(raw) - len(raw.lstrip())
            start = base + s + lead
            out.append((start, start + len(stripped), paragraph))
    return out


class Sentence(NamedTuple):
    """One sentence of the title (segment 0) or the body (segment 1). A named tuple: an article has
    dozens, and a frozen dataclass sets each field of each one through ``object.__setattr__``."""

    segment: int
    start: int
    end: int
    paragraph: int
    position: int  # 0 for the title's sentences, then 1, 2, ... through the body


@dataclass(frozen=True)
class Segment:
    """The title or the body, tokenised: the words, where each starts, and where its sentences end."""

    text: str
    is_title: bool
    surfaces: list[str]
    starts: list[int]
    sentence_ends: list[int]  # end offset of each sentence of this segment
    first_sentence: int  # index of this segment's first sentence in TextAnalysis.sentences

    def span(self, word: int) -> tuple[int, int]:
        start = self.starts[word]
        return start, start + len(self.surfaces[word])

    def sentence_of(self, word: int) -> int:
        """Index (into TextAnalysis.sentences) of the sentence a word belongs to."""
        inside = bisect.bisect_right(self.sentence_ends, self.starts[word])
        return self.first_sentence + min(inside, max(len(self.sentence_ends) - 1, 0))


@dataclass(frozen=True)
class TextAnalysis:
    """Everything about one article that does not depend on a topic."""

    lang: str | None  # the topic-file key of its language ("sh" for Croatian), None if unknown
    detected: bool  # True when the language came from the detector, not from the page
    segments: tuple[Segment, Segment]
    sentences: tuple[Sentence, ...]


def analyse(title: str, text: str, lang: str | None = None) -> TextAnalysis:
    """Detect (when `lang` is not given), split and tokenise an article once, for every topic."""
    title = title or ""
    text = text or ""
    key = language_key(lang)
    detected = False
    if key is None:
        key = language_key(detect_language(f"{title}\n{text}", sample_chars=DETECT_CHARS))
        detected = key is not None
    segments: list[Segment] = []
    sentences: list[Sentence] = []
    body_sentences = 0
    token_re = _token_re(key)
    for seg_index, (chunk, is_title) in enumerate(((title, True), (text, False))):
        base = len(sentences)
        spans = split_sentences(chunk, key) if chunk.strip() else []
        for start, end, paragraph in spans:
            if not is_title:
                body_sentences += 1
            sentences.append(Sentence(seg_index, start, end, paragraph, 0 if is_title else body_sentences))
        words = list(token_re.finditer(chunk))
        segments.append(
            Segment(
                chunk,
                is_title,
                list(map(_GROUP, words)),  # map over the unbound methods: a fifth of tokenising's time
                list(map(_START, words)),
                [e for _, e, _ in spans],
                base,
            )
        )
    return TextAnalysis(key, detected, (segments[0], segments[1]), tuple(sentences))
