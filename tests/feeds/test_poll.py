from __future__ import annotations

import http.server
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from newsmon.feeds.poll import BACKOFF_CAP, FeedState, backoff_delay, poll_feed, poll_feeds
from newsmon.http.client import HttpPolicy
from newsmon.http.politeness import HostLimiter
from tests.feeds import samples
from tests.http.localserver import LocalServer, redirect, respond, static

NOW = datetime(2026, 3, 5, 12, 0, tzinfo=UTC)
INTERVAL = timedelta(minutes=15)
RSS = samples.RSS20.encode()


def pol(server: LocalServer, **kw) -> HttpPolicy:
    return HttpPolicy(allowed_private=frozenset({server.pair}), **kw)


def conditional(h: http.server.BaseHTTPRequestHandler) -> None:
    if h.headers.get("If-None-Match") == '"e1"':
        respond(h, 304, b"", {"ETag": '"e1"'})
    else:
        respond(
            h,
            200,
            RSS,
            {
                "ETag": '"e1"',
                "Last-Modified": "Thu, 05 Mar 2026 11:00:00 GMT",
                "Content-Type": "application/rss+xml; charset=utf-8",
            },
        )


def test_200_then_304(server: LocalServer) -> None:
    url = server.route("/feed", conditional)
    first = poll_feed(FeedState(url=url), policy=pol(server), now=NOW, interval=INTERVAL)
    assert first.status == "new" and len(first.entries) == 3 and first.feed_title == "Harbour Gazette"
    assert first.state.etag == '"e1"' and first.state.last_modified == "Thu, 05 Mar 2026 11:00:00 GMT"
    assert first.state.last_success_at == NOW and first.state.next_poll_at == NOW + INTERVAL
    later = NOW + INTERVAL
    second = poll_feed(first.state, policy=pol(server), now=later, interval=INTERVAL)
    assert second.status == "not_modified" and second.entries == ()
    assert second.state.last_polled_at == later and second.state.etag == '"e1"'
    assert server.requests[1][1]["if-none-match"] == '"e1"'
    assert "if-modified-since" in server.requests[1][1]


def test_not_due_and_force(server: LocalServer) -> None:
    url = server.route("/feed", conditional)
    state = FeedState(url=url, next_poll_at=NOW + timedelta(minutes=5))
    outcome = poll_feed(state, policy=pol(server), now=NOW, interval=INTERVAL)
    assert outcome.status == "not_due" and outcome.state == state and server.requests == []
    forced = poll_feed(state, policy=pol(server), now=NOW, interval=INTERVAL, force=True)
    assert forced.status == "new"


def test_429_retry_after_sets_next_poll(server: LocalServer) -> None:
    url = server.route("/busy", static(429, b"", {"Retry-After": "7200"}))
    outcome = poll_feed(FeedState(url=url), policy=pol(server), now=NOW, interval=INTERVAL)
    assert outcome.status == "error" and outcome.error_kind == "rate_limited"
    assert outcome.state.next_poll_at == NOW + timedelta(hours=2)
    assert outcome.state.consecutive_errors == 1 and outcome.state.last_error_kind == "rate_limited"


def test_503_retry_after_shorter_than_backoff_keeps_backoff(server: LocalServer) -> None:
    url = server.route("/down", static(503, b"", {"Retry-After": "10"}))
    outcome = poll_feed(FeedState(url=url), policy=pol(server), now=NOW, interval=INTERVAL)
    assert outcome.error_kind == "http_5xx" and outcome.state.next_poll_at == NOW + 2 * INTERVAL


def test_410_disables_the_feed_for_good(server: LocalServer) -> None:
    url = server.route("/gone", static(410))
    outcome = poll_feed(FeedState(url=url), policy=pol(server), now=NOW, interval=INTERVAL)
    assert outcome.error_kind == "gone"
    assert outcome.state.disabled_reason and outcome.state.disabled_reason.startswith(
        "gone: HTTP 410 at 2026-03-05"
    )
    again = poll_feed(
        outcome.state, policy=pol(server), now=NOW + timedelta(days=30), interval=INTERVAL, force=True
    )
    assert again.status == "disabled" and again.state == outcome.state
    assert len(server.requests) == 1


def test_301_updates_the_url_used_from_then_on(server: LocalServer) -> None:
    server.route("/old", redirect(301, "/new"))
    new_url = server.route("/new", conditional)
    outcome = poll_feed(FeedState(url=server.url("/old")), policy=pol(server), now=NOW, interval=INTERVAL)
    assert outcome.status == "new" and outcome.state.redirected_to == new_url
    assert outcome.state.url == server.url("/old")  # identity of the feed is kept
    poll_feed(outcome.state, policy=pol(server), now=NOW + INTERVAL, interval=INTERVAL)
    assert server.paths() == ["/old", "/new", "/new"]


def test_302_does_not_update_the_url(server: LocalServer) -> None:
    server.route("/old", redirect(302, "/temporary"))
    server.route("/temporary", conditional)
    outcome = poll_feed(FeedState(url=server.url("/old")), policy=pol(server), now=NOW, interval=INTERVAL)
    assert outcome.status == "new" and outcome.state.redirected_to is None


def test_redirect_to_a_private_address_is_an_error_and_not_remembered(server: LocalServer) -> None:
    url = server.route("/evil", redirect(301, "http://169.254.169.254/latest/meta-data/"))
    outcome = poll_feed(FeedState(url=url), policy=pol(server), now=NOW, interval=INTERVAL)
    assert outcome.error_kind == "ssrf_blocked" and outcome.state.redirected_to is None


