"""Term matching: compile a topic's concept terms once per language, then find concept hits in words.

Term syntax (also documented in config/topics/README.md):

- ``children``, ``bring home``: each word is reduced to its stem by the language's Snowball stemmer
  and must match consecutive words of the text ("brought home" needs its own entry: stemmers do not
  know irregular verbs, but they do fold "children's", "Kindern", "детей"/"дети"). A word whose stem
  would be shorter than 3 letters is matched as written instead (Greek "παιδιά" stems to "πα").
  In a language without a stemmer every word is matched as written.
- ``балалар*``, ``rückhol*``: a trailing ``*`` matches every word that starts so (the way to write
  inflected forms where there is no stemmer); ``*lager``, ``*داعش*``: a wildcard anywhere else in one
  word, for compounds and clitics.
- ``IS``, ``ISIS``, ``ИГИЛ``: a word written in capitals (2+ letters) matches only that exact
  capitalisation, so the acronym "IS" never matches the verb "is".
- ``=рож``: a leading ``=`` matches the words literally (lower-cased), without stemming.
- ``<number>``: any number written in digits ("607", "1,200" is two numbers).
- Terms under the ``any`` key of a concept are names: matched as written (with ``*`` and capitals as
  above) in every language, covered or not.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import compress
from typing import NamedTuple, TypeVar

from newsmon.topics.languages import LANGUAGES
from newsmon.topics.model import NEUTRAL, NUMBER_TERM, Topic
from newsmon.topics.text import normalise, pattern_words, stemmer_for

STEM, LIT, CASE, GLOB, PREFIX, NUMBER = range(6)
MIN_STEM = 3  # a shorter stem matches too many unrelated words: the word is matched as written
MIN_PREFIX = 3
_AR_PROCLITICS = "وفبلك"


class Hit(NamedTuple):
    """A concept found at word positions [first, last) of one segment (title or body).

    A named tuple, not a frozen dataclass: an article yields hundreds of hits and a tuple is built in
    half the time.
    """

    concept: str
    first: int
    last: int
    term: str  # the topic's term that matched, for `topics explain`


class _Pattern(NamedTuple):
    """How one word of a term is compared: `kind` (STEM, LIT, ...) with the stem, form or capitalised
    word in `value`; a GLOB keeps its compiled expression in `glob` (and the word as written in `value`)."""

    kind: int
    value: str
    glob: re.Pattern[str] | None = None


@dataclass(frozen=True, slots=True)
class _Term:
    concept: str
    source: str
    patterns: tuple[_Pattern, ...]  # one per word


V = TypeVar("V")


# How a surface word compares in one language: (its comparison form, its stems), the stems several for
# Arabic clitics and () in a language without a stemmer. A plain tuple of strings, not a named one: the
# cyclic garbage collector stops tracking such a tuple once it has seen it, so the hundred thousand a run
# caches do not lengthen every full collection (it keeps tracking every instance of a tuple subclass).
_Form = tuple[str, tuple[str, ...]]


class _Cache(dict[str, V]):
    """surface -> value, filled on first sight (bounded: names and numbers keep coming)."""

    def __init__(self, lookup: Callable[[str], V], limit: int = 300_000) -> None:
        super().__init__()
        self._lookup = lookup
        self._limit = limit

    def __missing__(self, surface: str) -> V:
        value = self._lookup(surface)
        if len(self) < self._limit:
            self[surface] = value
        return value


class _Vocabulary:
    """Normalising and stemming of the words of one language, shared by every topic's matcher: a word
    is reduced once however many topics read it (per topic only the index look-ups remain)."""

    def __init__(self, lang: str | None) -> None:
        self.lang = lang
        self.stem = stemmer_for(lang)
        known = LANGUAGES.get(lang or "")
        self.stemmed = bool(known and known.stemmer)
        self._clitics = lang == "ar"
        self.forms: _Cache[_Form] = _Cache(self._form)

    def _form(self, surface: str) -> _Form:
        norm = normalise(surface, self.lang)
        if not self.stemmed:
            return (norm, ())
        if not self._clitics:
            return (norm, (self.stem(norm),))
        return (norm, self._arabic_stems(norm))

    def _arabic_stems(self, norm: str) -> tuple[str, ...]:
        stem = self.stem(norm)
        # Arabic writes the conjunctions و/ف and the prepositions ب/ل/ك onto the next word ("والأطفال",
        # "بإجلاء", "وبعودة"); Snowball leaves them on when an article follows or the word is a verbal
        # noun, so try the word without them as well.
        if len(norm) > 4 and norm[0] in _AR_PROCLITICS:
            if norm[0] in "وف" and norm[1] in "بلك" and len(norm) > 5:
                return (stem, self.stem(norm[1:]), self.stem(norm[2:]))
            return (stem, self.stem(norm[1:]))
        return (stem,)


_VOCABULARIES: dict[str | None, _Vocabulary] = {}


def _vocabulary(lang: str | None) -> _Vocabulary:
    vocabulary = _VOCABULARIES.get(lang)
    if vocabulary is None:
        vocabulary = _VOCABULARIES[lang] = _Vocabulary(lang)
    return vocabulary


def _is_number(surface: str) -> bool:
    return surface.isdigit()


class LanguageMatcher:
    """All terms of one topic that apply to texts in one language, indexed by their first word.

    `lang` None gives a matcher of the language-neutral terms only: what is left to read a text in a
    language the topic has no terms for.
    """

    def __init__(self, topic: Topic, lang: str | None) -> None:
        self.lang = lang
        self._vocabulary = _vocabulary(lang)
        self.stem = self._vocabulary.stem
        self._stemmed = self._vocabulary.stemmed
        self.by_stem: dict[str, list[_Term]] = {}
        self.by_lit: dict[str, list[_Term]] = {}
        self.by_case: dict[str, list[_Term]] = {}
        self.by_prefix: dict[str, list[_Term]] = {}
        self.numbers: list[_Term] = []
        self.globs: list[tuple[re.Pattern[str], _Term]] = []  # terms whose first word is a glob
        self._forms = self._vocabulary.forms
        # surface -> the terms whose first word it matches, longest first; most words start no term and
        # share the empty tuple, so the cache holds few objects of its own.
        self._starts: _Cache[tuple[_Term, ...]] = _Cache(self._lookup)
        for concept, per_lang in topic.concepts.items():
            for key, terms in per_lang.items():
                if key != NEUTRAL and (lang is None or key != lang):
                    continue
                for term in terms:
                    self._add(concept, term, literal=key == NEUTRAL)
        self._prefix_lengths = tuple(sorted({len(p) for p in self.by_prefix}))
        # Every prefix starts with one of these heads (its first letters up to the shortest prefix's
        # length): a word that starts with none skips the look-up per prefix length.
        shortest = self._prefix_lengths[0] if self._prefix_lengths else 0
        self._prefix_heads = frozenset(p[:shortest] for p in self.by_prefix)
        self._shortest_prefix = shortest
        # One expression for every first-word glob: most words match none, and one C call says so.
        self._any_glob = (
            re.compile("|".join(f"(?:{glob.pattern})" for glob, _ in self.globs)) if self.globs else None
        )

    def _compile_word(self, word: str, *, literal: bool) -> _Pattern:
        if "*" in word:
            body = word.strip("*")
            if word.endswith("*") and not word.startswith("*") and "*" not in body:
                return _Pattern(PREFIX, normalise(body, self.lang))
            glob = re.compile(".*".join(re.escape(normalise(p, self.lang)) for p in word.split("*")))
            return _Pattern(GLOB, word, glob)
        if len(word) >= 2 and word.isupper():
            return _Pattern(CASE, word)
        norm = normalise(word, self.lang)
        if literal or not self._stemmed:
            return _Pattern(LIT, norm)
        stem = self.stem(norm)
        if len(stem) < MIN_STEM and len(norm) > len(stem):
            return _Pattern(LIT, norm)
        return _Pattern(STEM, stem)

    def _add(self, concept: str, term: str, *, literal: bool) -> None:
        if term == NUMBER_TERM:
            self.numbers.append(_Term(concept, term, (_Pattern(NUMBER, ""),)))
            return
        body = term
        if body.startswith("="):
            body, literal = body[1:], True
        words = pattern_words(body, self.lang)
        patterns = tuple(self._compile_word(w, literal=literal) for w in words)
        entry = _Term(concept, term, patterns)
        first = patterns[0]
        if first.glob is not None:
            self.globs.append((first.glob, entry))
            return
        index = {STEM: self.by_stem, LIT: self.by_lit, CASE: self.by_case, PREFIX: self.by_prefix}
        index[first.kind].setdefault(first.value, []).append(entry)

    def _word_matches(self, pattern: _Pattern, surface: str) -> bool:
        kind, value, glob = pattern
        if kind == CASE:
            return surface == value
        if kind == NUMBER:
            return _is_number(surface)
        norm, stems = self._forms[surface]
        if kind == STEM:
            return value in stems
        if kind == LIT:
            return norm == value
        if kind == PREFIX:
            return norm.startswith(value)
        return glob is not None and glob.fullmatch(norm) is not None

    def _lookup(self, surface: str) -> tuple[_Term, ...]:
        """The terms whose first word `surface` matches, longest first; once per matcher and word."""
        norm, stems = self._forms[surface]
        candidates: list[_Term] = []
        for stem in stems:
            candidates.extend(self.by_stem.get(stem, ()))
        candidates.extend(self.by_lit.get(norm, ()))
        candidates.extend(self.by_case.get(surface, ()))
        if norm[: self._shortest_prefix] in self._prefix_heads:
            for length in self._prefix_lengths:
                if length > len(norm):
                    break
                candidates.extend(self.by_prefix.get(norm[:length], ()))
        if self.numbers and _is_number(surface):
            candidates.extend(self.numbers)
        if self._any_glob is not None and self._any_glob.fullmatch(norm):
            candidates.extend(t for glob, t in self.globs if glob.fullmatch(norm))
        # Longest terms first: a concept takes one hit per position, and "campos de refugiados" must win
        # over "campos" (masks and highlights need the whole phrase).
        if len(candidates) > 1:
            candidates.sort(key=lambda t: -len(t.patterns))
        return tuple(candidates)

    def find(self, surfaces: Sequence[str]) -> list[Hit]:
        """Return concept hits over one segment's words (in text order)."""
        # The per-word work runs in C (map, compress) over the cached first-word look-ups; Python only
        # visits the few words that start some term.
        starts = list(map(self._starts.__getitem__, surfaces))
        hits: list[Hit] = []
        n = len(starts)
        matches = self._word_matches
        for i in compress(range(n), starts):
            taken: set[str] = set()  # a concept takes one hit per position: the longest term's
            for term in starts[i]:
                if term.concept in taken:
                    continue
                length = len(term.patterns)
                if length > 1:
                    if i + length > n:
                        continue
                    patterns = term.patterns
                    k = 1
                    while k < length and matches(patterns[k], surfaces[i + k]):
                        k += 1
                    if k < length:
                        continue
                taken.add(term.concept)
                hits.append(Hit(term.concept, i, i + length, term.source))
        return hits


