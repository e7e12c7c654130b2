"""The SQL of the fold stage: pending copies, fingerprints and LSH buckets, candidate look-ups, stories,
and the merge of two stories (copies, flags, alerts and feedback moved so no alert is ever sent twice).

The fold logic itself lives in `newsmon.stories.fold` and sees only the plain rows returned here.
The fold's per-copy statements run on the session's connection, not through the ORM: they touch no
mapped object in the session (only `merge_stories` does, and it flushes), and the ORM's per-statement
bookkeeping cost more than the SQL itself.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    FromClause,
    Insert,
    Integer,
    Row,
    Select,
    and_,
    bindparam,
    case,
    delete,
    func,
    insert,
    literal_column,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session
from sqlalchemy.sql.selectable import TableValuedAlias

from newsmon.store.models import Alert, Copy, CopyBand, Feedback, Flag, Story, StoryLink, StoryMerge
from newsmon.store.upsert import insert_ignore

log = logging.getLogger(__name__)

_FOLD_LOCK_KEY = 0x6E6D666F6C64  # "nmfold": one folder at a time per database


#: What `save_fingerprint` stores on the copy row: (text hash, MinHash signature, shingle count).
FingerprintColumns = tuple[str | None, bytes | None, int]


@dataclass(frozen=True)
class CopyRow:
    """The columns of a copy that folding reads."""

    id: int
    url_key: str
    text: str
    title: str
    published: datetime | None
    lang: str | None
    site: str | None
    canonical_url: str | None
    attribution_site: str | None
    attribution_url: str | None
    text_hash: str | None = None
    minhash: bytes | None = None
    shingle_count: int | None = None
    story_id: int | None = None
    fetched_at: datetime | None = None


_ROW_COLUMNS = (
    Copy.id,
    Copy.url_key,
    Copy.text,
    Copy.title,
    Copy.published,
    Copy.lang,
    Copy.site,
    Copy.canonical_url,
    Copy.attribution_site,
    Copy.attribution_url,
    Copy.text_hash,
    Copy.minhash,
    Copy.shingle_count,
    Copy.story_id,
    Copy.fetched_at,
)


def _row(r: Row[*tuple[Any, ...]]) -> CopyRow:
    return CopyRow(
        id=r.id,
        url_key=r.url_key,
        text=r.text or "",
        title=r.title or "",
        published=r.published,
        lang=r.lang,
        site=r.site,
        canonical_url=r.canonical_url,
        attribution_site=r.attribution_site,
        attribution_url=r.attribution_url,
        text_hash=r.text_hash,
        minhash=r.minhash,
        shingle_count=r.shingle_count,
        story_id=r.story_id,
        fetched_at=r.fetched_at,
    )


# The per-copy statements, built once with bound parameters: building a statement anew for every copy
# (and computing its cache key) cost about as much as running it. (`story_members`, `story_first_seen`
# and `copies_with_url_keys` build theirs beside them, below.)
_SAVE_FINGERPRINT = (
    update(Copy)
    .where(Copy.id == bindparam("cid"))
    .values(text_hash=bindparam("th"), minhash=bindparam("mh"), shingle_count=bindparam("sc"))
)


def _band_rows_pg(name: str) -> TableValuedAlias:
    """Rows (band, bucket) of the two array parameters `bands` and `buckets`: how PostgreSQL gets a
    copy's probes to look them up, in one short statement whatever their number."""
    return (
        func.unnest(
            bindparam("bands", type_=postgresql.ARRAY(Integer)),
            bindparam("buckets", type_=postgresql.ARRAY(BigInteger)),
        )
        .table_valued("band", "bucket")
        .render_derived(name=name)
    )


def _insert_bands_pg() -> Insert:
    """Buckets as four arrays (`copy_ids`, `bands`, `buckets`, `days`) unnested into rows: one short
    statement whatever their number, which psycopg parses once and the server prepares. A multi-row
    VALUES list of a hundred rows was a new query text for each count, and psycopg spent 3 ms parsing
    each one (a fifth of the fold's time on PostgreSQL); a plain executemany is a round trip a row."""
    rows = (
        func.unnest(
            bindparam("copy_ids", type_=postgresql.ARRAY(Integer)),
            bindparam("bands", type_=postgresql.ARRAY(Integer)),
            bindparam("buckets", type_=postgresql.ARRAY(BigInteger)),
            bindparam("days", type_=postgresql.ARRAY(Integer)),
        )
        .table_valued("copy_id", "band", "bucket", "day")
        .render_derived(name="b")
    )
    columns = ["copy_id", "band", "bucket", "day"]
    return insert(CopyBand).from_select(
        columns, select(rows.c.copy_id, rows.c.band, rows.c.bucket, rows.c.day)
    )


