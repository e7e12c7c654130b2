"""The stages in turn, in-process (what `newsmon run` does), against the demo corpus on 127.0.0.1."""

from __future__ import annotations

import socket

from sqlalchemy import func, select

from newsmon import pipeline
from newsmon.config.settings import load_settings
from newsmon.store.db import session_scope
from newsmon.store.models import Copy, Entry, Feed, Story


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _settings(db_url, feeds_file):
    return load_settings().with_(db_url=db_url, feeds_file=feeds_file)


def test_unreachable_feed_is_a_feed_error_and_the_rest_goes_on(db_url, demo_feeds_file, tmp_path):
    dead = f"http://127.0.0.1:{_closed_port()}/rss.xml"
    feeds_file = tmp_path / "with-dead.yaml"
    feeds_file.write_text(
        demo_feeds_file.read_text() + f"  - url: {dead}\n    name: Dead feed\n    allow_private: true\n"
    )
    summary = pipeline.run_once(_settings(db_url, feeds_file), force_poll=True)
    assert summary["poll"]["errors"] == 1
    with session_scope(db_url) as s:
        feed = s.scalars(select(Feed).where(Feed.url == dead)).one()
        assert feed.last_error_kind and feed.last_error and feed.consecutive_errors == 1
        assert feed.next_poll_at is not None
        assert s.scalar(select(func.count()).select_from(Story)) > 0


def test_private_address_is_refused_without_an_allowance(db_url, demo_server, tmp_path):
    feeds_file = tmp_path / "feeds.yaml"
    feeds_file.write_text(f"feeds:\n  - url: {demo_server.feeds()[0]['url']}\n    name: not allowed\n")
    summary = pipeline.run_once(_settings(db_url, feeds_file), force_poll=True)
    assert summary["poll"]["errors"] == 1
    with session_scope(db_url) as s:
        feed = s.scalars(select(Feed)).one()
        assert feed.last_error_kind == "ssrf_blocked"
        assert s.scalar(select(func.count()).select_from(Entry)) == 0


def test_a_failing_poll_keeps_what_was_stored(db_url, demo_server, demo_feeds_file):
    settings = _settings(db_url, demo_feeds_file)
    pipeline.run_once(settings, force_poll=True)
    with session_scope(db_url) as s:
        before = (
            s.scalar(select(func.count()).select_from(Entry)),
            s.scalar(select(func.count()).select_from(Copy)),
        )
    feed_path = demo_server.feeds()[0]["url"].removeprefix(demo_server.base_url)
    demo_server.overlay[feed_path] = b"<rss><channel><item><title>broken"  # malformed now
    pipeline.run_once(settings, force_poll=True)
    with session_scope(db_url) as s:
        after = (
            s.scalar(select(func.count()).select_from(Entry)),
            s.scalar(select(func.count()).select_from(Copy)),
        )
    assert after[0] >= before[0] and after[1] >= before[1]


def test_stories_list_shows_the_folded_story_with_its_original(db_url, demo_feeds_file, capsys):
    from newsmon.cli import main

    pipeline.run_once(_settings(db_url, demo_feeds_file), force_poll=True)
    capsys.readouterr()
    assert main(["--db", db_url, "stories", "list", "--topic", "child_repatriation"]) == 0
    out = capsys.readouterr().out
    assert "(3 copies, Meridian Wire)" in out
    originals = [line for line in out.splitlines() if line.lstrip().startswith("* Meridian Wire")]
    assert len(originals) == 1
