from __future__ import annotations

import gzip
import http.server
import socket
import threading
import time
import zlib
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

import newsmon
from newsmon.http.client import FetchResult, HttpPolicy, fetch, parse_retry_after
from tests.http.localserver import LocalServer, drip, endless, redirect, respond, running, stall, static

FEED = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>'


def policy(server: LocalServer, **kw) -> HttpPolicy:
    return HttpPolicy(allowed_private=frozenset({server.pair}), **kw)


def test_plain_get_sends_user_agent_and_accepts_compression(server: LocalServer) -> None:
    url = server.route("/feed", static(200, FEED, {"Content-Type": "application/rss+xml", "ETag": '"v1"'}))
    result = fetch(url, policy(server), accept="application/rss+xml")
    assert result.ok and result.body == FEED and result.status == 200
    assert result.headers["etag"] == '"v1"'  # names lower-cased
    sent = server.requests[0][1]
    assert sent["user-agent"] == newsmon.USER_AGENT and "http" in newsmon.USER_AGENT
    assert "gzip" in sent["accept-encoding"] and "deflate" in sent["accept-encoding"]
    assert sent["accept"] == "application/rss+xml"


def test_gzip_and_deflate_bodies_are_decoded(server: LocalServer) -> None:
    url = server.route("/gz", static(200, FEED, gzip_body=True))
    assert fetch(url, policy(server)).body == FEED
    url = server.route("/deflate", static(200, zlib.compress(FEED), {"Content-Encoding": "deflate"}))
    assert fetch(url, policy(server)).body == FEED


def test_broken_gzip_is_a_decode_error(server: LocalServer) -> None:
    url = server.route(
        "/badgz", static(200, b"\x1f\x8b\x08\x00garbage-not-gzip", {"Content-Encoding": "gzip"})
    )
    result = fetch(url, policy(server))
    assert result.error_kind == "decode" and not result.ok


def test_conditional_get_gets_304_with_no_body(server: LocalServer) -> None:
    def handler(h: http.server.BaseHTTPRequestHandler) -> None:
        if h.headers.get("If-None-Match") == '"v1"' or h.headers.get("If-Modified-Since"):
            respond(h, 304, b"", {"ETag": '"v1"'})
        else:
            respond(h, 200, FEED, {"ETag": '"v1"'})

    url = server.route("/c", handler)
    first = fetch(url, policy(server))
    second = fetch(url, policy(server), etag=first.headers["etag"])
    third = fetch(url, policy(server), last_modified="Mon, 06 Sep 2021 16:45:00 GMT")
    assert first.ok and not first.not_modified
    assert second.not_modified and second.body == b"" and not second.ok and second.error_kind is None
    assert third.not_modified
    assert server.requests[2][1]["if-modified-since"] == "Mon, 06 Sep 2021 16:45:00 GMT"


def test_permanent_redirect_chain_reports_the_final_target(server: LocalServer) -> None:
    server.route("/a", redirect(301, "/b"))
    server.route("/b", redirect(308, server.url("/c")))
    server.route("/c", static(200, FEED))
    result = fetch(server.url("/a"), policy(server))
    assert result.ok and result.final_url == server.url("/c")
    assert result.permanent_redirect == server.url("/c")
    assert result.hops == (server.url("/a"), server.url("/b"), server.url("/c"))


def test_temporary_hop_stops_the_permanent_chain(server: LocalServer) -> None:
    server.route("/a", redirect(301, "/b"))
    server.route("/b", redirect(302, "/c"))
    server.route("/c", redirect(301, "/d"))
    server.route("/d", static(200, FEED))
    result = fetch(server.url("/a"), policy(server))
    assert result.ok and result.permanent_redirect == server.url("/b")