_INSERT_BANDS_PG = _insert_bands_pg()
_INSERT_BANDS_SQLITE = "INSERT INTO copy_bands (copy_id, band, bucket, day) VALUES (?, ?, ?, ?)"  # CopyBand
_DELETE_BANDS = delete(CopyBand).where(CopyBand.copy_id == bindparam("cid"))
_ASSIGN_COPY = (
    update(Copy)
    .where(Copy.id == bindparam("cid"))
    .values(story_id=bindparam("sid"), folded_at=bindparam("at"))
)
_ASSIGN_COPY_FINGERPRINT = (
    update(Copy)
    .where(Copy.id == bindparam("cid"))
    .values(
        story_id=bindparam("sid"),
        folded_at=bindparam("at"),
        text_hash=bindparam("th"),
        minhash=bindparam("mh"),
        shingle_count=bindparam("sc"),
    )
)
_CREATE_STORY = (
    insert(Story)
    .values(
        # Not named "title" and "lang": in `_CREATE_STORY_PG` those names would also set the copy's.
        title=bindparam("story_title"),
        lang=bindparam("story_lang"),
        original_copy_id=bindparam("cid"),
        first_seen_at=bindparam("at"),
        last_copy_at=bindparam("at"),
        copies_count=1,
    )
    .returning(Story.id)
)


def _create_story_pg() -> Select[int]:
    """`_CREATE_STORY` and `_ASSIGN_COPY_FINGERPRINT` in one statement (PostgreSQL runs the data-changing
    parts of a WITH as one statement): one round trip less for most copies the fold sees."""
    story = _CREATE_STORY.cte("new_story")
    assigned = (
        update(Copy)
        .where(Copy.id == bindparam("cid"))
        .values(
            story_id=select(story.c.id).scalar_subquery(),
            folded_at=bindparam("at"),
            text_hash=bindparam("th"),
            minhash=bindparam("mh"),
            shingle_count=bindparam("sc"),
        )
        .cte("assigned")
    )
    return select(story.c.id).add_cte(assigned)


_CREATE_STORY_PG = _create_story_pg()
_STORY_GAINS_COPY = (
    update(Story)
    .where(Story.id == bindparam("sid"))
    .values(copies_count=Story.copies_count + 1, last_copy_at=bindparam("at"))
)
_SET_ORIGINAL = (
    update(Story)
    .where(Story.id == bindparam("sid"))
    .values(original_copy_id=bindparam("cid"), title=bindparam("title"), lang=bindparam("lang"))
)
_LOAD_ANY = select(*_ROW_COLUMNS).where(Copy.id.in_(bindparam("ids", expanding=True))).order_by(Copy.id)
_LOAD_FOLDED = (
    select(*_ROW_COLUMNS)
    .where(Copy.id.in_(bindparam("ids", expanding=True)), Copy.story_id.is_not(None))
    .order_by(Copy.id)
)
# What the fold's signature pre-filter reads of a candidate (see `candidate_signatures`).
_LOAD_SIGNATURES = (
    select(Copy.id, Copy.story_id, Copy.lang, Copy.text_hash, Copy.minhash, Copy.shingle_count)
    .where(Copy.id.in_(bindparam("ids", expanding=True)), Copy.story_id.is_not(None))
    .order_by(Copy.id)
)


def lock_folding(session: Session) -> None:
    """Serialise fold runs: two workers must never both decide the story of the same pending copy.

    PostgreSQL: a transaction-scoped advisory lock, released at commit. SQLite: a write that matches no
    row still takes the database's write lock (waiting out `busy_timeout`), so the second folder blocks
    here, before it has read anything, and then sees the first one's committed stories.
    Call it first in the transaction.

    On PostgreSQL the fold's transaction also plans every statement for its own parameters: the driver
    prepares a statement run five times, and the server's generic plan for the bucket look-up (whose
    probe arrays it cannot size) read the whole index; custom plans kept a fold of 150 copies onto 900
    stored at 1.7 s instead of 3.8 s, flat instead of growing with the archive.
    """
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _FOLD_LOCK_KEY})
        session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
    else:
        session.execute(update(Copy).where(Copy.id == -1).values(folded_at=None))


