"""Where the News Monitor page finds the newsmon database, and making sure its schema is there."""

from __future__ import annotations

import logging
import threading
from functools import lru_cache

log = logging.getLogger(__name__)
_upgraded: set[str] = set()
_lock = threading.Lock()


@lru_cache(maxsize=1)
def db_url() -> str:
    """The same database the DAG writes to: the Airflow-aware settings when the project's Airflow glue
    is present (it also honours the `newsmon_db` connection), else plain newsmon settings (env vars)."""
    try:
        from newsmon_airflow import settings_from_airflow  # plugins/newsmon_airflow.py
    except ImportError:
        from newsmon.config.settings import load_settings

        return load_settings().db_url
    return settings_from_airflow().db_url


def ensure_schema(url: str) -> None:
    """Migrate once per process, so the page works before the DAG's first run created the tables."""
    if url in _upgraded:
        return
    with _lock:
        if url in _upgraded:
            return
        from newsmon.store.db import upgrade

        upgrade(url)
        _upgraded.add(url)
        log.info("newsmon schema checked for the News Monitor page")