def test_localhost_refused_when_private_not_allowed(server: LocalServer) -> None:
    server.route("/feed", conditional)
    outcome = poll_feed(
        FeedState(url=server.url("/feed", host="localhost")), policy=HttpPolicy(), now=NOW, interval=INTERVAL
    )
    assert outcome.status == "error" and outcome.error_kind == "ssrf_blocked" and server.requests == []


def test_parse_error_keeps_old_validators(server: LocalServer) -> None:
    url = server.route(
        "/html", static(200, b"<!DOCTYPE html><html><body>maintenance</body></html>", {"ETag": '"x"'})
    )
    state = FeedState(url=url, etag='"old"')
    outcome = poll_feed(state, policy=pol(server), now=NOW, interval=INTERVAL)
    assert outcome.status == "error" and outcome.error_kind == "not_a_feed"
    assert outcome.state.etag == '"old"' and outcome.state.consecutive_errors == 1


def test_bozo_feed_entries_kept_with_reason(server: LocalServer) -> None:
    url = server.route("/bozo", static(200, RSS.replace(b"</channel>", b"")))
    outcome = poll_feed(FeedState(url=url), policy=pol(server), now=NOW, interval=INTERVAL)
    assert outcome.status == "new" and len(outcome.entries) == 3 and outcome.bozo_reason


def test_json_feed_over_http(server: LocalServer) -> None:
    url = server.route(
        "/feed.json", static(200, samples.JSON_FEED.encode(), {"Content-Type": "application/feed+json"})
    )
    outcome = poll_feed(FeedState(url=url), policy=pol(server), now=NOW, interval=INTERVAL)
    assert outcome.status == "new" and [e.key for e in outcome.entries] == ["apple-42", "43"]


def test_backoff_grows_caps_and_resets(server: LocalServer) -> None:
    failing = {"on": True}

    def flaky(h: http.server.BaseHTTPRequestHandler) -> None:
        respond(h, 500, b"") if failing["on"] else respond(h, 200, RSS)

    url = server.route("/flaky", flaky)
    state = FeedState(url=url)
    delays = []
    now = NOW
    for _ in range(9):
        outcome = poll_feed(state, policy=pol(server), now=now, interval=INTERVAL, force=True)
        state = outcome.state
        delays.append(state.next_poll_at - now)
        now = state.next_poll_at
    assert delays[:4] == [INTERVAL * 2, INTERVAL * 4, INTERVAL * 8, INTERVAL * 16]
    assert delays[-1] == BACKOFF_CAP and state.consecutive_errors == 9
    assert state.last_error_kind == "http_5xx"
    failing["on"] = False
    ok = poll_feed(state, policy=pol(server), now=now, interval=INTERVAL)
    assert ok.status == "new" and ok.state.consecutive_errors == 0 and ok.state.last_error_kind is None
    assert ok.state.next_poll_at == now + INTERVAL


def test_backoff_delay_never_below_a_long_interval() -> None:
    assert backoff_delay(timedelta(days=2), 5) == timedelta(days=2)
    assert backoff_delay(INTERVAL, 0) == INTERVAL


def test_poll_feeds_keeps_order_and_isolates_failures(server: LocalServer) -> None:
    server.route("/a", conditional)
    server.route("/gone", static(410))
    server.route("/slow", static(200, RSS))
    states = [
        FeedState(url=server.url("/a")),
        FeedState(url=server.url("/gone")),
        FeedState(url="ftp://nowhere.example/x"),
        FeedState(url=server.url("/a"), next_poll_at=NOW + timedelta(hours=1)),
        FeedState(url=server.url("/slow"), disabled_reason="gone: earlier"),
        FeedState(url=server.url("/slow")),
    ]
    outcomes = poll_feeds(
        states,
        policy=pol(server),
        now=NOW,
        interval_for=lambda s: INTERVAL,
        max_workers=4,
        limiter=HostLimiter(max_per_host=2, min_delay=0),
    )
    assert [o.status for o in outcomes] == ["new", "error", "error", "not_due", "disabled", "new"]
    assert [o.state.url for o in outcomes] == [s.url for s in states]
    assert outcomes[2].error_kind == "bad_url"


def test_poll_feeds_policy_for_grants_one_feed_private_access(server: LocalServer) -> None:
    url = server.route("/demo", conditional)
    other = server.url("/demo", host="localhost")
    outcomes = poll_feeds(
        [FeedState(url=url), FeedState(url=other)],
        policy=HttpPolicy(),
        now=NOW,
        interval_for=lambda s: INTERVAL,
        limiter=HostLimiter(min_delay=0),
        policy_for=lambda s: (
            replace(HttpPolicy(), allowed_private=frozenset({server.pair})) if s.url == url else HttpPolicy()
        ),
    )
    assert [o.status for o in outcomes] == ["new", "error"] and outcomes[1].error_kind == "ssrf_blocked"


@pytest.mark.parametrize("kind", ["timeout", "too_large"])
def test_cut_bodies_become_feed_errors(server: LocalServer, kind: str) -> None:
    from tests.http.localserver import drip, endless

    url = server.route("/bad", drip(every=0.05) if kind == "timeout" else endless())
    policy = pol(server, total_timeout=0.3, read_timeout=0.2, max_bytes=128 * 1024)
    outcome = poll_feed(FeedState(url=url), policy=policy, now=NOW, interval=INTERVAL)
    assert outcome.status == "error" and outcome.error_kind == kind