def pending_copies(session: Session, limit: int) -> list[CopyRow]:
    """The next copies to fold, oldest published first (unknown dates last), so originals come first."""
    stmt = (
        select(*_ROW_COLUMNS)
        .where(Copy.story_id.is_(None))
        .order_by(Copy.published.is_(None), Copy.published, Copy.id)
        .limit(limit)
    )
    return [_row(r) for r in session.execute(stmt)]


def save_fingerprint(
    session: Session,
    copy_id: int,
    text_hash: str | None,
    minhash: bytes | None,
    shingle_count: int,
    bands: Sequence[tuple[int, int]],
    *,
    day: int,
    replace: bool = True,
    buckets_only: bool = False,
    pending: PendingBuckets | None = None,
) -> None:
    """Store a copy's fingerprints and replace its LSH buckets (so re-fingerprinting is idempotent).
    `day` is the copy's day number (see `CopyBand.day`), stored with each bucket.

    `replace=False` skips deleting old buckets: for a copy never fingerprinted (its `minhash` still
    NULL), which has none, since buckets are only ever written together with the signature.
    `buckets_only=True` leaves the hash, signature and shingle count to the caller, which writes them in
    the same transaction (the fold stage, with the copy's story: one UPDATE less per copy).
    `pending`: the new buckets wait there to be written with other copies' (see `PendingBuckets`).
    """
    conn = session.connection()
    if not buckets_only:
        conn.execute(_SAVE_FINGERPRINT, {"cid": copy_id, "th": text_hash, "mh": minhash, "sc": shingle_count})
    if replace:
        conn.execute(_DELETE_BANDS, {"cid": copy_id})
    if pending is None:
        _insert_buckets(session, [(copy_id, band, bucket, day) for band, bucket in bands])
    else:
        pending.add(copy_id, bands, day)


def _insert_buckets(session: Session, rows: Sequence[tuple[int, int, int, int]]) -> None:
    """Insert bucket rows (copy id, band, bucket, day) in one statement."""
    if not rows:
        return
    conn = session.connection()
    if conn.dialect.name == "sqlite":
        # In-process: the driver's executemany (one prepared statement, C loop) costs a tenth of
        # SQLAlchemy building a multi-row INSERT of a hundred rows in Python.
        conn.exec_driver_sql(_INSERT_BANDS_SQLITE, list(rows))
    else:
        copy_ids, bands, buckets, days = (list(column) for column in zip(*rows, strict=True))
        conn.execute(
            _INSERT_BANDS_PG, {"copy_ids": copy_ids, "bands": bands, "buckets": buckets, "days": days}
        )


class PendingBuckets:
    """Buckets of copies fingerprinted but not yet written, looked up as if they were (the fold stage
    holds the buckets of a batch of pending copies here and writes them together at the batch's end).

    On PostgreSQL that is one round trip a batch instead of one a copy. On SQLite a copy's inserts,
    spread over a hundred pages of the bucket index, came between look-ups and text reads that pushed
    those pages out of the page cache: written together, the same rows cost a third of the time.
    `copies_sharing_buckets` counts a copy's hits here and in the table alike; a copy's buckets are
    all in one of the two, never split.
    """

    def __init__(self) -> None:
        self._rows: list[tuple[int, int, int, int]] = []
        # (band, bucket) -> [(copy id, day)], in the order the copies were added
        self._index: dict[tuple[int, int], list[tuple[int, int]]] = {}

    def __len__(self) -> int:
        return len(self._rows)

    def add(self, copy_id: int, bands: Sequence[tuple[int, int]], day: int) -> None:
        for band, bucket in bands:
            self._rows.append((copy_id, band, bucket, day))
            self._index.setdefault((band, bucket), []).append((copy_id, day))

    def hits(
        self,
        probes: Iterable[tuple[int, int]],
        exclude_id: int,
        marked: tuple[int, int],
        days: tuple[int, int],
    ) -> dict[int, tuple[int, int]]:
        """Per copy (other than `exclude_id`, stored under a day in `days`): (hits, marked hits), as the
        table's look-up counts them. `probes` without duplicates."""
        counts: dict[int, tuple[int, int]] = {}
        day_lo, day_hi = days
        for probe in probes:
            for copy_id, day in self._index.get(probe, ()):
                if copy_id == exclude_id or not day_lo <= day <= day_hi:
                    continue
                hits, marked_hits = counts.get(copy_id, (0, 0))
                counts[copy_id] = (hits + 1, marked_hits + (marked[0] <= probe[0] < marked[1]))
        return counts

    def write(self, session: Session) -> None:
        """Insert the buckets held, in one statement, and forget them."""
        _insert_buckets(session, self._rows)
        self._rows = []
        self._index = {}


