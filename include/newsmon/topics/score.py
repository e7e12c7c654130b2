"""Scoring a text against a topic: rule features, an additive score, and the evidence behind it.

The score is a sum of points: each rule adds ``weight`` for every sentence where it holds (at most
``max_count`` sentences; a sentence of the title counts ``title_boost`` times, one of the lead
``lead_boost`` times), negative cues subtract the same way, and the total is floored at 0. Points are
easy to explain to an analyst ("two sentences put children next to repatriation and al-Hol: +2.4; the
article is about a trial: -0.6") and they are the features the optional learned layer re-weighs.

A text in a language the topic has no terms for is read with the terms of a close language the topic
has (Slovak with Czech), else with the language-neutral names only (camps, ISIS in every script, the
places, numbers); its score says so ("language not covered") wherever it is shown.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from newsmon.topics.languages import NEAR
from newsmon.topics.match import Hit, matcher_for
from newsmon.topics.model import Rule, Topic
from newsmon.topics.text import TextAnalysis, analyse

MAX_SENTENCE_CHARS = 400
MAX_NEGATIVE_EVIDENCE = 3
#: pseudo-feature recorded when none of a topic's `requires` concepts occurs in the text
MISSING_CONTEXT = "missing_required_context"
#: pseudo-feature: points above the topic's `sentence_cap` that single sentences would have added
SENTENCE_CAP = "sentence_cap"
#: pseudo-feature: the points a text loses when none of the topic's `core` rules matched
MISSING_CORE = "missing_core"
#: what a score, `topics explain`, the UI and the bench say about a text in a language the topic lacks
NOT_COVERED = "language not covered"


@dataclass(frozen=True)
class Evidence:
    """One sentence that moved the score, with the words that matched, in the language of the text."""

    sentence: str
    terms: tuple[str, ...]
    concepts: tuple[str, ...]
    weight: float
    rules: tuple[str, ...] = ()
    in_title: bool = False
    context: tuple[str, ...] = ()  # concepts found around the sentence (neighbours, title) that counted

    def to_json(self) -> dict[str, Any]:
        return {
            "sentence": self.sentence,
            "terms": list(self.terms),
            "concepts": list(self.concepts),
            "weight": self.weight,
            "rules": list(self.rules),
            "in_title": self.in_title,
            "context": list(self.context),
        }


@dataclass(frozen=True)
class TopicScore:
    """The outcome of scoring one text for one topic; `to_json` is what the flag row stores."""

    topic: str
    score: float
    flagged: bool
    evidence: tuple[Evidence, ...]
    features: Mapping[str, float]  # rule name -> points it contributed (negative for cues)
    lang: str | None
    counts: Mapping[str, float] = field(default_factory=dict)  # rule name -> sentences (boosted)
    threshold: float = 0.0
    learned_probability: float | None = None  # set when an enabled learned layer decided `flagged`
    language_covered: bool = True
    read_with: tuple[str, ...] = ()  # the languages whose terms were used ("" = neutral names only)

    @property
    def language_note(self) -> str:
        """ "" for a covered language, else "language not covered" and how the text was read."""
        if self.language_covered:
            return ""
        used = [code for code in self.read_with if code]
        how = f"read with {'/'.join(used)} terms" if used else "language-neutral names only"
        return f"{NOT_COVERED}: {self.lang or 'unknown'} ({how})"

    def to_json(self) -> dict[str, Any]:
        return {
            "topic": self.topic,
            "score": self.score,
            "flagged": self.flagged,
            "threshold": self.threshold,
            "lang": self.lang,
            "language_covered": self.language_covered,
            "language_note": self.language_note,
            "read_with": list(self.read_with),
            "features": dict(self.features),
            "counts": dict(self.counts),
            "learned_probability": self.learned_probability,
            "evidence": [e.to_json() for e in self.evidence],
        }


@dataclass
class _Sentence:
    segment: int
    start: int
    end: int
    is_title: bool
    position: int
    paragraph: int
    concepts: dict[str, list[Hit]] = field(default_factory=dict)


def reading_languages(topic: Topic, lang: str | None) -> tuple[tuple[str | None, ...], bool]:
    """(languages whose terms read a text in `lang`, whether `lang` is covered). None = names only."""
    if lang is not None and lang in topic.languages:
        return (lang,), True
    near = tuple(code for code in NEAR.get(lang or "", ()) if code in topic.languages)
    return (near or (None,)), False


def score_text(topic: Topic, *, title: str, text: str, lang: str | None = None) -> TopicScore:
    """Score an article (title + body text) for one topic and collect the evidence.

    `lang` is the article's language when the caller knows it (page metadata); otherwise it is detected.
    To score one article for several topics, `analyse` it once and call `score_analysis` per topic.
    """
    return score_analysis(topic, analyse(title, text, lang))


def score_topics(
    topics: Sequence[Topic], *, title: str, text: str, lang: str | None = None
) -> list[TopicScore]:
    """Score one article for every topic, detecting, splitting and tokenising it once."""
    analysis = analyse(title, text, lang)
    return [score_analysis(t, analysis) for t in topics]


def score_analysis(topic: Topic, analysis: TextAnalysis) -> TopicScore:
    """Score an analysed article for a topic."""
    languages, covered = reading_languages(topic, analysis.lang)
    # Only the sentences with a hit of this topic are materialised (most of an article has none), in
    # ascending index order: segments come in order and a segment's hits are sorted by position.
    sentences: dict[int, _Sentence] = {}
    seg_places: list[_SegmentHits] = []
    for segment in analysis.segments:
        if len(languages) == 1:  # one matcher's hits are already one per concept and position
            hits = matcher_for(topic, languages[0]).find(segment.surfaces)
        else:
            hits = []
            seen: set[tuple[str, int]] = set()
            for language in languages:
                for hit in matcher_for(topic, language).find(segment.surfaces):
                    if (hit.concept, hit.first) not in seen:
                        seen.add((hit.concept, hit.first))
                        hits.append(hit)
        if topic.masks:
            hits = _unmasked(topic.masks, hits)
        hits.sort(key=lambda h: h.first)
        placed = _SegmentHits()
        for hit in hits:
            sentence = placed.sentence_at.get(hit.first)
            if sentence is None:
                sentence = placed.sentence_at[hit.first] = segment.sentence_of(hit.first)
            sent = sentences.get(sentence)
            if sent is None:
                src = analysis.sentences[sentence]
                sent = sentences[sentence] = _Sentence(
                    src.segment, src.start, src.end, src.segment == 0, src.position, src.paragraph
                )
            sent.concepts.setdefault(hit.concept, []).append(hit)
            placed.positions.setdefault(hit.concept, []).append(hit.first)
        seg_places.append(placed)

    where: dict[str, set[int]] = {}
    for i, sent in sentences.items():
        for c in sent.concepts:
            where.setdefault(c, set()).add(i)
    places = _Places(sentences, topic.window)
    plan = _plan(topic)
    # Every rule starts at what it gives a text where it does not hold; only the rules whose concepts
    # all occur are worked out (an article has a handful of hits and most rules need what it lacks).
    counts, features = (dict(zeros) for zeros in plan.zeros[covered])
    per_sentence: dict[tuple[int, bool], dict[str, Any]] = {}
    for rule, needs_all, needs_any in plan.rules:
        if plan.skip and not (
            where.keys() >= needs_all and (not needs_any or not needs_any.isdisjoint(where))
        ):
            continue
        if (rule.applies_to == "uncovered" and covered) or (rule.applies_to == "covered" and not covered):
            counts[rule.name] = 0.0
            features[rule.name] = 0.0
            continue
        occurrences = _occurrences(rule, sentences, where, seg_places) if where else []
        if not occurrences:  # what the steps below make of no occurrence, types and signs included
            counts[rule.name] = 0
            features[rule.name] = round(0 * rule.weight, 4)
            continue
        if rule.where != "all" or rule.none:
            occurrences = [s for s in occurrences if _counts_here(topic, rule, sentences[s])]
        context: dict[int, tuple[str, ...]] = {}
        if rule.context:
            kept = []
            for s in occurrences:
                found = places.context(rule.context, rule.context_within, s)
                if found:
                    kept.append(s)
                    context[s] = found
            occurrences = kept
        factors = [_factor(topic, sentences[s]) for s in occurrences[: rule.max_count]]
        count = sum(factors)
        counts[rule.name] = round(count, 4)
        features[rule.name] = round(count * rule.weight, 4)
        for s, factor in zip(occurrences, factors, strict=False):
            # positive and negative contributions of one sentence stay separate pieces of evidence
            slot = per_sentence.setdefault(
                (s, rule.negative), {"weight": 0.0, "rules": [], "concepts": set(), "context": set()}
            )
            slot["weight"] += rule.weight * factor
            slot["rules"].append(rule.name)
            slot["concepts"].update(c for c in (*rule.all, *rule.any) if c in sentences[s].concepts)
            slot["context"].update(context.get(s, ()))

    if topic.sentence_cap is not None:
        excess = 0.0
        for (s, negative), slot in per_sentence.items():
            cap = topic.sentence_cap * _factor(topic, sentences[s])
            if not negative and slot["weight"] > cap:
                excess += slot["weight"] - cap
        if excess:
            features[SENTENCE_CAP] = round(-excess, 4)
            counts[SENTENCE_CAP] = 1.0
    if (
        topic.core
        and topic.core_missing
        and any(languages)  # read with some language's words (names alone cannot state the core)
        and not any(features.get(name, 0.0) > 0 for name in topic.core)
    ):
        # Only the setting matched (the subject's surroundings, none of its central statements): such a
        # text needs `core_missing` more points to be flagged.
        features[MISSING_CORE] = -topic.core_missing
        counts[MISSING_CORE] = 1.0
    raw = sum(features.values())
    if topic.requires and not any(c in where for c in topic.requires):
        # Without the subject's context the rule points are about something else: they are cancelled
        # by a visible pseudo-feature, so `explain` and the stored evidence say why the score is 0.
        features[MISSING_CONTEXT] = round(-max(raw, 0.0), 4)
        counts[MISSING_CONTEXT] = 1.0
        raw = sum(features.values())
    score = round(max(raw, 0.0), 4)
    return TopicScore(
        topic=topic.name,
        score=score,
        flagged=score >= topic.threshold,
        evidence=_evidence(topic, sentences, analysis, per_sentence),
        features=MappingProxyType(features),
        lang=analysis.lang,
        counts=MappingProxyType(counts),
        threshold=topic.threshold,
        language_covered=covered,
        read_with=tuple(code or "" for code in languages),
    )


@dataclass(frozen=True)
class _Plan:
    """A topic's rules prepared for scoring: the concepts each needs, and per `covered` the counts and
    features of a text where no rule holds (rule order: the order `TopicScore.features` shows)."""

    rules: tuple[tuple[Rule, frozenset[str], frozenset[str]], ...]
    zeros: Mapping[bool, tuple[dict[str, float], dict[str, float]]]
    skip: bool  # rules whose concepts are missing may be skipped (rule names are unique)


_PLANS: dict[int, tuple[Topic, _Plan]] = {}


def _plan(topic: Topic) -> _Plan:
    cached = _PLANS.get(id(topic))
    if cached is not None and cached[0] is topic:
        return cached[1]
    zeros: dict[bool, tuple[dict[str, float], dict[str, float]]] = {}
    for covered in (True, False):
        counts: dict[str, float] = {}
        features: dict[str, float] = {}
        for rule in topic.rules:
            if (rule.applies_to == "uncovered" and covered) or (rule.applies_to == "covered" and not covered):
                counts[rule.name], features[rule.name] = 0.0, 0.0
            else:  # what a rule without occurrences records (an int count; -0.0 for a cue)
                counts[rule.name], features[rule.name] = 0, round(0 * rule.weight, 4)
        zeros[covered] = (counts, features)
    plan = _Plan(
        rules=tuple((r, frozenset(r.all), frozenset(r.any)) for r in topic.rules),
        zeros=zeros,
        # with two rules of one name the later one's value stands, at the earlier one's place: every
        # rule is then worked out, as it is written
        skip=len({r.name for r in topic.rules}) == len(topic.rules),
    )
    if len(_PLANS) > 512:
        _PLANS.clear()
    _PLANS[id(topic)] = (topic, plan)
    return plan


def _unmasked(masks: Mapping[str, tuple[str, ...]], hits: list[Hit]) -> list[Hit]:
    """Drop the hits of masked concepts that lie inside a phrase of the concept masking them."""
    spans: dict[str, list[tuple[int, int]]] = {}
    for masker, masked in masks.items():
        found = [(h.first, h.last) for h in hits if h.concept == masker and h.last - h.first > 1]
        for concept in masked:
            spans.setdefault(concept, []).extend(found)
    if not any(spans.values()):
        return hits
    return [
        h
        for h in hits
        if not any(first <= h.first and h.last <= last for first, last in spans.get(h.concept, ()))
    ]


def _counts_here(topic: Topic, rule: Rule, sentence: _Sentence) -> bool:
    if rule.within != "document" and any(c in sentence.concepts for c in rule.none):
        return False
    if rule.where == "title":
        return sentence.is_title
    if rule.where == "lead":
        return sentence.position <= topic.lead_sentences
    if rule.where == "body":
        return not sentence.is_title
    return True


def _factor(topic: Topic, sentence: _Sentence) -> float:
    if sentence.is_title:
        return topic.title_boost
    if sentence.position <= topic.lead_sentences:
        return topic.lead_boost
    return 1.0


class _Places:
    """Where each concept occurs (sentence positions), to answer "is X around this sentence?"."""

    def __init__(self, sentences: Mapping[int, _Sentence], window: int) -> None:
        self.sentences = sentences
        self.window = window
        self.positions: dict[str, list[int]] = {}
        self.paragraphs: dict[str, set[tuple[int, int]]] = {}
        for s in sentences.values():
            for c in s.concepts:
                self.positions.setdefault(c, []).append(s.position)
                self.paragraphs.setdefault(c, set()).add((s.segment, s.paragraph))

    def context(self, concepts: Iterable[str], within: str, index: int) -> tuple[str, ...]:
        s = self.sentences[index]
        found = []
        for c in concepts:
            positions = self.positions.get(c)
            if not positions:
                continue
            # the title is around every sentence, and the whole article is around the title
            if within == "document" or c in s.concepts or positions[0] == 0 or s.is_title:
                found.append(c)
            elif within == "window":
                i = bisect.bisect_left(positions, s.position - self.window)
                if i < len(positions) and positions[i] <= s.position + self.window:
                    found.append(c)
            elif within == "paragraph" and (s.segment, s.paragraph) in self.paragraphs[c]:
                found.append(c)
        return tuple(found)


@dataclass
class _SegmentHits:
    """The hits of one segment (title or body) by concept, computed once for every proximity rule."""

    positions: dict[str, list[int]] = field(default_factory=dict)  # concept -> word positions, ascending
    sentence_at: dict[int, int] = field(default_factory=dict)  # word position of a hit -> its sentence


def _occurrences(
    rule: Rule,
    sentences: Mapping[int, _Sentence],
    where: Mapping[str, set[int]],
    seg_places: list[_SegmentHits],
) -> list[int]:
    """Indexes of the sentences where a rule holds, title sentences first (they get the boost), then
    the body in text order."""
    if any(c not in where for c in rule.all) or (rule.any and not any(c in where for c in rule.any)):
        return []
    if rule.within == "document" and any(c in where for c in rule.none):
        return []  # for a document rule, `none` means: nowhere in the text
    either: set[int] = set().union(*(where.get(c, set()) for c in rule.any)) if rule.any else set()
    if rule.within == "sentence":
        found: set[int] | list[int]
        if rule.all:
            found = set.intersection(*(where[c] for c in rule.all))
            if rule.any:
                found &= either
        else:
            found = either
    elif rule.within == "document":
        # Count the sentences that carry the scarcest required concept: for a single cue that is
        # every sentence mentioning it; for a pair, how often the rarer side is discussed.
        groups = [where[c] for c in rule.all] + ([either] if rule.any else [])
        found = min(groups, key=len)
    else:
        found = _near(rule, int(rule.within), seg_places)
    return sorted(found, key=lambda i: (sentences[i].position, i))


def _near(rule: Rule, window: int, seg_places: list[_SegmentHits]) -> list[int]:
    found: set[int] = set()
    anchor = rule.all[0] if rule.all else None
    for placed in seg_places:
        by_concept = placed.positions
        anchors = (
            by_concept.get(anchor, []) if anchor else [p for c in rule.any for p in by_concept.get(c, [])]
        )
        for pos in anchors:
            sentence = placed.sentence_at[pos]
            if sentence in found:
                continue
            if all(_close(by_concept, c, pos, window) for c in rule.all[1:]) and (
                not rule.any or any(_close(by_concept, c, pos, window) for c in rule.any)
            ):
                found.add(sentence)
    return list(found)


def _close(by_concept: Mapping[str, list[int]], concept: str, pos: int, window: int) -> bool:
    """Whether `concept` occurs within `window` words of `pos` (its positions are ascending)."""
    positions = by_concept.get(concept)
    if not positions:
        return False
    i = bisect.bisect_left(positions, pos - window)
    return i < len(positions) and positions[i] <= pos + window


def _evidence(
    topic: Topic,
    sentences: Mapping[int, _Sentence],
    analysis: TextAnalysis,
    per_sentence: Mapping[tuple[int, bool], dict[str, Any]],
) -> tuple[Evidence, ...]:
    positives = sorted(
        ((k[0], v) for k, v in per_sentence.items() if not k[1]), key=lambda kv: (-kv[1]["weight"], kv[0])
    )
    negatives = sorted(
        ((k[0], v) for k, v in per_sentence.items() if k[1]), key=lambda kv: (kv[1]["weight"], kv[0])
    )
    chosen = positives[: topic.max_evidence] + negatives[:MAX_NEGATIVE_EVIDENCE]
    out: list[Evidence] = []
    for s, slot in chosen:
        sent = sentences[s]
        seg = analysis.segments[sent.segment]
        concepts = sorted(slot["concepts"])
        hits = [h for c in concepts for h in sent.concepts.get(c, [])]
        # longest first at each position, then drop hits nested in an earlier one ("Hol" in "al-Hol");
        # overlapping hits ("al-Hol" and "Hol camp") become one marked span
        hits.sort(key=lambda h: (h.first, -h.last))
        merged: list[list[int]] = []
        for h in hits:
            if merged and h.first < merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], h.last)
            else:
                merged.append([h.first, h.last])
        terms: list[str] = []
        for first, last in merged:
            surface = seg.text[seg.span(first)[0] : seg.span(last - 1)[1]]
            if surface not in terms:
                terms.append(surface)
        start, end = sent.start, sent.end
        if end - start > MAX_SENTENCE_CHARS and hits:
            centre = seg.span(hits[0].first)[0]
            start = max(start, centre - MAX_SENTENCE_CHARS // 3)
            end = min(end, start + MAX_SENTENCE_CHARS)
        out.append(
            Evidence(
                sentence=" ".join(seg.text[start:end].split()),
                terms=tuple(terms),
                concepts=tuple(concepts),
                weight=round(slot["weight"], 4),
                rules=tuple(slot["rules"]),
                in_title=sent.is_title,
                context=tuple(sorted(slot["context"] - slot["concepts"])),
            )
        )
    return tuple(out)
