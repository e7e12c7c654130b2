"""The News Monitor page in a real Airflow api-server, driven by Chromium through Playwright: Debian's
`chromium` when it is on the PATH, else the one `playwright install chromium` keeps (never downloaded here).

The data is the real pipeline's output on the bundled demo corpus (served from 127.0.0.1, alerts to a
real SMTP server on 127.0.0.1), written to the database the api-server reads; only what the demo lacks
is added through the ORM (tests/ui/seed.py: a flagged story with script in every field, a failing feed,
a merged story). One api-server for the module (about 5 s to start): the plugin is loaded from the
repo's plugins/ folder exactly as in production, and the login is Airflow's simple auth manager with a
fixed password. Screenshots of every page land in tests/ui/output/ (git-ignored) for a human to look at.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from newsmon import pipeline
from newsmon.alerts.smtp import SmtpConfig
from newsmon.cli.demo import demo_feeds_yaml
from newsmon.config.settings import load_settings
from newsmon.demo.corpus import load_expected
from newsmon.demo.server import DemoServer
from newsmon.store.db import get_engine, session_scope, upgrade
from newsmon.store.models import Copy, Flag, Story
from tests.smtp_server import MailServer
from tests.ui.airflow_server import (
    PASSWORD,
    USER,
    airflow_home,
    airflow_tab,
    api_server,
    chromium,
    log_in,
    migrating,
    open_news_monitor,
)
from tests.ui.seed import SCRIPT_TITLE, Hostile, seed_hostile

OUTPUT = Path(__file__).parent / "output"
TOPIC = "child_repatriation"


def _demo_story_titles() -> tuple[str, str]:
    """From the demo's answer key: the syndicated repatriation story (three copies, the original on the
    wire site) and the unrelated story whose headline holds a script tag."""
    articles = load_expected()["articles"]
    syndicated = next(
        a["title"] for p, a in articles.items() if a["story"] == "kg-children-syria" and a["original"]
    )
    scripted = next(a["title"] for a in articles.values() if "<script>" in a["title"])
    return syndicated, scripted


SYNDICATED_TITLE, SCRIPTED_DEMO_TITLE = _demo_story_titles()


@dataclass(frozen=True)
class Demo:
    url: str
    story_id: int  # the syndicated repatriation story
    unflagged_id: int  # the demo story with a script tag in its headline (no topic flags it)
    hostile: Hostile
    emails: tuple  # the alert messages the pipeline sent


@dataclass(frozen=True)
class Server:
    base: str
    data: Demo


def _run_demo_pipeline(url: str, base: str, workdir: Path) -> Demo:
    """The pipeline once over the demo corpus, as `newsmon run --force` would, alerts linking to `base`.

    The conftest fixtures demo_server / demo_feeds_file / smtp_sink do the same per test; the browser
    tests share one api-server, so the module builds its own from the same classes."""
    sink = MailServer().start()
    try:
        with DemoServer(port=0) as server:
            feeds_file = workdir / "feeds.yaml"
            feeds_file.write_text(demo_feeds_yaml(server.base_url, server.feeds()), encoding="utf-8")
            upgrade(url)
            settings = load_settings().with_(db_url=url, feeds_file=feeds_file, ui_url=f"{base}/newsmon")
            summary = pipeline.run_once(settings, smtp=SmtpConfig.from_url(sink.url), force_poll=True)
        assert summary["alerts"]["sent"] >= 1, summary
        emails = tuple(sink.messages)
    finally:
        sink.stop()
    with session_scope(url) as s:
        story_id = s.scalar(
            select(Story.id)
            .join(Flag, Flag.story_id == Story.id)
            .where(Flag.topic == TOPIC, Story.copies_count == 3)
        )
        unflagged_id = s.scalar(
            select(Story.id).join(Copy, Copy.story_id == Story.id).where(Copy.url.like("%pdf-preview%"))
        )
    assert story_id is not None and unflagged_id is not None
    hostile = seed_hostile(url, TOPIC, merge_into=story_id)
    get_engine(url).dispose()  # the api-server process opens its own connections
    return Demo(url, story_id, unflagged_id, hostile, emails)


@pytest.fixture(scope="module")
def airflow(tmp_path_factory) -> Iterator[Server]:
    home = airflow_home(tmp_path_factory.mktemp("airflow-ui"))
    with migrating(home):
        data = _run_demo_pipeline(home.newsmon_db_url, home.base, home.home)
    with api_server(home):
        yield Server(home.base, data)


@pytest.fixture(scope="module")
def browser():
    OUTPUT.mkdir(exist_ok=True)
    with chromium() as b:
        yield b


@pytest.fixture(scope="module")
def login(browser, airflow) -> dict:
    """Log in through Airflow's login form once; each test's tab starts from the resulting cookies."""
    return log_in(browser, airflow.base)


@pytest.fixture
def page(browser, airflow, login):
    """A logged-in Airflow tab on the home page that records every JavaScript dialog (none may open)."""
    with airflow_tab(browser, airflow.base, login) as tab:
        yield tab


def _alert_link(message, base: str) -> str:
    body = message.get_body(("plain",)).get_content()
    links = re.findall(re.escape(base) + r"/newsmon/stories/\d+", body)
    assert links, body
    return links[0]


def test_every_route_refuses_anonymous_requests(airflow, browser):
    sid = airflow.data.story_id
    for method, path in [
        ("GET", "/newsmon/"),
        ("GET", "/newsmon/?scope=all"),
        ("GET", f"/newsmon/stories/{sid}"),
        ("POST", f"/newsmon/stories/{sid}/feedback"),
        ("GET", "/newsmon/feeds"),
        ("GET", "/newsmon/static/newsmon.css"),
        ("GET", "/newsmon/api/stories"),
        ("GET", f"/newsmon/api/stories/{sid}"),
        ("PUT", f"/newsmon/api/stories/{sid}/feedback"),
        ("GET", "/newsmon/api/feeds"),
        ("GET", "/newsmon/api/openapi.json"),
    ]:
        response = httpx.request(method, airflow.base + path, timeout=10)
        assert response.status_code == 401, (method, path, response.status_code)
    forged = httpx.get(airflow.base + "/newsmon/api/stories", cookies={"_token": "not-a-jwt"}, timeout=10)
    assert forged.status_code in (401, 403)

    # Someone follows an alert email's link without being logged in: the 401 page leads to Airflow's
    # login, which comes back to the same story inside the Airflow UI.
    context = browser.new_context(viewport={"width": 1000, "height": 500})
    tab = context.new_page()
    response = tab.goto(_alert_link(airflow.data.emails[0], airflow.base))
    assert response.status == 401
    assert tab.get_by_text("You are not logged in to Airflow.").is_visible()
    tab.screenshot(path=OUTPUT / "unauthenticated.png")
    tab.get_by_role("link", name="Log in to Airflow").click()
    tab.wait_for_url("**/auth/login**")
    tab.fill("input[name=username]", USER)
    tab.fill("input[name=password]", PASSWORD)
    tab.click("button[type=submit]")
    frame = tab.frame_locator("iframe[title='News Monitor']")
    frame.locator("h1.story-title").wait_for()
    assert "/plugin/newsmon/newsmon/stories/" in tab.url
    context.close()


def test_analyst_reviews_the_demo_story_from_the_navigation(page, airflow):
    frame = open_news_monitor(page)
    row = frame.locator("table.stories tbody tr", has_text=SYNDICATED_TITLE)
    assert row.locator(".copies .count").inner_text() == "3"
    assert row.locator(".topic").inner_text() == TOPIC
    assert "no feedback" in row.locator(".fb").inner_text()
    page.screenshot(path=OUTPUT / "stories.png")

    row.get_by_role("link").click()
    frame.locator("table.copies").wait_for()
    # Airflow mirrors the embedded page's address in its own, so the address bar is a deep link
    page.wait_for_url(f"**/plugin/newsmon/newsmon/stories/{airflow.data.story_id}**")
    copies = frame.locator("table.copies tbody tr")
    assert copies.count() == 3
    original = frame.locator("table.copies tbody tr.is-original")
    assert original.count() == 1
    assert "original" in original.locator("td.site").inner_text()
    assert "/wire/" in original.locator("td.title a").get_attribute("href")
    assert frame.locator(".original a").get_attribute("href") == original.locator("td.title a").get_attribute(
        "href"
    )
    assert frame.locator("mark.ev.term").count() >= 3
    assert frame.locator(".alerts", has_text="analysts@example.org").is_visible()
    assert "sent" in frame.locator(".alerts .badge").first.inner_text()
    page.set_viewport_size({"width": 1400, "height": 2300})  # the whole story in one screenshot
    page.screenshot(path=OUTPUT / "story.png")
    page.set_viewport_size({"width": 1400, "height": 1500})

    frame.locator("textarea[name=note]").fill("Confirmed by the ministry.")
    frame.get_by_role("button", name="Relevant", exact=False).first.click()
    frame.locator(".notice", has_text="Saved").wait_for()

    page.reload()
    frame = page.frame_locator("iframe[title='News Monitor']")
    frame.locator(".feedback .current").wait_for()
    assert "relevant" in frame.locator(".feedback .current").inner_text()
    assert frame.locator(".fb-list", has_text="Confirmed by the ministry.").is_visible()
    assert frame.locator(".fb-list", has_text=USER).is_visible()
    page.screenshot(path=OUTPUT / "story_after_feedback.png")

    frame.get_by_role("link", name="← Flagged stories").click()
    row = frame.locator("table.stories tbody tr", has_text=SYNDICATED_TITLE)
    row.wait_for()
    assert "relevant" in row.locator(".fb").inner_text()
    assert "you: relevant" in row.locator(".fb").inner_text()
    assert page.dialogs == []


def test_alert_email_link_and_a_merged_story_link_open_the_story(page, airflow):
    data = airflow.data
    link = _alert_link(next(m for m in data.emails if SYNDICATED_TITLE in m["Subject"]), airflow.base)
    assert link == f"{airflow.base}/newsmon/stories/{data.story_id}"
    page.goto(link)
    assert page.locator("h1.story-title").inner_text() == SYNDICATED_TITLE
    page.screenshot(path=OUTPUT / "story_from_email.png")

    # An old link to a story that was since folded into this one lands on the surviving story.
    page.goto(f"{airflow.base}/newsmon/stories/{data.hostile.merged_id}")
    assert page.url.endswith(f"/newsmon/stories/{data.story_id}")
    assert page.locator("h1.story-title").inner_text() == SYNDICATED_TITLE

    # Opened on its own, the page offers the way back into the Airflow UI, embedded.
    page.get_by_role("link", name="Open in Airflow").click()
    frame = page.frame_locator("iframe[title='News Monitor']")
    assert frame.locator("h1.story-title").inner_text() == SYNDICATED_TITLE
    assert f"/plugin/newsmon/newsmon/stories/{data.story_id}" in page.url
    page.screenshot(path=OUTPUT / "story_in_airflow_from_link.png")
    assert page.dialogs == []


def test_script_in_stored_text_is_shown_as_text(page, airflow):
    frame = open_news_monitor(page)
    link = frame.get_by_role("link", name=SCRIPT_TITLE)
    assert link.is_visible()
    link.click()
    frame.locator("h1.story-title").wait_for()
    assert frame.locator("h1.story-title").inner_text() == SCRIPT_TITLE
    assert frame.locator(".article", has_text="<script>alert(5)</script>").is_visible()
    assert frame.locator(".article", has_text="<img src=x onerror=alert(2)>").is_visible()
    # a javascript: URL is not made a link
    assert frame.locator(".original a").count() == 0
    page.wait_for_timeout(300)
    page.screenshot(path=OUTPUT / "story_hostile.png")
    assert page.dialogs == []


def test_all_stories_lists_what_no_topic_flagged(page, airflow):
    frame = open_news_monitor(page)
    frame.get_by_role("link", name="All stories").click()
    frame.locator("h1", has_text="All stories").wait_for()
    rows = frame.locator("table.stories tbody tr")
    assert rows.count() == 13 + 1  # the demo's 13 stories and the seeded hostile one (merged ones hidden)
    unflagged = frame.locator("tr.unflagged", has_text="PDF preview flaw")
    assert "not flagged" in unflagged.inner_text()
    page.screenshot(path=OUTPUT / "all_stories.png")
    unflagged.get_by_role("link").click()
    frame.locator("h2", has_text="Not flagged").wait_for()
    assert frame.locator("h1.story-title").inner_text().startswith("Patch now: PDF preview flaw")
    page.screenshot(path=OUTPUT / "story_unflagged.png")
    assert page.dialogs == []


def test_feed_health_explains_a_failing_feed(page, airflow):
    frame = open_news_monitor(page)
    frame.get_by_role("link", name="Feed health").click()
    failing = frame.locator("tr.status-backing_off")
    failing.wait_for()
    assert "Broken Wire <b>bold</b>" in failing.inner_text()
    assert "HTTP 503 Service Unavailable <script>alert(4)</script>" in failing.inner_text()
    assert "3×" in failing.inner_text()
    wire = frame.locator("tr.status-ok", has_text="Meridian Wire")
    entries, stories = (int(n) for n in wire.locator("td.num").all_inner_texts())
    assert entries >= 4 and 1 <= stories <= entries
    assert frame.locator("tr.status-ok").count() == 4  # the four demo feeds
    page.screenshot(path=OUTPUT / "feeds.png")
    assert page.dialogs == []