_COPIES_WITH_URL_KEYS = select(Copy.id).where(
    Copy.url_key.in_(bindparam("keys", expanding=True)),
    Copy.id != bindparam("exclude_id"),
    Copy.story_id.is_not(None),
)


def copies_with_url_keys(session: Session, keys: Iterable[str], exclude_id: int) -> list[int]:
    keys = sorted(set(keys))
    if not keys:
        return []
    return list(session.connection().scalars(_COPIES_WITH_URL_KEYS, {"keys": keys, "exclude_id": exclude_id}))


@dataclass(frozen=True)
class BucketHit:
    """A copy sharing LSH buckets with the one being folded: how many, and how many of them in the
    band range the caller marked (the fold stage marks the lead buckets)."""

    copy_id: int
    hits: int
    marked_hits: int = 0


def copies_sharing_buckets(
    session: Session,
    bands: Sequence[tuple[int, int]],
    exclude_id: int,
    limit: int,
    *,
    marked: tuple[int, int] = (0, 0),
    days: tuple[int, int] | None = None,
    pending: PendingBuckets | None = None,
) -> list[BucketHit]:
    """Copies that share at least one LSH bucket, most shared buckets first: an index look-up per band.
    `marked` is a range of band numbers [lo, hi) whose hits are counted apart. `days` (first, last):
    only copies stored under a day number in that range (see `CopyBand.day`); None: any day.
    `pending`: buckets not yet written, counted as if they were."""
    if not bands:
        return []
    conn = session.connection()
    day_lo, day_hi = days if days is not None else _ANY_DAY
    # A row matches one probe: a probe given twice would count it twice. Duplicates are dropped in the
    # caller's order (sorting three hundred probes took as long as encoding them; the counts and the
    # order of the result do not depend on the probes' order).
    probes = list(dict.fromkeys(bands))
    params: dict[str, Any] = {
        "exclude_id": exclude_id,
        "limit": limit,
        "mark_lo": marked[0],
        "mark_hi": marked[1],
        "day_lo": day_lo,
        "day_hi": day_hi,
    }
    if conn.dialect.name == "postgresql":
        params["bands"], params["buckets"] = [b for b, _ in probes], [h for _, h in probes]
        rows = conn.execute(_BUCKET_QUERY_PG, params)
    else:
        params["probes"] = json.dumps(probes)
        rows = conn.execute(_BUCKET_QUERY_SQLITE, params)
    found = [BucketHit(copy_id, hits, marked_hits or 0) for copy_id, hits, marked_hits in rows]
    if pending:
        # The table's best `limit` and every pending copy (no copy is in both): the best `limit` of all.
        held = pending.hits(probes, exclude_id, marked, (day_lo, day_hi))
        found += [BucketHit(copy_id, hits, marked_hits) for copy_id, (hits, marked_hits) in held.items()]
        found.sort(key=lambda h: (-h.hits, h.copy_id))
        del found[limit:]
    return found


#: Day numbers of `CopyBand.day` (a 32-bit integer column): a look-up without a time window.
_ANY_DAY = (-(2**31), 2**31 - 1)


