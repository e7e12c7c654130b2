"""The health banner in a real Airflow api-server, seen through Debian's Chromium.

The demo pipeline ran while the SMTP server was down, and its alerts were queued two hours before the page
is opened (the alert stage takes its time as an argument), so they have waited far past the 30-minute fail
threshold without the test waiting for anything. The operator opens the News Monitor, sees the banner,
follows it to the cause; the mail server comes back, the next delivery goes out, and the banner is gone.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from newsmon import pipeline
from newsmon.cli.demo import demo_feeds_yaml
from newsmon.demo.server import DemoServer
from newsmon.store.db import get_engine, upgrade
from tests.ui.airflow_server import airflow_home, api_server, chromium, log_in, migrating
from tests.ui.outage import LateSmtp, demo_settings, run_demo

OUTPUT = Path(__file__).parent / "output"


@pytest.fixture(scope="module")
def outage(tmp_path_factory) -> Iterator[tuple]:
    home = airflow_home(tmp_path_factory.mktemp("airflow-health"))
    smtp = LateSmtp()
    try:
        with migrating(home), DemoServer(port=0) as demo:
            feeds_file = home.home / "feeds.yaml"
            feeds_file.write_text(demo_feeds_yaml(demo.base_url, demo.feeds()), encoding="utf-8")
            upgrade(home.newsmon_db_url)
            settings = demo_settings(home.newsmon_db_url, feeds_file)
            t0 = pipeline.utcnow()
            counts = run_demo(settings, smtp.config, t0, alerts_at=t0 - timedelta(hours=2))
        assert counts["queued"] >= 1 and counts["sent"] == 0
        get_engine(home.newsmon_db_url).dispose()  # the api-server process opens its own connections
        with api_server(home):
            yield home, settings, smtp, counts
    finally:
        smtp.stop()


def test_the_banner_shows_the_outage_links_to_its_cause_and_clears_after_delivery(outage):
    home, settings, smtp, counts = outage
    base = home.base
    anonymous = httpx.get(f"{base}/newsmon/api/health", timeout=10)
    assert (anonymous.status_code, anonymous.json()) == (503, {"status": "fail"})
    assert httpx.get(f"{base}/newsmon/api/health/detail", timeout=10).status_code == 401

    OUTPUT.mkdir(exist_ok=True)
    with chromium() as browser:
        context = browser.new_context(
            viewport={"width": 1400, "height": 900}, storage_state=log_in(browser, base)
        )
        tab = context.new_page()
        tab.goto(f"{base}/plugin/newsmon")  # the News Monitor, embedded in the Airflow UI
        frame = tab.frame_locator("iframe[title='News Monitor']")
        frame.locator("h1", has_text="Flagged stories").wait_for()

        banner = frame.locator("#health-banner")
        assert banner.is_visible()
        assert "fail" in banner.get_attribute("class")
        assert "newsmon is failing" in banner.inner_text()
        link = banner.locator("a[data-check=pending_alerts]")
        assert f"{counts['queued']} alert" in link.inner_text() and "waiting 2 h" in link.inner_text()
        tab.screenshot(path=OUTPUT / "health_banner.png")

        link.click()
        row = frame.locator("tr#pending_alerts")
        row.wait_for()
        assert "check-fail" in row.get_attribute("class")
        cause = row.locator("td.cause").inner_text()
        assert "SMTP" in cause and str(smtp.config.port) in cause, cause
        assert frame.locator("h1 .badge", has_text="fail").is_visible()
        tab.screenshot(path=OUTPUT / "health_page.png")

        # The mail server is back: the next run's delivery empties the queue and the page is all clear.
        smtp.start()
        delivered = pipeline.send_alerts(settings, smtp.config)
        assert delivered["sent"] == counts["queued"] and delivered["pending"] == 0
        tab.goto(f"{base}/plugin/newsmon")
        frame = tab.frame_locator("iframe[title='News Monitor']")
        frame.locator("h1", has_text="Flagged stories").wait_for()
        assert frame.locator("#health-banner").count() == 0
        tab.screenshot(path=OUTPUT / "health_clear.png")
        context.close()
    cleared = httpx.get(f"{base}/newsmon/api/health", timeout=10)
    assert (cleared.status_code, cleared.json()) == (200, {"status": "ok"})
