"""Alerts through the real `news_monitor` DAG: real Airflow runs, the demo corpus on 127.0.0.1, a real
aiosmtpd, on SQLite and PostgreSQL.

One email per flagged (story, topic), never a second one: not on a re-run, not for a new copy of the story,
not after an SMTP outage (the alerts wait, then go out once). Pages are hostile input: a
`<script>` in a page's title and in its text never arrives as markup (see the test for where it goes).
"""

from __future__ import annotations

import html
import re
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from newsmon.demo.corpus import load_expected
from newsmon.store.db import session_scope
from newsmon.store.models import Alert, Copy, Flag, Story
from tests.dags.airflow_harness import airflow_ready, run_dag
from tests.smtp_server import free_port

TOPIC = "child_repatriation"
UI_URL = "http://airflow.test:8080/newsmon"  # the News Monitor plugin is mounted at /newsmon
DAILY_FEED = "/daily/atom.xml"
WIRE_STORY = "/wire/2026/03/kyrgyzstan-flies-home-41-children-from-syrian-camp.html"

# A repatriation story of our own, not in the demo corpus, with a script in its title and (as visible text,
# i.e. entity-encoded in the page) in the sentence that gets it flagged.
SCRIPT = '<script>alert("newsmon")</script>'
SCRIPT_PAGE = "/daily/news/2026/03/16/tajikistan-brings-children-home-from-al-hol.html"
CLEAN_TITLE = "Tajikistan brings 19 children & 4 mothers home from al-Hol"
SCRIPT_TITLE = f"{SCRIPT} {CLEAN_TITLE}"
SCRIPT_PARAGRAPHS = (
    f"DUSHANBE – {html.escape(SCRIPT)} Tajikistan repatriated 19 children of Islamic State fighters from "
    "the al-Hol camp in north-east Syria on Tuesday, the country's children's ombudsman said after "
    "their plane landed.",
    "The youngest of the children is three years old; eleven of them were born in Syria and had never "
    "seen the country their mothers left a decade ago. Four mothers travelled home with them.",
    "Doctors met the group on the tarmac and took them to a rehabilitation centre in Vahdat, where "
    "psychologists and teachers will prepare them for school over the next two months.",
    "Officials said about 80 Tajik minors remain in camps and prisons in Syria and Iraq and that further "
    "flights depend on talks with the Kurdish-led administration that runs al-Hol.",
)
# A fourth copy of the wire story, on a page with boilerplate of its own.
COPY_PAGE = "/daily/news/2026/03/16/kyrgyz-children-back-from-syria-syndicated.html"


@pytest.fixture
def monitor_env(monkeypatch, db_url, demo_feeds_file, smtp_sink):
    airflow_ready()  # parse the DAG files before the environment below: they read some of it at import
    monkeypatch.setenv("NEWSMON_DB_URL", db_url)
    monkeypatch.setenv("NEWSMON_FEEDS_FILE", str(demo_feeds_file))
    monkeypatch.setenv("NEWSMON_SMTP_URL", smtp_sink.url)
    monkeypatch.setenv("NEWSMON_UI_URL", UI_URL)
    monkeypatch.setenv(
        "NEWSMON_POLL_MINUTES", "0.01"
    )  # each run polls every feed: new copies are seen at once
    return db_url


# ------------------------------------------------------------------------------------------------ helpers


def article_page(title: str, paragraphs: tuple[str, ...] | list[str], published: str) -> str:
    """A page in the style of a regional paper: its own masthead, promos and footer around the text."""
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    title = html.escape(title)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title} | Lowmoor Evening Courier</title>
<meta property="og:site_name" content="Lowmoor Evening Courier"><meta property="og:title" content="{title}">
<meta property="article:published_time" content="{published}"></head>
<body><header><a href="/daily/">Lowmoor Evening Courier</a><p>Your town, your paper, since 1881</p></header>
<nav><a href="/daily/">News</a> <a href="/daily/">Sport</a> <a href="/daily/">Family notices</a></nav>
<main><article><h1>{title}</h1><p class="byline">By Courier wire desk</p>
{body}
<p class="promo">Get the Courier's morning briefing in your inbox – sign up free.</p></article>
<aside><h2>Most read</h2><ul><li><a href="/daily/">Storm Ivo: what to expect</a></li></ul></aside>
</main><footer><p>© 2026 Lowmoor Evening Courier. A fictional paper in the newsmon demo corpus.</p></footer>
</body></html>"""


def publish(demo_server, page_path: str, title: str, html: str, published: str) -> None:
    """Put a new page on the demo site and an entry for it at the top of the daily paper's Atom feed."""
    from xml.sax.saxutils import escape

    entry = (
        f"<entry><id>tag:courier.example,2026:{page_path.rsplit('/', 1)[1]}</id>"
        f'<title type="text">{escape(title)}</title>'
        f'<link rel="alternate" type="text/html" href="{{{{BASE}}}}{page_path}"/>'
        f"<published>{published}</published><updated>{published}</updated></entry>\n"
    )
    feed = demo_server.source(DAILY_FEED).decode("utf-8")
    demo_server.overlay[page_path] = html
    demo_server.overlay[DAILY_FEED] = feed.replace("<entry>", entry + "  <entry>", 1)


