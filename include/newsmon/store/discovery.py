"""Discovery providers and their queries in the database: the provider list mirrored from
``config/discovery.yaml``, each provider's request state, the queries and how each last went.

What a search found is stored by ``store.entries.add_discovered`` (entries and finds).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from newsmon.store import bounds
from newsmon.store.models import DiscoveryProvider, DiscoveryQuery
from newsmon.store.upsert import insert_ignore

if TYPE_CHECKING:  # types only: the store does not depend on config or the discovery stage at run time
    from newsmon.config.discovery import ProviderConfig
    from newsmon.discovery.queries import PlannedQuery


@dataclass(frozen=True)
class ProviderState:
    provider_id: int
    name: str
    active: bool
    next_run_at: datetime | None
    consecutive_errors: int


@dataclass(frozen=True)
class QueryToRun:
    query_id: int
    topic: str
    lang: str
    text: str


def sync_providers(session: Session, configs: Sequence[ProviderConfig], now: datetime) -> dict[str, int]:
    """Make the providers table follow the file: add new providers, update the others, deactivate those
    removed or disabled (their entries and finds stay). A provider that comes back starts with a clean
    request state."""
    existing = {p.name: p for p in session.scalars(select(DiscoveryProvider))}
    added = 0
    for cfg in configs:
        row = existing.pop(cfg.name, None)
        if row is None:
            session.add(
                DiscoveryProvider(
                    name=cfg.name,
                    kind=str(cfg.kind),
                    url=cfg.url,
                    active=cfg.enabled,
                    created_at=now,
                    consecutive_errors=0,
                    entries_skipped=0,
                )
            )
            added += 1
            continue
        if cfg.enabled and not row.active:
            row.consecutive_errors, row.last_error_kind, row.last_error, row.next_run_at = 0, None, None, None
        row.kind, row.url, row.active = str(cfg.kind), cfg.url, cfg.enabled
    for row in existing.values():
        row.active = False
    session.flush()
    return {"providers_added": added, "providers_deactivated": len(existing)}


def provider_states(session: Session) -> dict[str, ProviderState]:
    return {
        p.name: ProviderState(p.id, p.name, p.active, p.next_run_at, p.consecutive_errors or 0)
        for p in session.scalars(select(DiscoveryProvider))
    }


def sync_queries(session: Session, provider_id: int, planned: Sequence[PlannedQuery], now: datetime) -> int:
    """Store the provider's queries; those no longer planned are kept inactive (their finds point at them).
    Returns how many are active."""
    rows = session.execute(
        select(
            DiscoveryQuery.id,
            DiscoveryQuery.topic,
            DiscoveryQuery.lang,
            DiscoveryQuery.query,
            DiscoveryQuery.active,
        ).where(DiscoveryQuery.provider_id == provider_id)
    ).all()
    known = {(r.topic, r.lang, r.query): (r.id, r.active) for r in rows}
    wanted = {(q.topic, q.lang, q.text[:600]): q for q in planned}
    insert_ignore(
        session,
        DiscoveryQuery,
        [
            {
                "provider_id": provider_id,
                "topic": key[0],
                "lang": key[1],
                "query": key[2],
                "origin": str(q.origin),
                "active": True,
                "created_at": now,
            }
            for key, q in wanted.items()
            if key not in known
        ],
        ["provider_id", "topic", "lang", "query"],
    )
    switch_on = [qid for key, (qid, active) in known.items() if key in wanted and not active]
    switch_off = [qid for key, (qid, active) in known.items() if key not in wanted and active]
    for ids, active in ((switch_on, True), (switch_off, False)):
        if ids:
            session.execute(update(DiscoveryQuery).where(DiscoveryQuery.id.in_(ids)).values(active=active))
    return len(wanted)


def queries_to_run(session: Session, provider_id: int, limit: int) -> list[QueryToRun]:
    """The provider's active queries that waited longest (never run first), at most ``limit``: over a few
    runs every query gets its turn, whatever their number."""
    stmt = (
        select(DiscoveryQuery)
        .where(DiscoveryQuery.provider_id == provider_id, DiscoveryQuery.active.is_(True))
        .order_by(DiscoveryQuery.last_run_at.is_not(None), DiscoveryQuery.last_run_at, DiscoveryQuery.id)
        .limit(limit)
    )
    return [QueryToRun(q.id, q.topic, q.lang, q.query) for q in session.scalars(stmt)]


def record_query(
    session: Session,
    query_id: int,
    now: datetime,
    *,
    found: int | None,
    new: int | None,
    error_kind: str | None = None,
    error: str | None = None,
) -> None:
    """How the query's last search went (answered, or why not)."""
    session.execute(
        update(DiscoveryQuery)
        .where(DiscoveryQuery.id == query_id)
        .values(
            last_run_at=now,
            last_found=found,
            last_new=new,
            last_error_kind=error_kind,
            last_error=bounds.bound_text(error, bounds.ERROR),
        )
    )


def record_success(session: Session, provider_id: int, now: datetime, next_run_at: datetime) -> None:
    session.execute(
        update(DiscoveryProvider)
        .where(DiscoveryProvider.id == provider_id)
        .values(
            last_run_at=now,
            last_success_at=now,
            consecutive_errors=0,
            last_error_kind=None,
            last_error=None,
            next_run_at=next_run_at,
        )
    )


def record_failure(
    session: Session, provider_id: int, now: datetime, *, kind: str, error: str, next_run_at: datetime
) -> None:
    """An outage of the provider: counted, kept with its reason, and the next run pushed back."""
    session.execute(
        update(DiscoveryProvider)
        .where(DiscoveryProvider.id == provider_id)
        .values(
            last_run_at=now,
            consecutive_errors=DiscoveryProvider.consecutive_errors + 1,
            last_error_kind=kind,
            last_error=bounds.bound_text(error, bounds.ERROR),
            next_run_at=next_run_at,
        )
    )
