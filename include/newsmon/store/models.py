"""The database schema: one table per noun of the vocabulary
(feed, discovery provider, entry, copy, story, flag, alert, feedback).

Every table that a retried task or a second worker could write twice carries a natural unique key, and
the writers in this package insert through those keys (upserts), so re-running any stage is a no-op.
Migrations in `migrations/` are the source of truth for the live schema; these models must match them
(a test compares the two).
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class UTCDateTime(TypeDecorator[datetime]):
    """Timestamps are stored in UTC and always come back timezone-aware.

    SQLite keeps no zone, so without this the same column would read naive there and aware on PostgreSQL,
    and comparisons with `datetime.now(UTC)` would fail on one database only.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: newsmon stores timezone-aware UTC only")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


TS = UTCDateTime()


class DeliveryColumns:
    """The columns of a row delivered by email through the claim/lease machinery (newsmon.store.delivery):
    digests, surge alerts and backfill summaries (alerts have the same, with an index on `status`)."""

    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending|sending|sent|failed
    message_id: Mapped[str] = mapped_column(String(300))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime | None] = mapped_column(TS)  # pending: a back-off; sending: the lease
    created_at: Mapped[datetime] = mapped_column(TS)
    sent_at: Mapped[datetime | None] = mapped_column(TS)


class Feed(Base):
    """A configured feed and its polling state (the fields of `newsmon.feeds.poll.FeedState`)."""

    __tablename__ = "feeds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(String(2048), unique=True)  # as configured: the feed's identity
    name: Mapped[str] = mapped_column(String(300))
    lang: Mapped[str | None] = mapped_column(String(16))
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    interval_seconds: Mapped[int | None] = mapped_column(Integer)
    allow_private: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)  # false once removed from the feed list
    title: Mapped[str | None] = mapped_column(String(500))  # as the feed names itself
    etag: Mapped[str | None] = mapped_column(String(500))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    last_polled_at: Mapped[datetime | None] = mapped_column(TS)
    last_success_at: Mapped[datetime | None] = mapped_column(TS)
    consecutive_errors: Mapped[int] = mapped_column(Integer, default=0)
    last_error_kind: Mapped[str | None] = mapped_column(String(50))
    last_error: Mapped[str | None] = mapped_column(Text)
    next_poll_at: Mapped[datetime | None] = mapped_column(TS)
    redirected_to: Mapped[str | None] = mapped_column(String(2048))
    disabled_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(TS)
    # The bounded backlog (newsmon.store.entries): entries stored as skipped because newer ones filled the
    # backlog, and the last poll's size and the items beyond its newest `feed_backlog`, never stored.
    entries_skipped: Mapped[int] = mapped_column(Integer, default=0)
    last_poll_items: Mapped[int | None] = mapped_column(Integer)
    last_poll_surplus: Mapped[int | None] = mapped_column(Integer)


class EntryState(StrEnum):
    """Where an entry is on its way to a copy (``entries.state``)."""

    NEW = "new"  # to fetch
    DONE = "done"  # its copy is stored (copy_id set)
    FAILED = "failed"  # the last fetch failed; tried again while attempts are left
    GAVE_UP = "gave_up"  # will not be fetched: no usable link, or a failure that a retry cannot mend
    SKIPPED = "skipped"  # pushed out of the feed's bounded backlog by newer entries; not fetched


