"""The searches a provider runs for the topics: generated from each topic's concepts, or written by hand.

A generated query is the topic's strongest rule turned into a search: the rule's ``all`` concepts become
one group of terms each (any term of the group may match, the groups must all match) and its ``any``
concepts one more group, names first (``al-Hol``, ``ISIS``, ``Zhusan``: names are what a search engine
finds best). For the default topic in English that reads::

    (child OR children OR kids) (repatriate OR repatriated OR repatriation)
    (ISIS OR "al-Hol" OR Zhusan OR ISIL)

and is sent once per language, narrowed by the provider's language filter (GDELT's ``sourcelang:``).
Which words are used depends on the provider (``config.discovery.QueryTerms``): English terms for GDELT,
which searches English translations, each language's own terms for an RSS search, which searches the
original text; names are taken in the script of the language's terms.

What a term must be to go into a search, the strictest rules met among providers (GDELT's): no
wildcards (a prefix term ``балалар*`` is used as the word ``балалар`` only when a concept has nothing
else), no ``<number>``, a single word of at least 4 letters, a phrase of at least 5 characters and
quoted, no quotes, colons or parentheses inside; a group of one term has no parentheses, several are
OR'd inside parentheses. Groups are cut, longest first, until the query fits ``max_query_length``.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from itertools import chain, zip_longest

from newsmon.config.discovery import ProviderConfig, QueryTerms
from newsmon.topics.model import NEUTRAL, NUMBER_TERM, Rule, Topic

ANY_LANG = "any"
TERMS_PER_GROUP = 3
NAMES_PER_GROUP = 4
_MIN_WORD = 4
_MIN_PHRASE = 5
_FORBIDDEN = set('"():')


class QueryOrigin(StrEnum):
    GENERATED = "generated"
    WRITTEN = "written"


@dataclass(frozen=True)
class PlannedQuery:
    """One search of one provider: the text (without the language filter the provider adds) and its
    language ("any": not narrowed)."""

    topic: str
    lang: str
    text: str
    origin: QueryOrigin


@dataclass(frozen=True)
class Skipped:
    """A language for which no query could be generated, and why (``newsmon discovery queries`` says)."""

    topic: str
    lang: str
    reason: str


def strongest_rule(topic: Topic) -> Rule | None:
    """The positive rule a query is made from: the heaviest that names concepts to match together
    (rules that only score texts in uncovered languages are left out)."""
    rules = [r for r in topic.positive_rules if r.applies_to != "uncovered" and r.all]
    if not rules:
        rules = [r for r in topic.positive_rules if r.applies_to != "uncovered" and r.any]
    return max(rules, key=lambda r: (r.weight, len(r.all) + bool(r.any)), default=None)


def _script(text: str) -> str:
    """The writing system of a text's first letter (LATIN, CYRILLIC, ARABIC, GREEK, ...)."""
    for ch in text:
        if ch.isalpha():
            return unicodedata.name(ch, "UNKNOWN").split(" ", 1)[0]
    return ""


def search_term(term: str, *, allow_prefix: bool = False) -> str | None:
    """A topic term as a search engine reads it, or None when it cannot be searched as written."""
    if term == NUMBER_TERM:
        return None
    text = " ".join(term.removeprefix("=").split())
    if allow_prefix and text.endswith("*") and text.count("*") == 1 and " " not in text:
        text = text[:-1] if len(text) - 1 >= _MIN_PHRASE else text
    if not text or "*" in text or _FORBIDDEN & set(text):
        return None
    single = " " not in text and not any(not ch.isalnum() for ch in text)
    if single:
        return text if len(text) >= _MIN_WORD else None
    return f'"{text}"' if len(text) >= _MIN_PHRASE else None


def _terms(topic: Topic, concept: str, lang: str, *, names_first: bool, script: str) -> list[str]:
    """A concept's searchable terms in ``lang``: the language's own in file order (their prefix terms as
    words when nothing else is searchable), and the names (``any``) written in the same script."""
    per = topic.concepts.get(concept, {})
    own = _searchable(per.get(lang, ())) or _searchable(per.get(lang, ()), allow_prefix=True)
    names = _searchable(t for t in per.get(NEUTRAL, ()) if not script or _script(t) == script)
    return _unique([*names, *own] if names_first else [*own, *names])


def _searchable(terms: Iterable[str], *, allow_prefix: bool = False) -> list[str]:
    return _unique(t for t in (search_term(t, allow_prefix=allow_prefix) for t in terms) if t)


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _interleave(lists: Sequence[Sequence[str]]) -> list[str]:
    return _unique(t for t in chain.from_iterable(zip_longest(*lists)) if t)


def _render(groups: Sequence[Sequence[str]]) -> str:
    return " ".join(g[0] if len(g) == 1 else "(" + " OR ".join(g) + ")" for g in groups)


def build_query(topic: Topic, rule: Rule, lang: str, max_length: int) -> str | None:
    """The search for ``rule`` written with the terms of ``lang`` (see the module docstring), or None
    when a concept of the rule has no searchable term in that language."""
    first_own = next((t for per in topic.concepts.values() for t in per.get(lang, ())), "")
    script = _script(first_own) or "LATIN"
    groups: list[list[str]] = []
    for concept in rule.all:
        terms = _terms(topic, concept, lang, names_first=False, script=script)
        if not terms:
            return None
        groups.append(terms[:TERMS_PER_GROUP])
    if rule.any:
        context = _interleave([_terms(topic, c, lang, names_first=True, script=script) for c in rule.any])
        if not context:
            return None
        groups.append(context[:NAMES_PER_GROUP])
    while len(_render(groups)) > max_length:
        longest = max(groups, key=len)
        if len(longest) == 1:
            return None
        longest.pop()
    return _render(groups)


def plan_queries(
    provider: ProviderConfig, topics: Sequence[Topic], supports: Callable[[str], bool]
) -> tuple[list[PlannedQuery], list[Skipped]]:
    """Every search ``provider`` runs for ``topics``, and the languages left without one (with why)."""
    planned: list[PlannedQuery] = []
    skipped: list[Skipped] = []
    for topic in topics:
        spec = topic.discovery
        if not (topic.enabled and spec.enabled):
            continue
        languages = [lang for lang in (spec.languages or topic.languages) if provider.covers(lang)]
        rule = strongest_rule(topic) if spec.generate else None
        for lang in languages if spec.generate else ():
            if not supports(lang):
                skipped.append(Skipped(topic.name, lang, f"{provider.name} cannot narrow a search to {lang}"))
                continue
            terms_lang = "en" if provider.terms == QueryTerms.ENGLISH else lang
            text = build_query(topic, rule, terms_lang, provider.max_query_length) if rule else None
            if text is None:
                why = (
                    "no rule to build from"
                    if rule is None
                    else f"no searchable {terms_lang} term for {rule.name}"
                )
                skipped.append(Skipped(topic.name, lang, why))
                continue
            planned.append(PlannedQuery(topic.name, lang, text, QueryOrigin.GENERATED))
        for written in spec.queries:
            if written.providers and provider.name not in written.providers:
                continue
            if written.lang != NEUTRAL and not (provider.covers(written.lang) and supports(written.lang)):
                continue
            lang = ANY_LANG if written.lang == NEUTRAL else written.lang
            planned.append(PlannedQuery(topic.name, lang, written.text, QueryOrigin.WRITTEN))
    unique = {(q.topic, q.lang, q.text): q for q in planned}
    return list(unique.values()), skipped
