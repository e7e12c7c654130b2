"""Shared test fixtures: a private Airflow home, fresh databases on SQLite and PostgreSQL, the demo server.

The Airflow environment is set here, at import, because Airflow reads it once when first imported.
"""

from __future__ import annotations

import os
import sys
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.smtp_server import MailServer

REPO = Path(__file__).resolve().parents[1]
_HOME = Path(tempfile.mkdtemp(prefix="newsmon-airflow-"))
os.environ.update(
    {
        "AIRFLOW_HOME": str(_HOME),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(REPO / "plugins"),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{_HOME / 'airflow.db'}",
        "NEWSMON_CONFIG_DIR": str(REPO / "config"),
        # politeness delays are tested in tests/http; here they would only slow the demo server down
        "NEWSMON_HOST_DELAY": "0",
        "NEWSMON_RETRY_SECONDS": "1",  # a failing task in a test should fail fast, not back off for minutes
    }
)
for name in (
    "NEWSMON_DB_URL",
    "NEWSMON_FEEDS_FILE",
    "NEWSMON_TOPICS_DIR",
    "NEWSMON_SMTP_URL",
    "NEWSMON_ALLOW_PRIVATE",
):
    os.environ.pop(name, None)
for folder in ("dags", "plugins"):
    if str(REPO / folder) not in sys.path:
        sys.path.insert(0, str(REPO / folder))

PG_ADMIN = os.environ.get("NEWSMON_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


def _pg_admin():
    import psycopg

    return psycopg.connect(PG_ADMIN.replace("postgresql+psycopg", "postgresql"), autocommit=True)


def create_pg_database() -> str:
    """A new, empty PostgreSQL database for one test; PostgreSQL must be up (CI starts it): no skipping."""
    name = f"newsmon_t_{uuid.uuid4().hex[:12]}"
    with _pg_admin() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
    return f"{base}/{name}"


def drop_pg_database(url: str) -> None:
    from newsmon.store.db import get_engine

    get_engine(url).dispose()
    name = url.rsplit("/", 1)[1]
    with _pg_admin() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_db_url(request, tmp_path) -> Iterator[str]:
    """An empty database of each kind newsmon supports."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'newsmon.db'}"
        return
    url = create_pg_database()
    try:
        yield url
    finally:
        drop_pg_database(url)


@pytest.fixture
def db_url(empty_db_url: str) -> str:
    """A migrated database of each kind newsmon supports."""
    from newsmon.store.db import upgrade

    upgrade(empty_db_url)
    return empty_db_url


@pytest.fixture
def demo_server():
    from newsmon.demo.server import DemoServer

    with DemoServer(port=0) as server:
        yield server


@pytest.fixture
def demo_feeds_file(tmp_path, demo_server) -> Path:
    from newsmon.cli.demo import demo_feeds_yaml

    path = tmp_path / "feeds.yaml"
    path.write_text(demo_feeds_yaml(demo_server.base_url, demo_server.feeds()), encoding="utf-8")
    return path


@pytest.fixture
def smtp_sink() -> Iterator[MailServer]:
    sink = MailServer().start()
    try:
        yield sink
    finally:
        sink.stop()
