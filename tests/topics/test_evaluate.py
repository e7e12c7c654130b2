"""Evaluation figures, threshold suggestion, label files, and the learned layer's switch."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from newsmon.topics.evaluate import (
    LabelFileError,
    LabelledExample,
    Metrics,
    evaluate,
    read_labels,
    suggest_threshold,
)
from newsmon.topics.learned import (
    FeatureRow,
    LearnedModel,
    apply_learned,
    load_model,
    load_model_for,
    save_model,
    train_from_rows,
    train_learned,
)
from newsmon.topics.model import Topic
from newsmon.topics.score import score_text

EXAMPLES = [
    LabelledExample(
        "p1",
        "Norway repatriated five children from the al-Hol camp in Syria; their mothers joined ISIS.",
        "",
        "en",
        "positive",
        1,
    ),
    LabelledExample(
        "p2", "Дети боевиков ИГИЛ вернулись из лагеря Рож в Сирии домой.", "", "ru", "positive", 1
    ),
    LabelledExample(
        "n1", "The remains of soldiers missing in action were repatriated in coffins.", "", "en", "remains", 0
    ),
    LabelledExample("n2", "The city opened a new library.", "", "en", "unrelated", 0),
    LabelledExample("fn", "Officials discussed the camps.", "", "en", "positive", 1),
]


def test_metrics_arithmetic() -> None:
    m = Metrics(tp=8, fp=2, fn=2, tn=10)
    assert m.precision == 0.8 and m.recall == 0.8 and m.f1 == pytest.approx(0.8) and m.accuracy == 18 / 22


def test_evaluate_reports_groups_and_mistakes(child_topic: Topic) -> None:
    ev = evaluate(child_topic, EXAMPLES)
    assert (ev.overall.tp, ev.overall.fp, ev.overall.fn, ev.overall.tn) == (2, 0, 1, 2)
    assert ev.by_lang["ru"].tp == 1
    assert ev.by_kind["remains"].tn == 1
    assert ev.hard_negative_precision == 1.0 and ev.hard_negative_rejection == 1.0
    assert [m.id for m in ev.false_negatives] == ["fn"]
    json.dumps(ev.to_json())
    strict = evaluate(child_topic, EXAMPLES, threshold=100.0)
    assert strict.overall.tp == 0 and strict.threshold == 100.0


def test_suggest_threshold_separates_classes() -> None:
    t, f1 = suggest_threshold([(0.1, 0), (0.4, 0), (1.2, 1), (2.0, 1)], current=1.0)
    assert 0.4 < t < 1.2 and f1 == 1.0
    assert suggest_threshold([], current=0.7) == (0.7, 0.0)


def test_read_labels_and_errors(tmp_path: Path) -> None:
    good = tmp_path / "l.jsonl"
    good.write_text(
        '{"id": "a", "text": "x", "label": 1, "lang": "en"}\n\n{"id": "b", "text": "y", "label": 0}\n'
    )
    rows = read_labels(good)
    assert [r.id for r in rows] == ["a", "b"] and rows[0].lang == "en" and rows[1].label == 0
    for body, fragment in [
        ('{"id": "a", "text": "x", "label": 1}\n{"id": "a", "text": "y", "label": 0}\n', ":2: duplicate id"),
        ('{"id": "a", "text": "x", "label": 3}\n', ":1: label must be 1 or 0"),
        ('{"id": "a", "label": 1}\n', ":1: 'missing field 'text''"),
        ("not json\n", ":1: not valid JSON"),
    ]:
        bad = tmp_path / "bad.jsonl"
        bad.write_text(body)
        with pytest.raises(LabelFileError) as err:
            read_labels(bad)
        assert str(err.value).startswith(str(bad)) and fragment.strip("'") in str(err.value).replace('"', "'")


def _rows(n: int, rules_right: bool) -> list[FeatureRow]:
    """Rows where feature `f` separates the labels; the rules are either always right or always wrong."""
    rows = []
    for i in range(n):
        label = i % 2
        rows.append(FeatureRow(f"r{i}", {"f": 3.0 * label, "g": 1.0}, bool(label) == rules_right, label))
    return rows


def test_learned_layer_refuses_when_rules_are_as_good() -> None:
    model = train_from_rows("t", ["f", "g"], _rows(200, rules_right=True))
    assert not model.enabled and not model.usable
    assert "does not beat" in model.reason
    assert model.holdout["rules_f1"] == 1.0


def test_learned_layer_switches_on_when_it_beats_rules() -> None:
    model = train_from_rows("t", ["f", "g"], _rows(200, rules_right=False))
    assert model.enabled and model.usable, model.reason
    assert model.probability({"f": 3.0, "g": 1.0}) > 0.5 > model.probability({"f": 0.0, "g": 1.0})


def test_learned_layer_refuses_on_tiny_holdout() -> None:
    model = train_from_rows("t", ["f", "g"], _rows(100, rules_right=False), min_holdout=150)
    assert not model.enabled and "too small" in model.reason


def test_hand_enabled_model_is_ignored(child_topic: Topic) -> None:
    forced = LearnedModel(
        "child_repatriation",
        ("child_return",),
        (-50.0,),
        -50.0,
        enabled=True,
        holdout={"n": 100, "rules_f1": 0.9, "model_f1": 0.5},
    )
    title, text = "Children repatriated from al-Hol", "Children were repatriated from al-Hol camp in Syria."
    rules = score_text(child_topic, title=title, text=text, lang="en")
    assert rules.flagged
    assert apply_learned(forced, rules) is rules  # did not beat the rules: ignored


def test_enabled_model_decides_and_round_trips(tmp_path: Path, child_topic: Topic) -> None:
    names = tuple(r.name for r in child_topic.rules)
    model = LearnedModel(
        "child_repatriation",
        names,
        tuple(-1.0 for _ in names),
        -5.0,
        enabled=True,
        holdout={"n": 100, "rules_f1": 0.8, "model_f1": 0.9},
    )
    path = tmp_path / "m.json"
    save_model(model, path)
    assert load_model(path) == model
    rules = score_text(
        child_topic, title="", text="Children were repatriated from al-Hol camp in Syria.", lang="en"
    )
    decided = apply_learned(load_model(path), rules)
    assert rules.flagged and not decided.flagged and decided.learned_probability is not None
    assert decided.score == rules.score and decided.evidence == rules.evidence
    assert apply_learned(replace(model, topic="other"), rules) is rules


def test_train_learned_on_examples_and_load_beside_topic(tmp_path: Path, child_topic: Topic) -> None:
    model = train_learned(child_topic, EXAMPLES * 3)
    assert not model.usable  # far too few examples to prove anything
    assert model.features == tuple(r.name for r in child_topic.rules)
    topic_copy = replace(child_topic, path=tmp_path / "child_repatriation.yaml")
    assert load_model_for(topic_copy) is None
    save_model(model, tmp_path / "child_repatriation.model.json")
    assert load_model_for(topic_copy) == model
    (tmp_path / "child_repatriation.model.json").write_text("{broken")
    assert load_model_for(topic_copy) is None
