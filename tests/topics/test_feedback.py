"""Analysts' feedback, end to end on SQLite and PostgreSQL: stories, copies and flags seeded through the
ORM, verdicts recorded with `newsmon feedback add`, then `newsmon topics evaluate|train --from-feedback`.

The articles are written for these tests. "Return" stories are what the analysts call relevant;
"camp" stories describe children held in al-Hol without any return, which the rules also flag and
the analysts in these tests call not relevant: a difference the learned layer can learn from the
rule features, so it must be switched on; with too little feedback it must stay off.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from newsmon.cli import main
from newsmon.store.db import session_scope
from newsmon.store.feedback import feedback_votes, list_feedback
from newsmon.store.models import Copy, Feedback, Flag, Story
from newsmon.topics.feedback import examples_from_votes
from newsmon.topics.learned import load_model

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TOPIC = "child_repatriation"
COUNTRIES = ["Belgium", "Finland", "Kazakhstan", "Norway", "Austria", "Canada", "Sweden", "Albania", "Kosovo"]

RETURN_STORY = (
    "{c} brings {n} children home from a Syrian camp",
    "{c} repatriated {n} children of Islamic State fighters from the al-Hol camp in north-east Syria on "
    "Monday. The children were flown home with two mothers and taken to a reception centre. Officials said "
    "the children will receive psychological support and start school in the autumn.",
)
CAMP_STORY = (
    "Aid groups warn of disease among children in al-Hol",
    "About {n} children of Islamic State fighters from {c} are still held in the al-Hol camp in Syria. Aid "
    "workers said the children of foreign jihadists in the camp lack clean water and doctors.",
)


def _seed(url: str, kinds: list[str]) -> list[int]:
    """One story per kind, each with an original copy (the judged text), a syndicated copy, and a flag."""
    ids = []
    with session_scope(url) as s:
        start = s.query(Story).count()
        for i, kind in enumerate(kinds):
            title, text = RETURN_STORY if kind == "return" else CAMP_STORY
            c, n = COUNTRIES[i % len(COUNTRIES)], 3 + i
            key = start + i
            when = NOW - timedelta(hours=i)
            story = Story(title=title.format(c=c, n=n), lang="en", first_seen_at=when, last_copy_at=when)
            s.add(story)
            s.flush()
            original = Copy(
                url_key=f"https://news.example/{key}", url=f"https://news.example/{key}",
                title=story.title, text=text.format(c=c, n=n), lang="en", story_id=story.id, fetched_at=when,
            )  # fmt: skip
            # a shorter syndicated copy: the verdict must be judged on the original's text
            copy = Copy(
                url_key=f"https://mirror.example/{key}", url=f"https://mirror.example/{key}",
                title=story.title, text="Loading please wait...", lang="en", story_id=story.id,
                fetched_at=when,
            )  # fmt: skip
            s.add_all([original, copy])
            s.flush()
            story.original_copy_id = original.id
            story.copies_count = 2
            s.add(Flag(story_id=story.id, topic=TOPIC, score=2.0, copy_id=copy.id, evidence={},
                       flagged_at=when, updated_at=when))  # fmt: skip
            ids.append(story.id)
    return ids


def _cli(url: str, *argv: str) -> int:
    return main(["--db", url, *argv])


def _verdict(url: str, story_id: int, relevant: bool, user: str, note: str | None = None) -> None:
    args = [
        "feedback",
        "add",
        str(story_id),
        "--topic",
        TOPIC,
        "--relevant" if relevant else "--not-relevant",
    ]
    args += ["--user", user] + (["--note", note] if note else [])
    assert _cli(url, *args) == 0


def test_add_and_list_through_the_cli(db_url: str, capsys: pytest.CaptureFixture[str], monkeypatch) -> None:
    ids = _seed(db_url, ["return", "camp"])
    monkeypatch.setenv("USER", "analyst-from-env")
    assert (
        _cli(db_url, "feedback", "add", str(ids[0]), "--topic", TOPIC, "--relevant", "--note", "clear case")
        == 0
    )
    _verdict(db_url, ids[1], True, "ann")
    _verdict(db_url, ids[1], False, "ann", "no return at all")  # a changed mind replaces the verdict
    assert "not relevant by ann" in capsys.readouterr().out
    with session_scope(db_url) as s:
        rows = sorted((f.story_id, f.user, f.relevant, f.note) for f in s.query(Feedback))
        records = list_feedback(s, topic=TOPIC)
    assert rows == [
        (ids[0], "analyst-from-env", True, "clear case"),
        (ids[1], "ann", False, "no return at all"),
    ]
    assert {r.story_title for r in records} == {
        "Belgium brings 3 children home from a Syrian camp",
        "Aid groups warn of disease among children in al-Hol",
    }

    assert _cli(db_url, "feedback", "list", "--topic", TOPIC) == 0
    out = capsys.readouterr().out
    assert "analyst-from-env" in out and "no return at all" in out and out.count(TOPIC) == 2
    assert _cli(db_url, "feedback", "list", "--topic", "dock_strikes") == 0
    assert capsys.readouterr().out.strip() == "no feedback"


def test_add_refuses_unflagged_topics_and_unknown_stories(db_url: str, capsys) -> None:
    (sid,) = _seed(db_url, ["return"])
    assert (
        _cli(db_url, "feedback", "add", str(sid), "--topic", "dock_strikes", "--relevant", "--user", "a") == 1
    )
    assert "not flagged for topic 'dock_strikes'" in capsys.readouterr().err
    assert _cli(db_url, "feedback", "add", "999999", "--topic", TOPIC, "--relevant", "--user", "a") == 1
    assert "no story 999999" in capsys.readouterr().err
    with session_scope(db_url) as s:
        assert s.query(Feedback).count() == 0


def test_majority_decides_and_ties_are_left_out(db_url: str) -> None:
    ids = _seed(db_url, ["return", "camp", "camp"])
    _verdict(db_url, ids[0], True, "ann")
    _verdict(db_url, ids[0], True, "bob")
    _verdict(db_url, ids[0], False, "cy")
    _verdict(db_url, ids[1], False, "ann")
    _verdict(db_url, ids[2], True, "ann")  # 1:1 -> tie
    _verdict(db_url, ids[2], False, "bob")
    with session_scope(db_url) as s:
        votes = feedback_votes(s, topic=TOPIC)
    got = examples_from_votes(votes, topic=TOPIC)
    assert got.ties == 1 and got.without_text == 0
    assert [(e.id, e.label) for e in got.examples] == [(f"story-{ids[0]}", 1), (f"story-{ids[1]}", 0)]
    first = got.examples[0]
    # the original copy's text, not the flagged syndicated stub
    assert first.text.startswith("Belgium repatriated 3 children") and first.title.startswith(
        "Belgium brings"
    )
    assert first.lang == "en"


def test_evaluate_from_feedback_prints_the_report(db_url: str, capsys, topics_dir: Path) -> None:
    ids = _seed(db_url, ["return", "return", "camp", "camp"])
    for sid, relevant in zip(ids, [True, True, False, False], strict=True):
        _verdict(db_url, sid, relevant, "ann")
    capsys.readouterr()
    code = _cli(
        db_url, "topics", "--topics-dir", str(topics_dir), "evaluate", "--from-feedback", "--topic", TOPIC
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "4 stories with feedback (2 relevant, 2 not)" in out
    # the rules flag the camp stories too: precision 0.5, recall 1.0; a higher threshold would separate them
    assert "precision 0.500 recall 1.000" in out
    assert "suggested threshold" in out and "(F1 1.000 on these examples)" in out
    assert "false positive: story-" in out

    code = _cli(
        db_url,
        "topics",
        "--topics-dir",
        str(topics_dir),
        "evaluate",
        "--from-feedback",
        "--topic",
        TOPIC,
        "--json",
    )
    data = json.loads(capsys.readouterr().out)
    assert code == 0 and data["overall"]["fp"] == 2 and data["overall"]["tp"] == 2
    assert data["suggested_threshold"] > 1.6  # above every camp story's score


def test_train_from_feedback_switches_on_only_when_it_beats_the_rules(
    db_url: str, capsys, topics_dir: Path, tmp_path: Path
) -> None:
    out_file = tmp_path / "model.json"
    base = ["topics", "--topics-dir", str(topics_dir), "train", "--from-feedback", "--topic", TOPIC]

    few = _seed(db_url, ["return", "camp", "return", "camp"])
    for sid, relevant in zip(few, [True, False, True, False], strict=True):
        _verdict(db_url, sid, relevant, "ann")
    assert _cli(db_url, *base, "--out", str(out_file)) == 0
    assert "not enabled" in capsys.readouterr().out
    assert load_model(out_file).usable is False

    kinds = ["return" if i % 2 else "camp" for i in range(90)]
    many = _seed(db_url, kinds)
    for sid, kind in zip(many, kinds, strict=True):
        _verdict(db_url, sid, kind == "return", "bob")
    assert _cli(db_url, *base, "--out", str(out_file)) == 0
    out = capsys.readouterr().out
    assert "94 stories with feedback (47 relevant, 47 not)" in out
    assert "ENABLED" in out
    model = load_model(out_file)
    assert model.usable and model.holdout["model_f1"] > model.holdout["rules_f1"]
    # what it learned: a child's return decides, children merely held in a camp do not
    from newsmon.topics.learned import apply_learned
    from newsmon.topics.model import load_topic
    from newsmon.topics.score import score_text

    topic = load_topic(topics_dir / f"{TOPIC}.yaml")
    for (title, text), expected in ((RETURN_STORY, True), (CAMP_STORY, False)):
        rules = score_text(
            topic, title=title.format(c="Chad", n=5), text=text.format(c="Chad", n=5), lang="en"
        )
        assert rules.flagged and apply_learned(model, rules).flagged is expected
