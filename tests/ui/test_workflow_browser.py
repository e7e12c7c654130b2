"""The analyst's workflow beyond the anchors (issue #17) in a real Airflow api-server driven by Chromium,
on data made by the real pipeline over the demo corpus (served from 127.0.0.1 for the whole module, so
the demo can add copies), with a real SMTP server:

1. an edited topic file: the Topic preview page shows the stories it would flag, with their evidence;
2. the `news_backfill` DAG (real Airflow, `dag.test()`) re-scores the archive: the flags appear in the
   list, the old story's flag went into one summary email per recipient, not an alert of its own;
3. the topic's Atom feed reads back with feedparser (bozo 0), refuses a wrong token, and the token is
   nowhere in the api-server's log;
4. the CSV export of the list downloads and opens;
5. the demo publishes five reprints on three papers; after the next pipeline run the list shows the
   story's surge badge, and one surge email went out.

The tests build on each other in file order, as an analyst's session would.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import feedparser
import httpx
import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from newsmon import pipeline
from newsmon.alerts.smtp import SmtpConfig
from newsmon.cli.demo import demo_feeds_yaml
from newsmon.demo.server import DemoServer
from newsmon.demo.syndicate import publish_copies
from newsmon.outbound import tokens
from newsmon.store.db import get_engine, session_scope, upgrade
from newsmon.store.models import Alert, Copy
from tests.dags.airflow_harness import airflow_ready, run_dag
from tests.smtp_server import MailServer
from tests.ui.airflow_server import (
    airflow_home,
    airflow_tab,
    api_server,
    chromium,
    log_in,
    migrating,
    open_news_monitor,
)
from tests.workflow.helpers import (
    ENGINEERS,
    RECIPIENTS,
    STORM,
    TOPIC,
    age_story,
    edit_topic,
    settings_for,
    story_id,
    topics_copy,
)

OUTPUT = Path(__file__).parent / "output"


@dataclass(frozen=True)
class Session:
    base: str
    db_url: str
    home: Path
    topics_dir: Path
    feeds_file: Path
    demo: DemoServer
    mail: MailServer


@pytest.fixture(scope="module")
def airflow(tmp_path_factory) -> Iterator[Session]:
    airflow_ready()  # this process's own Airflow (for dag.test), before the api-server's home is made
    work = tmp_path_factory.mktemp("workflow-ui")
    topics_dir = topics_copy(work)
    home = airflow_home(work, NEWSMON_TOPICS_DIR=str(topics_dir))
    mail = MailServer().start()
    try:
        with DemoServer(port=0) as demo:
            with migrating(home):  # Airflow migrates beside the pipeline; the api-server needs it done
                feeds_file = work / "feeds.yaml"
                feeds_file.write_text(demo_feeds_yaml(demo.base_url, demo.feeds()), encoding="utf-8")
                upgrade(home.newsmon_db_url)
                settings = settings_for(
                    home.newsmon_db_url, feeds_file, topics_dir, ui_url=f"{home.base}/newsmon"
                )
                summary = pipeline.run_once(settings, smtp=SmtpConfig.from_url(mail.url), force_poll=True)
                assert summary["alerts"]["sent"] == 2, summary
                get_engine(home.newsmon_db_url).dispose()  # the api-server process opens its own connections
            with api_server(home):
                yield Session(home.base, home.newsmon_db_url, home.home, topics_dir, feeds_file, demo, mail)
    finally:
        mail.stop()


@pytest.fixture(scope="module")
def browser():
    OUTPUT.mkdir(exist_ok=True)
    with chromium() as b:
        yield b


@pytest.fixture(scope="module")
def login(browser, airflow) -> dict:
    return log_in(browser, airflow.base)


@pytest.fixture
def page(browser, airflow, login):
    with airflow_tab(browser, airflow.base, login) as tab:
        yield tab


def test_preview_page_shows_what_an_edited_topic_would_flag(page, airflow):
    edit_topic(airflow.topics_dir)  # the analyst edits the live file in the config folder
    frame = open_news_monitor(page)
    frame.get_by_role("link", name="Topic preview").click()
    frame.locator("h1", has_text="Topic preview").wait_for()
    frame.locator("select[name=topic]").select_option(TOPIC)
    frame.get_by_role("button", name="Preview").click()
    summary = frame.locator("#preview-summary")
    summary.wait_for()
    assert summary.locator(".would-flag-total").inner_text() == "2"
    assert summary.locator(".would-unflag-total").inner_text() == "0"
    rows = frame.locator("section.would-flag table tbody tr")
    assert rows.count() == 2
    engineers = rows.filter(has_text="Lowmoor engineers")
    engineers.locator("details summary").click()
    assert engineers.locator("details mark.ev.term", has_text="engineers").first.is_visible()
    assert "news_backfill" in frame.locator("#preview-summary").inner_text()  # not backfilled yet
    page.screenshot(path=OUTPUT / "topic_preview.png")
    assert page.dialogs == []


def test_backfill_flags_the_archive_and_sends_one_summary_per_recipient(page, airflow, monkeypatch):
    db = airflow.db_url
    storm, engineers = story_id(db, STORM), story_id(db, ENGINEERS)
    age_story(db, storm, timedelta(days=3))  # seen before NEWSMON_BACKFILL_QUIET_AGE: no alert of its own
    for name, value in {
        "NEWSMON_DB_URL": db,
        "NEWSMON_TOPICS_DIR": str(airflow.topics_dir),
        "NEWSMON_SMTP_URL": airflow.mail.url,
        "NEWSMON_UI_URL": f"{airflow.base}/newsmon",
    }.items():
        monkeypatch.setenv(name, value)
    before = len(airflow.mail.messages)
    run = run_dag("news_backfill", run_conf={"topic": TOPIC, "since": "30d"})
    assert run.state == "success"
    new = airflow.mail.messages[before:]
    summaries = [m for m in new if m["X-Newsmon-Backfill"]]
    assert sorted(m["To"] for m in summaries) == RECIPIENTS  # one each
    assert all(f"/newsmon/stories/{storm}" in m.get_body(("plain",)).get_content() for m in summaries)
    assert [m["X-Newsmon-Alert"] for m in new if m["X-Newsmon-Alert"]] == [f"{engineers}/{TOPIC}"]
    get_engine(db).dispose()

    frame = open_news_monitor(page)
    rows = frame.locator("table.stories tbody tr")
    assert rows.filter(has_text="Storm Ivo").locator(".topic").inner_text() == TOPIC
    assert rows.filter(has_text="Lowmoor engineers").count() == 1
    rows.filter(has_text="Storm Ivo").get_by_role("link").click()
    alerts = frame.locator("ul.alerts")
    alerts.wait_for()
    assert "summarised" in alerts.inner_text()
    page.screenshot(path=OUTPUT / "backfilled_story.png")

    again = run_dag("news_backfill", run_conf={"topic": TOPIC, "since": "30d"})
    assert again.state == "success" and len(airflow.mail.messages) == before + len(new)


def test_the_atom_feed_reads_back_and_refuses_a_wrong_token(airflow):
    with session_scope(airflow.db_url) as s:
        token = tokens.issue(s, TOPIC, datetime.now(UTC))
    get_engine(airflow.db_url).dispose()
    feed = f"{airflow.base}/newsmon/feeds/{TOPIC}.atom"
    response = httpx.get(feed, params={"token": token}, timeout=10)  # a feed reader: no Airflow login
    assert response.status_code == 200
    parsed = feedparser.parse(response.content)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    links = {e.link for e in parsed.entries}
    assert f"{airflow.base}/newsmon/stories/{story_id(airflow.db_url, STORM)}" in links
    assert len(parsed.entries) == 4  # the two stories flagged from the start and the two backfilled
    assert httpx.get(feed, params={"token": token[:-1] + "x"}, timeout=10).status_code == 403
    assert httpx.get(feed, timeout=10).status_code == 403
    log = (airflow.home / "api-server.log").read_text(errors="replace")
    assert f"/newsmon/feeds/{TOPIC}.atom" in log  # the requests are logged ...
    assert token not in log and token[:-1] not in log  # ... without the token


def test_csv_export_of_the_list_downloads_and_opens(page, airflow):
    frame = open_news_monitor(page)
    frame.locator("select[name=topic]").select_option(TOPIC)
    rows = frame.locator("table.stories tbody tr")
    # Choosing a topic reloads the list: the unfiltered page's rows may still be there, or none yet,
    # until the new one has loaded; wait (retrying) for the topic's four rows.
    expect(rows).to_have_count(4)
    shown = rows.count()
    with page.expect_download() as download:
        frame.get_by_role("link", name="CSV").click()
    data = Path(download.value.path()).read_bytes().decode("utf-8-sig")
    table = list(csv.DictReader(io.StringIO(data)))
    assert len(table) == shown == 4 and {r["topic"] for r in table} == {TOPIC}
    assert any(r["title"].startswith("Storm Ivo") for r in table)
    assert all(r["url"].startswith(f"{airflow.base}/newsmon/stories/") for r in table)


def test_surge_badge_after_the_demo_adds_copies(page, airflow):
    publish_copies(airflow.demo, count=5, published=datetime.now(UTC), papers=("A Post", "B Times", "C News"))
    settings = settings_for(
        airflow.db_url, airflow.feeds_file, airflow.topics_dir, ui_url=f"{airflow.base}/newsmon"
    )
    summary = pipeline.run_once(settings, smtp=SmtpConfig.from_url(airflow.mail.url), force_poll=True)
    assert summary["surge"]["found"] == 1 and summary["surge"]["sent"] == 1
    with session_scope(airflow.db_url) as s:
        surged = s.scalar(select(Copy.story_id).where(Copy.url.like("%/reprints/surge/%")))
        assert s.scalar(select(Alert.status).where(Alert.story_id == surged)) == "sent"
    get_engine(airflow.db_url).dispose()
    assert [m["X-Newsmon-Surge"] for m in airflow.mail.messages if m["X-Newsmon-Surge"]] == [
        f"{surged}/{TOPIC}"
    ]

    frame = open_news_monitor(page)
    row = frame.locator("table.stories tbody tr").filter(has=frame.locator(".badge.surge"))
    assert row.count() == 1
    assert row.locator(".copies .count").inner_text() == "5"
    page.screenshot(path=OUTPUT / "surge_badge.png")
    row.get_by_role("link").first.click()
    frame.locator("#surges").wait_for()
    assert "5 copies from 3 sites" in frame.locator("#surges").inner_text().replace("\n", " ")
    assert page.dialogs == []