class Entry(Base):
    """One article to fetch, from one source: an item of a feed, or a link a discovery provider found.

    It points at the copy fetched from its link once that is done. A feed's entries are keyed by the
    feed's own item key; a provider's by the link's URL key. ``url_key`` (the canonical key of the link,
    ``stories.urls.url_key``) is how discovery finds the entry an article already has, so an article a
    feed and a search both found stays one entry (``store.entries``); which queries found it is in
    ``discovery_finds``.
    """

    __tablename__ = "entries"
    __table_args__ = (
        UniqueConstraint("feed_id", "key", name="uq_entries_feed_key"),
        UniqueConstraint("provider_id", "key", name="uq_entries_provider_key"),
        CheckConstraint("(feed_id IS NULL) <> (provider_id IS NULL)", name="one_source"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    feed_id: Mapped[int | None] = mapped_column(ForeignKey("feeds.id", ondelete="CASCADE"), index=True)
    provider_id: Mapped[int | None] = mapped_column(
        ForeignKey("discovery_providers.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(String(1024))
    link: Mapped[str | None] = mapped_column(String(2048))
    url_key: Mapped[str | None] = mapped_column(String(2048), index=True)  # None: entries from before 0008
    title: Mapped[str] = mapped_column(Text, default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    author: Mapped[str | None] = mapped_column(String(300))
    published: Mapped[datetime | None] = mapped_column(TS)
    first_seen_at: Mapped[datetime] = mapped_column(TS)
    # "new" until fetched; then "done" (copy_id set) or "failed" (kept with the reason, retried up to a cap)
    state: Mapped[str] = mapped_column(String(16), default="new", index=True)
    fetch_attempts: Mapped[int] = mapped_column(Integer, default=0)
    fetch_error: Mapped[str | None] = mapped_column(Text)
    copy_id: Mapped[int | None] = mapped_column(ForeignKey("copies.id", ondelete="SET NULL"), index=True)
    cuts: Mapped[dict[str, int] | None] = mapped_column(JSON)  # {field: original length} of fields cut


class Copy(Base):
    """One article as published at one URL. Many copies make one story."""

    __tablename__ = "copies"
    # the UI's language filter: stories with a copy in a language, without reading every copy
    __table_args__ = (Index("ix_copies_lang_story_id", "lang", "story_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url_key: Mapped[str] = mapped_column(String(2048), unique=True)  # canonical form of the URL
    url: Mapped[str] = mapped_column(String(2048))
    final_url: Mapped[str | None] = mapped_column(String(2048))
    canonical_url: Mapped[str | None] = mapped_column(String(2048), index=True)
    feed_id: Mapped[int | None] = mapped_column(ForeignKey("feeds.id", ondelete="SET NULL"), index=True)
    site: Mapped[str | None] = mapped_column(String(300))
    title: Mapped[str] = mapped_column(Text, default="")
    feed_title: Mapped[str | None] = mapped_column(Text)
    author: Mapped[str | None] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    published: Mapped[datetime | None] = mapped_column(TS, index=True)
    lang: Mapped[str | None] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text, default="")
    text_source: Mapped[str] = mapped_column(String(16), default="page")  # page | summary | none
    fetch_status: Mapped[str] = mapped_column(String(16), default="ok")  # ok | fallback | error
    fetch_reason: Mapped[str | None] = mapped_column(Text)
    attribution_site: Mapped[str | None] = mapped_column(String(300))
    attribution_url: Mapped[str | None] = mapped_column(String(2048))
    attribution_published: Mapped[datetime | None] = mapped_column(TS)
    text_hash: Mapped[str | None] = mapped_column(String(64))  # exact fingerprint (no index: migration 0012)
    minhash: Mapped[bytes | None] = mapped_column(LargeBinary)  # near-duplicate signature
    shingle_count: Mapped[int | None] = mapped_column(Integer)
    story_id: Mapped[int | None] = mapped_column(ForeignKey("stories.id", ondelete="SET NULL"), index=True)
    fetched_at: Mapped[datetime] = mapped_column(TS, index=True)  # health: age of the newest copy
    folded_at: Mapped[datetime | None] = mapped_column(TS)
    scored_at: Mapped[datetime | None] = mapped_column(TS)
    cuts: Mapped[dict[str, int] | None] = mapped_column(JSON)  # {field: original length} of fields cut


class CopyBand(Base):
    """LSH buckets of a copy's MinHash: candidates for near-duplicates are found by index look-up,
    so the search stays sublinear and survives restarts without an in-memory index."""

    __tablename__ = "copy_bands"
    # A look-up reads one bucket within a range of days: the day is in the index, so the rows of other
    # months are skipped inside it, and so is the copy id (the look-up reads nothing else).
    # On SQLite the rows live in their primary key's tree (WITHOUT ROWID): with a rowid, every bucket
    # was written to three trees (rows, key, look-up index), and the fold's cost per copy went to
    # writing its hundred-odd buckets as the archive grew.
    __table_args__ = (
        Index("ix_copy_bands_band_bucket_day", "band", "bucket", "day", "copy_id"),
        {"sqlite_with_rowid": False},
    )

    # No foreign key (migration 0011): PostgreSQL checks one per inserted row, and a copy's hundred-odd
    # buckets made that half the time of their insert. The buckets are an index of copies (newsmon
    # deletes none); a look-up's candidates are read from `copies`, which drops any orphan.
    copy_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    band: Mapped[int] = mapped_column(Integer, primary_key=True)
    bucket: Mapped[int] = mapped_column(BigInteger)
    # The copy's publication day (days since 1970-01-01 UTC; the day it was folded when its date is
    # unknown). Copies further apart than the fold's time window are never the same story, so a bucket
    # look-up reads only the days around the copy's own: its cost stays that of the window, however
    # long the archive grows.
    day: Mapped[int] = mapped_column(Integer)


class Story(Base):
    """A news item and all its copies; the original is one of them."""

    __tablename__ = "stories"
    # sorting the UI's list by number of copies (id breaks ties)
    __table_args__ = (Index("ix_stories_copies_count_id", "copies_count", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(Text, default="")
    lang: Mapped[str | None] = mapped_column(String(16))
    # No foreign key: copies already point at stories, and a cycle of keys would make every insert
    # and delete order-sensitive. The fold stage keeps this pointing at one of the story's copies.
    original_copy_id: Mapped[int | None] = mapped_column(Integer)
    first_seen_at: Mapped[datetime] = mapped_column(TS, index=True)
    last_copy_at: Mapped[datetime] = mapped_column(TS)
    copies_count: Mapped[int] = mapped_column(Integer, default=0)
    merged_into_id: Mapped[int | None] = mapped_column(
        ForeignKey("stories.id", ondelete="SET NULL"), index=True
    )


class Flag(Base):
    """A story flagged for a topic: the best score any of its copies reached, with that copy's evidence."""

    __tablename__ = "flags"
    __table_args__ = (
        UniqueConstraint("story_id", "topic", name="uq_flags_story_topic"),
        # the UI sorts and filters by score, within a topic or across all
        Index("ix_flags_topic_score", "topic", "score"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"), index=True)
    topic: Mapped[str] = mapped_column(String(100), index=True)
    score: Mapped[float] = mapped_column(Float, index=True)
    copy_id: Mapped[int | None] = mapped_column(ForeignKey("copies.id", ondelete="SET NULL"))
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    flagged_at: Mapped[datetime] = mapped_column(TS, index=True)
    updated_at: Mapped[datetime] = mapped_column(TS)
    # The content hash of the topic's files that produced this score (newsmon.topics.version): a flag
    # whose hash is not the topic's current one was scored by an earlier version of the topic.
    topic_hash: Mapped[str | None] = mapped_column(String(64))
    # The backfill that created the flag (re-scoring the archive), None for the monitor's own flags.
    backfill_id: Mapped[int | None] = mapped_column(ForeignKey("backfills.id", ondelete="SET NULL"))


class Alert(Base):
    """One email per (story, topic), ever: the unique key is what makes "never twice" hold."""

    __tablename__ = "alerts"
    __table_args__ = (UniqueConstraint("story_id", "topic", name="uq_alerts_story_topic"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"), index=True)
    topic: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(
        String(16), default="pending", index=True
    )  # pending|sending|sent|failed
    recipients: Mapped[list[str]] = mapped_column(JSON, default=list)
    message_id: Mapped[str] = mapped_column(String(300))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime | None] = mapped_column(TS)
    created_at: Mapped[datetime] = mapped_column(TS)
    sent_at: Mapped[datetime | None] = mapped_column(TS)


class PipelineRun(Base):
    """A run of the whole pipeline that reached its end (the DAG's last stage, or `newsmon run`).

    Written by newsmon itself because the library cannot ask Airflow: the health check reads the newest
    `finished_at` as "the age of the last successful run". Keyed by the run's id, so a retried final task
    rewrites its row instead of adding one; rows older than a month are pruned when a run is recorded.
    """

    __tablename__ = "pipeline_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[str] = mapped_column(String(250), unique=True)
    started_at: Mapped[datetime | None] = mapped_column(TS)
    finished_at: Mapped[datetime] = mapped_column(TS, index=True)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Feedback(Base):
    """An analyst's verdict on a story for a topic: one row per analyst, updated on a change of mind."""

    __tablename__ = "feedback"
    __table_args__ = (UniqueConstraint("story_id", "topic", "user", name="uq_feedback_story_topic_user"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"), index=True)
    topic: Mapped[str] = mapped_column(String(100))
    user: Mapped[str] = mapped_column(String(200))
    relevant: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(TS)
    updated_at: Mapped[datetime] = mapped_column(TS)


class StoryMerge(Base):
    """The log of stories folded into another when a new copy bridged them (kept for audit and for
    redirecting links to the absorbed story)."""

    __tablename__ = "story_merges"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    from_story_id: Mapped[int] = mapped_column(Integer, index=True)
    into_story_id: Mapped[int] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"), index=True)
    bridging_copy_id: Mapped[int | None] = mapped_column(Integer)
    reason: Mapped[str | None] = mapped_column(Text)
    merged_at: Mapped[datetime] = mapped_column(TS)


class StoryLink(Base):
    """Two stories in different languages reporting one event (a translation, or another language's
    report): linked, never folded. Stored once per pair, lower story id first; the evidence says why."""

    __tablename__ = "story_links"
    __table_args__ = (UniqueConstraint("story_id", "other_story_id", name="uq_story_links_pair"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"), index=True)
    other_story_id: Mapped[int] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"), index=True)
    score: Mapped[float] = mapped_column(Float)
    evidence: Mapped[str] = mapped_column(Text, default="")
    linked_at: Mapped[datetime] = mapped_column(TS)


class Digest(DeliveryColumns, Base):
    """One digest email per recipient and period: the unique key makes a re-run of the digest a no-op."""

    __tablename__ = "digests"
    __table_args__ = (UniqueConstraint("recipient", "period", name="uq_digests_recipient_period"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recipient: Mapped[str] = mapped_column(String(300))
    period: Mapped[str] = mapped_column(String(64))  # e.g. "2026-11-25" or "2026-11-25T06"
    since: Mapped[datetime] = mapped_column(TS)
    until: Mapped[datetime] = mapped_column(TS)


class SiteBoilerplate(Base):
    """How many pages of a site the boilerplate memory has observed (``newsmon.extract.boilerplate``).

    Every writer increments this row first, so it also serialises the line counters of its site: two
    mapped tasks recording pages of one site at once take turns instead of losing increments.
    """

    __tablename__ = "site_boilerplate"

    site: Mapped[str] = mapped_column(String(255), primary_key=True)
    pages: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(TS)


class SiteBoilerplateLine(Base):
    """On how many observed pages of a site a normalised line (by hash, never its text) was seen."""

    __tablename__ = "site_boilerplate_lines"

    site: Mapped[str] = mapped_column(String(255), primary_key=True)
    line_hash: Mapped[str] = mapped_column(String(16), primary_key=True)
    pages: Mapped[int] = mapped_column(Integer, default=0)
    last_seen_at: Mapped[datetime] = mapped_column(TS)


class SiteBoilerplatePage(Base):
    """The pages already counted (hash of the copy's URL key), so a retry or a twin task counts once.

    Only recent rows are kept: a page is observed again only by a retry or a concurrent task.
    """

    __tablename__ = "site_boilerplate_pages"

    site: Mapped[str] = mapped_column(String(255), primary_key=True)
    page_key: Mapped[str] = mapped_column(String(32), primary_key=True)
    observed_at: Mapped[datetime] = mapped_column(TS)


class Host(Base):
    """Politeness state of one host ("host:port"), shared by every process (``newsmon.store.hosts``).

    Times are seconds since the epoch: the limiter compares and adds them in one UPDATE.
    """

    __tablename__ = "hosts"

    host: Mapped[str] = mapped_column(String(300), primary_key=True)
    next_start_at: Mapped[float] = mapped_column(Float, default=0.0)  # no request starts before
    crawl_delay: Mapped[float | None] = mapped_column(Float)  # from robots.txt, when longer than the default
    blocked_until: Mapped[float | None] = mapped_column(Float)  # from Retry-After


class HostSlot(Base):
    """One of a host's request slots; a request in flight holds one, leased so a crash frees it."""

    __tablename__ = "host_slots"

    host: Mapped[str] = mapped_column(String(300), primary_key=True)
    slot: Mapped[int] = mapped_column(Integer, primary_key=True)
    holder: Mapped[str | None] = mapped_column(String(64))
    expires_at: Mapped[float | None] = mapped_column(Float)


class DiscoveryProvider(Base):
    """A discovery provider of ``config/discovery.yaml`` (``newsmon.discovery``) and its request state:
    the source of the entries it found. Removed from the file: deactivated, its entries and finds kept."""

    __tablename__ = "discovery_providers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)
    kind: Mapped[str] = mapped_column(String(16))  # gdelt | rss
    url: Mapped[str] = mapped_column(String(1000))
    active: Mapped[bool] = mapped_column(Boolean, default=True)  # in the file and enabled
    created_at: Mapped[datetime] = mapped_column(TS)
    last_run_at: Mapped[datetime | None] = mapped_column(TS)
    last_success_at: Mapped[datetime | None] = mapped_column(TS)
    consecutive_errors: Mapped[int] = mapped_column(Integer, default=0)
    last_error_kind: Mapped[str | None] = mapped_column(String(50))
    last_error: Mapped[str | None] = mapped_column(Text)
    next_run_at: Mapped[datetime | None] = mapped_column(TS)  # no request before (interval, back-off)
    entries_skipped: Mapped[int] = mapped_column(Integer, default=0)  # pushed out of its bounded backlog


class DiscoveryQuery(Base):
    """One search a provider runs for a topic in a language (``lang`` "any": no language filter).

    Kept when it is no longer generated or written (``active`` false), so the finds keep their query.
    """

    __tablename__ = "discovery_queries"
    __table_args__ = (
        UniqueConstraint("provider_id", "topic", "lang", "query", name="uq_discovery_queries_search"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    provider_id: Mapped[int] = mapped_column(
        ForeignKey("discovery_providers.id", ondelete="CASCADE"), index=True
    )
    topic: Mapped[str] = mapped_column(String(100))
    lang: Mapped[str] = mapped_column(String(16))
    query: Mapped[str] = mapped_column(String(600))
    origin: Mapped[str] = mapped_column(String(16))  # generated | written
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(TS)
    last_run_at: Mapped[datetime | None] = mapped_column(TS, index=True)  # the least recently run go first
    last_found: Mapped[int | None] = mapped_column(Integer)  # articles the last answer listed
    last_new: Mapped[int | None] = mapped_column(Integer)  # ... of which newsmon had no entry yet
    last_error_kind: Mapped[str | None] = mapped_column(String(50))
    last_error: Mapped[str | None] = mapped_column(Text)


class DiscoveryFind(Base):
    """A query found an entry's article: one row per (entry, query), however often it is found again."""

    __tablename__ = "discovery_finds"
    __table_args__ = (UniqueConstraint("entry_id", "query_id", name="uq_discovery_finds_entry_query"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id", ondelete="CASCADE"), index=True)
    query_id: Mapped[int] = mapped_column(ForeignKey("discovery_queries.id", ondelete="CASCADE"), index=True)
    listed_url: Mapped[str | None] = mapped_column(String(2048))  # as the provider listed it (maybe wrapped)
    found_at: Mapped[datetime] = mapped_column(TS)


class Backfill(Base):
    """Re-scoring the archive with one version of a topic (its content hash): one row per (topic, hash).

    The key is what makes a backfill safe to re-run: a second run of the same version finds its row, the
    stories already scanned (``topic_scans``) and its summary emails (``backfill_summaries``)."""

    __tablename__ = "backfills"
    __table_args__ = (UniqueConstraint("topic", "topic_hash", name="uq_backfills_topic_hash"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    topic: Mapped[str] = mapped_column(String(100))
    topic_hash: Mapped[str] = mapped_column(String(64))
    since: Mapped[datetime] = mapped_column(TS)  # stories with a copy since then were re-scored
    # New flags on stories first seen before this time are quiet: no alert each, one summary email.
    quiet_before: Mapped[datetime] = mapped_column(TS)
    status: Mapped[str] = mapped_column(String(16), default="running")  # running | done
    counts: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(TS)
    finished_at: Mapped[datetime | None] = mapped_column(TS)


class TopicScan(Base):
    """A story whose copies were all scored with one version of a topic (by a backfill), flagged or not:
    what lets a re-run of the backfill skip it."""

    __tablename__ = "topic_scans"
    __table_args__ = (UniqueConstraint("story_id", "topic", name="uq_topic_scans_story_topic"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"))
    topic: Mapped[str] = mapped_column(String(100))
    topic_hash: Mapped[str] = mapped_column(String(64))
    scanned_at: Mapped[datetime] = mapped_column(TS)


class BackfillSummary(DeliveryColumns, Base):
    """The one summary email per recipient of a backfill (topic + topic hash), listing its quiet flags.

    Delivered by the claim/lease machinery of alerts and digests (newsmon.store.delivery)."""

    __tablename__ = "backfill_summaries"
    __table_args__ = (
        UniqueConstraint("backfill_id", "recipient", name="uq_backfill_summaries_backfill_recipient"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    backfill_id: Mapped[int] = mapped_column(ForeignKey("backfills.id", ondelete="CASCADE"))
    recipient: Mapped[str] = mapped_column(String(300))


class Surge(DeliveryColumns, Base):
    """A flagged story that gained many copies from many sites in a few hours: one surge alert per
    (story, topic), ever, with the copies' timeline as it was when the surge was found."""

    __tablename__ = "surges"
    __table_args__ = (UniqueConstraint("story_id", "topic", name="uq_surges_story_topic"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"), index=True)
    topic: Mapped[str] = mapped_column(String(100))
    copies: Mapped[int] = mapped_column(Integer)  # copies inside the window
    sites: Mapped[int] = mapped_column(Integer)  # distinct sites among them
    window_start: Mapped[datetime] = mapped_column(TS)
    window_end: Mapped[datetime] = mapped_column(TS)
    timeline: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    recipients: Mapped[list[str]] = mapped_column(JSON, default=list)


class FeedToken(Base):
    """The secret of a topic's Atom feed, stored only as its SHA-256: one per topic, rotated or revoked
    from the command line (``newsmon tokens``)."""

    __tablename__ = "feed_tokens"

    topic: Mapped[str] = mapped_column(String(100), primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(TS)
