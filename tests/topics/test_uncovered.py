"""Texts in a language the topic has no terms for: read with a close language or the names only, and
always marked "language not covered" (score, stored JSON, explain, bench figures).

Texts are written for these tests.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newsmon.cli import main as cli_main
from newsmon.topics.evaluate import LabelledExample, evaluate
from newsmon.topics.model import Topic, language_coverage
from newsmon.topics.score import NOT_COVERED, reading_languages, score_analysis, score_text
from newsmon.topics.text import analyse

# Slovak: the topic has no Slovak terms; Czech is close enough to read it
SLOVAK = (
    "Slovensko repatriovalo deti z tábora al-Hol",
    "Slovenské úrady repatriovali tri deti bojovníkov Islamského štátu z tábora al-Hol v Sýrii. "
    "Deti prileteli do Bratislavy a postarajú sa o ne psychológovia.",
)
# Hebrew: no close language among the topic's; only the names (al-Hol, ISIS, Syria, numbers) speak
HEBREW = (
    "ילדים הוחזרו ממחנה al-Hol בסוריה",
    "12 ילדים של לוחמי ISIS הוחזרו ממחנה al-Hol בסוריה (Syria) לארצם. מחנה al-Hol נמצא בצפון מזרח סוריה.",
)


def test_close_language_reads_an_uncovered_one_and_says_so(child_topic: Topic) -> None:
    s = score_text(child_topic, title=SLOVAK[0], text=SLOVAK[1], lang="sk")
    assert s.lang == "sk" and not s.language_covered and s.read_with == ("cs",)
    assert s.flagged
    assert s.language_note.startswith(NOT_COVERED) and "cs" in s.language_note
    stored = s.to_json()
    assert stored["language_covered"] is False and stored["language_note"].startswith(NOT_COVERED)


def test_names_alone_still_score_an_uncovered_language(child_topic: Topic) -> None:
    s = score_text(child_topic, title=HEBREW[0], text=HEBREW[1], lang="he")
    assert not s.language_covered and s.read_with == ("",)
    assert s.features["uncovered_named_context"] > 0  # al-Hol with Syria, ISIS around
    assert s.score >= 0.5 * child_topic.threshold  # at least a near-flag
    assert "names only" in s.language_note
    # the uncovered-only rules never score a covered language
    en = score_text(
        child_topic, title="Children brought home from al-Hol", text="12 children from al-Hol camp."
    )
    assert en.language_covered and en.features["uncovered_named_context"] == 0 and en.language_note == ""


def test_unrelated_text_in_an_uncovered_language_stays_silent(child_topic: Topic) -> None:
    s = score_text(child_topic, title="Počasie", text="Zajtra bude na Slovensku slnečno a teplo.", lang="sk")
    assert s.score == 0 and not s.flagged and not s.language_covered


def test_reading_languages(child_topic: Topic) -> None:
    assert reading_languages(child_topic, "de") == (("de",), True)
    assert reading_languages(child_topic, "sk") == (("cs",), False)
    assert reading_languages(child_topic, "he") == ((None,), False)
    assert reading_languages(child_topic, None) == ((None,), False)


def test_one_analysis_serves_every_topic(child_topic: Topic, topics_dir: Path) -> None:
    from newsmon.topics.model import load_topics

    analysis = analyse(SLOVAK[0], SLOVAK[1], "sk")
    results = [score_analysis(t, analysis) for t in load_topics(topics_dir)]
    assert {r.topic for r in results} == {"child_repatriation", "dock_strikes"}
    assert all(not r.language_covered for r in results)


def test_bench_counts_uncovered_languages(child_topic: Topic) -> None:
    examples = [
        LabelledExample("sk1", SLOVAK[1], SLOVAK[0], "sk", "positive", 1),
        LabelledExample("he1", HEBREW[1], HEBREW[0], "he", "positive", 1),
        LabelledExample("en1", "Weather is fine.", "Weather", "en", "unrelated", 0),
    ]
    ev = evaluate(child_topic, examples)
    assert set(ev.uncovered) == {"sk", "he"}
    assert ev.uncovered["sk"].flagged == 1 and ev.uncovered["sk"].true_flags == 1
    assert ev.uncovered["sk"].read_with == "cs" and ev.uncovered["he"].read_with == "names"
    assert ev.uncovered["he"].flagged + ev.uncovered["he"].near == 1
    assert "languages_not_covered" in ev.to_json()


def test_explain_prints_language_not_covered(capsys: pytest.CaptureFixture[str], topics_dir: Path) -> None:
    args = ["topics", "--topics-dir", str(topics_dir), "explain", SLOVAK[1], "--title", SLOVAK[0]]
    code = cli_main([*args, "--lang", "sk", "--topic", "child_repatriation"])
    out = capsys.readouterr().out
    assert code == 0 and "language not covered: sk (read with cs terms)" in out and "FLAGGED" in out
    cli_main(
        ["topics", "--topics-dir", str(topics_dir), "explain", SLOVAK[1], "--lang", "sk", "--json",
         "--topic", "child_repatriation"]
    )  # fmt: skip
    data = json.loads(capsys.readouterr().out)
    assert data[0]["language_covered"] is False and data[0]["language_note"].startswith(NOT_COVERED)


def test_check_reports_coverage_per_language(capsys: pytest.CaptureFixture[str], topics_dir: Path) -> None:
    assert cli_main(["topics", "--topics-dir", str(topics_dir), "check"]) == 0
    out = capsys.readouterr().out
    for line in ("kk   Kazakh", "uz   Uzbek", "sh   Bosnian/Croatian/Serbian", "tg   Tajik", "fa   Persian"):
        assert line in out
    assert "Cyrillic and Latin spellings folded" in out and "sk->cs" in out
    assert "language not covered" in out


def test_shipped_topic_covers_the_analysts_languages(child_topic: Topic) -> None:
    wanted = ["en", "ru", "de", "fr", "ar", "es", "it", "pt", "nl", "pl", "sv", "no", "da", "fi", "tr"]
    wanted += ["uk", "sq", "sh", "kk", "uz", "tg", "ky", "az", "fa", "id", "hu", "ro", "cs", "el"]
    coverage = {c.lang: c for c in language_coverage(child_topic)}
    assert set(wanted) <= set(coverage)
    for lang in wanted:
        assert coverage[lang].missing == (), (lang, coverage[lang].missing)
        assert coverage[lang].terms >= 80, lang