_CACHE: dict[tuple[int, str | None], tuple[Topic, LanguageMatcher]] = {}
_TermsKey = tuple[tuple[str, tuple[tuple[str, tuple[str, ...]], ...]], ...]
_BY_TERMS: dict[tuple[_TermsKey, str | None], LanguageMatcher] = {}


def _terms_key(topic: Topic) -> _TermsKey:
    """Everything a matcher is compiled from: the topic's concepts and their terms per language."""
    return tuple(
        (concept, tuple((key, tuple(terms)) for key, terms in per_lang.items()))
        for concept, per_lang in topic.concepts.items()
    )


def matcher_for(topic: Topic, lang: str | None) -> LanguageMatcher:
    """Compiled matcher for a topic and language, cached by identity (topics are immutable) and by the
    topic's terms: each flag task loads its topics afresh, and an unchanged topic keeps its matcher
    (with the words it has already looked up) for as long as the process lives."""
    key = (id(topic), lang)
    cached = _CACHE.get(key)
    if cached is not None and cached[0] is topic:
        return cached[1]
    if len(_CACHE) > 512:
        _CACHE.clear()
    terms_key = (_terms_key(topic), lang)
    matcher = _BY_TERMS.get(terms_key)
    if matcher is None:
        if len(_BY_TERMS) > 512:
            _BY_TERMS.clear()
        matcher = _BY_TERMS[terms_key] = LanguageMatcher(topic, lang)
    _CACHE[key] = (topic, matcher)
    return matcher
