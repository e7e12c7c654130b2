"""Term matching: compile a topic's concept terms once per language, then find concept hits in tokens.

Term syntax (also documented in config/topics/README.md):

- ``children``, ``bring home``: each word is stemmed with the language's Snowball stemmer and must
  match consecutive words of the text (so "brought home" needs its own entry: stemmers do not know
  irregular verbs, but they do fold "children's", "Kindern", "детей"/"дети").
- ``rückhol*``, ``*lager``, ``*داعش*``: a word with ``*`` is a wildcard on the lower-cased word, for
  compounds and clitics a stemmer cannot split.
- ``IS``, ``ISIS``, ``ИГИЛ``: a word written in capitals (2+ letters) matches only that exact
  capitalisation, so the acronym "IS" never matches the verb "is".
- ``=рож``: a leading ``=`` matches the words literally (lower-cased), without stemming.
- Terms under the ``any`` key of a concept are names: matched literally in every language.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from newsmon.topics.model import NEUTRAL, Topic
from newsmon.topics.text import normalise, pattern_words, stemmer_for

STEM, LIT, CASE, GLOB = 0, 1, 2, 3


@dataclass(frozen=True, slots=True)
class Hit:
    """A concept found at token positions [first, last) of one segment (title or body)."""

    concept: str
    first: int
    last: int
    term: str  # the topic's term that matched, for debugging and `topics explain`


@dataclass(frozen=True, slots=True)
class _Term:
    concept: str
    source: str
    patterns: tuple[tuple[int, object], ...]  # (kind, value) per word; value is str or compiled regex


def _compile_word(word: str, *, literal: bool, stem: Callable[[str], str]) -> tuple[int, object]:
    if "*" in word:
        body = ".*".join(re.escape(normalise(part)) for part in word.split("*"))
        return GLOB, re.compile(body)
    if len(word) >= 2 and word.isupper():
        return CASE, word
    if literal:
        return LIT, normalise(word)
    return STEM, stem(normalise(word))


class LanguageMatcher:
    """All terms of one topic that apply to texts in one language, indexed by their first word."""

    def __init__(self, topic: Topic, lang: str | None) -> None:
        self.lang = lang
        self.stem = stemmer_for(lang) if lang else stemmer_for("")
        self._clitics = lang == "ar"
        self.by_stem: dict[str, list[_Term]] = {}
        self.by_lit: dict[str, list[_Term]] = {}
        self.by_case: dict[str, list[_Term]] = {}
        self.globs: list[_Term] = []
        self._word_cache: dict[str, tuple[str, tuple[_Term, ...]]] = {}
        for concept, per_lang in topic.concepts.items():
            for key, terms in per_lang.items():
                if key != NEUTRAL and key != lang:
                    continue
                for term in terms:
                    self._add(concept, term, literal=key == NEUTRAL)

    def _add(self, concept: str, term: str, *, literal: bool) -> None:
        body = term
        if body.startswith("="):
            body, literal = body[1:], True
        patterns = tuple(_compile_word(w, literal=literal, stem=self.stem) for w in pattern_words(body))
        entry = _Term(concept, term, patterns)
        kind, value = patterns[0]
        if kind == STEM:
            self.by_stem.setdefault(value, []).append(entry)  # type: ignore[arg-type]
        elif kind == LIT:
            self.by_lit.setdefault(value, []).append(entry)  # type: ignore[arg-type]
        elif kind == CASE:
            self.by_case.setdefault(value, []).append(entry)  # type: ignore[arg-type]
        else:
            self.globs.append(entry)

    def _stems(self, norm: str) -> tuple[str, ...]:
        stem = self.stem(norm)
        # Arabic writes the conjunctions و/ف onto the next word ("والأطفال"); Snowball leaves them on
        # when an article follows, so try the word without it as well.
        if self._clitics and len(norm) > 4 and norm[0] in "وف":
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
        return value.fullmatch(norm) is not None  # type: ignore[attr-defined]

    def _lookup(self, surface: str) -> tuple[str, tuple[_Term, ...]]:
        """(norm, terms whose first word matches) for one surface word, computed once per matcher."""
        norm = normalise(surface)
        candidates: list[_Term] = []
        for stem in self._stems(norm):
            candidates.extend(self.by_stem.get(stem, ()))
        candidates.extend(self.by_lit.get(norm, ()))
        candidates.extend(self.by_case.get(surface, ()))
        candidates.extend(t for t in self.globs if t.patterns[0][1].fullmatch(norm))  # type: ignore[attr-defined]
        return norm, tuple(candidates)

    def find(self, surfaces: Sequence[str]) -> list[Hit]:
        """Return concept hits over one segment's words (in text order)."""
        cache = self._word_cache
        entries = []
        for surface in surfaces:
            entry = cache.get(surface)
            if entry is None:
                entry = self._lookup(surface)
                if len(cache) < 300_000:
                    cache[surface] = entry
            entries.append(entry)
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
                if length > 1:
                    if i + length > n:
                        continue
                    if not all(
                        self._word_matches(term.patterns[k], entries[i + k][0], surfaces[i + k])
                        for k in range(1, length)
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
    if len(_CACHE) > 256:
        _CACHE.clear()
    matcher = LanguageMatcher(topic, lang)
    _CACHE[key] = (topic, matcher)
    return matcher
