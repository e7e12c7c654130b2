"""What the production tests share: counting rows, finding duplicates, the reference result of one clean run,
and the processes they start (always in their own process group, always stopped by it).

Kept free of `tests.conftest` imports so that spawned worker processes can import it without side effects.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import func, select, text

from newsmon.store.db import session_scope
from newsmon.store.models import Alert, Copy, Entry, Feed, Flag, Story

REPO = Path(__file__).resolve().parents[2]
BIN = REPO / ".venv" / "bin"

# Each kind of row, and what keeps a second one from being written by a concurrent worker or a re-run.
GUARDS = {
    "entries": "uq_entries_feed_key",  # (feed_id, key): save_poll inserts through it
    "copies": "uq_copies_url_key",  # url_key: save_copy inserts through it
    "flags": "uq_flags_story_topic",  # (story_id, topic): record_flag inserts through it
    "alerts": "uq_alerts_story_topic",  # (story_id, topic): queue_alerts inserts through it
}
# Stories have no natural key: a story is created only by the fold stage, which runs under a
# transaction-scoped advisory lock (store.stories.lock_folding), so two folders never both create one.


def counts(db_url: str) -> dict[str, int]:
    """Rows per table; `live_stories` excludes stories merged into another."""
    with session_scope(db_url) as s:
        out = {
            model.__tablename__: s.scalar(select(func.count()).select_from(model))
            for model in (Feed, Entry, Copy, Story, Flag, Alert)
        }
        out["live_stories"] = s.scalar(
            select(func.count()).select_from(Story).where(Story.merged_into_id.is_(None))
        )
        out["entries_done"] = s.scalar(select(func.count()).select_from(Entry).where(Entry.state == "done"))
        out["alerts_sent"] = s.scalar(select(func.count()).select_from(Alert).where(Alert.status == "sent"))
    return out


def duplicates(db_url: str) -> dict[str, list]:
    """Every way a row could have been written twice, checked by query (not trusting the constraints)."""
    queries = {
        "entries": "SELECT feed_id, key FROM entries GROUP BY feed_id, key HAVING count(*) > 1",
        "entries_by_link": "SELECT feed_id, link FROM entries GROUP BY feed_id, link HAVING count(*) > 1",
        "copies": "SELECT url_key FROM copies GROUP BY url_key HAVING count(*) > 1",
        "copies_by_url": "SELECT url FROM copies GROUP BY url HAVING count(*) > 1",
        "flags": "SELECT story_id, topic FROM flags GROUP BY story_id, topic HAVING count(*) > 1",
        "alerts": "SELECT story_id, topic FROM alerts GROUP BY story_id, topic HAVING count(*) > 1",
        # a story twice = two live stories holding copies of one URL, or a copy left without a story
        "unfolded_copies": "SELECT id FROM copies WHERE story_id IS NULL",
        "empty_live_stories": "SELECT s.id FROM stories s WHERE s.merged_into_id IS NULL "
        "AND NOT EXISTS (SELECT 1 FROM copies c WHERE c.story_id = s.id)",
        "story_count_mismatch": "SELECT s.id FROM stories s WHERE s.merged_into_id IS NULL AND "
        "s.copies_count <> (SELECT count(*) FROM copies c WHERE c.story_id = s.id)",
        "alerts_on_merged_stories": "SELECT a.id FROM alerts a JOIN stories s ON s.id = a.story_id "
        "WHERE s.merged_into_id IS NOT NULL AND a.status = 'sent' AND EXISTS (SELECT 1 FROM alerts b "
        "WHERE b.story_id = s.merged_into_id AND b.topic = a.topic AND b.status = 'sent')",
    }
    with session_scope(db_url) as s:
        return {name: [tuple(r) for r in s.execute(text(q))] for name, q in queries.items()}


def constraint_names(db_url: str) -> set[str]:
    with session_scope(db_url) as s:
        return set(s.scalars(text("SELECT conname FROM pg_constraint WHERE contype = 'u'")))


def alert_headers(messages: Iterable) -> Counter:
    """How many times each alert (story/topic) reached the SMTP server; digests are not alerts."""
    return Counter(m["X-Newsmon-Alert"] for m in messages if m["X-Newsmon-Alert"])


def reference_counts(db_url: str, feeds_files: list[Path]) -> dict[str, int]:
    """The result of clean, sequential runs (one per feed file, in order) in one process: what a faulty or
    concurrent production run must end up equal to."""
    from newsmon import pipeline
    from newsmon.config.settings import load_settings

    for feeds in feeds_files:
        settings = load_settings().with_(db_url=db_url, feeds_file=feeds, host_delay=0.0)
        pipeline.run_once(settings, smtp=None, force_poll=True)
    return counts(db_url)


COMPARED = ("feeds", "entries", "copies", "stories", "live_stories", "flags", "alerts", "entries_done")


def comparable(c: dict[str, int]) -> dict[str, int]:
    return {k: c[k] for k in COMPARED}


def kill_group(pgid: int, sig: int = signal.SIGKILL) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, sig)


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
        return True
    except ProcessLookupError:
        return False


def stop_process(proc: subprocess.Popen, timeout: float = 10) -> None:
    """TERM the process group a test started, KILL it if it lingers."""
    if proc.poll() is None:
        kill_group(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            kill_group(proc.pid, signal.SIGKILL)
            proc.wait(5)
    deadline = time.monotonic() + timeout
    while group_alive(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    kill_group(proc.pid, signal.SIGKILL)


def wait_for(predicate, timeout: float, interval: float = 0.5, what: str = "condition"):
    """Poll until predicate() returns something truthy; fail with `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(interval)


def pipeline_worker(settings, entry_ids: list[int], barrier, smtp_url: str, results) -> None:
    """One of two competing 'workers' (a separate process): every stage on the same entries, in step."""
    from newsmon import pipeline
    from newsmon.alerts.smtp import SmtpConfig

    out = {}
    barrier.wait(30)
    out["fetch"] = pipeline.fetch_batch(settings, entry_ids)
    barrier.wait(60)
    out["fold"] = pipeline.fold_stories(settings)
    barrier.wait(60)
    out["flag"] = pipeline.flag_topics(settings)
    barrier.wait(60)
    out["alerts"] = pipeline.send_alerts(settings, SmtpConfig.from_url(smtp_url))
    results.put(out)
