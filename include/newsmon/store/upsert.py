"""Insert-through-unique-key helpers: the mechanism behind "a retried task never writes a row twice"."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, FromClause, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import ReturningInsert

from newsmon.store.models import Base


def _insert(session: Session | Connection, table: FromClause) -> postgresql.Insert | sqlite.Insert:
    """INSERT in the dialect that knows ON CONFLICT (both of ours do, each with its own class)."""
    bind = session if isinstance(session, Connection) else session.get_bind()
    return _insert_for(bind.dialect.name, table)


def _insert_for(dialect: str, table: FromClause) -> postgresql.Insert | sqlite.Insert:
    assert isinstance(table, Table), table  # a model's __table__: typed as any FROM clause
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"newsmon supports SQLite and PostgreSQL, not {dialect}")


def insert_ignore(
    session: Session | Connection, model: type[Base], rows: Sequence[Mapping[str, Any]], keys: Iterable[str]
) -> int:
    """Insert rows whose unique key is new; rows that exist already are left exactly as they are."""
    if not rows:
        return 0
    bind = session if isinstance(session, Connection) else session.get_bind()
    stmt = _insert_ignore_statement(bind.dialect.name, model, tuple(keys))
    return len(session.execute(stmt, list(rows)).all())


@functools.cache
def _insert_ignore_statement(dialect: str, model: type[Base], keys: tuple[str, ...]) -> ReturningInsert[Any]:
    """Built once per table and key: a poll inserts into ``entries`` for every feed, and building and keying
    the statement cost more than running it."""
    table = model.__table__
    assert isinstance(table, Table), table
    # RETURNING counts what was really inserted; a driver's rowcount is -1 for batched inserts.
    return (
        _insert_for(dialect, table)
        .on_conflict_do_nothing(index_elements=list(keys))
        .returning(*table.primary_key.columns)
    )


def upsert(
    session: Session, model: type[Base], row: Mapping[str, Any], keys: Iterable[str], update: Iterable[str]
) -> None:
    """Insert a row, or update the named columns of the row that has its unique key."""
    stmt = _insert(session, model.__table__).values(**row)
    stmt = stmt.on_conflict_do_update(
        index_elements=list(keys), set_={name: stmt.excluded[name] for name in update}
    )
    session.execute(stmt)