def _bucket_query(
    probe: FromClause, band: ColumnElement[int], bucket: ColumnElement[int]
) -> Select[int, int, Any]:
    """The bucket look-up: the probes (a table of band and bucket numbers, one statement whatever their
    number) joined to the (band, bucket, day) index, one index range a probe, with the rows of other
    days skipped inside it; per copy (other than `exclude_id`) the rows that match and how many of
    them lie in the marked band range, most first, `limit` copies.

    An n-way OR of (band, bucket) terms was the first form: PostgreSQL planned it as a scan of the whole
    table (330 ms a look-up at 750 stored copies, growing with the archive), and its SQL, different for
    every number of probes, took SQLAlchemy 90 ms to compile each time a new process met a new number."""
    hits = func.count().label("hits")
    in_marked = and_(CopyBand.band >= bindparam("mark_lo"), CopyBand.band < bindparam("mark_hi"))
    marked = func.sum(case((in_marked, 1), else_=0)).label("marked")
    on = and_(CopyBand.band == band, CopyBand.bucket == bucket)
    return (
        select(CopyBand.copy_id, hits, marked)
        .select_from(probe.join(CopyBand, on))
        .where(
            CopyBand.day.between(bindparam("day_lo"), bindparam("day_hi")),
            CopyBand.copy_id != bindparam("exclude_id"),
        )
        .group_by(CopyBand.copy_id)
        .order_by(hits.desc(), CopyBand.copy_id)
        .limit(bindparam("limit"))
    )


def _bucket_query_pg() -> Select[int, int, Any]:
    """The probes as two arrays, `bands` and `buckets`."""
    probe = _band_rows_pg("probe")
    return _bucket_query(probe, probe.c.band, probe.c.bucket)


def _bucket_query_sqlite() -> Select[int, int, Any]:
    """The probes as one JSON array of [band, bucket] pairs, `probes`: SQLite has no array parameter."""
    probe = func.json_each(bindparam("probes")).table_valued("value").alias("probe")
    band = func.json_extract(probe.c.value, literal_column("'$[0]'"))
    bucket = func.json_extract(probe.c.value, literal_column("'$[1]'"))
    return _bucket_query(probe, band, bucket)


_BUCKET_QUERY_PG = _bucket_query_pg()
_BUCKET_QUERY_SQLITE = _bucket_query_sqlite()


def load_copies(session: Session, ids: Iterable[int], *, folded_only: bool = True) -> list[CopyRow]:
    """The copies of `ids` (by id)."""
    ids = sorted(set(ids))
    if not ids:
        return []
    stmt = _LOAD_FOLDED if folded_only else _LOAD_ANY
    return [_row(r) for r in session.connection().execute(stmt, {"ids": ids})]


@dataclass(frozen=True)
class CandidateRow:
    """What the fold stage's signature pre-filter reads of a candidate (see `candidate_signatures`)."""

    id: int
    story_id: int | None  # never None: the folded copies only
    lang: str | None
    text_hash: str | None
    minhash: bytes | None
    shingle_count: int | None


def candidate_signatures(session: Session, ids: Iterable[int]) -> list[CandidateRow]:
    """The folded copies of `ids` (by id), with their story, language and stored signature only.

    Most candidates of a large archive are dropped on their stored signature: their texts (the bulk of
    a row) and dates (parsed from text, a value at a time, on SQLite) are read with `load_copies` for
    the few left, not with every candidate."""
    ids = sorted(set(ids))
    if not ids:
        return []
    return [CandidateRow(*r) for r in session.connection().execute(_LOAD_SIGNATURES, {"ids": ids})]


@dataclass(frozen=True)
class StoryMember:
    """What choosing a story's original needs to know about each of its copies."""

    id: int
    url_key: str
    title: str
    lang: str | None
    site: str | None
    published: datetime | None
    canonical_url: str | None
    attribution_site: str | None
    attribution_url: str | None


_STORY_MEMBERS = (
    select(
        Copy.id,
        Copy.url_key,
        Copy.title,
        Copy.lang,
        Copy.site,
        Copy.published,
        Copy.canonical_url,
        Copy.attribution_site,
        Copy.attribution_url,
    )
    .where(Copy.story_id == bindparam("sid"))
    .order_by(Copy.id)
)


def story_members(session: Session, story_id: int) -> list[StoryMember]:
    return [StoryMember(*r) for r in session.connection().execute(_STORY_MEMBERS, {"sid": story_id})]


_STORY_FIRST_SEEN = select(Story.id, Story.first_seen_at).where(
    Story.id.in_(bindparam("ids", expanding=True))
)


def story_first_seen(session: Session, story_ids: Iterable[int]) -> dict[int, tuple[datetime, int]]:
    ids = sorted(set(story_ids))
    if not ids:
        return {}
    return {
        r.id: (r.first_seen_at, r.id) for r in session.connection().execute(_STORY_FIRST_SEEN, {"ids": ids})
    }


