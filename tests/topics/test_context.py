"""The topic's required context (`requires`) and negative cues that must not fire on ordinary words.

Texts are written for these tests. They are the shapes long real articles take: children "returned"
from camps or orphanages of another war, and positive articles whose background mentions a capital
city, arrivals ("прибыли") or a guardianship office ("органы опеки").
"""

from __future__ import annotations

from pathlib import Path

import pytest

from newsmon.topics.feedback import examples_from_votes
from newsmon.topics.learned import LearnedModel, apply_learned
from newsmon.topics.model import Topic, TopicConfigError, parse_topic
from newsmon.topics.score import MISSING_CONTEXT, SENTENCE_CAP, score_text

OTHER_WAR = (
    "Forty children were returned to their families on Friday after months in camps far from home. "
    "The children, taken from an orphanage in the war zone, were brought back in a bus convoy. "
    "Officials said the repatriation of the children was the largest so far; psychologists met them."
)


def test_children_returned_from_another_war_are_not_flagged(child_topic: Topic) -> None:
    s = score_text(child_topic, title="Children brought home from camps", text=OTHER_WAR, lang="en")
    assert not s.flagged and s.score == 0.0
    assert s.features[MISSING_CONTEXT] < -1.0  # the rules found plenty; the context was missing
    assert s.features["child_return"] > 0  # ... and the evidence still shows what matched
    assert any("children" in e.terms for e in s.evidence)


def test_the_same_text_with_the_context_is_flagged(child_topic: Topic) -> None:
    text = OTHER_WAR.replace("far from home", "of north-east Syria such as al-Hol")
    s = score_text(child_topic, title="Children brought home from camps", text=text, lang="en")
    assert s.flagged and MISSING_CONTEXT not in s.features


def test_learned_layer_cannot_overrule_a_missing_context(child_topic: Topic) -> None:
    rules = score_text(child_topic, title="", text=OTHER_WAR, lang="en")
    names = tuple(r.name for r in child_topic.rules)
    eager = LearnedModel(
        child_topic.name, names, tuple(5.0 for _ in names), 5.0, enabled=True,
        holdout={"n": 40, "rules_f1": 0.5, "model_f1": 0.9},
    )  # fmt: skip
    assert eager.usable and apply_learned(eager, rules).flagged is False


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "Twelve children of Islamic State fighters were flown home from al-Hol camp to the Tajik "
               "capital on Friday, where grandparents met them."),
        ("ru", "Дети боевиков ИГИЛ из лагеря Рож в Сирии прибыли в Москву; органы опеки помогут семьям "
               "оформить документы, сказали в аппарате омбудсмена."),
        ("fr", "Les enfants rapatriés du camp de Roj en Syrie, fils de djihadistes, bénéficient d'un suivi; "
               "une opération collective a été menée avec les autorités kurdes."),
        ("en", "The children of ISIS families were collected from Roj camp in Syria and flown home, "
               "officials said; the opération was planned for months."),
    ],
)  # fmt: skip
def test_ordinary_words_are_not_look_alike_cues(child_topic: Topic, lang: str, text: str) -> None:
    s = score_text(child_topic, title="", text=text, lang=lang)
    assert s.flagged
    assert [k for k, v in s.features.items() if v < 0 and k != SENTENCE_CAP] == []


def test_requires_must_name_defined_concepts() -> None:
    source = """\
title: t
threshold: 1
concepts:
  A: {en: [alpha]}
requires: [A, NOPE]
rules:
  - {name: r, all: [A], weight: 1}
"""
    with pytest.raises(TopicConfigError, match=r"<topic>:5: requires: unknown concept 'NOPE'"):
        parse_topic(source, name="t")
    topic = parse_topic(source.replace(", NOPE", ""), name="t")
    assert topic.requires == ("A",)
    assert score_text(topic, title="", text="alpha alpha", lang="en").flagged


def test_shipped_topic_requires_its_context(topics_dir: Path, child_topic: Topic) -> None:
    assert set(child_topic.requires) == {"FIGHTER", "CAMP_NAMED", "ZONE", "PROGRAMME"}
    # generic war words are no context
    assert "conflict zone" not in child_topic.concepts["ZONE"].get("en", ())


class _Vote:
    def __init__(self, story_id: int, relevant: bool, text: str = "some text", topic: str = "t") -> None:
        self.story_id, self.relevant, self.text, self.topic = story_id, relevant, text, topic
        self.title, self.lang = "", "en"


def test_examples_from_votes_majority_ties_and_missing_text() -> None:
    votes = [_Vote(1, True), _Vote(1, True), _Vote(1, False), _Vote(2, True), _Vote(2, False),
             _Vote(3, False, text=""), _Vote(4, False), _Vote(5, True, topic="other")]  # fmt: skip
    got = examples_from_votes(votes, topic="t")
    assert [(e.id, e.label) for e in got.examples] == [("story-1", 1), ("story-4", 0)]
    assert (got.ties, got.without_text, got.skipped) == (1, 1, 2)
    assert len(examples_from_votes(votes).examples) == 3  # every topic
