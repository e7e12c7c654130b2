"""The News Monitor page in a real Airflow api-server, driven by Debian's Chromium through Playwright.

One api-server for the module (about 5 s to start): the plugin is loaded from the repo's plugins/
folder exactly as in production, and the login is Airflow's simple auth manager with a fixed password.
Screenshots of every page land in tests/ui/output/ (git-ignored) for a human to look at.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.conftest import REPO
from tests.ui.seed import SCRIPT_TITLE, Seeded, seed

OUTPUT = Path(__file__).parent / "output"
USER, PASSWORD = "analyst", "correct-horse-battery"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@dataclass(frozen=True)
class Server:
    base: str
    data: Seeded


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def airflow(tmp_path_factory) -> Iterator[Server]:
    home = tmp_path_factory.mktemp("airflow-ui")
    (home / "dags").mkdir()
    passwords = home / "passwords.json"
    passwords.write_text(json.dumps({USER: PASSWORD}), encoding="utf-8")
    data = seed(f"sqlite:///{home / 'newsmon.db'}")
    env = {
        **os.environ,
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DAGS_FOLDER": str(home / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(REPO / "plugins"),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{USER}:admin",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(passwords),
        "AIRFLOW__API_AUTH__JWT_SECRET": "newsmon-ui-test-secret",
        "NEWSMON_DB_URL": data.url,
    }
    airflow_bin = str(Path(sys.executable).parent / "airflow")
    subprocess.run([airflow_bin, "db", "migrate"], env=env, check=True, capture_output=True, timeout=120)
    port = _free_port()
    log = (home / "api-server.log").open("wb")
    proc = subprocess.Popen(
        [airflow_bin, "api-server", "-H", "127.0.0.1", "-p", str(port), "-w", "1"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 45
        while True:
            try:
                if httpx.get(f"{base}/api/v2/monitor/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError((home / "api-server.log").read_text(errors="replace")[-3000:])
            time.sleep(0.3)
        yield Server(base, data)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    OUTPUT.mkdir(exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, airflow):
    """A logged-in Airflow tab that records every JavaScript dialog (none may ever open)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1500})
    tab = context.new_page()
    tab.dialogs = []
    tab.on("dialog", lambda d: (tab.dialogs.append(d.message), d.dismiss()))
    tab.goto(f"{airflow.base}/")
    tab.wait_for_url("**/auth/login**")
    tab.fill("input[name=username]", USER)
    tab.fill("input[name=password]", PASSWORD)
    tab.click("button[type=submit]")
    tab.wait_for_url(f"{airflow.base}/")
    yield tab
    context.close()


def _open_news_monitor(tab):
    tab.get_by_role("button", name="Browse").click()
    tab.get_by_role("menuitem", name="News Monitor").click()
    frame = tab.frame_locator("iframe")
    frame.locator("h1", has_text="Flagged stories").wait_for()
    return frame


def test_every_route_refuses_anonymous_requests(airflow, browser):
    sid = airflow.data.repatriation_id
    for method, path in [
        ("GET", "/newsmon/"),
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

    context = browser.new_context(viewport={"width": 1000, "height": 500})
    tab = context.new_page()
    response = tab.goto(f"{airflow.base}/newsmon/")
    assert response.status == 401
    assert tab.get_by_text("You are not logged in to Airflow.").is_visible()
    tab.screenshot(path=OUTPUT / "unauthenticated.png")
    context.close()


def test_analyst_reviews_a_story_from_the_navigation(page, airflow):
    frame = _open_news_monitor(page)
    row = frame.locator("table.stories tbody tr", has_text="Fourteen children of foreign fighters")
    assert row.locator(".copies .count").inner_text() == "3"
    assert row.locator(".topic").inner_text() == "repatriation"
    assert "no feedback" in row.locator(".fb").inner_text()
    page.screenshot(path=OUTPUT / "stories.png")

    row.get_by_role("link").click()
    frame.locator("table.copies").wait_for()
    copies = frame.locator("table.copies tbody tr")
    assert copies.count() == 3
    assert {copies.nth(i).locator("td.site").inner_text().split()[0] for i in range(3)} == {
        "north.example",
        "wire.example",
        "nouvelles.example",
    }
    assert frame.locator("mark.ev.term", has_text="al-Hol camp").count() >= 1
    assert frame.locator(".alerts", has_text="desk@example.org").is_visible()
    page.screenshot(path=OUTPUT / "story.png")

    frame.locator("textarea[name=note]").fill("Confirmed by the ministry.")
    frame.get_by_role("button", name="Relevant", exact=False).first.click()
    frame.locator(".notice", has_text="Saved").wait_for()

    page.reload()
    frame = page.frame_locator("iframe")
    frame.locator(".feedback .current").wait_for()
    assert "relevant" in frame.locator(".feedback .current").inner_text()
    assert frame.locator(".fb-list", has_text="Confirmed by the ministry.").is_visible()
    assert frame.locator(".fb-list", has_text=USER).is_visible()
    page.screenshot(path=OUTPUT / "story_after_feedback.png")

    frame.get_by_role("link", name="← Flagged stories").click()
    row = frame.locator("table.stories tbody tr", has_text="Fourteen children of foreign fighters")
    row.wait_for()
    assert "relevant" in row.locator(".fb").inner_text()
    assert "you: relevant" in row.locator(".fb").inner_text()
    assert page.dialogs == []


def test_script_in_stored_text_is_shown_as_text(page, airflow):
    frame = _open_news_monitor(page)
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


def test_feed_health_explains_a_failing_feed(page, airflow):
    frame = _open_news_monitor(page)
    frame.get_by_role("link", name="Feed health").click()
    failing = frame.locator("tr.status-backing_off")
    failing.wait_for()
    assert "Broken Wire <b>bold</b>" in failing.inner_text()
    assert "HTTP 503 Service Unavailable <script>alert(4)</script>" in failing.inner_text()
    assert "3×" in failing.inner_text()
    ok = frame.locator("tr.status-ok", has_text="North Media")
    assert ok.locator("td.num").all_inner_texts() == ["2", "1"]  # entries, stories
    page.screenshot(path=OUTPUT / "feeds.png")
    assert page.dialogs == []
