"""One feed with 20,000 items among 100 ordinary feeds: every ordinary feed's articles are fetched in the
first run, and the huge feed's backlog stays bounded even when it renumbers everything on each poll."""

from __future__ import annotations

from sqlalchemy import func, select

from newsmon import pipeline
from newsmon.config.settings import load_settings
from newsmon.demo.farm import FeedFarm
from newsmon.store.db import session_scope
from newsmon.store.models import Entry, EntryState, Feed


def _run(settings) -> dict[str, int]:
    totals: dict[str, int] = {}
    for batch in pipeline.plan_fetch(settings):
        for k, v in pipeline.fetch_batch(settings, batch).items():
            totals[k] = totals.get(k, 0) + v
    return totals


def _states(db_url: str, feed_url: str) -> dict[str, int]:
    with session_scope(db_url) as s:
        rows = s.execute(
            select(Entry.state, func.count())
            .join(Feed, Feed.id == Entry.feed_id)
            .where(Feed.url == feed_url)
            .group_by(Entry.state)
        )
        return {str(state): n for state, n in rows}


def test_a_20000_item_feed_costs_the_other_100_feeds_nothing(db_url, tmp_path):
    with FeedFarm(feeds=100, items=2, huge_items=20_000) as farm:
        settings = load_settings().with_(
            db_url=db_url, feeds_file=farm.write_feeds_yaml(tmp_path / "feeds.yaml")
        )
        pipeline.prepare(settings)
        polled = pipeline.poll_feeds(settings, force=True)
        assert polled["errors"] == 0 and polled["surplus"] == 20_000 - settings.feed_backlog
        fetched = _run(settings)

        assert fetched["failed"] == 0 and fetched["deferred"] == 0, fetched
        assert all(farm.hits[f"feed{n}"] == 2 for n in range(100)), farm.hits  # every article, first run
        assert farm.hits["huge"] == settings.feed_fetch_per_run
        huge = farm.feed_urls()["huge"]
        assert _states(db_url, huge) == {"done": 50, "new": settings.feed_backlog - 50}
        with session_scope(db_url) as s:
            feed = s.scalars(select(Feed).where(Feed.url == huge)).one()
            assert (feed.last_poll_items, feed.last_poll_surplus, feed.entries_skipped) == (20_000, 19_800, 0)
            ordinary = s.scalar(
                select(func.count())
                .select_from(Entry)
                .where(Entry.state == EntryState.DONE, Entry.feed_id != feed.id)
            )
            assert ordinary == 200

        # The huge feed renumbers all 20,000 items: 200 newer entries push its 150 waiting ones out.
        farm.mint()
        polled = pipeline.poll_feeds(settings, force=True)
        assert polled["skipped"] == 150 and polled["new_entries"] == 200
        assert _states(db_url, huge) == {"done": 50, "new": 200, "skipped": 150}
        with session_scope(db_url) as s:
            assert s.scalar(select(Feed.entries_skipped).where(Feed.url == huge)) == 150
