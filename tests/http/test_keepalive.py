"""Kept connections (``newsmon.http.client._Pools``): reused for the next request to the same host under
the same policy, never after an answer left unread, never across policies, never past the idle limit."""

from __future__ import annotations

import http.server
import time

import pytest

from newsmon.http import client
from newsmon.http.client import HttpPolicy, close_connections, fetch
from tests.http.localserver import LocalServer, endless, respond

PAGE = b"<html><body><p>Council adopts the budget.</p></body></html>"


@pytest.fixture(autouse=True)
def _no_kept_connections() -> None:
    close_connections()


def policy(server: LocalServer, **kw) -> HttpPolicy:
    return HttpPolicy(allowed_private=frozenset({server.pair}), **kw)


def _counted(server: LocalServer, path: str, status: int = 200, body: bytes = PAGE) -> str:
    """A route answering ``status``; the client port of each request is recorded in ``server.ports``."""

    def handler(h: http.server.BaseHTTPRequestHandler) -> None:
        server.ports.append(h.client_address[1])  # type: ignore[attr-defined]
        respond(h, status, body)

    if not hasattr(server, "ports"):
        server.ports = []  # type: ignore[attr-defined]
    return server.route(path, handler)


def _connections(server: LocalServer) -> int:
    return len(set(server.ports))  # type: ignore[attr-defined]


def test_pages_of_one_host_share_a_connection(server: LocalServer) -> None:
    urls = [_counted(server, f"/p{i}") for i in range(5)]
    results = [fetch(url, policy(server)) for url in urls]
    assert all(r.ok and r.body == PAGE for r in results)
    assert _connections(server) == 1


def test_another_policy_opens_its_own_connection(server: LocalServer) -> None:
    url = _counted(server, "/p")
    assert fetch(url, policy(server)).ok
    wider = HttpPolicy(allowed_private=frozenset({server.pair, "10.0.0.1:80"}))
    assert fetch(url, wider).ok
    assert _connections(server) == 2


def test_a_kept_connection_to_an_allowed_private_host_serves_no_other_policy(server: LocalServer) -> None:
    url = _counted(server, "/p")
    assert fetch(url, policy(server)).ok
    refused = fetch(url, HttpPolicy())  # the default policy allows no private address
    assert refused.error_kind == "ssrf_blocked"
    assert len(server.ports) == 1  # type: ignore[attr-defined]


@pytest.mark.parametrize("status", [404, 500, 429])
def test_no_reuse_after_an_error_status(server: LocalServer, status: int) -> None:
    bad = _counted(server, "/bad", status, b"x" * 50_000)  # a body the client does not read
    good = _counted(server, "/good")
    assert fetch(bad, policy(server)).status == status
    result = fetch(good, policy(server))
    assert result.ok and result.body == PAGE
    assert _connections(server) == 2


def test_no_reuse_after_a_redirect(server: LocalServer) -> None:
    target = _counted(server, "/target")

    def moved(h: http.server.BaseHTTPRequestHandler) -> None:
        server.ports.append(h.client_address[1])  # type: ignore[attr-defined]
        respond(h, 302, b"moved, see elsewhere", {"Location": target})

    result = fetch(server.route("/moved", moved), policy(server))
    assert result.ok and result.body == PAGE and result.hops[-1] == target
    assert _connections(server) == 2


def test_no_reuse_after_a_body_cut_at_the_cap(server: LocalServer) -> None:
    big = server.route("/endless", endless())
    good = _counted(server, "/good")
    assert fetch(big, policy(server, max_bytes=64 * 1024)).error_kind == "too_large"
    result = fetch(good, policy(server))
    assert result.ok and result.body == PAGE


def test_a_connection_the_server_closed_is_replaced(server: LocalServer) -> None:
    def closing(h: http.server.BaseHTTPRequestHandler) -> None:
        server.ports.append(h.client_address[1])  # type: ignore[attr-defined]
        respond(h, 200, PAGE)
        h.close_connection = True  # hangs up after the answer, without saying so in a header

    server.ports = []  # type: ignore[attr-defined]
    url = server.route("/closing", closing)
    first = fetch(url, policy(server))
    time.sleep(0.05)  # let the server's FIN arrive: a dropped connection is seen when taken
    second = fetch(url, policy(server))
    assert first.ok and second.ok and second.body == PAGE
    assert _connections(server) == 2


def test_no_reuse_past_the_idle_limit(server: LocalServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(client, "_KEEP_IDLE", 0.05)
    url = _counted(server, "/p")
    assert fetch(url, policy(server)).ok
    time.sleep(0.1)
    assert fetch(url, policy(server)).ok
    assert _connections(server) == 2


def test_close_connections_closes_what_was_kept(server: LocalServer) -> None:
    url = _counted(server, "/p")
    assert fetch(url, policy(server)).ok
    close_connections()
    assert fetch(url, policy(server)).ok
    assert _connections(server) == 2
