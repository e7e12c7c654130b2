"""Run-time settings: where the database and the user-edited files are, and the knobs of each stage.

Values come from environment variables (NEWSMON_*), so Airflow workers, the CLI and tests configure newsmon
the same way; the Airflow DAG adds what only Airflow knows (the `newsmon_db` connection) on top.
Secrets never live here: the SMTP server and the database password come from Airflow connections or the
environment of the process.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[3]


def default_config_dir() -> Path:
    """The repo's `config/` when running from a checkout (the usual case), else the working directory's."""
    candidate = REPO_ROOT / "config"
    return candidate if candidate.is_dir() else Path.cwd() / "config"


def default_db_url(env: Mapping[str, str]) -> str:
    home = env.get("AIRFLOW_HOME") or str(Path.home() / ".newsmon")
    return f"sqlite:///{Path(home) / 'newsmon.db'}"


_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|min|h|d|w)?\s*$", re.IGNORECASE)
_UNIT_SECONDS = {None: 1, "s": 1, "m": 60, "min": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(raw: str) -> timedelta:
    """ "900" (seconds), "15m", "6h", "30d", "2w": how operators and analysts write a span of time.

    Raises ValueError with the accepted spellings."""
    match = _DURATION.match(raw or "")
    if not match:
        raise ValueError(f"{raw!r} is not a duration (write 900, 15m, 6h, 30d or 2w)")
    unit = match.group(2).lower() if match.group(2) else None
    return timedelta(seconds=float(match.group(1)) * _UNIT_SECONDS[unit])


def _split(value: str | None) -> frozenset[str]:
    return frozenset(p.strip() for p in (value or "").split(",") if p.strip())


def _discovery_file(value: str | None, config_dir: Path) -> Path | None:
    """NEWSMON_DISCOVERY_FILE: a path, "off" for no discovery (the demo), unset for config/discovery.yaml."""
    if value and value.strip().lower() in ("off", "none"):
        return None
    return Path(value) if value else config_dir / "discovery.yaml"


@dataclass(frozen=True)
class Settings:
    db_url: str
    config_dir: Path
    feeds_file: Path
    topics_dir: Path
    # Airflow maps one task per batch. A retry redoes only the batch's entries still waiting (each page is
    # committed as it is stored), so size is bounded by parallelism, not by retry cost; a batch downloads
    # its hosts' pages in parallel itself. Measured with bench/pipeline.py (2,000 articles, 2026-12-01):
    # under Celery (2 workers x 2 slots) 10 tasks of 200 against 20 of 100 took the fetch from 29.8 to
    # 26.7 s of wall (105.5 -> 94.3 task-s: half the task start-ups, one run each); locally the fetch was
    # 21.1 and 22.7 task-s in two runs at 200 against 22.2 at 100, within the runs' noise. Earlier, 40
    # tasks of 50 -> 20 of 100 had cut Airflow's own time per run by 1.8 s locally.
    # At most batch_size * max_batches entries (3,200) are fetched per run; the rest wait for the next.
    batch_size: int = 200
    max_batches: int = 16
    poll_interval: timedelta = timedelta(minutes=15)
    # "host:port" pairs that may be loopback/private, e.g. the demo server. Nothing else is opened.
    allowed_private: frozenset[str] = field(default_factory=frozenset)
    ui_url: str = "http://localhost:8080/newsmon"
    max_fetch_attempts: int = 3
    http_workers: int = 8
    # Seconds one request (feed or page) may take in all, redirects and body included.
    http_timeout: float = 60.0
    # Politeness per host, shared by every worker through the database: requests in flight, seconds
    # between request starts (a longer robots.txt Crawl-delay wins), and how long a request may wait
    # for its host before it is left for a later run.
    host_concurrency: int = 2
    host_delay: float = 1.0
    host_max_wait: float = 30.0
    # Fairness: a feed has at most `feed_backlog` entries waiting (older ones are skipped, counted on the
    # feed) and at most `feed_fetch_per_run` of them are fetched in one run.
    feed_backlog: int = 200
    feed_fetch_per_run: int = 50
    # The discovery providers (config/discovery.yaml); None or a missing file: no discovery.
    discovery_file: Path | None = None
    # Backfill (re-scoring the archive for a new or changed topic): how far back by default, and how old
    # a story must be for a flag found on it to go into the one summary email instead of an alert of its
    # own; stories per mapped task.
    backfill_since: timedelta = timedelta(days=30)
    backfill_quiet_age: timedelta = timedelta(hours=24)
    backfill_batch: int = 200

    def with_(self, **changes: Any) -> Settings:
        return replace(self, **changes)


def load_settings(env: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
    env = os.environ if env is None else env
    config_dir = Path(env.get("NEWSMON_CONFIG_DIR") or default_config_dir())
    settings = Settings(
        db_url=env.get("NEWSMON_DB_URL") or default_db_url(env),
        config_dir=config_dir,
        feeds_file=Path(env.get("NEWSMON_FEEDS_FILE") or config_dir / "feeds.yaml"),
        topics_dir=Path(env.get("NEWSMON_TOPICS_DIR") or config_dir / "topics"),
        discovery_file=_discovery_file(env.get("NEWSMON_DISCOVERY_FILE"), config_dir),
        batch_size=int(env.get("NEWSMON_BATCH_SIZE", 200)),
        poll_interval=timedelta(minutes=float(env.get("NEWSMON_POLL_MINUTES", 15))),
        allowed_private=_split(env.get("NEWSMON_ALLOW_PRIVATE")),
        ui_url=env.get("NEWSMON_UI_URL", "http://localhost:8080/newsmon"),
        host_delay=float(env.get("NEWSMON_HOST_DELAY", 1.0)),
        host_concurrency=int(env.get("NEWSMON_HOST_CONCURRENCY", 2)),
        host_max_wait=float(env.get("NEWSMON_HOST_MAX_WAIT", 30.0)),
        http_timeout=float(env.get("NEWSMON_HTTP_TIMEOUT", 60.0)),
        feed_backlog=int(env.get("NEWSMON_FEED_BACKLOG", 200)),
        feed_fetch_per_run=int(env.get("NEWSMON_FEED_FETCH_PER_RUN", 50)),
        backfill_since=parse_duration(env.get("NEWSMON_BACKFILL_SINCE", "30d")),
        backfill_quiet_age=parse_duration(env.get("NEWSMON_BACKFILL_QUIET_AGE", "24h")),
        backfill_batch=int(env.get("NEWSMON_BACKFILL_BATCH", 200)),
    )
    return replace(settings, **overrides) if overrides else settings
