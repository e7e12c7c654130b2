"""A unit of work from either a database URL or a session factory, so stages can be called by the pipeline
(with a URL) and by tests or embedding code (with their own `sessionmaker`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

SessionSource = str | Callable[[], Session]


@contextmanager
def unit_of_work(source: SessionSource) -> Iterator[Session]:
    """Committed when the block ends, rolled back when it raises. Delivery uses many short units on
    purpose: each state change must be durable before the next network call."""
    if isinstance(source, str):
        from newsmon.store.db import session_scope

        with session_scope(source) as session:
            yield session
        return
    session = source()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
