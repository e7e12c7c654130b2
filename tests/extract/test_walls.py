"""Walls only on evidence of a wall: a password box beside an article is no evidence."""

from __future__ import annotations

from lxml import html

from newsmon.extract.fetch import fetch_article
from newsmon.extract.walls import WallEvidence, wall_evidence
from tests.extract import extract_pages as pages

SUMMARY = "<p>The water board raises tariffs.</p>"


def test_paywalled_teaser_is_a_wall_and_falls_back_to_the_summary(site, policy):
    url = site.page("/water-tariffs", pages.paywalled_teaser())
    result = fetch_article(url, policy=policy, summary=SUMMARY)
    assert (result.status, result.reason, result.text_source) == ("fallback", "login_wall", "summary")
    assert result.extracted is not None and result.extracted.text == "The water board raises tariffs."


def test_short_article_beside_a_login_box_is_kept(site, policy):
    url = site.page("/bakery", pages.article_beside_login_box())
    result = fetch_article(url, policy=policy, summary=SUMMARY)
    assert (result.status, result.text_source) == ("ok", "page")
    text = result.extracted.text
    assert len(text) < 1000  # short: the old check (password field + under 600 characters) was close
    for paragraph in pages.SHORT_ARTICLE:
        assert paragraph in text
    assert "Password" not in text


def test_login_form_taken_for_the_content_is_a_wall():
    page = html.fromstring(pages.login_wall())
    raw = "Members area\nUser name\nPassword\nLog in"
    assert wall_evidence(raw, raw, page) == WallEvidence.LOGIN_FORM
    # the same words without a password field on the page are only words
    plain = html.fromstring(b"<html><body><p>x</p></body></html>")
    assert wall_evidence(raw, raw, plain) is None


def test_wall_prompt_in_a_long_text_is_not_a_wall():
    page = html.fromstring(pages.paywalled_teaser())
    long_text = " ".join(pages.SHORT_ARTICLE * 5) + "\nSubscribe to continue reading."
    assert wall_evidence(long_text, long_text, page) is None