def wire_paragraphs(demo_server) -> list[str]:
    """The wire story's own paragraphs (not its masthead or credits): what a syndicating site reprints."""
    html = demo_server.source(WIRE_STORY).decode("utf-8")
    body = html.split('<div class="story-body">', 1)[1].split("</div>", 1)[0]
    return re.findall(r"<p>(.*?)</p>", body, flags=re.S)


def alert_messages(sink) -> list:
    return [m for m in sink.messages if m["X-Newsmon-Alert"]]


def parts(message) -> tuple[str, str]:
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    return text, html


def alert_rows(db_url: str) -> dict[tuple[int, str], tuple[str, int, str | None, str]]:
    with session_scope(db_url) as s:
        return {
            (a.story_id, a.topic): (a.status, a.attempts, a.last_error, a.message_id)
            for a in s.scalars(select(Alert))
        }


def flagged_pairs(db_url: str) -> set[tuple[int, str]]:
    with session_scope(db_url) as s:
        return set(s.execute(select(Flag.story_id, Flag.topic)).tuples())


def task_result(run, task_id: str):
    """What a task of a finished run returned (its XCom)."""
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session

    with create_session() as session:
        row = session.scalars(
            XComModel.get_many(run_id=run.run_id, dag_ids=run.dag_id, task_ids=task_id, key="return_value")
        ).first()
        return XComModel.deserialize_value(row)


def recipients_of() -> dict[str, tuple[str, ...]]:
    from newsmon import pipeline
    from newsmon.config.settings import load_settings

    return {t.name: tuple(t.recipients) for t in pipeline.load_topics(load_settings())}


def expected_positive_stories() -> int:
    return len({a["story"] for a in load_expected()["articles"].values() if a["topics"].get(TOPIC)})


# ------------------------------------------------------------------------------------------------ tests


def test_one_email_per_story_and_topic_across_reruns_new_copies_and_hostile_titles(
    monitor_env, demo_server, smtp_sink
):
    db_url = monitor_env
    publish(
        demo_server,
        SCRIPT_PAGE,
        SCRIPT_TITLE,
        article_page(SCRIPT_TITLE, SCRIPT_PARAGRAPHS, "2026-03-16T08:00:00Z"),
        "2026-03-16T08:00:00Z",
    )

    # 1. The demo corpus plus one story of ours: one email per flagged (story, topic), each to the topic's
    #    recipients, each with its own stable Message-ID and a link to the story in the News Monitor page.
    assert run_dag("news_monitor").state == "success"
    pairs = flagged_pairs(db_url)
    assert len([p for p in pairs if p[1] == TOPIC]) == expected_positive_stories() + 1
    alerts = alert_rows(db_url)
    assert set(alerts) == pairs
    assert {status for status, *_ in alerts.values()} == {"sent"}
    messages = alert_messages(smtp_sink)
    assert len(messages) == len(pairs)
    by_pair = {}
    for m in messages:
        story_id, topic = m["X-Newsmon-Alert"].split("/", 1)
        by_pair[(int(story_id), topic)] = m
    assert set(by_pair) == pairs
    for (story_id, topic), m in by_pair.items():
        assert m["Message-ID"] == alerts[(story_id, topic)][3]
        assert m["To"] == ", ".join(recipients_of()[topic])
        text, html_part = parts(m)
        link = f"{UI_URL}/stories/{story_id}"
        assert link in text and f'href="{link}"' in html_part
    assert len({m["Message-ID"] for m in messages}) == len(messages)

    # The page with a script. Its title: ingestion keeps titles plain text, so the script element is gone
    # before anything is stored, and what is left ("&", quotes) is escaped in the HTML part only.
    # Its text: the script was visible text there, so it stays as text in the evidence sentence, plain in
    # the text part and entity-escaped (inert) in the HTML part.
    with session_scope(db_url) as s:
        script_story = s.scalars(select(Story).where(Story.title.contains("Tajikistan brings"))).one()
        wire_story_id = s.scalar(select(Copy.story_id).where(Copy.url.endswith(WIRE_STORY)))
        wire_copies = s.scalar(select(Story.copies_count).where(Story.id == wire_story_id))
    assert script_story.title == CLEAN_TITLE and script_story.merged_into_id is None
    message = by_pair[(script_story.id, TOPIC)]
    text, html_part = parts(message)
    assert CLEAN_TITLE in message["Subject"] and "<script" not in message["Subject"]
    assert CLEAN_TITLE in text and SCRIPT in text
    assert "<script" not in html_part.lower()
    assert html.escape(CLEAN_TITLE, quote=False) in html_part
    assert "&lt;script&gt;alert(" in html_part
    assert wire_copies == 3

    # 2. The same run again: nothing new, nothing sent, every alert as it was.
    assert run_dag("news_monitor").state == "success"
    assert len(alert_messages(smtp_sink)) == len(pairs)
    assert alert_rows(db_url) == alerts

    # 3. A fourth copy of the wire story is published: it joins the story, which was alerted already.
    publish(
        demo_server,
        COPY_PAGE,
        "Kyrgyz children back home from Syrian camp",
        article_page(
            "Kyrgyz children back home from Syrian camp", wire_paragraphs(demo_server), "2026-03-16T09:30:00Z"
        ),
        "2026-03-16T09:30:00Z",
    )
    run = run_dag("news_monitor")
    assert run.state == "success"
    with session_scope(db_url) as s:
        new_copy = s.scalars(select(Copy).where(Copy.url.endswith(COPY_PAGE))).one()
        assert new_copy.story_id == wire_story_id
        assert s.scalar(select(Story.copies_count).where(Story.id == wire_story_id)) == 4
    assert flagged_pairs(db_url) == pairs
    assert alert_rows(db_url) == alerts
    assert len(alert_messages(smtp_sink)) == len(pairs)
    assert task_result(run, "send_alerts") == {
        "queued": 0,
        "sent": 0,
        "failed": 0,
        "superseded": 0,
        "pending": 0,
    }


