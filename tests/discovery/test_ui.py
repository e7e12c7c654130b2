"""What the News Monitor shows of discovery, after a real pipeline run: how each copy of a story was found
(feed or discovery query), and the providers on Feed health with their last success, errors and next
request."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime

from airflow.api_fastapi.auth.managers.simple.user import SimpleAuthManagerUser
from airflow.api_fastapi.core_api.security import get_user
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from newsmon import pipeline
from newsmon.store import queries
from newsmon.store.db import session_scope
from newsmon.store.models import Copy, Entry
from newsmon.stories.urls import url_key
from newsmon_ui.app import create_app
from tests.discovery.conftest import DAILY, SEARCHES, WIRE, serve_story


def _client(db_url: str) -> TestClient:
    sub = create_app(lambda: db_url)
    sub.dependency_overrides[get_user] = lambda: SimpleAuthManagerUser(username="ann", role="viewer")
    root = FastAPI()
    root.mount("/newsmon", sub)
    return TestClient(root, base_url="http://testserver")


def _text(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def test_the_story_page_says_how_each_copy_was_found(discovery_settings, gdelt, demo_server):
    serve_story(gdelt, demo_server, russian=False)
    pipeline.run_once(discovery_settings, force_poll=True)
    base = demo_server.base_url
    with session_scope(discovery_settings.db_url) as s:
        wire_copy = s.scalar(select(Entry.copy_id).where(Entry.url_key == url_key(base + WIRE)))
        daily_copy = s.scalar(select(Entry.copy_id).where(Entry.url_key == url_key(base + DAILY)))
        story_id = s.scalar(select(Copy.story_id).where(Copy.id == wire_copy))
        detail = queries.story_detail(s, story_id)
    assert detail is not None
    by_copy = {c.copy_id: [f.label for f in c.found_by] for c in detail.copies}
    query = (
        "(child OR children OR kids) (repatriate OR repatriated OR repatriation) "
        + '(ISIS OR "al-Hol" OR Zhusan OR ISIL)'
    )
    assert (
        by_copy[wire_copy][0] == "feed Meridian Wire"
    )  # the feed first, then the searches that found it too
    assert f"discovery: gdelt '{query}' (en)" in by_copy[wire_copy]
    assert by_copy[daily_copy][0] == f"discovery: gdelt '{query}' (en)"
    assert not any(label.startswith("feed") for label in by_copy[daily_copy])

    page = _client(discovery_settings.db_url).get(f"/newsmon/stories/{story_id}")
    assert page.status_code == 200
    text = _text(page.text)
    assert "Found by" in text and "feed Meridian Wire" in text
    assert f"discovery: gdelt '{query}' (en)" in text
    assert '"al-Hol"' not in page.text  # quotes of the query are escaped in the page


def test_feed_health_lists_the_providers_with_last_success_errors_and_next_request(discovery_settings, gdelt):
    client = _client(discovery_settings.db_url)
    pipeline.prepare(discovery_settings)
    pipeline.discover(discovery_settings)
    page = client.get("/newsmon/feeds")
    text = _text(page.text)
    assert "Discovery providers" in text and "gdelt" in text and gdelt.url in text
    (state,) = client.get("/newsmon/api/discovery").json()
    assert state["status"] == "ok" and state["provider"]["queries"] == SEARCHES
    assert state["provider"]["last_success_at"] and state["provider"]["next_run_at"]
    success = datetime.fromisoformat(state["provider"]["last_success_at"]).astimezone(UTC)
    assert success.strftime("%Y-%m-%d %H:%M UTC") in text

    gdelt.trouble = "down"
    pipeline.discover(discovery_settings, force=True)
    page = client.get("/newsmon/feeds")
    text = _text(page.text)
    assert "backing off" in text and "http_5xx" in text and "HTTP 503" in text
    (state,) = client.get("/newsmon/api/discovery").json()
    assert state["status"] == "backing_off" and state["provider"]["consecutive_errors"] == 1
    next_request = datetime.fromisoformat(state["provider"]["next_run_at"]).astimezone(UTC)
    assert next_request.strftime("%Y-%m-%d %H:%M UTC") in text

    gdelt.trouble = None
    gdelt.articles["english"] = []
    discovery_settings.discovery_file.write_text("providers: []\n", encoding="utf-8")
    pipeline.prepare(discovery_settings)
    text = _text(client.get("/newsmon/feeds").text)
    assert "removed" in text and "never (not configured or disabled)" in text


def test_a_failing_query_shows_on_its_provider(discovery_settings, gdelt):
    gdelt.trouble = "broken_json"
    pipeline.prepare(discovery_settings)
    pipeline.discover(discovery_settings)
    text = _text(_client(discovery_settings.db_url).get("/newsmon/feeds").text)
    assert f"{SEARCHES} queries failing" in text and "bad_answer: not JSON" in text