def _assign(
    session: Session, copy_id: int, story_id: int, now: datetime, fingerprint: FingerprintColumns | None
) -> None:
    params = {"cid": copy_id, "sid": story_id, "at": now}
    if fingerprint is None:
        session.connection().execute(_ASSIGN_COPY, params)
    else:
        params["th"], params["mh"], params["sc"] = fingerprint
        session.connection().execute(_ASSIGN_COPY_FINGERPRINT, params)


def create_story(
    session: Session, copy: CopyRow, now: datetime, *, fingerprint: FingerprintColumns | None = None
) -> int:
    """A new story of one copy. `fingerprint` (hash, signature, shingle count) is stored on the copy too."""
    # A plain INSERT .. RETURNING: the ORM's unit of work (add, flush, identity map) cost more than the SQL.
    conn = session.connection()
    params: dict[str, Any] = {
        "story_title": copy.title or "",
        "story_lang": copy.lang,
        "cid": copy.id,
        "at": now,
    }
    if fingerprint is not None and conn.dialect.name == "postgresql":
        params["th"], params["mh"], params["sc"] = fingerprint
        story_id: int = conn.execute(_CREATE_STORY_PG, params).scalar_one()
        return story_id
    story_id = conn.execute(_CREATE_STORY, params).scalar_one()
    _assign(session, copy.id, story_id, now, fingerprint)
    return story_id


def assign_copy(
    session: Session,
    copy_id: int,
    story_id: int,
    now: datetime,
    *,
    fingerprint: FingerprintColumns | None = None,
) -> None:
    """The copy joins the story. `fingerprint` (hash, signature, shingle count) is stored on the copy too."""
    _assign(session, copy_id, story_id, now, fingerprint)
    session.connection().execute(_STORY_GAINS_COPY, {"sid": story_id, "at": now})


def set_original(session: Session, story_id: int, member: StoryMember) -> None:
    """Point the story at its original; the story's title and language follow the original."""
    params = {"sid": story_id, "cid": member.id, "title": member.title or "", "lang": member.lang}
    session.connection().execute(_SET_ORIGINAL, params)


def link_stories(session: Session, a: int, b: int, *, score: float, evidence: str, now: datetime) -> bool:
    """Record that stories `a` and `b` (different languages) report one event; True if the link is new.

    One row per pair (lower id first), inserted through its unique key, so re-running the fold or a
    second copy finding the same pair never writes it twice."""
    if a == b:
        return False
    low, high = sorted((a, b))
    row = {"story_id": low, "other_story_id": high, "score": score, "evidence": evidence, "linked_at": now}
    return insert_ignore(session, StoryLink, [row], ["story_id", "other_story_id"]) > 0


@dataclass(frozen=True)
class LinkedStory:
    """A story in another language reporting the same event, as the story page and digest show it."""

    story_id: int
    lang: str | None
    title: str
    score: float
    evidence: str


def linked_stories(session: Session, story_ids: Iterable[int]) -> dict[int, tuple[LinkedStory, ...]]:
    """For each story, its linked stories in other languages (best-scored first). Links follow merges
    (see `merge_stories`), so both ends are live stories."""
    ids = sorted(set(story_ids))
    if not ids:
        return {}
    rows = session.execute(
        select(StoryLink.story_id, StoryLink.other_story_id, StoryLink.score, StoryLink.evidence).where(
            or_(StoryLink.story_id.in_(ids), StoryLink.other_story_id.in_(ids))
        )
    ).all()
    ends = {r.story_id for r in rows} | {r.other_story_id for r in rows}
    about = {
        r.id: r for r in session.execute(select(Story.id, Story.lang, Story.title).where(Story.id.in_(ends)))
    }
    wanted = set(ids)
    out: dict[int, list[LinkedStory]] = {}
    for r in rows:
        for mine, other in ((r.story_id, r.other_story_id), (r.other_story_id, r.story_id)):
            if mine in wanted and other in about:
                o = about[other]
                out.setdefault(mine, []).append(
                    LinkedStory(other, o.lang, o.title or "", r.score, r.evidence)
                )
    return {k: tuple(sorted(v, key=lambda x: (-x.score, x.story_id))) for k, v in out.items()}


