"""Engines, sessions and migrations.

Migrations run on start (by `newsmon db upgrade`, the run commands and the DAG's first task), never by hand.
On PostgreSQL an advisory lock serialises concurrent upgrades from several workers.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

from sqlalchemy import CursorResult, Engine, Executable, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).parent / "migrations"
HEAD_REVISION = "0012"
"""The newest migration's revision (tests/store checks it against the scripts): a database already at it
is recognised with one query, without importing and running Alembic (0.4 s in a fresh task process)."""
_LOCK_KEY = 0x6E6577736D6F6E  # "newsmon"
CHUNK = 500
"""Values per ``IN (...)`` list, rows per multi-row statement: well under every driver's parameter limit."""

_T = TypeVar("_T")


def chunks(values: Sequence[_T], size: int = CHUNK) -> Iterator[Sequence[_T]]:
    """Consecutive slices of ``values``, ``size`` long (the last shorter): one query each."""
    for i in range(0, len(values), size):
        yield values[i : i + size]


def normalise_url(url: str) -> str:
    """Accept the spellings people and Airflow connections use and pick the driver we ship (psycopg 3)."""
    parsed = make_url(url)
    if parsed.drivername in ("postgres", "postgresql"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def _sqlite_pragmas(dbapi_conn: DBAPIConnection, _record: object) -> None:
    cur = dbapi_conn.cursor()
    # WAL lets the UI read while a task writes; busy_timeout makes concurrent writers wait, not fail.
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    # The fold's bucket index grows with the archive (about 30 MB per 10,000 copies) and every copy
    # writes a hundred-odd random pages of it in one transaction. SQLite's default 2 MB page cache
    # cannot hold the pages the fold dirties, so they went to the file before the commit: at 10,000
    # stored copies 1.8 s of system time per 1,000 copies folded, 0.3 s with a 64 MB cache (a ceiling,
    # taken only as pages are touched). A memory map for reads (mmap_size) took no system time off.
    cur.execute("PRAGMA cache_size=-65536")
    cur.close()


@lru_cache(maxsize=16)
def get_engine(url: str) -> Engine:
    """One engine per URL per process: engines own connection pools and are meant to be shared."""
    url = normalise_url(url)
    if url.startswith("sqlite"):
        path = make_url(url).database
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5)


@lru_cache(maxsize=16)
def _sessionmaker(url: str) -> sessionmaker[Session]:
    return sessionmaker(get_engine(url), expire_on_commit=False)


# Stages take a database URL (the pipeline) or a session factory (tests, code embedding newsmon).
SessionSource = str | Callable[[], Session]


@contextmanager
def session_scope(source: SessionSource) -> Iterator[Session]:
    """A unit of work: committed when the block ends, rolled back when it raises."""
    session = _sessionmaker(source)() if isinstance(source, str) else source()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


@contextmanager
def read_only_scope(source: SessionSource) -> Iterator[Session]:
    """A session the database itself refuses to let write: PostgreSQL runs it as a READ ONLY transaction,
    SQLite with `PRAGMA query_only` on its connection. Always rolled back at the end. For readers that must
    be seen to write nothing (the topic preview); a write raises instead of happening."""
    session = _sessionmaker(source)() if isinstance(source, str) else source()
    connection = session.connection()
    sqlite = connection.dialect.name == "sqlite"
    try:
        if sqlite:
            connection.exec_driver_sql("PRAGMA query_only = ON")
        else:
            connection.exec_driver_sql("SET TRANSACTION READ ONLY")
        yield session
    finally:
        try:
            if sqlite:  # a connection-wide setting: the pooled connection must go back writable
                connection.exec_driver_sql("PRAGMA query_only = OFF")
        finally:
            session.rollback()
            session.close()


def rows_changed(session: Session, statement: Executable) -> int:
    """Execute an UPDATE or DELETE and say how many rows it changed. (DML returns a CursorResult; the typed
    `Session.execute` promises only a Result, which has no row count.)"""
    result = cast("CursorResult[Any]", session.execute(statement))
    return result.rowcount


def alembic_config(url: str) -> Config:
    from alembic.config import Config  # alembic only when migrating: it is not needed to parse the DAGs

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["url"] = normalise_url(url)
    return cfg


def at_head(url: str) -> bool:
    """Whether the schema is at the newest migration; False for a database without one yet."""
    try:
        with get_engine(url).connect() as conn:
            versions = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    except DBAPIError:  # no alembic_version table: a new database (or none; the upgrade will say)
        return False
    return versions == [HEAD_REVISION]


def upgrade(url: str) -> None:
    """Bring the schema to the newest migration; one query when it is already there."""
    if at_head(url):
        return
    from alembic import command

    engine = get_engine(url)
    cfg = alembic_config(url)
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    log.debug("schema at head for %s", engine.url.render_as_string(hide_password=True))


def current_revision(url: str) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with get_engine(url).connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()
