"""What an alert email says, and that hostile titles and texts arrive as inert text."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from newsmon.alerts.message import build_message
from newsmon.alerts.render import (
    AlertContext,
    CopyInfo,
    EvidenceInfo,
    mark_terms,
    one_line,
    render_alert,
    safe_href,
)
from newsmon.alerts.smtp import SmtpConfig
from newsmon.alerts.stage import deliver_pending, queue_alerts
from newsmon.store.db import session_scope
from tests.alerts.conftest import NOW, TOPIC, UI, seed_story

SCRIPT = "<script>alert('x')</script>"


def context(**kw) -> AlertContext:
    original = CopyInfo(
        site="origin.example",
        title="Children return",
        url="https://origin.example/a",
        published=datetime(2026, 11, 24, 9, 30, tzinfo=UTC),
        is_original=True,
    )
    values = dict(
        story_id=7,
        topic=TOPIC,
        score=2.345,
        story_title="41 children of IS fighters leave Syrian camp",
        message_id="<newsmon-alert-7-child_repatriation@newsmon.localhost>",
        ui_url=UI,
        original=original,
        copies=(
            original,
            CopyInfo(site="mirror.example", title="Mirror title", url="https://mirror.example/b"),
        ),
        evidence=(
            EvidenceInfo(
                "Forty-one children were repatriated from al-Hol.", ("children", "repatriated", "al-Hol"), 2.0
            ),
        ),
        threshold=1.3,
    )
    values.update(kw)
    return AlertContext(**values)


def test_mark_terms_marks_whole_words_in_any_case():
    pieces = mark_terms(
        "Children and grandchildren were repatriated; CHILDREN again.", ["children", "repatriated"]
    )
    assert [p for p, hit in pieces if hit] == ["Children", "repatriated", "CHILDREN"]
    assert "".join(p for p, _ in pieces) == "Children and grandchildren were repatriated; CHILDREN again."
    assert mark_terms("no match here", []) == [("no match here", False)]
    assert [p for p, hit in mark_terms("Back from al-Hol camp", ["al-Hol", "al"]) if hit] == ["al-Hol"]


def test_only_web_links_become_links():
    assert safe_href("https://a.example/x") == "https://a.example/x"
    assert safe_href("javascript:alert(1)") is None
    assert safe_href("data:text/html,<b>x</b>") is None
    assert safe_href("http://[bad") is None
    assert safe_href(None) is None


def test_alert_content_names_everything_needed_to_act():
    r = render_alert(context())
    assert r.subject == "[newsmon] child_repatriation (2.35): 41 children of IS fighters leave Syrian camp"
    for part in (r.text, r.html):
        assert "child_repatriation" in part and "2.35" in part
        assert (
            "origin.example" in part and "2026-11-24 09:30 UTC" in part and "https://origin.example/a" in part
        )
        assert "mirror.example" in part and "Mirror title" in part and "https://mirror.example/b" in part
        assert "http://ui.test/newsmon/stories/7" in part
    assert "<mark" in r.html and ">repatriated</mark>" in r.html and ">al-Hol</mark>" in r.html
    assert "Forty-one **children** were **repatriated** from **al-Hol**." in r.text
    assert r.message_id == "<newsmon-alert-7-child_repatriation@newsmon.localhost>"


def test_script_in_title_text_and_evidence_is_escaped_in_html_and_plain_in_text():
    hostile = CopyInfo(site=f"evil{SCRIPT}", title=f"Title {SCRIPT}", url="javascript:alert(1)")
    r = render_alert(
        context(
            story_title=f"Camp {SCRIPT} news",
            copies=(hostile,),
            original=hostile,
            evidence=(EvidenceInfo(f"children {SCRIPT}", ("children",), 1.0),),
        )
    )
    assert "<script" not in r.html.lower()
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in r.html
    assert 'href="javascript:' not in r.html
    assert f"Camp {SCRIPT} news" in r.text and f"Title {SCRIPT}" in r.text
    assert SCRIPT in r.subject


def test_a_newline_in_a_title_cannot_inject_headers():
    r = render_alert(context(story_title="Bad\r\nBcc: victim@example.org\nX-Evil: 1"))
    msg = build_message(r, sender="n@example.org", recipients=["a@example.org"], now=NOW)
    assert msg["Bcc"] is None and msg["X-Evil"] is None
    assert msg["Subject"].endswith("Bad Bcc: victim@example.org X-Evil: 1")


def test_long_title_is_shortened_in_the_subject_only():
    title = "word " * 80
    r = render_alert(context(story_title=title))
    assert len(r.subject) < 170 and r.subject.endswith("…")
    assert one_line(title) in r.text


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://mail.example.org", SmtpConfig(host="mail.example.org")),
        (
            "smtp://u%40x:p%3Ass@mail.example.org:587?starttls=1&from=alerts@example.org&timeout=5",
            SmtpConfig(
                host="mail.example.org",
                port=587,
                username="u@x",
                password="p:ss",  # noqa: S106 - a made-up value parsed from the URL above
                starttls=True,
                from_email="alerts@example.org",
                timeout=5.0,
            ),
        ),
        ("smtps://mail.example.org", SmtpConfig(host="mail.example.org", port=465, use_ssl=True)),
    ],
)
def test_smtp_config_from_url(url, expected):
    assert SmtpConfig.from_url(url) == expected


@pytest.mark.parametrize("url", ["http://mail.example.org", "smtp://", "mail.example.org:25"])
def test_smtp_config_rejects_what_is_not_an_smtp_url(url):
    with pytest.raises(ValueError):
        SmtpConfig.from_url(url)


def test_smtp_password_is_not_shown_in_repr():
    assert "secret" not in repr(SmtpConfig.from_url("smtp://u:secret@h"))


def test_delivered_message_is_text_plus_html_with_the_stable_message_id(db_url, mail):
    with session_scope(db_url) as s:
        story_id = seed_story(s, title=f"Camp {SCRIPT} news")
        queue_alerts(s, topics={TOPIC: ["analysts@example.org"]}, now=NOW)
    report = deliver_pending(db_url, smtp=mail.config, now=NOW, ui_url=UI)
    assert report.sent == 1
    [msg] = mail.messages
    assert msg.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in msg.iter_parts()] == ["text/plain", "text/html"]
    assert msg["Message-ID"] == f"<newsmon-alert-{story_id}-{TOPIC}@newsmon.localhost>"
    assert msg["From"] == "newsmon@test.example" and msg["To"] == "analysts@example.org"
    assert msg["Auto-Submitted"] == "auto-generated"
    assert "child_repatriation" in msg["Subject"] and "Camp" in msg["Subject"]
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    assert f"Camp {SCRIPT} news" in text
    assert "<script" not in html.lower() and "&lt;script&gt;" in html
    assert f"{UI}/stories/{story_id}" in text and f"{UI}/stories/{story_id}" in html
