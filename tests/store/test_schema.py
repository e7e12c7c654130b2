"""The migrations build exactly the schema the models describe, on both databases, and upsert keys hold."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select

from newsmon.store.db import (
    HEAD_REVISION,
    alembic_config,
    at_head,
    current_revision,
    get_engine,
    session_scope,
    upgrade,
)
from newsmon.store.models import Base, Entry, Feed
from newsmon.store.upsert import insert_ignore

NOW = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)


# Created by migration 0002 on PostgreSQL only (pg_trgm), so the models do not declare it.
OPTIONAL_INDEXES = {"ix_stories_title_trgm"}


def _declared(obj, name, type_, reflected, compare_to) -> bool:
    return not (type_ == "index" and name in OPTIONAL_INDEXES)


def test_migrations_match_models(db_url):
    with get_engine(db_url).connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_object": _declared})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []
    assert current_revision(db_url) is not None


def test_upgrade_twice_is_a_no_op(db_url):
    before = current_revision(db_url)
    upgrade(db_url)
    assert current_revision(db_url) == before


def test_the_head_revision_newsmon_checks_for_is_the_scripts_head(db_url):
    """`upgrade` skips Alembic when the database is at HEAD_REVISION: it must be the newest script's."""
    from alembic.script import ScriptDirectory

    assert ScriptDirectory.from_config(alembic_config(db_url)).get_current_head() == HEAD_REVISION
    assert current_revision(db_url) == HEAD_REVISION and at_head(db_url)


def test_a_database_behind_the_head_is_upgraded(db_url):
    """A database one migration behind is not taken for current: upgrade runs Alembic and reaches the head."""
    from alembic import command

    command.downgrade(alembic_config(db_url), "-1")
    assert current_revision(db_url) != HEAD_REVISION and not at_head(db_url)
    upgrade(db_url)
    assert current_revision(db_url) == HEAD_REVISION


def test_a_new_database_is_not_at_the_head(tmp_path):
    url = f"sqlite:///{tmp_path / 'new.db'}"
    assert not at_head(url)
    upgrade(url)
    assert at_head(url)


def test_entries_are_written_once_per_feed_and_key(db_url):
    with session_scope(db_url) as s:
        feed = Feed(url="http://example.org/rss", name="x", created_at=NOW, consecutive_errors=0)
        s.add(feed)
        s.flush()
        row = {
            "feed_id": feed.id,
            "key": "guid-1",
            "link": "http://example.org/a",
            "title": "A",
            "summary": "",
            "first_seen_at": NOW,
            "state": "new",
            "fetch_attempts": 0,
        }
        assert insert_ignore(s, Entry, [row], ["feed_id", "key"]) == 1
        assert insert_ignore(s, Entry, [{**row, "title": "changed"}], ["feed_id", "key"]) == 0
    with session_scope(db_url) as s:
        assert s.scalar(select(func.count()).select_from(Entry)) == 1
        assert s.scalar(select(Entry.title)) == "A"


def test_title_search_index_on_postgresql(db_url):
    from sqlalchemy import inspect

    names = {ix["name"] for ix in inspect(get_engine(db_url)).get_indexes("stories")}
    assert ("ix_stories_title_trgm" in names) == db_url.startswith("postgresql")


def test_migration_0009_gives_existing_buckets_their_copy_s_day(empty_db_url):
    """Buckets stored before the day column get the day of their copy's publication, else of its fold,
    else of its fetch: what the fold stage stores for new copies (see `stories.fold._window`)."""
    from alembic import command
    from sqlalchemy import insert, text

    from newsmon.store.db import alembic_config
    from newsmon.store.models import Copy, CopyBand

    engine = get_engine(empty_db_url)
    with engine.begin() as conn:
        cfg = alembic_config(empty_db_url)
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0008")
    dated = datetime(2024, 3, 1, 23, 59, tzinfo=UTC)
    folded = datetime(2024, 5, 2, 0, 1, tzinfo=UTC)
    fetched = datetime(2024, 7, 3, 12, 0, tzinfo=UTC)
    copies = [(1, dated, folded), (2, None, folded), (3, None, None)]
    with engine.begin() as conn:
        for cid, published, folded_at in copies:
            key = f"https://x.example/{cid}"
            row = {"id": cid, "url_key": key, "url": key, "title": "", "text": "", "text_source": "page"}
            row |= {"fetch_status": "ok", "published": published, "folded_at": folded_at}
            row["fetched_at"] = fetched
            conn.execute(insert(Copy.__table__).values(**row))  # the copies table is the same at 0008
            bands = "INSERT INTO copy_bands (copy_id, band, bucket) VALUES (:c, 0, 7), (:c, 1, 8)"
            conn.execute(text(bands), {"c": cid})
    upgrade(empty_db_url)
    with session_scope(empty_db_url) as s:
        rows = s.execute(select(CopyBand.copy_id, func.min(CopyBand.day)).group_by(CopyBand.copy_id)).all()
        missing = s.scalar(select(func.count()).select_from(CopyBand).where(CopyBand.day.is_(None)))
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    assert dict(rows) == {1: (dated - epoch).days, 2: (folded - epoch).days, 3: (fetched - epoch).days}
    assert missing == 0


