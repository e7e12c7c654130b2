"""SQL for the per-site boilerplate memory: load a site's counts, record one observed page.

Correct under concurrency by construction rather than by luck:
- a page is counted once: its (site, page key) row is inserted through the primary key first, and
  only the writer whose insert really happened goes on to count (a retry or a twin task stops there);
- counts are increments done by the database (``pages = pages + 1`` in an upsert), never a value
  read, changed in Python and written back, so two tasks cannot overwrite each other's counts;
- the site's counter row is incremented before its lines, so writers of one site queue on that row
  lock and touch the line rows one after the other (no deadlock between two large upserts); a caller
  recording several sites in one transaction takes them in sorted order, for the same reason.

Bounded: when a site reaches ``decay_at`` pages, all its counts are halved and lines whose count
falls to zero are deleted. Most lines are article sentences seen once, so they vanish at the next
halving; furniture, seen on most pages, survives. Halving keeps the shares the memory's thresholds
use and lets a redesigned site's new footer be learned instead of being drowned by a long past.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from newsmon.store.models import SiteBoilerplate, SiteBoilerplateLine, SiteBoilerplatePage
from newsmon.store.upsert import _insert

# Halve a site's counts when it reaches this many observed pages.
DECAY_AT_PAGES = 200
# Page-log rows older than this are deleted at a halving: only retries and twin tasks need them.
PAGE_LOG_KEEP = timedelta(days=2)


@dataclass(frozen=True)
class SiteCounts:
    """What the database knows about one site: observed pages and, per line hash, pages seen on."""

    pages: int
    lines: dict[str, int]


def page_key(url_key: str) -> str:
    """Fixed-size key of a copy's URL key for the page log (URL keys may be 2 kB long)."""
    return hashlib.blake2b(url_key.encode("utf-8"), digest_size=16).hexdigest()


def load_site(session: Session, site: str, *, min_count: int = 1) -> SiteCounts | None:
    """The counts of ``site`` (lines seen on fewer than ``min_count`` pages left out), None if unknown."""
    pages = session.scalar(select(SiteBoilerplate.pages).where(SiteBoilerplate.site == site))
    if pages is None:
        return None
    rows = session.execute(
        select(SiteBoilerplateLine.line_hash, SiteBoilerplateLine.pages).where(
            SiteBoilerplateLine.site == site, SiteBoilerplateLine.pages >= min_count
        )
    )
    return SiteCounts(pages=pages, lines={h: n for h, n in rows})


def record_pages(
    session: Session,
    site: str,
    pages: Sequence[tuple[str, Collection[str]]],
    now: datetime,
    *,
    decay_at: int = DECAY_AT_PAGES,
) -> int:
    """Count observed pages of ``site``, each given as (copy's URL key, its line hashes).

    Pages counted before (by a retry or a twin task) are skipped; returns how many were counted. One
    batch of pages costs three statements, whatever its size.
    """
    hashes_by_key: dict[str, Collection[str]] = {page_key(key): hashes for key, hashes in pages}
    if not hashes_by_key:
        return 0
    log_table = SiteBoilerplatePage.__table__
    stmt = (
        _insert(session, log_table)
        .on_conflict_do_nothing(index_elements=["site", "page_key"])
        .returning(log_table.c.page_key)
    )
    rows = [{"site": site, "page_key": key, "observed_at": now} for key in sorted(hashes_by_key)]
    new = list(session.execute(stmt, rows).scalars())
    if not new:
        return 0

    site_table = SiteBoilerplate.__table__
    up_site = (
        _insert(session, site_table)
        .values(site=site, pages=len(new), updated_at=now)
        .on_conflict_do_update(
            index_elements=["site"], set_={"pages": site_table.c.pages + len(new), "updated_at": now}
        )
        .returning(site_table.c.pages)
    )
    site_pages = session.execute(up_site).scalar_one()  # from here on we hold the site row's lock

    counts = Counter(h for key in new for h in hashes_by_key[key])
    if counts:
        lines = SiteBoilerplateLine.__table__
        up_lines = _insert(session, lines)
        up_lines = up_lines.on_conflict_do_update(
            index_elements=["site", "line_hash"],
            set_={"pages": lines.c.pages + up_lines.excluded.pages, "last_seen_at": now},
        )
        line_rows = [
            {"site": site, "line_hash": h, "pages": n, "last_seen_at": now} for h, n in sorted(counts.items())
        ]
        session.execute(up_lines, line_rows)

    if site_pages >= decay_at:
        _halve(session, site, now)
    return len(new)


def record_page(
    session: Session,
    site: str,
    url_key: str,
    line_hashes: Collection[str],
    now: datetime,
    *,
    decay_at: int = DECAY_AT_PAGES,
) -> bool:
    """Count one observed page of ``site``; False (nothing counted) when this page was counted before."""
    return record_pages(session, site, [(url_key, line_hashes)], now, decay_at=decay_at) == 1


def _halve(session: Session, site: str, now: datetime) -> None:
    """Halve every count of ``site`` and drop what reaches zero (we hold the site row's lock)."""
    session.execute(
        update(SiteBoilerplate).where(SiteBoilerplate.site == site).values(pages=SiteBoilerplate.pages // 2)
    )
    session.execute(
        update(SiteBoilerplateLine)
        .where(SiteBoilerplateLine.site == site)
        .values(pages=SiteBoilerplateLine.pages // 2)
    )
    session.execute(
        delete(SiteBoilerplateLine).where(SiteBoilerplateLine.site == site, SiteBoilerplateLine.pages <= 0)
    )
    session.execute(
        delete(SiteBoilerplatePage).where(
            SiteBoilerplatePage.site == site, SiteBoilerplatePage.observed_at < now - PAGE_LOG_KEEP
        )
    )


def site_sizes(session: Session, site: str) -> tuple[int, int, int]:
    """(counted pages, line rows, page-log rows) of ``site``: for tests and the benchmark."""
    from sqlalchemy import func

    pages = session.scalar(select(SiteBoilerplate.pages).where(SiteBoilerplate.site == site)) or 0
    lines = session.scalar(
        select(func.count()).select_from(SiteBoilerplateLine).where(SiteBoilerplateLine.site == site)
    )
    log = session.scalar(
        select(func.count()).select_from(SiteBoilerplatePage).where(SiteBoilerplatePage.site == site)
    )
    return pages, int(lines or 0), int(log or 0)
