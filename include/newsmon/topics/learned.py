"""The optional learned layer: a small logistic model over a topic's rule features.

The rules stay the source of truth and of the evidence; the model only re-weighs how many sentences
each rule found (``TopicScore.counts``), learned from labelled examples or analysts' feedback.

Honest evaluation: the examples are split into folds by *group* (the event or site of an example,
so copies and follow-ups of one story never sit on both sides), every example is scored by a model
trained on the other folds only, and those held-out predictions are compared with the rules. The
model is ``enabled`` only when it beats the rules there (higher F1 on enough examples of both
classes); the saved model is then fitted on all examples. A disabled model changes nothing, so
shipping or loading one is always safe.

Everything here is plain data: feature rows in, a JSON-serialisable model out; pure Python, because a
few dozen features and a few thousand examples do not justify importing numpy on every scoring call.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from newsmon.topics.evaluate import LabelledExample, Metrics, suggest_threshold
from newsmon.topics.model import Topic
from newsmon.topics.score import MISSING_CONTEXT, TopicScore, score_text

MIN_HOLDOUT = 20  # fewer held-out examples than this cannot show that a model is better
FORMAT = 1


@dataclass(frozen=True)
class FeatureRow:
    """One labelled example as the learned layer sees it (e.g. from a stored flag + feedback)."""

    id: str
    counts: Mapping[str, float]  # TopicScore.counts
    rules_flagged: bool  # what the rules decided
    label: int
    group: str = ""  # event or site; empty: the example is its own group
    score: float = 0.0  # the rules' score, for fitting a threshold


@dataclass(frozen=True)
class LearnedModel:
    topic: str
    features: tuple[str, ...]
    weights: tuple[float, ...]
    bias: float
    threshold: float = 0.5
    enabled: bool = False
    reason: str = ""
    holdout: Mapping[str, Any] = field(default_factory=dict)  # n, rules_f1, model_f1, ...
    format: int = FORMAT

    @property
    def usable(self) -> bool:
        """Enabled *and* its recorded held-out comparison shows it beat the rules (a hand-edited
        ``"enabled": true`` is not enough)."""
        h = self.holdout
        try:
            return (
                self.enabled
                and int(h.get("n", 0)) >= MIN_HOLDOUT
                and float(h.get("model_f1", 0.0)) > float(h.get("rules_f1", 1.0))
            )
        except (TypeError, ValueError):
            return False

    def probability(self, counts: Mapping[str, float]) -> float:
        z = self.bias + sum(
            w * float(counts.get(f, 0.0)) for f, w in zip(self.features, self.weights, strict=True)
        )
        return _sigmoid(z)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["features"] = list(self.features)
        data["weights"] = list(self.weights)
        data["holdout"] = dict(self.holdout)
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> LearnedModel:
        if data.get("format") != FORMAT:
            raise ValueError(f"unsupported learned model format {data.get('format')!r}")
        features = tuple(str(f) for f in data["features"])
        weights = tuple(float(w) for w in data["weights"])
        if len(features) != len(weights):
            raise ValueError("learned model has a different number of features and weights")
        return cls(
            topic=str(data["topic"]),
            features=features,
            weights=weights,
            bias=float(data["bias"]),
            threshold=float(data.get("threshold", 0.5)),
            enabled=bool(data.get("enabled", False)),
            reason=str(data.get("reason", "")),
            holdout=dict(data.get("holdout", {})),
        )


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def fit_logistic(
    rows: Sequence[Sequence[float]],
    labels: Sequence[int],
    *,
    l2: float = 0.05,
    epochs: int = 600,
    rate: float = 0.3,
) -> tuple[list[float], float]:
    """Batch gradient descent on the L2-regularised log-loss; returns (weights, bias).

    Features are scaled by their maximum inside, so one learning rate suits counts of any size.
    """
    if not rows:
        return [], 0.0
    width = len(rows[0])
    scale = [max((abs(r[j]) for r in rows), default=0.0) or 1.0 for j in range(width)]
    xs = [[r[j] / scale[j] for j in range(width)] for r in rows]
    w = [0.0] * width
    b = 0.0
    n = len(xs)
    for _ in range(epochs):
        gw = [0.0] * width
        gb = 0.0
        for x, y in zip(xs, labels, strict=True):
            err = _sigmoid(b + sum(wj * xj for wj, xj in zip(w, x, strict=True))) - y
            gb += err
            for j in range(width):
                gw[j] += err * x[j]
        for j in range(width):
            w[j] -= rate * (gw[j] / n + l2 * w[j])
        b -= rate * gb / n
    return [w[j] / scale[j] for j in range(width)], b


def fold_of(group: str, folds: int, seed: int = 0) -> int:
    """A stable fold for a group: its salted hash, so re-training on grown feedback keeps old groups in
    their folds."""
    digest = hashlib.sha256(f"{seed}:{group}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % folds


def train_from_rows(
    topic_name: str,
    feature_names: Sequence[str],
    rows: Sequence[FeatureRow],
    *,
    folds: int = 5,
    seed: int = 0,
    min_holdout: int = MIN_HOLDOUT,
) -> LearnedModel:
    """Group k-fold: score every row with a model that never saw its group; enable only if that beats
    the rules on the same rows. The returned model is fitted on all rows."""
    names = tuple(feature_names)

    def vec(r: FeatureRow) -> list[float]:
        return [float(r.counts.get(f, 0.0)) for f in names]

    groups = {r.group or r.id for r in rows}
    k = max(2, min(folds, len(groups)))
    fold = {g: fold_of(g, k, seed) for g in groups}
    rules_m = Metrics()
    model_m = Metrics()
    fitted_m = Metrics()  # the rules with a threshold fitted on the other folds
    scored = 0
    for f in range(k):
        train = [r for r in rows if fold[r.group or r.id] != f]
        test = [r for r in rows if fold[r.group or r.id] == f]
        if not test or len({r.label for r in train}) < 2:
            continue
        threshold, _ = suggest_threshold([(r.score, r.label) for r in train])
        for r in test:
            fitted_m = fitted_m.add(r.label, r.score >= threshold)
        w, b = fit_logistic([vec(r) for r in train], [r.label for r in train])
        fold_model = LearnedModel(topic_name, names, tuple(w), b)
        for r in test:
            scored += 1
            rules_m = rules_m.add(r.label, r.rules_flagged)
            model_m = model_m.add(r.label, fold_model.probability(r.counts) >= fold_model.threshold)
    if not rows or len({r.label for r in rows}) < 2:
        reason = "training needs both relevant and not-relevant examples"
        return LearnedModel(topic_name, names, tuple(0.0 for _ in names), 0.0, enabled=False, reason=reason,
                            holdout={"n": scored, "n_train": len(rows)})  # fmt: skip
    weights, bias = fit_logistic([vec(r) for r in rows], [r.label for r in rows])
    model = LearnedModel(topic_name, names, tuple(round(w, 6) for w in weights), round(bias, 6))
    stats = {
        "n": scored,
        "n_train": len(rows),
        "split": f"group {k}-fold (groups: {len(groups)} events/sites)",
        "positives": sum(r.label for r in rows),
        "rules_f1": round(rules_m.f1, 4),
        "model_f1": round(model_m.f1, 4),
        "rules": rules_m.to_json(),
        "model": model_m.to_json(),
        "rules_fitted_threshold": fitted_m.to_json(),
        "fitted_threshold": suggest_threshold([(r.score, r.label) for r in rows])[0],
    }
    both = rules_m.tp + rules_m.fn > 0 and rules_m.tn + rules_m.fp > 0
    if scored < min_holdout or not both:
        reason = (
            f"too small to compare on held-out groups ({scored} examples; need {min_holdout} of both labels)"
        )
        enabled = False
    elif model_m.f1 > rules_m.f1:
        reason = (
            f"model F1 {model_m.f1:.3f} beats rules F1 {rules_m.f1:.3f} on {scored} held-out examples "
            f"({stats['split']})"
        )
        enabled = True
    else:
        reason = (
            f"model F1 {model_m.f1:.3f} does not beat rules F1 {rules_m.f1:.3f} on {scored} held-out "
            f"examples ({stats['split']})"
        )
        enabled = False
    return replace(model, enabled=enabled, reason=reason, holdout=stats)


def feature_rows(topic: Topic, examples: Iterable[LabelledExample]) -> list[FeatureRow]:
    """Score examples with the rules and keep what the learned layer needs."""
    rows = []
    for ex in examples:
        s = score_text(topic, title=ex.title, text=ex.text, lang=ex.lang)
        rows.append(FeatureRow(ex.id, dict(s.counts), s.flagged, ex.label, ex.group, s.score))
    return rows


def train_learned(
    topic: Topic, examples: Iterable[LabelledExample], *, folds: int = 5, seed: int = 0
) -> LearnedModel:
    """Train the learned layer for a topic from labelled examples (label file or feedback)."""
    names = [r.name for r in topic.rules]
    return train_from_rows(topic.name, names, feature_rows(topic, examples), folds=folds, seed=seed)


def apply_learned(model: LearnedModel | None, score: TopicScore) -> TopicScore:
    """Let an *enabled* model decide `flagged`; otherwise return the rules' score unchanged."""
    if model is None or not model.usable or model.topic != score.topic:
        return score
    if score.counts.get(MISSING_CONTEXT):  # the topic's required context is absent: rules said no
        return score
    if any(f not in score.counts for f in model.features):  # topic rules changed since training
        return score
    p = model.probability(score.counts)
    return replace(score, flagged=p >= model.threshold, learned_probability=round(p, 4))


def model_path(topic: Topic) -> Path | None:
    """Where a topic's model lives by default: ``<topic file stem>.model.json`` beside the YAML."""
    if topic.path is None:
        return None
    return topic.path.with_name(f"{topic.path.stem}.model.json")


def save_model(model: LearnedModel, path: Path) -> None:
    path = Path(path)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(model.to_json(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    tmp.replace(path)


def load_model(path: Path) -> LearnedModel:
    return LearnedModel.from_json(json.loads(Path(path).read_text(encoding="utf-8")))


def load_model_for(topic: Topic, path: Path | None = None) -> LearnedModel | None:
    """The topic's model if a file exists (and names this topic), else None. Never raises for a bad file:
    the rules keep working and the problem is reported by ``newsmon topics check``."""
    path = path or model_path(topic)
    if path is None or not Path(path).is_file():
        return None
    try:
        model = load_model(path)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return model if model.topic == topic.name else None
