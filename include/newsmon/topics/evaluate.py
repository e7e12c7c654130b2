"""Evaluating a topic against labelled examples (a JSONL file or analysts' stored feedback).

The numbers an analyst needs to trust a topic: precision/recall/F1 overall and per language and kind,
precision against the *hard* negatives (look-alikes that also say "repatriation"), a threshold that
would have done best on these examples, and the worst mistakes with the evidence that caused them.
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from newsmon.topics.model import Topic
from newsmon.topics.score import Evidence, TopicScore, score_text

#: kinds of negatives that are *not* look-alikes; every other kind of a label-0 example is a hard negative
EASY_KINDS = frozenset({"", "unrelated", "negative", "other", "easy_negative"})
#: a "near-flag": not flagged, but at least this share of the threshold
NEAR_FLAG = 0.5


class LabelFileError(ValueError):
    """A label file line is not a valid example; the message reads "FILE:LINE: what is wrong"."""


@dataclass(frozen=True)
class LabelledExample:
    """One article with the analyst's verdict (label 1 = relevant to the topic)."""

    id: str
    text: str
    title: str = ""
    lang: str | None = None
    kind: str = ""
    label: int = 0
    split: str = ""  # optional: "dev"/"heldout" in the shipped set
    group: str = ""  # the event or site: examples of one group never sit on both sides of a split


@dataclass(frozen=True)
class Metrics:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    @property
    def n(self) -> int:
        return self.tp + self.fp + self.fn + self.tn

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def accuracy(self) -> float:
        return (self.tp + self.tn) / self.n if self.n else 1.0

    def add(self, label: int, flagged: bool) -> Metrics:
        return Metrics(
            self.tp + (label == 1 and flagged),
            self.fp + (label == 0 and flagged),
            self.fn + (label == 1 and not flagged),
            self.tn + (label == 0 and not flagged),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "n": self.n, "tp": self.tp, "fp": self.fp, "fn": self.fn, "tn": self.tn,
            "precision": round(self.precision, 4), "recall": round(self.recall, 4),
            "f1": round(self.f1, 4), "accuracy": round(self.accuracy, 4),
        }  # fmt: skip


@dataclass(frozen=True)
class Mistake:
    id: str
    title: str
    lang: str | None
    kind: str
    label: int
    score: float
    evidence: tuple[Evidence, ...]
    features: Mapping[str, float]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "title": self.title, "lang": self.lang, "kind": self.kind, "label": self.label,
            "score": self.score, "features": {k: v for k, v in self.features.items() if v},
            "evidence": [e.to_json() for e in self.evidence],
        }  # fmt: skip


@dataclass(frozen=True)
class Uncovered:
    """Examples of one language the topic has no terms for: how many, flagged, near-flagged, and which
    of them were relevant (the flags are marked "language not covered")."""

    n: int = 0
    positives: int = 0
    flagged: int = 0
    near: int = 0
    true_flags: int = 0
    read_with: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"n": self.n, "positives": self.positives, "flagged": self.flagged, "near_flags": self.near,
                "true_flags": self.true_flags, "read_with": self.read_with}  # fmt: skip


