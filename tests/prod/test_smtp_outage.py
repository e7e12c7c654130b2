"""The SMTP server is down during a run, then comes back: each alert reaches it exactly once, even with two
deliverers racing for the backlog once it is up (PostgreSQL, real aiosmtpd)."""

from __future__ import annotations

import threading
from datetime import timedelta

from newsmon import pipeline
from newsmon.alerts.smtp import SmtpConfig
from newsmon.config.settings import load_settings
from tests.prod.helpers import alert_headers, counts
from tests.smtp_server import MailServer


def test_alerts_wait_for_the_server_then_each_is_delivered_once(pg_url, demo_server, demo_feeds_file):
    sink = MailServer()  # created (its port chosen) but not started: the server is down
    smtp = SmtpConfig.from_url(sink.url)
    settings = load_settings().with_(db_url=pg_url, feeds_file=demo_feeds_file)
    summary = pipeline.run_once(settings, smtp=smtp, force_poll=True)
    assert summary["alerts"]["sent"] == 0 and summary["alerts"]["pending"] == summary["alerts"]["queued"] > 0
    queued = summary["alerts"]["queued"]
    t0 = pipeline.utcnow()
    # Still down on the next run: nothing sent, nothing lost, nothing given up.
    again = pipeline.send_alerts(settings, smtp, now=t0 + timedelta(minutes=2))
    assert again["sent"] == 0 and again["failed"] == 0 and again["pending"] == queued

    sink.start()
    try:
        later = t0 + timedelta(minutes=5)  # past the outage back-off
        reports: list[dict] = []
        racers = [
            threading.Thread(target=lambda: reports.append(pipeline.send_alerts(settings, smtp, now=later)))
            for _ in range(2)
        ]
        for t in racers:
            t.start()
        for t in racers:
            t.join(60)
        assert sum(r["sent"] for r in reports) == queued
        # and a run after that sends nothing more
        assert pipeline.send_alerts(settings, smtp, now=later + timedelta(hours=3))["sent"] == 0
        sent = alert_headers(sink.messages)
    finally:
        sink.stop()
    assert len(sent) == queued == counts(pg_url)["alerts_sent"]
    assert set(sent.values()) == {1}, sent
