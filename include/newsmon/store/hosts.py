"""Host politeness state in the database, shared by every thread, process and worker (see
``newsmon.http.politeness`` for the rules and why the database holds them).

Each method is one short transaction made of conditional UPDATEs, which both SQLite (one writer at a
time) and PostgreSQL (row locks; READ COMMITTED re-checks the WHERE clause after waiting for a
concurrent writer) apply atomically: two processes can never both take the same slot or the same turn.

On PostgreSQL these transactions commit without waiting for the disk (``synchronous_commit off``, for
them only): politeness state lost in a server crash costs at most a moment of spacing, while an fsync
per request step would cost more than the request.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import case, or_, select, text, update
from sqlalchemy.orm import Session

from newsmon.store.db import SessionSource, rows_changed, session_scope
from newsmon.store.models import Host, HostSlot
from newsmon.store.upsert import insert_ignore


class DatabaseHostState:
    """:class:`newsmon.http.politeness.HostState` on newsmon's database."""

    def __init__(self, source: SessionSource) -> None:
        self.source = source
        self._known: dict[str, int] = {}  # host -> slots whose rows exist (created once per process)

    @contextmanager
    def _unit(self) -> Iterator[Session]:
        with session_scope(self.source) as session:
            if session.get_bind().dialect.name == "postgresql":
                session.execute(text("SET LOCAL synchronous_commit TO OFF"))
            yield session

    def _ensure(self, session: Session, host: str, slots: int) -> None:
        if host in self._known and self._known[host] >= slots:
            return
        insert_ignore(session, Host, [{"host": host, "next_start_at": 0.0}], ["host"])
        rows = [{"host": host, "slot": n} for n in range(slots)]
        insert_ignore(session, HostSlot, rows, ["host", "slot"])
        self._known[host] = max(slots, self._known.get(host, 0))

    def claim_slot(
        self, host: str, slots: int, holder: str, now: float, lease: float, min_delay: float
    ) -> tuple[int, float | None] | None:
        with self._unit() as session:
            self._ensure(session, host, slots)
            for slot in range(slots):
                taken = rows_changed(
                    session,
                    update(HostSlot)
                    .where(
                        HostSlot.host == host,
                        HostSlot.slot == slot,
                        or_(HostSlot.holder.is_(None), HostSlot.expires_at < now),
                    )
                    .values(holder=holder, expires_at=now + lease)
                    .execution_options(synchronize_session=False),
                )
                if taken == 1:
                    return slot, self._turn(session, host, now, min_delay)
        return None

    def release_slot(self, host: str, slot: int, holder: str) -> None:
        with self._unit() as session:
            session.execute(
                update(HostSlot)
                .where(HostSlot.host == host, HostSlot.slot == slot, HostSlot.holder == holder)
                .values(holder=None, expires_at=None)
                .execution_options(synchronize_session=False)
            )

    def take_turn(self, host: str, now: float, min_delay: float) -> float | None:
        with self._unit() as session:
            self._ensure(session, host, 0)
            return self._turn(session, host, now, min_delay)

    @staticmethod
    def _turn(session: Session, host: str, now: float, min_delay: float) -> float | None:
        spacing = case((Host.crawl_delay > min_delay, Host.crawl_delay), else_=min_delay)
        booked = rows_changed(
            session,
            update(Host)
            .where(
                Host.host == host,
                Host.next_start_at <= now,
                or_(Host.blocked_until.is_(None), Host.blocked_until <= now),
            )
            .values(next_start_at=now + spacing)
            .execution_options(synchronize_session=False),
        )
        if booked == 1:
            return None
        next_start_at, blocked_until = session.execute(
            select(Host.next_start_at, Host.blocked_until).where(Host.host == host)
        ).one()
        return max(next_start_at, blocked_until or 0.0)

    def set_crawl_delay(self, host: str, seconds: float | None) -> None:
        with self._unit() as session:
            self._ensure(session, host, 0)
            session.execute(update(Host).where(Host.host == host).values(crawl_delay=seconds))

    def block_until(self, host: str, until: float) -> None:
        with self._unit() as session:
            self._ensure(session, host, 0)
            session.execute(
                update(Host)
                .where(Host.host == host, or_(Host.blocked_until.is_(None), Host.blocked_until < until))
                .values(blocked_until=until)
            )

    def host(self, host: str) -> Host | None:
        """The stored state of one host (for tests and the operator's curiosity)."""
        with self._unit() as session:
            return session.get(Host, host)
