"""A feed's way out and back: 410 disables it (no next poll, shown as disabled), `newsmon feeds enable URL`
brings it back, and a feed removed from feeds.yaml and added again starts fresh."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from newsmon import pipeline
from newsmon.cli import main
from newsmon.config.settings import load_settings
from newsmon.store import queries
from newsmon.store.db import session_scope
from newsmon.store.models import Entry, Feed
from tests.feeds import samples
from tests.http.localserver import LocalServer, static


def _feeds_yaml(path, urls: list[str]):
    path.write_text(
        "feeds:\n"
        + "".join(f"  - url: {u}\n    name: F{i}\n    allow_private: true\n" for i, u in enumerate(urls)),
        encoding="utf-8",
    )
    return path


def _feed(db_url: str, url: str) -> Feed:
    with session_scope(db_url) as s:
        return s.scalars(select(Feed).where(Feed.url == url)).one()


def _health(db_url: str, url: str):
    with session_scope(db_url) as s:
        return next(h for h in queries.feed_health(s) if h.url == url)


def test_gone_feed_is_disabled_until_enabled(db_url, server: LocalServer, tmp_path, capsys):
    url = server.route("/feed.xml", static(200, samples.RSS20.encode()))
    settings = load_settings().with_(db_url=db_url, feeds_file=_feeds_yaml(tmp_path / "feeds.yaml", [url]))
    pipeline.prepare(settings)
    assert pipeline.poll_feeds(settings, force=True)["new_entries"] == 3

    server.routes["/feed.xml"] = static(410, b"gone")
    assert pipeline.poll_feeds(settings, force=True)["errors"] == 1
    health = _health(db_url, url)
    assert health.status(datetime.now(UTC)) == "disabled" and health.next_poll_at is None
    assert health.disabled_reason.startswith("gone: HTTP 410")
    requests = len(server.requests)
    assert pipeline.poll_feeds(settings, force=True)["disabled"] == 1  # not even a forced poll asks again
    assert len(server.requests) == requests

    # The feed is back (a new owner, a fixed server): the operator enables it.
    server.routes["/feed.xml"] = static(200, samples.RSS20.encode())
    assert main(["--db", db_url, "feeds", "enable", "http://127.0.0.1:1/nope.xml"]) == 1
    assert url in capsys.readouterr().err  # the unknown URL lists the disabled feeds
    assert main(["--db", db_url, "feeds", "enable", url]) == 0
    assert "it was disabled: gone: HTTP 410" in capsys.readouterr().out
    feed = _feed(db_url, url)
    assert (feed.disabled_reason, feed.consecutive_errors, feed.last_error_kind) == (None, 0, None)
    polled = pipeline.poll_feeds(settings)  # due now, without forcing
    assert polled["errors"] == 0 and polled["not_due"] == 0 and len(server.requests) == requests + 1
    assert _health(db_url, url).status(datetime.now(UTC)) == "ok"
    with session_scope(db_url) as s:
        assert len(s.scalars(select(Entry)).all()) == 3  # nothing stored was lost on the way


def test_a_feed_removed_and_added_again_starts_fresh(db_url, server: LocalServer, tmp_path):
    url = server.route("/feed.xml", static(500, b"down"))
    other = server.route("/other.xml", static(200, samples.RSS20.encode()))
    feeds_file = tmp_path / "feeds.yaml"
    settings = load_settings().with_(db_url=db_url, feeds_file=_feeds_yaml(feeds_file, [url, other]))
    pipeline.prepare(settings)
    for _ in range(3):
        pipeline.poll_feeds(settings, force=True)
    failing = _feed(db_url, url)
    assert failing.consecutive_errors == 3 and failing.next_poll_at is not None

    _feeds_yaml(feeds_file, [other])  # removed: kept, inactive, shown as removed with no next poll
    assert pipeline.prepare(settings)["feeds_deactivated"] == 1
    removed = _health(db_url, url)
    assert removed.status(datetime.now(UTC)) == "removed" and removed.next_poll_at is None

    server.routes["/feed.xml"] = static(200, samples.RSS20.encode())
    _feeds_yaml(feeds_file, [url, other])
    assert pipeline.prepare(settings)["feeds_returned"] == 1
    fresh = _feed(db_url, url)
    assert (fresh.active, fresh.consecutive_errors, fresh.last_error, fresh.next_poll_at) == (
        True,
        0,
        None,
        None,
    )
    assert pipeline.poll_feeds(settings)["new_entries"] == 3  # due at once, no back-off left
    assert _feed(db_url, other).consecutive_errors == 0
