"""The health endpoint and banner through the News Monitor app (mounted under /newsmon, as Airflow mounts it).

The data is the real pipeline's on the demo corpus (served from 127.0.0.1), on SQLite and PostgreSQL, with
a real SMTP server on 127.0.0.1 that is down, then up. The app's clock is injected, so "down for longer than
the threshold" is a clock 31 minutes on, not 31 minutes of waiting.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta

import pytest
from airflow.api_fastapi.auth.managers.simple.user import SimpleAuthManagerUser
from airflow.api_fastapi.core_api.security import get_user
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from newsmon import pipeline
from newsmon.health import Thresholds
from newsmon.store.db import session_scope
from newsmon.store.models import Copy, Feed, Story
from newsmon_ui.app import create_app
from tests.ui.outage import LateSmtp, demo_settings, run_demo


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def _client(url: str, clock: Clock, *, user: str | None = "ops") -> TestClient:
    app = create_app(lambda: url, clock=clock, thresholds=Thresholds)  # the documented defaults
    if user is not None:
        app.dependency_overrides[get_user] = lambda: SimpleAuthManagerUser(username=user, role="viewer")
    root = FastAPI()
    root.mount("/newsmon", app)
    return TestClient(root, base_url="http://testserver")


@pytest.fixture
def smtp_down():
    late = LateSmtp()
    try:
        yield late
    finally:
        late.stop()


def test_health_fails_while_smtp_is_down_past_the_threshold_and_recovers_after_delivery(
    db_url, demo_feeds_file, smtp_down
):
    t0 = pipeline.utcnow()
    smtp = smtp_down.config
    settings = demo_settings(db_url, demo_feeds_file)
    first = run_demo(settings, smtp, t0)
    assert first["queued"] >= 1 and first["sent"] == 0 and first["pending"] == first["queued"]
    clock = Clock(t0 + timedelta(minutes=10))
    client = _client(db_url, clock)

    # Ten minutes in: the alerts wait, but not yet for long.
    live = client.get("/newsmon/api/health")
    assert (live.status_code, live.json()) == (200, {"status": "ok"})

    # The next runs cannot reach the server either; past 15 minutes the check warns, past 30 it fails.
    pipeline.send_alerts(settings, smtp, now=t0 + timedelta(minutes=16))
    clock.now = t0 + timedelta(minutes=16)
    assert client.get("/newsmon/api/health").json() == {"status": "warn"}
    pipeline.send_alerts(settings, smtp, now=t0 + timedelta(minutes=31))
    clock.now = t0 + timedelta(minutes=31)
    live = client.get("/newsmon/api/health")
    assert (live.status_code, live.json()) == (503, {"status": "fail"})
    detail = client.get("/newsmon/api/health/detail")
    assert detail.status_code == 503
    checks = {c["name"]: c for c in detail.json()["checks"]}
    pending = checks["pending_alerts"]
    assert pending["status"] == "fail" and pending["value"] == 31 * 60
    assert (pending["warn"], pending["fail"]) == (15 * 60, 30 * 60)
    assert f"{first['queued']} alert" in pending["summary"] and "31 min" in pending["summary"]
    assert "SMTP" in pending["cause"] and str(smtp.port) in pending["cause"]
    assert {n: c["status"] for n, c in checks.items() if n != "pending_alerts"} == {
        "last_run": "ok",
        "newest_copy": "ok",
        "failing_feeds": "ok",
        "fetch_backlog": "ok",
    }
    # The page says so at a glance, and the banner links to where the cause is shown.
    page = client.get("/newsmon/").text
    banner = re.search(r'<div class="health-banner fail".*?</div>', page, re.S)
    assert banner, page[:2000]
    assert 'href="/newsmon/health#pending_alerts"' in banner.group(0)
    health_page = client.get("/newsmon/health").text
    assert 'id="pending_alerts" class="check-fail"' in health_page
    assert pending["cause"] in health_page.replace("&#39;", "'").replace("&quot;", '"')

    # The server comes back; the next run delivers everything and the check clears.
    smtp_down.start()
    delivered = pipeline.send_alerts(settings, smtp, now=t0 + timedelta(minutes=32))
    assert delivered["sent"] == first["queued"] and delivered["pending"] == 0
    assert len(smtp_down.messages) == first["queued"]
    clock.now = t0 + timedelta(minutes=33)
    live = client.get("/newsmon/api/health")
    assert (live.status_code, live.json()) == (200, {"status": "ok"})
    detail = client.get("/newsmon/api/health/detail").json()
    assert detail["status"] == "ok" and all(c["status"] == "ok" for c in detail["checks"])
    assert "health-banner" not in client.get("/newsmon/").text


def test_the_public_health_status_leaks_nothing_and_the_rest_needs_a_login(
    db_url, demo_feeds_file, smtp_down
):
    t0 = pipeline.utcnow()
    run_demo(demo_settings(db_url, demo_feeds_file), smtp_down.config, t0)
    with session_scope(db_url) as s:
        feeds = s.execute(select(Feed.url, Feed.name, Feed.title)).all()
        titles = s.scalars(select(Story.title)).all()
        sites = s.scalars(select(Copy.site)).all()
    secrets = {v for row in feeds for v in row if v} | {t for t in titles if t} | {s for s in sites if s}
    assert len(secrets) > 10
    anonymous = _client(db_url, Clock(t0 + timedelta(hours=3)), user=None)

    response = anonymous.get("/newsmon/api/health")
    assert response.status_code == 503
    assert response.content == b'{"status":"fail"}'  # one word: no names, counts, ages or errors
    assert json.loads(response.content) == {"status": "fail"}
    visible = response.text + " ".join(f"{k}: {v}" for k, v in response.headers.items())
    assert not [s for s in secrets if s in visible]
    assert not re.search(r"\d", response.text)
    assert response.headers["cache-control"] == "no-store"
    for path in ("/newsmon/api/health/detail", "/newsmon/health", "/newsmon/", "/newsmon/feeds"):
        refused = anonymous.get(path)
        assert refused.status_code == 401, path
        assert "health-banner" not in refused.text  # the 401 page shows no status either


def test_the_public_status_is_fail_when_the_database_cannot_be_read():
    client = _client("postgresql+psycopg://nobody@127.0.0.1:1/none", Clock(pipeline.utcnow()), user=None)
    response = client.get("/newsmon/api/health")
    assert (response.status_code, response.content) == (503, b'{"status":"fail"}')
