"""Scoring a text against a topic: rule features, an additive score, and the evidence behind it.

The score is a sum of points: each rule adds ``weight`` for every sentence where it holds (at most
``max_count`` sentences; a sentence of the title counts ``title_boost`` times), negative cues subtract
the same way, and the total is floored at 0. Points are easy to explain to an analyst ("two sentences
put children next to repatriation and al-Hol: +2.4; the article is about a trial: -0.6") and they
are the features the optional learned layer re-weighs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from newsmon.topics.match import Hit, matcher_for
from newsmon.topics.model import Rule, Topic
from newsmon.topics.text import detect_language, split_sentences, tokenize

MAX_SENTENCE_CHARS = 400
MAX_NEGATIVE_EVIDENCE = 3
#: pseudo-feature recorded when none of a topic's `requires` concepts occurs in the text
MISSING_CONTEXT = "missing_required_context"


@dataclass(frozen=True)
class Evidence:
    """One sentence that moved the score, with the words that matched, in the language of the text."""

    sentence: str
    terms: tuple[str, ...]
    concepts: tuple[str, ...]
    weight: float
    rules: tuple[str, ...] = ()
    in_title: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "sentence": self.sentence,
            "terms": list(self.terms),
            "concepts": list(self.concepts),
            "weight": self.weight,
            "rules": list(self.rules),
            "in_title": self.in_title,
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
    counts: Mapping[str, float] = field(default_factory=dict)  # rule name -> sentences (title boosted)
    threshold: float = 0.0
    learned_probability: float | None = None  # set when an enabled learned layer decided `flagged`

    def to_json(self) -> dict[str, Any]:
        return {
            "topic": self.topic,
            "score": self.score,
            "flagged": self.flagged,
            "threshold": self.threshold,
            "lang": self.lang,
            "features": dict(self.features),
            "counts": dict(self.counts),
            "learned_probability": self.learned_probability,
            "evidence": [e.to_json() for e in self.evidence],
        }


@dataclass
class _Segment:
    text: str
    is_title: bool
    spans: list[tuple[int, int]]  # token char spans
    token_sentence: list[int]  # sentence index (global) per token
    hits: list[Hit]


@dataclass
class _Sentence:
    segment: int
    start: int
    end: int
    is_title: bool
    concepts: dict[str, list[Hit]] = field(default_factory=dict)


def primary_language(lang: str | None) -> str | None:
    """ "en-GB" -> "en"; empty -> None."""
    if not lang:
        return None
    return lang.replace("_", "-").split("-")[0].strip().lower() or None


def score_text(topic: Topic, *, title: str, text: str, lang: str | None = None) -> TopicScore:
    """Score an article (title + body text) for a topic and collect the evidence.

    `lang` is the article's language when the caller knows it (page metadata); otherwise it is guessed.
    A language the topic has no terms for is matched with the terms of *all* its languages, so a
    Spanish article quoting "al-Hol" and "ISIS" is not silently invisible.
    """
    title = title or ""
    text = text or ""
    lang = primary_language(lang) or detect_language(f"{title}\n{text}")
    languages: tuple[str | None, ...] = (lang,) if lang in topic.languages else topic.languages

    segments: list[_Segment] = []
    sentences: list[_Sentence] = []
    for seg_index, (chunk, is_title) in enumerate(((title, True), (text, False))):
        if not chunk.strip():
            segments.append(_Segment(chunk, is_title, [], [], []))
            continue
        tokens = tokenize(chunk)
        sent_spans = split_sentences(chunk)
        token_sentence: list[int] = []
        si = 0
        base = len(sentences)
        for s, e in sent_spans:
            sentences.append(_Sentence(seg_index, s, e, is_title))
        for start, _end, _surface in tokens:
            while si < len(sent_spans) - 1 and start >= sent_spans[si][1]:
                si += 1
            token_sentence.append(base + si)
        surfaces = [t[2] for t in tokens]
        hits: list[Hit] = []
        seen: set[tuple[str, int]] = set()
        for language in languages:
            for hit in matcher_for(topic, language).find(surfaces):
                if (hit.concept, hit.first) not in seen:
                    seen.add((hit.concept, hit.first))
                    hits.append(hit)
        hits.sort(key=lambda h: h.first)
        for hit in hits:
            sentences[token_sentence[hit.first]].concepts.setdefault(hit.concept, []).append(hit)
        segments.append(_Segment(chunk, is_title, [(t[0], t[1]) for t in tokens], token_sentence, hits))

    features: dict[str, float] = {}
    counts: dict[str, float] = {}
    per_sentence: dict[tuple[int, bool], dict[str, Any]] = {}
    for rule in topic.rules:
        occurrences = _occurrences(rule, sentences, segments)
        factors = [topic.title_boost if sentences[s].is_title else 1.0 for s in occurrences[: rule.max_count]]
        count = sum(factors)
        counts[rule.name] = round(count, 4)
        features[rule.name] = round(count * rule.weight, 4)
        for s, factor in zip(occurrences, factors, strict=False):
            # positive and negative contributions of one sentence stay separate pieces of evidence
            slot = per_sentence.setdefault(
                (s, rule.negative), {"weight": 0.0, "rules": [], "concepts": set()}
            )
            slot["weight"] += rule.weight * factor
            slot["rules"].append(rule.name)
            slot["concepts"].update(c for c in (*rule.all, *rule.any) if c in sentences[s].concepts)

    raw = sum(features.values())
    if topic.requires and not any(c in s.concepts for s in sentences for c in topic.requires):
        # Without the subject's context the rule points are about something else: they are cancelled
        # by a visible pseudo-feature, so `explain` and the stored evidence say why the score is 0.
        features[MISSING_CONTEXT] = round(-max(raw, 0.0), 4)
        counts[MISSING_CONTEXT] = 1.0
        raw = sum(features.values())
    score = round(max(raw, 0.0), 4)
    evidence = _evidence(topic, sentences, segments, per_sentence)
    return TopicScore(
        topic=topic.name,
        score=score,
        flagged=score >= topic.threshold,
        evidence=evidence,
        features=MappingProxyType(features),
        lang=lang,
        counts=MappingProxyType(counts),
        threshold=topic.threshold,
    )


def _holds(rule: Rule, present: Mapping[str, Any]) -> bool:
    if any(c not in present for c in rule.all):
        return False
    return not rule.any or any(c in present for c in rule.any)


def _occurrences(rule: Rule, sentences: list[_Sentence], segments: list[_Segment]) -> list[int]:
    """Indexes of the sentences where a rule holds, title sentences first (they get the boost)."""
    if rule.within == "sentence":
        found = [i for i, s in enumerate(sentences) if _holds(rule, s.concepts)]
    elif rule.within == "document":
        present: dict[str, bool] = {}
        for s in sentences:
            for c in s.concepts:
                present[c] = True
        if not _holds(rule, present):
            return []
        # Count the sentences that carry the scarcest required concept: for a single cue that is
        # every sentence mentioning it; for a pair, how often the rarer side is discussed.
        groups = [(c,) for c in rule.all] + ([rule.any] if rule.any else [])
        best: list[int] | None = None
        for group in groups:
            idx = [i for i, s in enumerate(sentences) if any(c in s.concepts for c in group)]
            if best is None or len(idx) < len(best):
                best = idx
        found = best or []
    else:
        found = _near(rule, int(rule.within), sentences, segments)
    return sorted(found, key=lambda i: (not sentences[i].is_title, i))


def _near(rule: Rule, window: int, sentences: list[_Sentence], segments: list[_Segment]) -> list[int]:
    found: set[int] = set()
    anchor = rule.all[0] if rule.all else None
    for seg in segments:
        by_concept: dict[str, list[int]] = {}
        for h in seg.hits:
            by_concept.setdefault(h.concept, []).append(h.first)
        anchors = (
            by_concept.get(anchor, []) if anchor else [p for c in rule.any for p in by_concept.get(c, [])]
        )
        for pos in anchors:
            sentence = seg.token_sentence[pos]
            if sentence in found:
                continue

            if all(_close(by_concept, c, pos, window) for c in rule.all[1:]) and (
                not rule.any or any(_close(by_concept, c, pos, window) for c in rule.any)
            ):
                found.add(sentence)
    return list(found)


def _close(by_concept: Mapping[str, list[int]], concept: str, pos: int, window: int) -> bool:
    return any(abs(p - pos) <= window for p in by_concept.get(concept, ()))


def _evidence(
    topic: Topic,
    sentences: list[_Sentence],
    segments: list[_Segment],
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
        seg = segments[sent.segment]
        concepts = sorted(slot["concepts"])
        hits = [h for c in concepts for h in sent.concepts.get(c, [])]
        # longest first at each position, then drop hits nested in an earlier one ("Hol" in "al-Hol")
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
            surface = seg.text[seg.spans[first][0] : seg.spans[last - 1][1]]
            if surface not in terms:
                terms.append(surface)
        start, end = sent.start, sent.end
        if end - start > MAX_SENTENCE_CHARS and hits:
            centre = seg.spans[hits[0].first][0]
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
            )
        )
    return tuple(out)