@dataclass(frozen=True)
class Evaluation:
    topic: str
    threshold: float
    overall: Metrics
    by_lang: Mapping[str, Metrics]
    by_kind: Mapping[str, Metrics]
    by_split: Mapping[str, Metrics]
    hard_negative_precision: float  # TP / (TP + FP among hard negatives)
    hard_negative_rejection: float  # share of hard negatives not flagged
    suggested_threshold: float
    suggested_f1: float
    false_positives: tuple[Mistake, ...]
    false_negatives: tuple[Mistake, ...]
    scores: tuple[tuple[str, float, int], ...] = field(repr=False, default=())
    seconds: float = 0.0
    uncovered: Mapping[str, Uncovered] = field(default_factory=dict)  # language -> what happened there

    @property
    def articles_per_second(self) -> float:
        return len(self.scores) / self.seconds if self.seconds else 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "topic": self.topic,
            "threshold": self.threshold,
            "overall": self.overall.to_json(),
            "by_lang": {k: v.to_json() for k, v in self.by_lang.items()},
            "by_kind": {k: v.to_json() for k, v in self.by_kind.items()},
            "by_split": {k: v.to_json() for k, v in self.by_split.items()},
            "hard_negative_precision": round(self.hard_negative_precision, 4),
            "hard_negative_rejection": round(self.hard_negative_rejection, 4),
            "suggested_threshold": self.suggested_threshold,
            "suggested_f1": round(self.suggested_f1, 4),
            "false_positives": [m.to_json() for m in self.false_positives],
            "false_negatives": [m.to_json() for m in self.false_negatives],
            "articles_per_second": round(self.articles_per_second, 1),
            "languages_not_covered": {k: v.to_json() for k, v in self.uncovered.items()},
        }


Scorer = Callable[[Topic, LabelledExample], TopicScore]


def _default_scorer(topic: Topic, ex: LabelledExample) -> TopicScore:
    return score_text(topic, title=ex.title, text=ex.text, lang=ex.lang)


def evaluate(
    topic: Topic,
    examples: Iterable[LabelledExample],
    *,
    threshold: float | None = None,
    worst: int = 5,
    scorer: Scorer | None = None,
) -> Evaluation:
    """Score every example and compare with its label. `threshold` overrides the topic's own.

    `scorer` lets the caller plug in the learned layer (or cached scores from the DB) while keeping the
    same report.
    """
    threshold = topic.threshold if threshold is None else threshold
    scorer = scorer or _default_scorer
    overall = Metrics()
    hard = Metrics()
    by_lang: dict[str, Metrics] = {}
    by_kind: dict[str, Metrics] = {}
    by_split: dict[str, Metrics] = {}
    fps: list[Mistake] = []
    fns: list[Mistake] = []
    scores: list[tuple[str, float, int]] = []
    hard_negatives = hard_rejected = 0
    uncovered: dict[str, Uncovered] = {}
    started = time.process_time()
    for ex in examples:
        result = scorer(topic, ex)
        value = result.learned_probability if result.learned_probability is not None else result.score
        flagged = result.flagged if result.learned_probability is not None else result.score >= threshold
        scores.append((ex.id, result.score, ex.label))
        overall = overall.add(ex.label, flagged)
        lang = ex.lang or result.lang or "?"
        by_lang[lang] = by_lang.get(lang, Metrics()).add(ex.label, flagged)
        kind = ex.kind or ("positive" if ex.label else "negative")
        by_kind[kind] = by_kind.get(kind, Metrics()).add(ex.label, flagged)
        if ex.split:
            by_split[ex.split] = by_split.get(ex.split, Metrics()).add(ex.label, flagged)
        is_hard = ex.label == 0 and kind not in EASY_KINDS
        if ex.label == 1 or is_hard:
            hard = hard.add(ex.label, flagged)
        if is_hard:
            hard_negatives += 1
            hard_rejected += not flagged
        if not result.language_covered:
            u = uncovered.get(lang, Uncovered())
            near = not flagged and result.score >= NEAR_FLAG * threshold
            uncovered[lang] = Uncovered(
                u.n + 1, u.positives + ex.label, u.flagged + flagged, u.near + near,
                u.true_flags + (flagged and ex.label == 1),
                "/".join(c for c in result.read_with if c) or "names",
            )  # fmt: skip
        if flagged != bool(ex.label):
            mistake = Mistake(ex.id, ex.title, lang, kind, ex.label, value, result.evidence, result.features)
            (fps if flagged else fns).append(mistake)
    seconds = time.process_time() - started
    fps.sort(key=lambda m: -m.score)
    fns.sort(key=lambda m: m.score)
    suggested, best_f1 = suggest_threshold([(s, y) for _, s, y in scores], current=threshold)
    return Evaluation(
        topic=topic.name,
        threshold=threshold,
        overall=overall,
        by_lang=dict(sorted(by_lang.items())),
        by_kind=dict(sorted(by_kind.items())),
        by_split=dict(sorted(by_split.items())),
        hard_negative_precision=hard.precision,
        hard_negative_rejection=hard_rejected / hard_negatives if hard_negatives else 1.0,
        suggested_threshold=suggested,
        suggested_f1=best_f1,
        false_positives=tuple(fps[:worst]),
        false_negatives=tuple(fns[:worst]),
        scores=tuple(scores),
        seconds=seconds,
        uncovered=dict(sorted(uncovered.items())),
    )