def test_migration_0010_keeps_every_bucket_and_drops_the_rowid_on_sqlite(empty_db_url):
    """The buckets' table is rebuilt on SQLite without its rowid (rows in their primary key's tree);
    every stored bucket survives, and the look-up index and the cascade from copies still hold."""
    from alembic import command
    from sqlalchemy import insert, inspect, text

    from newsmon.store.db import alembic_config
    from newsmon.store.models import Copy, CopyBand

    engine = get_engine(empty_db_url)
    with engine.begin() as conn:
        cfg = alembic_config(empty_db_url)
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0009")
    with engine.begin() as conn:
        for cid in (1, 2):
            key = f"https://y.example/{cid}"
            row = {"id": cid, "url_key": key, "url": key, "title": "", "text": "", "text_source": "page"}
            row |= {"fetch_status": "ok", "fetched_at": datetime(2024, 7, 3, tzinfo=UTC)}
            conn.execute(insert(Copy.__table__).values(**row))
            bands = (
                "INSERT INTO copy_bands (copy_id, band, bucket, day) VALUES (:c, 0, 7, :d), (:c, 1, 8, :d)"
            )
            conn.execute(text(bands), {"c": cid, "d": 19000})
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0010")
    with session_scope(empty_db_url) as s:
        stored = s.execute(
            select(CopyBand.copy_id, CopyBand.band, CopyBand.bucket).order_by(CopyBand.copy_id, CopyBand.band)
        )
        assert [tuple(r) for r in stored] == [(1, 0, 7), (1, 1, 8), (2, 0, 7), (2, 1, 8)]
        s.execute(text("DELETE FROM copies WHERE id = 1"))
        assert s.scalar(select(func.count()).select_from(CopyBand)) == 2
    names = {ix["name"] for ix in inspect(engine).get_indexes("copy_bands")}
    assert "ix_copy_bands_band_bucket_day" in names
    if empty_db_url.startswith("sqlite"):
        with engine.connect() as conn:
            sql = conn.exec_driver_sql("SELECT sql FROM sqlite_master WHERE name = 'copy_bands'").scalar_one()
        assert "WITHOUT ROWID" in sql


def test_migration_0011_drops_the_buckets_foreign_key_and_keeps_every_bucket(empty_db_url):
    """The buckets lose their foreign key (PostgreSQL checked it once per inserted bucket); every stored
    bucket survives, SQLite keeps the table WITHOUT ROWID, and a downgrade restores the key once the
    buckets of deleted copies are dropped."""
    from alembic import command
    from sqlalchemy import insert, inspect, text

    from newsmon.store.models import Copy, CopyBand

    engine = get_engine(empty_db_url)
    cfg = alembic_config(empty_db_url)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0010")
        key = "https://z.example/1"
        row = {"id": 1, "url_key": key, "url": key, "title": "", "text": "", "text_source": "page"}
        conn.execute(insert(Copy.__table__).values(**row, fetch_status="ok", fetched_at=NOW))
        conn.execute(text("INSERT INTO copy_bands (copy_id, band, bucket, day) VALUES (1, 0, 7, 19000)"))
    assert inspect(engine).get_foreign_keys("copy_bands")
    upgrade(empty_db_url)
    engine.dispose()
    assert inspect(engine).get_foreign_keys("copy_bands") == []
    with session_scope(empty_db_url) as s:
        s.execute(text("INSERT INTO copy_bands (copy_id, band, bucket, day) VALUES (2, 0, 7, 19000)"))
    with session_scope(empty_db_url) as s:
        assert sorted(s.execute(select(CopyBand.copy_id, CopyBand.bucket)).all()) == [(1, 7), (2, 7)]
    if empty_db_url.startswith("sqlite"):
        with engine.connect() as conn:
            sql = conn.exec_driver_sql("SELECT sql FROM sqlite_master WHERE name = 'copy_bands'").scalar_one()
        assert "WITHOUT ROWID" in sql
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0010")
    engine.dispose()
    assert inspect(engine).get_foreign_keys("copy_bands")
    with session_scope(empty_db_url) as s:
        assert s.execute(select(CopyBand.copy_id)).scalars().all() == [1]


def test_migration_0012_drops_the_text_hash_index_nothing_reads(empty_db_url):
    """Copies keep their text hash but not its index (the fold no longer looks copies up by it); a
    downgrade builds it again."""
    from alembic import command
    from sqlalchemy import inspect

    def indexes() -> set[str]:
        engine = get_engine(empty_db_url)
        engine.dispose()
        return {ix["name"] for ix in inspect(engine).get_indexes("copies")}

    upgrade(empty_db_url)
    assert "ix_copies_text_hash" not in indexes()
    assert "text_hash" in {c["name"] for c in inspect(get_engine(empty_db_url)).get_columns("copies")}
    command.downgrade(alembic_config(empty_db_url), "0011")
    assert "ix_copies_text_hash" in indexes()
