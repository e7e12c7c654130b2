"""One pass over a text: the one language detector, the one sentence splitter, word folding per language,
and the one term highlighter. Texts are written for these tests."""

from __future__ import annotations

from pathlib import Path

import pytest

import newsmon.topics.text as text_module
from newsmon.topics.evaluate import example_from_mapping
from newsmon.topics.highlight import bracket_terms, mark_terms, phrase_spans
from newsmon.topics.languages import language_key
from newsmon.topics.learned import FeatureRow, train_from_rows
from newsmon.topics.text import analyse, normalise, split_sentences


def test_topics_has_no_detector_of_its_own() -> None:
    assert not hasattr(text_module, "_STOPWORDS") and not hasattr(text_module, "Token")
    assert text_module.detect_language.__module__ == "newsmon.extract.language"


def test_abbreviations_do_not_end_a_sentence() -> None:
    text = "Mr. Smith met U.S. officials on Jan. 5. The children flew home!\nA caption without a stop\nLast."
    got = [text[s:e] for s, e, _ in split_sentences(text, "en")]
    assert got == [
        "Mr. Smith met U.S. officials on Jan. 5.",
        "The children flew home!",
        "A caption without a stop",
        "Last.",
    ]
    assert [p for *_, p in split_sentences(text, "en")] == [0, 0, 1, 2]  # a line is a paragraph


def test_analysis_positions_and_words() -> None:
    a = analyse("Title here", "First one. Second one.\nThird.", "en")
    assert a.lang == "en" and not a.detected
    assert [s.position for s in a.sentences] == [0, 1, 2, 3]
    body = a.segments[1]
    assert body.surfaces[:2] == ["First", "one"]
    assert body.sentence_of(body.surfaces.index("Third")) == 3
    assert analyse("", "Дети вернулись домой из лагеря на севере Сирии вместе с матерями.").lang == "ru"


@pytest.mark.parametrize(
    ("code", "key"),
    [("en-GB", "en"), ("nb", "no"), ("nn", "no"), ("hr", "sh"), ("bs", "sh"), ("sr_Cyrl", "sh"), ("sk", "sk"),
     ("", None), ("12", None)],
)  # fmt: skip
def test_language_keys(code: str, key: str | None) -> None:
    assert language_key(code) == key


def test_words_fold_per_language() -> None:
    assert normalise("Балалар", "kk") == normalise("Balalar", "kk") == "balalar"
    assert normalise("болалар", "uz") == normalise("bolalar", "uz")
    assert normalise("етим", "uz") == normalise("yetim", "uz")
    assert normalise("Go'dak", "uz") == normalise("гўдак", "uz")
    assert normalise("кӯдакон", "tg") == normalise("кудакон", "tg")
    assert normalise("παιδιά", "el") == "παιδια"
    assert normalise("يتيم", "fa") == normalise("یتیم", "fa")
    assert normalise("İŞİD", "tr") == "işid"


def test_plain_and_marked_words_fold_alike() -> None:
    # ASCII words take a short path; it must agree with the full one on what they share
    assert normalise("Foreign_Fighters") == normalise("foreign\u00adfighters") == "foreignfighters"
    assert normalise("\u212aids") == normalise("Kids") == "kids"  # the Kelvin sign lower-cases to ASCII "k"
    assert normalise("Ребёнок") == normalise("ребенок") == "ребенок"


def test_one_highlighter_whole_words_any_case_reflowed() -> None:
    pieces = mark_terms(
        "The  children were\tflown\nhome; Children again, grandchildren not.", ["flown home", "children"]
    )
    assert [p for p, hit in pieces if hit] == ["children", "flown\nhome", "Children"]
    assert bracket_terms("Back from al-Hol camp", ["al-Hol", "Hol camp"]) == "Back from [al-Hol camp]"
    assert phrase_spans("<b>x</b>", ["<b>"]) == [(0, 3)]
    assert mark_terms("", ["x"]) == []


def test_examples_are_grouped_by_site_when_no_event_is_given() -> None:
    ex = example_from_mapping({"id": "a", "text": "t", "label": 1, "url": "https://www.news.example/a/1"})
    assert ex.group == "news.example"
    assert example_from_mapping({"id": "b", "text": "t", "label": 0, "event": "e7"}).group == "e7"


def test_group_k_fold_never_scores_a_group_it_trained_on() -> None:
    # every group has one example of each label and the feature says nothing within a group: a model that
    # learned groups by heart would look perfect on a random split, and must not here
    rows = []
    for g in range(60):
        for label in (0, 1):
            rows.append(FeatureRow(f"{g}-{label}", {"f": float(g % 2)}, bool(label), label, group=f"site{g}"))
    model = train_from_rows("t", ["f"], rows, folds=5)
    assert model.holdout["n"] == 120 and "group 5-fold" in model.holdout["split"]
    assert model.holdout["rules_f1"] == 1.0 and not model.enabled


def test_train_prints_held_out_figures(
    capsys: pytest.CaptureFixture[str], topics_dir: Path, tmp_path: Path
) -> None:
    from newsmon.cli import main

    labels = Path(__file__).resolve().parents[2] / "bench" / "data" / "topics" / "labels.jsonl"
    out = tmp_path / "m.json"
    assert main(["topics", "--topics-dir", str(topics_dir), "train", "--labels", str(labels),
                 "--topic", "child_repatriation", "--out", str(out)]) == 0  # fmt: skip
    printed = capsys.readouterr().out
    assert "held-out figures (group 5-fold" in printed
    assert "rules, threshold fitted on the other folds" in printed and "learned layer" in printed
    assert out.is_file()
