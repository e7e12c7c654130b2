"""Copies: what the fetch stage stores for each entry's article (entries waiting: ``store.entries``)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime
from typing import Any, NamedTuple, TypedDict

from sqlalchemy import Executable, Table, bindparam, select, update
from sqlalchemy.orm import Session

from newsmon.store import bounds
from newsmon.store.db import chunks
from newsmon.store.models import Copy
from newsmon.store.upsert import _insert

log = logging.getLogger(__name__)


class NewCopy(TypedDict):
    """The columns of a fetched article's ``copies`` row (the fold and flag stages fill in the rest)."""

    url_key: str
    url: str
    final_url: str | None
    canonical_url: str | None
    feed_id: int | None
    site: str | None
    title: str
    feed_title: str | None
    author: str | None
    description: str | None
    published: datetime | None
    lang: str | None
    text: str
    text_source: str
    fetch_status: str
    fetch_reason: str | None
    attribution_site: str | None
    attribution_url: str | None
    attribution_published: datetime | None
    fetched_at: datetime


def copy_id_for_key(session: Session, url_key: str) -> int | None:
    return session.scalar(select(Copy.id).where(Copy.url_key == url_key))


def copy_ids_for_keys(session: Session, keys: Iterable[str]) -> dict[str, int]:
    """The stored copies among these URL keys, key -> copy id: one query for a whole batch."""
    keys = sorted(set(keys))
    found: dict[str, int] = {}
    for chunk in chunks(keys):
        stmt = select(Copy.url_key, Copy.id).where(Copy.url_key.in_(chunk))
        found.update((k, copy_id) for k, copy_id in session.execute(stmt))
    return found


_COPY_COLUMNS = tuple(NewCopy.__annotations__)  # every column the fetch stage gives, in order
_SAVE: dict[tuple[str, bool], Executable] = {}  # (dialect, with cuts) -> the INSERT, built once


def _save_statement(session: Session, with_cuts: bool) -> Executable:
    """INSERT ... ON CONFLICT (url_key) DO NOTHING RETURNING id, with a parameter per column.

    Built once per dialect and run on the session's connection: once per page fetched, where building
    the statement from the row's values (and the ORM's execute around it) cost more than running it.
    ``cuts`` is named only when there are cuts: a JSON column given None stores JSON null, not SQL NULL.
    """
    dialect = session.get_bind().dialect.name
    stmt = _SAVE.get((dialect, with_cuts))
    if stmt is None:
        table = Copy.__table__
        assert isinstance(table, Table), table
        columns = _COPY_COLUMNS + (("cuts",) if with_cuts else ())
        stmt = (
            _insert(session, table)
            .values({name: bindparam(f"p_{name}", type_=table.c[name].type) for name in columns})
            .on_conflict_do_nothing(index_elements=["url_key"])
            .returning(table.c.id)
        )
        _SAVE[(dialect, with_cuts)] = stmt
    return stmt


def save_copy(session: Session, copy: NewCopy) -> int:
    """Store a copy once per URL key and return its id; a copy stored earlier (by a retry or another worker)
    wins and is returned unchanged. Fields are kept within their bounds, the cuts recorded on the copy."""
    row, cuts = bounds.bound_row(copy, bounds.COPY)
    params: dict[str, Any] = {f"p_{name}": row[name] for name in _COPY_COLUMNS}
    if cuts:
        log.warning("copy %s: fields cut to their bounds: %s", row["url_key"][:200], cuts)
        params["p_cuts"] = cuts
    # RETURNING gives the new row's id in the same round trip; only a lost race needs the look-up.
    copy_id = session.connection().execute(_save_statement(session, bool(cuts)), params).scalar()
    if copy_id is None:
        copy_id = copy_id_for_key(session, row["url_key"])
    assert copy_id is not None
    return copy_id


class CopyToScore(NamedTuple):
    """What the flag stage reads of a folded copy: the columns scoring needs, not the whole row."""

    id: int
    story_id: int
    title: str
    text: str
    lang: str | None


def copies_to_score(session: Session, limit: int = 5000) -> list[CopyToScore]:
    """Folded copies not yet scored, in id order. Plain rows, not ORM objects: the flag stage reads these
    columns only, and whole ``Copy`` objects (MinHash, URLs, attribution ...) were built, kept in the
    session and then searched by `mark_scored`'s update for nothing."""
    stmt = (
        select(Copy.id, Copy.story_id, Copy.title, Copy.text, Copy.lang)
        .where(Copy.story_id.is_not(None), Copy.scored_at.is_(None))
        .order_by(Copy.id)
        .limit(limit)
    )
    out = []
    for copy_id, story_id, title, text, lang in session.execute(stmt):
        assert story_id is not None  # the query reads folded copies only
        out.append(CopyToScore(copy_id, story_id, title, text, lang))
    return out


def mark_scored(session: Session, copy_ids: list[int], now: datetime) -> None:
    if copy_ids:
        # No copy is held in the session to keep in step (copies_to_score reads plain rows), so the ORM's
        # search of its identity map for the updated rows is skipped.
        stmt = update(Copy).where(Copy.id.in_(copy_ids)).values(scored_at=now)
        session.execute(stmt.execution_options(synchronize_session=False))
