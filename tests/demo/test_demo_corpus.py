"""expected.json tells the truth about the demo corpus files, and the corpus covers what the demo needs."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import datetime

import pytest
from lxml import html as lxml_html

from newsmon.demo.corpus import PLACEHOLDER, SITE_ROOT, load_expected

EXPECTED = load_expected()
ARTICLES = EXPECTED["articles"]
TOPIC = EXPECTED["topic"]


def body_words(path: str) -> list[str]:
    """Words of the story paragraphs (the site-specific body container), lower-cased."""
    tree = lxml_html.fromstring((SITE_ROOT / path.lstrip("/")).read_bytes())
    paras = tree.xpath(
        "//div[contains(@class,'story-body') or contains(@class,'article-body') or "
        "contains(@class,'item-text') or contains(@class,'article-text')]/p"
    )
    return re.findall(r"\w+", " ".join(p.text_content() for p in paras).lower())


def shingles(words: list[str], k: int = 5) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + k]) for i in range(len(words) - k + 1)}


def jaccard(a: set[tuple[str, ...]], b: set[tuple[str, ...]]) -> float:
    return len(a & b) / len(a | b)


def test_every_article_path_exists_and_every_page_is_listed() -> None:
    for path in ARTICLES:
        assert (SITE_ROOT / path.lstrip("/")).is_file(), path
    pages = {
        "/" + p.relative_to(SITE_ROOT).as_posix() for p in SITE_ROOT.rglob("*.html") if p.name != "index.html"
    }
    assert pages == set(ARTICLES)


def test_each_story_has_exactly_one_original_and_copies_point_to_it() -> None:
    stories: dict[str, list[str]] = defaultdict(list)
    for path, art in ARTICLES.items():
        stories[art["story"]].append(path)
    for key, paths in stories.items():
        originals = [p for p in paths if ARTICLES[p]["original"]]
        assert len(originals) == 1, key
        for p in paths:
            assert ARTICLES[p]["copy_of"] == (None if p == originals[0] else originals[0])
            assert ARTICLES[p]["kind"] == ARTICLES[originals[0]]["kind"]
    syndicated = [paths for paths in stories.values() if len(paths) > 1]
    assert len(syndicated) == 1 and len(syndicated[0]) == 3
    assert {ARTICLES[p]["site"] for p in syndicated[0]} == {"wire", "daily", "aggregator"}


def test_flags_follow_kinds_and_the_corpus_covers_the_hard_cases() -> None:
    for path, art in ARTICLES.items():
        assert art["topics"][TOPIC] == (art["kind"] == "positive"), path
        assert art["site"] in EXPECTED["sites"]
        assert art["lang"] == EXPECTED["sites"][art["site"]]["lang"]
        assert datetime.fromisoformat(art["published"]).year == 2026
    kinds = {(a["kind"], a["lang"]) for a in ARTICLES.values()}
    for needed in ["adult_returnees", "hostages", "remains", "unrelated"]:
        assert any(kind == needed for kind, _ in kinds), needed
    positive_stories = {(a["story"], a["lang"]) for a in ARTICLES.values() if a["kind"] == "positive"}
    assert {lang for _, lang in positive_stories} == {"en", "ru"} and len(positive_stories) == 2
    assert any(lang == "ru" and kind not in ("positive", "unrelated") for kind, lang in kinds)
    unrelated = {a["story"] for a in ARTICLES.values() if a["kind"] == "unrelated"}
    assert len(unrelated) >= 4
    assert {a["lang"] for a in ARTICLES.values() if a["kind"] == "unrelated"} == {"en", "ru"}
    assert {s["format"] for s in EXPECTED["sites"].values()} == {"rss2", "atom", "rss1", "jsonfeed"}


@pytest.mark.parametrize("path", sorted(ARTICLES))
def test_stories_are_real_length_and_lookalikes_say_repatriation(path: str) -> None:
    words = body_words(path)
    assert 250 <= len(words) <= 650, len(words)
    kind = ARTICLES[path]["kind"]
    if kind not in ("positive", "unrelated"):
        assert any(w.startswith(("repatriat", "репатриац")) for w in words)


def test_copies_share_their_text_and_other_stories_do_not() -> None:
    sets = {path: shingles(body_words(path)) for path in ARTICLES}
    for a in ARTICLES:
        for b in ARTICLES:
            if a >= b:
                continue
            score = jaccard(sets[a], sets[b])
            if ARTICLES[a]["story"] == ARTICLES[b]["story"]:
                assert score > 0.75, (a, b, score)
            else:
                assert score < 0.05, (a, b, score)


def test_links_use_the_placeholder_not_a_host() -> None:
    for file in SITE_ROOT.rglob("*"):
        if file.suffix in {".html", ".xml", ".rdf", ".json"}:
            text = file.read_text(encoding="utf-8")
            assert "127.0.0.1" not in text and "localhost" not in text, file
    wire_feed = (SITE_ROOT / EXPECTED["sites"]["wire"]["feed"].lstrip("/")).read_text(encoding="utf-8")
    assert f"<link>{PLACEHOLDER}/wire/" in wire_feed