def test_at_most_five_redirects(server: LocalServer) -> None:
    for i in range(7):
        server.route(f"/r{i}", redirect(302, f"/r{i + 1}"))
    server.route("/r7", static(200, FEED))
    assert fetch(server.url("/r2"), policy(server)).ok  # exactly 5 redirects
    result = fetch(server.url("/r1"), policy(server))  # 6
    assert result.error_kind == "too_many_redirects" and len(result.hops) == 6


def test_redirect_without_location(server: LocalServer) -> None:
    url = server.route("/noloc", static(302, b""))
    assert fetch(url, policy(server)).error_kind == "bad_redirect"


@pytest.mark.parametrize(
    "target",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.1/feed",
        "http://[::1]:{port}/feed",
        "http://localhost:{port}/feed",
        "http://127.0.0.1:{other}/feed",
    ],
)
def test_redirect_from_an_allowed_host_to_another_private_address_is_refused(
    server: LocalServer, target: str
) -> None:
    with running() as other:
        other.route("/feed", static(200, FEED))
        url = server.route("/go", redirect(302, target.format(port=server.port, other=other.port)))
        result = fetch(url, policy(server))
        assert result.error_kind == "ssrf_blocked", result
        assert other.requests == []
        assert len(result.hops) == 2


def test_private_address_refused_when_not_allowed(server: LocalServer) -> None:
    url = server.route("/feed", static(200, FEED))
    result = fetch(url, HttpPolicy())
    assert result.error_kind == "ssrf_blocked" and server.requests == []
    by_name = fetch(server.url("/feed", host="localhost"), policy(server))  # only 127.0.0.1:port is allowed
    assert by_name.error_kind == "ssrf_blocked" and "loopback" in (by_name.error or "")
    assert server.requests == []