def _move_links(session: Session, from_id: int, into_id: int) -> None:
    """The absorbed story's links now belong to the survivor (a link to the survivor itself is dropped)."""
    links = list(
        session.execute(
            select(
                StoryLink.id,
                StoryLink.story_id,
                StoryLink.other_story_id,
                StoryLink.score,
                StoryLink.evidence,
                StoryLink.linked_at,
            ).where(or_(StoryLink.story_id == from_id, StoryLink.other_story_id == from_id))
        )
    )
    if not links:
        return
    session.execute(delete(StoryLink).where(StoryLink.id.in_([r.id for r in links])))
    for r in links:
        other = r.other_story_id if r.story_id == from_id else r.story_id
        link_stories(session, into_id, other, score=r.score, evidence=r.evidence, now=r.linked_at)


def merge_stories(
    session: Session, from_id: int, into_id: int, *, bridging_copy_id: int | None, reason: str, now: datetime
) -> None:
    """Fold story `from_id` into `into_id`: copies move, flags keep the higher score per topic, alerts
    follow so the merged story never alerts twice for a topic, feedback moves, and the merge is logged.

    The absorbed story row stays (copies_count 0, merged_into_id set) so old links can be redirected.
    """
    if from_id == into_id:
        return
    session.execute(update(Copy).where(Copy.story_id == from_id).values(story_id=into_id))

    # Flags: one per (story, topic); the survivor keeps whichever copy scored higher.
    into_flags = {f.topic: f for f in session.scalars(select(Flag).where(Flag.story_id == into_id))}
    for flag in list(session.scalars(select(Flag).where(Flag.story_id == from_id))):
        kept = into_flags.get(flag.topic)
        if kept is None:
            flag.story_id = into_id
        else:
            if flag.score > kept.score:
                kept.score, kept.copy_id, kept.evidence = flag.score, flag.copy_id, flag.evidence
                kept.updated_at = now
            kept.flagged_at = min(kept.flagged_at, flag.flagged_at)
            session.delete(flag)
    session.flush()

    # Alerts: one per (story, topic), ever. A topic alerted only on the absorbed story moves to the
    # survivor (which then never alerts for it again); when both alerted, a sent alert stays where it
    # is as history and an unsent one is dropped, since the survivor's alert covers the merged story.
    into_topics = set(session.scalars(select(Alert.topic).where(Alert.story_id == into_id)))
    for alert in list(session.scalars(select(Alert).where(Alert.story_id == from_id))):
        if alert.topic not in into_topics:
            alert.story_id = into_id
            into_topics.add(alert.topic)
        elif alert.status in ("pending", "failed"):
            session.delete(alert)
    session.flush()

    # Feedback: one per (story, topic, user); the more recent verdict wins.
    into_fb = {
        (f.topic, f.user): f for f in session.scalars(select(Feedback).where(Feedback.story_id == into_id))
    }
    for fb in list(session.scalars(select(Feedback).where(Feedback.story_id == from_id))):
        kept_fb = into_fb.get((fb.topic, fb.user))
        if kept_fb is None:
            fb.story_id = into_id
        else:
            if fb.updated_at > kept_fb.updated_at:
                kept_fb.relevant, kept_fb.note, kept_fb.updated_at = fb.relevant, fb.note, fb.updated_at
            session.delete(fb)
    session.flush()

    _move_links(session, from_id, into_id)

    first_seen = session.scalar(select(func.min(Story.first_seen_at)).where(Story.id.in_((from_id, into_id))))
    count = session.scalar(select(func.count()).select_from(Copy).where(Copy.story_id == into_id)) or 0
    session.execute(
        update(Story)
        .where(Story.id == into_id)
        .values(first_seen_at=first_seen, copies_count=count, last_copy_at=now)
    )
    session.execute(
        update(Story)
        .where(Story.id == from_id)
        .values(merged_into_id=into_id, copies_count=0, original_copy_id=None)
    )
    # Stories merged into the absorbed one earlier now point at the survivor directly.
    session.execute(update(Story).where(Story.merged_into_id == from_id).values(merged_into_id=into_id))
    session.add(
        StoryMerge(
            from_story_id=from_id,
            into_story_id=into_id,
            bridging_copy_id=bridging_copy_id,
            reason=reason,
            merged_at=now,
        )
    )
    session.flush()
    log.info("merged story %s into %s (bridging copy %s): %s", from_id, into_id, bridging_copy_id, reason)