def test_smtp_outage_keeps_alerts_pending_and_the_next_run_sends_each_once(
    monkeypatch, monitor_env, demo_server, smtp_sink
):
    db_url = monitor_env
    dead = free_port()  # nothing listens there
    monkeypatch.setenv("NEWSMON_SMTP_URL", f"smtp://127.0.0.1:{dead}")

    run = run_dag("news_monitor")
    assert run.state == "success"  # an outage is not the run's failure: the alerts wait
    pairs = flagged_pairs(db_url)
    assert len(pairs) >= expected_positive_stories()
    alerts = alert_rows(db_url)
    assert set(alerts) == pairs
    for status, attempts, last_error, _ in alerts.values():
        assert status == "pending" and attempts == 0  # the outage is not the alert's fault
        assert last_error and f"127.0.0.1:{dead}" in last_error
    assert task_result(run, "send_alerts")["pending"] == len(pairs)
    assert smtp_sink.messages == []

    # The server is back. The next scheduled run comes after the outage delay the alerts were given
    # (a minute; the monitor runs every 15): let that time pass by moving their retry time back.
    monkeypatch.setenv("NEWSMON_SMTP_URL", smtp_sink.url)
    with session_scope(db_url) as s:
        s.execute(update(Alert).values(next_attempt_at=datetime.now(UTC) - timedelta(seconds=1)))
    run = run_dag("news_monitor")
    assert run.state == "success"
    assert task_result(run, "send_alerts")["sent"] == len(pairs)
    after = alert_rows(db_url)
    assert {status for status, *_ in after.values()} == {"sent"}
    assert all(last_error is None and attempts == 1 for _, attempts, last_error, _ in after.values())
    sent = Counter(m["X-Newsmon-Alert"] for m in alert_messages(smtp_sink))
    assert sent == Counter(f"{story}/{topic}" for story, topic in pairs)

    assert run_dag("news_monitor").state == "success"
    assert len(alert_messages(smtp_sink)) == len(pairs)
    with session_scope(db_url) as s:
        assert s.scalar(select(func.count()).select_from(Alert).where(Alert.status != "sent")) == 0


def test_the_story_link_in_emails_is_a_route_of_the_news_monitor_page():
    """Emails link to `{ui_url}/stories/{id}`: the default ui_url must be where the UI plugin is mounted, and
    the plugin must serve that route."""
    from newsmon.alerts.render import AlertContext
    from newsmon.config.settings import load_settings
    from newsmon_ui.app import PREFIX, create_app

    ui_url = load_settings(env={}).ui_url
    assert ui_url.endswith(PREFIX)
    link = AlertContext(
        story_id=7, topic=TOPIC, score=1.0, story_title="", message_id="", ui_url=ui_url
    ).story_url
    assert link == f"{ui_url}/stories/7"
    assert "/stories/{story_id}" in {getattr(r, "path", None) for r in create_app().routes}
