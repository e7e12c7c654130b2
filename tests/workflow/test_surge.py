"""Surge alerts on the demo archive made by the real pipeline, with a real SMTP server, on SQLite and
PostgreSQL: the demo server adds reprints of the flagged wire story on other papers, today (months after
the wire story, so they make a story of their own); once five copies from three sites arrive within six
hours, one surge email goes out with the copies' timeline, and never again (re-runs, later copies, a
story merge). A topic can raise the bar or turn surges off."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import yaml
from sqlalchemy import select

from newsmon import pipeline
from newsmon.alerts.smtp import SmtpConfig
from newsmon.demo.syndicate import publish_copies
from newsmon.store.db import session_scope
from newsmon.store.models import Copy, Surge
from newsmon.store.stories import merge_stories
from newsmon.topics.model import load_topic
from tests.workflow.helpers import (
    TOPIC,
    UI,
    copy_count,
    settings_for,
    story_id,
    topics_copy,
)


@pytest.fixture
def monitored(alerted_archive, demo_feeds_file, tmp_path):
    """The demo archive with its alerts sent and no surge (three copies, in March)."""
    return settings_for(alerted_archive, demo_feeds_file, topics_copy(tmp_path), ui_url=UI)


def _surge_mails(sink) -> list:
    return [m for m in sink.messages if m["X-Newsmon-Surge"]]


def reprint_story(db_url: str, tag: str = "surge") -> int:
    """The story the demo's reprints made."""
    with session_scope(db_url) as s:
        found = s.scalar(select(Copy.story_id).where(Copy.url.like(f"%/reprints/{tag}/%")))
    assert found is not None
    return found


def _set_surge(topics_dir, value) -> None:
    path = topics_dir / f"{TOPIC}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["surge"] = value
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    load_topic(path)  # the schema accepts it


def test_five_reprints_on_three_papers_surge_once_with_the_timeline(monitored, demo_server, smtp_sink):
    settings, smtp = monitored, SmtpConfig.from_url(smtp_sink.url)
    now = datetime.now(UTC)
    publish_copies(
        demo_server, count=5, published=now - timedelta(hours=1), papers=("A Post", "B Times", "C News")
    )

    summary = pipeline.run_once(settings, smtp=smtp, force_poll=True)
    syndicated = reprint_story(settings.db_url)
    assert copy_count(settings.db_url, syndicated) == 5  # the reprints make one story, flagged
    assert summary["flag"]["new_flags"] == 1
    assert summary["surge"]["found"] == 1 and summary["surge"]["sent"] == 1
    [mail] = _surge_mails(smtp_sink)
    assert mail["X-Newsmon-Surge"] == f"{syndicated}/{TOPIC}" and mail["To"] == "analysts@example.org"
    assert "5 copies from 3 sites" in mail["Subject"]
    text = mail.get_body(("plain",)).get_content()
    assert text.count("\n  * ") == 5  # each copy, inside the window
    assert f"{UI}/stories/{syndicated}" in text
    with session_scope(settings.db_url) as s:
        row = s.scalars(select(Surge)).one()
        assert (row.story_id, row.topic, row.copies, row.sites, row.status) == (
            syndicated,
            TOPIC,
            5,
            3,
            "sent",
        )
        assert len(row.timeline) == 5 and all(c["in_window"] for c in row.timeline)

    # Re-runs, and more copies later, send nothing more.
    assert pipeline.check_surges(settings, smtp)["found"] == 0
    publish_copies(demo_server, count=3, published=datetime.now(UTC), tag="later")
    again = pipeline.run_once(settings, smtp=smtp, force_poll=True)
    assert copy_count(settings.db_url, syndicated) == 8  # they joined the surged story
    assert again["surge"] == {"found": 0, "sent": 0, "failed": 0, "pending": 0}
    assert len(_surge_mails(smtp_sink)) == 1


def test_a_story_that_absorbed_a_surged_story_does_not_surge_again(monitored, demo_server, smtp_sink):
    settings, smtp = monitored, SmtpConfig.from_url(smtp_sink.url)
    publish_copies(demo_server, count=5, published=datetime.now(UTC), papers=("A Post", "B Times", "C News"))
    pipeline.run_once(settings, smtp=smtp, force_poll=True)
    syndicated = reprint_story(settings.db_url)
    assert len(_surge_mails(smtp_sink)) == 1
    with session_scope(settings.db_url) as s:  # a later story bridges into this one's successor
        other = story_id(settings.db_url, "Из иракской тюрьмы%")
        merge_stories(s, syndicated, other, bridging_copy_id=None, reason="test", now=datetime.now(UTC))
    report = pipeline.check_surges(settings, smtp)
    assert report["found"] == 0 and len(_surge_mails(smtp_sink)) == 1


@pytest.mark.parametrize(
    ("surge", "papers"),
    [
        (False, ("A Post", "B Times", "C News")),  # turned off for the topic
        ({"copies": 6}, ("A Post", "B Times", "C News")),  # five copies are not enough for this topic
        (True, ("A Post",)),  # five copies from one paper are not three sites
    ],
)
def test_what_does_not_surge(monitored, demo_server, smtp_sink, surge, papers):
    settings, smtp = monitored, SmtpConfig.from_url(smtp_sink.url)
    _set_surge(settings.topics_dir, surge)
    publish_copies(demo_server, count=5, published=datetime.now(UTC), papers=papers)
    summary = pipeline.run_once(settings, smtp=smtp, force_poll=True)
    assert copy_count(settings.db_url, reprint_story(settings.db_url)) == 5
    assert (
        summary["flag"]["new_flags"] == 1 and summary["surge"]["found"] == 0 and _surge_mails(smtp_sink) == []
    )


def test_copies_published_before_the_window_do_not_surge(monitored, demo_server, smtp_sink):
    settings, smtp = monitored, SmtpConfig.from_url(smtp_sink.url)
    old = datetime.now(UTC) - timedelta(hours=7)  # the default window is six hours
    publish_copies(demo_server, count=5, published=old, papers=("A Post", "B Times", "C News"))
    summary = pipeline.run_once(settings, smtp=smtp, force_poll=True)
    assert summary["surge"]["found"] == 0
    _set_surge(settings.topics_dir, {"hours": 8})
    assert pipeline.check_surges(settings, smtp)["sent"] == 1