def suggest_threshold(scored: Iterable[tuple[float, int]], *, current: float = 0.0) -> tuple[float, float]:
    """The threshold with the best F1 on these (score, label) pairs, and that F1.

    Candidates sit half-way between neighbouring distinct scores, so the suggestion keeps a margin on
    both sides; among equally good ones the one nearest the current threshold wins (least surprise).
    """
    pairs = sorted(scored)
    if not pairs:
        return current, 0.0
    values = sorted({s for s, _ in pairs})
    candidates = [values[0] - 0.05] + [(a + b) / 2 for a, b in itertools.pairwise(values)]
    candidates.append(values[-1] + 0.05)
    positives = sum(y for _, y in pairs)
    best: tuple[float, float, float] | None = None  # (f1, -distance, threshold)
    for t in candidates:
        tp = sum(1 for s, y in pairs if s >= t and y == 1)
        fp = sum(1 for s, y in pairs if s >= t and y == 0)
        p = tp / (tp + fp) if tp + fp else 1.0
        r = tp / positives if positives else 1.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        key = (round(f1, 9), -abs(t - current), t)
        if best is None or key > best:
            best = key
    assert best is not None
    return round(max(best[2], 0.0), 3), best[0]


def read_labels(path: Path) -> list[LabelledExample]:
    """Read a JSONL label file (id, text, label 1/0; optional title, lang, kind, split, group or url)."""
    path = Path(path)
    out: list[LabelledExample] = []
    seen: set[str] = set()
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise LabelFileError(f"{path}:{lineno}: not valid JSON: {exc.msg}") from exc
            if not isinstance(row, dict):
                raise LabelFileError(f"{path}:{lineno}: each line must be a JSON object")
            try:
                out.append(example_from_mapping(row))
            except (KeyError, TypeError, ValueError) as exc:
                raise LabelFileError(f"{path}:{lineno}: {exc}") from exc
            if out[-1].id in seen:
                raise LabelFileError(f"{path}:{lineno}: duplicate id {out[-1].id!r}")
            seen.add(out[-1].id)
    return out


def example_from_mapping(row: Mapping[str, Any]) -> LabelledExample:
    """Build an example from plain data (a JSONL row or a feedback record from the store)."""
    for key in ("id", "text", "label"):
        if key not in row:
            raise KeyError(f"missing field {key!r}")
    label = row["label"]
    if isinstance(label, bool):
        label = int(label)
    if label not in (0, 1):
        raise ValueError(f"label must be 1 or 0, got {label!r}")
    if not isinstance(row["text"], str):
        raise TypeError("text must be a string")
    return LabelledExample(
        id=str(row["id"]),
        text=row["text"],
        title=str(row.get("title") or ""),
        lang=row.get("lang") or None,
        kind=str(row.get("kind") or ""),
        label=int(label),
        split=str(row.get("split") or ""),
        group=str(row.get("group") or row.get("event") or _site(row.get("url")) or ""),
    )


def _site(url: Any) -> str:
    """The host of a URL without "www.", the grouping key when a label file names no event."""
    if not isinstance(url, str) or "//" not in url:
        return ""
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.")
