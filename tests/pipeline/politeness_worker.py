"""What each of the two processes of test_shared_politeness runs (a module of its own: `spawn` imports it)."""

from __future__ import annotations

import logging


class GrantLog(logging.Handler):
    """Collects the limiter's "request granted at T" records: the start times this process was given."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.grants: list[tuple[str, float]] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.msg.startswith("host %s: request granted"):
            self.grants.append((record.args[0], record.args[1]))


def poll_once(settings, barrier, results) -> None:
    from newsmon import pipeline

    grants = GrantLog()
    logger = logging.getLogger("newsmon.http.politeness")
    logger.setLevel(logging.DEBUG)
    logger.addHandler(grants)
    barrier.wait(120)  # both processes start polling together
    counts = pipeline.poll_feeds(settings, force=True)
    results.put((counts, grants.grants))
