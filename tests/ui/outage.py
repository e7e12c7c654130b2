"""The demo pipeline run while the SMTP server is down: the state the health tests start from."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from newsmon import pipeline
from newsmon.config.settings import Settings, load_settings
from tests.smtp_server import MailServer


class LateSmtp:
    """A real SMTP server on 127.0.0.1 that is not listening yet: its port refuses connections until
    `start()`, as a mail server that is down does."""

    def __init__(self) -> None:
        self.server = MailServer()
        self.config = self.server.config
        self.started = False

    def start(self) -> None:
        self.server.start()
        self.started = True

    def stop(self) -> None:
        if self.started:
            self.server.stop()
            self.started = False

    @property
    def messages(self):
        return self.server.messages


def demo_settings(db_url: str, feeds_file: Path) -> Settings:
    return load_settings().with_(db_url=db_url, feeds_file=feeds_file)


def run_demo(settings: Settings, smtp, t0: datetime, *, alerts_at: datetime | None = None) -> dict[str, int]:
    """Every stage once at time t0, as the DAG runs them (alerts queued and tried at `alerts_at`, t0 unless
    given), and the run recorded as finished at t0."""
    pipeline.prepare(settings, now=t0)
    pipeline.poll_feeds(settings, now=t0, force=True)
    for batch in pipeline.plan_fetch(settings):
        pipeline.fetch_batch(settings, batch, now=t0)
    pipeline.fold_stories(settings, now=t0)
    pipeline.flag_topics(settings, now=t0)
    counts = pipeline.send_alerts(settings, smtp, now=alerts_at or t0)
    pipeline.record_run(settings, f"demo-run-{t0.isoformat()}", started_at=t0, now=t0)
    return counts