def test_connects_to_the_address_it_vetted_with_one_lookup(
    server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One resolution per connection: nothing resolves the name again between check and connect."""
    real = socket.getaddrinfo
    calls: list[str] = []

    def counting(host, port, *args, **kwargs):
        calls.append(host)
        return real("127.0.0.1" if host == "feed.example" else host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", counting)
    url = server.route("/feed", static(200, FEED))
    pol = HttpPolicy(allowed_private=frozenset({f"feed.example:{server.port}"}))
    result = fetch(url.replace("127.0.0.1", "feed.example"), pol)
    assert result.ok
    assert calls == ["feed.example"]
    assert server.requests[0][1]["host"] == f"feed.example:{server.port}"


def test_slow_drip_is_cut_by_the_total_timeout(server: LocalServer) -> None:
    # Chunks keep arriving (each read succeeds), so only the total limit can end this: the whole body
    # would take 400 * 0.5 s = 200 s; the deadline below is far from both, whatever the machine's load.
    url = server.route("/drip", drip(every=0.5, limit=400))
    start = time.monotonic()
    result = fetch(url, policy(server, total_timeout=0.5, read_timeout=5))
    assert result.error_kind == "timeout" and result.status == 200  # cut mid-body
    assert time.monotonic() - start < 60


def test_stalled_body_hits_the_read_timeout(server: LocalServer) -> None:
    release = threading.Event()
    url = server.route("/stall", stall(release))
    try:
        result = fetch(url, policy(server, read_timeout=0.2, total_timeout=100))
    finally:
        release.set()
    assert result.error_kind == "timeout" and result.elapsed < 60  # the stall lasts 120 s


def test_endless_body_is_cut_at_max_bytes_while_streaming(server: LocalServer) -> None:
    url = server.route("/endless", endless())
    result = fetch(url, policy(server, max_bytes=256 * 1024))
    assert result.error_kind == "too_large" and result.body == b""


def test_gzip_bomb_is_cut_at_max_bytes_after_decompression(server: LocalServer) -> None:
    bomb = gzip.compress(b"\0" * (30 * 1024 * 1024))
    assert len(bomb) < 100 * 1024
    url = server.route("/bomb", static(200, bomb, {"Content-Encoding": "gzip"}))
    result = fetch(url, policy(server, max_bytes=1024 * 1024))
    assert result.error_kind == "too_large"


def test_content_length_over_the_cap_is_refused_before_reading(server: LocalServer) -> None:
    url = server.route("/big", static(200, b"x" * 10, {"Content-Length": str(50 * 1024 * 1024)}))
    result = fetch(url, policy(server, max_bytes=1024 * 1024))
    assert result.error_kind == "too_large" and "Content-Length" in (result.error or "")


def test_content_length_longer_than_the_body_is_truncated(server: LocalServer) -> None:
    def liar(h: http.server.BaseHTTPRequestHandler) -> None:
        respond(h, 200, b"<rss>short", {"Content-Length": "5000", "Connection": "close"})
        h.close_connection = True

    result = fetch(server.route("/liar", liar), policy(server))
    assert result.error_kind == "truncated" and not result.ok


def test_content_length_shorter_than_the_body_reads_only_what_was_declared(server: LocalServer) -> None:
    url = server.route("/short", static(200, b"0123456789" * 10, {"Content-Length": "5"}))
    result = fetch(url, policy(server))
    assert result.ok and result.body == b"01234"


def test_429_with_retry_after_seconds(server: LocalServer) -> None:
    url = server.route("/busy", static(429, b"slow down", {"Retry-After": "120"}))
    result = fetch(url, policy(server))
    assert result.error_kind == "rate_limited" and result.status == 429 and result.retry_after == 120


def test_503_with_retry_after_date(server: LocalServer) -> None:
    when = format_datetime(datetime.now(UTC) + timedelta(minutes=10), usegmt=True)
    url = server.route("/down", static(503, b"", {"Retry-After": when}))
    result = fetch(url, policy(server))
    assert result.error_kind == "http_5xx" and 500 < (result.retry_after or 0) <= 600


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (410, "gone"),
        (404, "not_found"),
        (401, "http_4xx"),
        (403, "http_4xx"),
        (429, "rate_limited"),
        (500, "http_5xx"),
    ],
)
def test_error_statuses(server: LocalServer, status: int, kind: str) -> None:
    result = fetch(server.route("/x", static(status, b"nope")), policy(server))
    assert (result.error_kind, result.status, result.ok) == (kind, status, False)


def test_refused_connection(server: LocalServer) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = fetch(f"http://127.0.0.1:{port}/", HttpPolicy(allowed_private=frozenset({f"127.0.0.1:{port}"})))
    assert result.error_kind == "refused"


def test_unresolvable_name(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_dns(host, *args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    result = fetch("http://no-such-host.invalid/feed", HttpPolicy())
    assert result.error_kind == "dns" and "no-such-host.invalid" in (result.error or "")


def test_tls_failure_is_reported_as_tls(server: LocalServer) -> None:
    server.route("/", static(200, FEED))
    result = fetch(f"https://127.0.0.1:{server.port}/", policy(server, total_timeout=3))
    assert result.error_kind == "tls"


@pytest.mark.parametrize(
    "url", ["ftp://example.com/feed", "file:///etc/passwd", "not a url", "http:///nohost"]
)
def test_bad_urls(url: str) -> None:
    result = fetch(url, HttpPolicy())
    assert result.error_kind == "bad_url" and isinstance(result, FetchResult)


def test_failures_are_logged_once(server: LocalServer, caplog: pytest.LogCaptureFixture) -> None:
    url = server.route("/gone", static(410))
    with caplog.at_level("WARNING", logger="newsmon.http.client"):
        fetch(url, policy(server))
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 1 and "gone" in lines[0] and url in lines[0]


def test_parse_retry_after() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert parse_retry_after("30") == 30
    assert parse_retry_after("Thu, 01 Jan 2026 00:05:00 GMT", now=now) == 300
    assert parse_retry_after("Wed, 31 Dec 2025 00:00:00 GMT", now=now) == 0
    assert parse_retry_after("99999999") == 7 * 24 * 3600
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None
