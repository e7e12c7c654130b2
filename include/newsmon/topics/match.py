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
from collections.abc import Sequence
from dataclasses import dataclass

from newsmon.topics.languages import LANGUAGES
from newsmon.topics.model import NEUTRAL, NUMBER_TERM, Topic
from newsmon.topics.text import normalise, pattern_words, stemmer_for

STEM, LIT, CASE, GLOB, PREFIX, NUMBER = range(6)
MIN_STEM = 3  # a shorter stem matches too many unrelated words: the word is matched as written
MIN_PREFIX = 3
_AR_PROCLITICS = "وفبلك"


@dataclass(frozen=True, slots=True)
class Hit:
    """A concept found at word positions [first, last) of one segment (title or body)."""

    concept: str
    first: int
    last: int
    term: str  # the topic's term that matched, for `topics explain`


@dataclass(frozen=True, slots=True)
class _Term:
    concept: str
    source: str
    patterns: tuple[tuple[int, object], ...]  # (kind, value) per word; value is str or compiled regex


def _is_number(surface: str) -> bool:
    return surface.isdigit()


class LanguageMatcher:
    """All terms of one topic that apply to texts in one language, indexed by their first word.

    `lang` None gives a matcher of the language-neutral terms only: what is left to read a text in a
    language the topic has no terms for.
    """

    def __init__(self, topic: Topic, lang: str | None) -> None:
        self.lang = lang
        self.stem = stemmer_for(lang)
        known = LANGUAGES.get(lang or "")
        self._stemmed = bool(known and known.stemmer)
        self._clitics = lang == "ar"
        self.by_stem: dict[str, list[_Term]] = {}
        self.by_lit: dict[str, list[_Term]] = {}
        self.by_case: dict[str, list[_Term]] = {}
        self.by_prefix: dict[str, list[_Term]] = {}
        self.numbers: list[_Term] = []
        self.globs: list[_Term] = []
        self._prefix_lengths: tuple[int, ...] = ()
        self._word_cache: dict[str, tuple[str, tuple[_Term, ...]]] = {}
        for concept, per_lang in topic.concepts.items():
            for key, terms in per_lang.items():
                if key != NEUTRAL and (lang is None or key != lang):
                    continue
                for term in terms:
                    self._add(concept, term, literal=key == NEUTRAL)
        self._prefix_lengths = tuple(sorted({len(p) for p in self.by_prefix}))

    def _compile_word(self, word: str, *, literal: bool) -> tuple[int, object]:
        if "*" in word:
            body = word.strip("*")
            if word.endswith("*") and not word.startswith("*") and "*" not in body:
                return PREFIX, normalise(body, self.lang)
            return GLOB, re.compile(".*".join(re.escape(normalise(p, self.lang)) for p in word.split("*")))
        if len(word) >= 2 and word.isupper():
            return CASE, word
        norm = normalise(word, self.lang)
        if literal or not self._stemmed:
            return LIT, norm
        stem = self.stem(norm)
        if len(stem) < MIN_STEM and len(norm) > len(stem):
            return LIT, norm
        return STEM, stem

    def _add(self, concept: str, term: str, *, literal: bool) -> None:
        if term == NUMBER_TERM:
            self.numbers.append(_Term(concept, term, ((NUMBER, ""),)))
            return
        body = term
        if body.startswith("="):
            body, literal = body[1:], True
        words = pattern_words(body, self.lang)
        patterns = tuple(self._compile_word(w, literal=literal) for w in words)
        entry = _Term(concept, term, patterns)
        kind, value = patterns[0]
        index = {STEM: self.by_stem, LIT: self.by_lit, CASE: self.by_case, PREFIX: self.by_prefix}.get(kind)
        if index is None:
            self.globs.append(entry)
        else:
            index.setdefault(value, []).append(entry)  # type: ignore[arg-type]

    def _stems(self, norm: str) -> tuple[str, ...]:
        stem = self.stem(norm)
        # Arabic writes the conjunctions و/ف and the prepositions ب/ل/ك onto the next word ("والأطفال",
        # "بإجلاء", "وبعودة"); Snowball leaves them on when an article follows or the word is a verbal
        # noun, so try the word without them as well.
        if self._clitics and len(norm) > 4 and norm[0] in _AR_PROCLITICS:
            if norm[0] in "وف" and norm[1] in "بلك" and len(norm) > 5:
                return (stem, self.stem(norm[1:]), self.stem(norm[2:]))
            return (stem, self.stem(norm[1:]))
        return (stem,)

    def _word_matches(self, pattern: tuple[int, object], norm: str, surface: str) -> bool:
        kind, value = pattern
        if kind == STEM:
            return value in self._stems(norm)
        if kind == LIT:
            return norm == value
        if kind == CASE:
            return surface == value
        if kind == PREFIX:
            return norm.startswith(value)  # type: ignore[arg-type]
        if kind == NUMBER:
            return _is_number(surface)
        return value.fullmatch(norm) is not None  # type: ignore[attr-defined]

    def _lookup(self, surface: str) -> tuple[str, tuple[_Term, ...]]:
        """(comparison form, terms whose first word matches) for one surface word, once per matcher."""
        norm = normalise(surface, self.lang)
        candidates: list[_Term] = []
        if self.by_stem:
            for stem in self._stems(norm):
                candidates.extend(self.by_stem.get(stem, ()))
        candidates.extend(self.by_lit.get(norm, ()))
        candidates.extend(self.by_case.get(surface, ()))
        for length in self._prefix_lengths:
            if length > len(norm):
                break
            candidates.extend(self.by_prefix.get(norm[:length], ()))
        if self.numbers and _is_number(surface):
            candidates.extend(self.numbers)
        candidates.extend(t for t in self.globs if t.patterns[0][1].fullmatch(norm))  # type: ignore[attr-defined]
        # Longest terms first: a concept takes one hit per position, and "campos de refugiados" must win
        # over "campos" (masks and highlights need the whole phrase).
        candidates.sort(key=lambda t: -len(t.patterns))
        return norm, tuple(candidates)

    def find(self, surfaces: Sequence[str]) -> list[Hit]:
        """Return concept hits over one segment's words (in text order)."""
        cache = self._word_cache
        entries = [cache.get(surface) for surface in surfaces]
        for i, entry in enumerate(entries):
            if entry is None:
                entry = entries[i] = self._lookup(surfaces[i])
                if len(cache) < 300_000:
                    cache[surfaces[i]] = entry
        hits: list[Hit] = []
        seen: set[tuple[str, int]] = set()
        n = len(entries)
        for i, (_norm, candidates) in enumerate(entries):
            if not candidates:
                continue
            for term in candidates:
                if (term.concept, i) in seen:
                    continue
                length = len(term.patterns)
                if length > 1 and (
                    i + length > n
                    or not all(
                        self._word_matches(term.patterns[k], entries[i + k][0], surfaces[i + k])
                        for k in range(1, length)
                    )
                ):
                    continue
                seen.add((term.concept, i))
                hits.append(Hit(term.concept, i, i + length, term.source))
        return hits


_CACHE: dict[tuple[int, str | None], tuple[Topic, LanguageMatcher]] = {}


def matcher_for(topic: Topic, lang: str | None) -> LanguageMatcher:
    """Compiled matcher for a topic and language, cached (by identity: topics are immutable)."""
    key = (id(topic), lang)
    cached = _CACHE.get(key)
    if cached is not None and cached[0] is topic:
        return cached[1]
    if len(_CACHE) > 512:
        _CACHE.clear()
    matcher = LanguageMatcher(topic, lang)
    _CACHE[key] = (topic, matcher)
    return matcher
