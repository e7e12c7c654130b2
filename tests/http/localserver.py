"""A real HTTP server on 127.0.0.1 for tests, with per-path behaviour set by each test.

Handlers are plain functions ``fn(handler)`` that write a response through the standard library's
``BaseHTTPRequestHandler``, so a test can misbehave on purpose (drip, lie, never end) at socket level.
"""

from __future__ import annotations

import gzip
import http.server
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest

Handler = Callable[[http.server.BaseHTTPRequestHandler], None]


class _RequestHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes: with Nagle's algorithm on, the second waits for the
    # client's delayed ACK (40 ms) on a kept connection. Web servers turn it off (TCP_NODELAY).
    disable_nagle_algorithm = True
    server: _Server

    def do_GET(self) -> None:
        self.server.owner.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
        route = self.server.owner.routes.get(self.path.split("?", 1)[0])
        if route is None:
            respond(self, 404, b"no such route")
            return
        try:
            route(self)
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            self.close_connection = True

    def log_message(self, format: str, *args: object) -> None:
        pass


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    owner: LocalServer

    def handle_error(self, request: object, client_address: object) -> None:
        """Clients hanging up mid-response is what these tests provoke; no tracebacks on stderr."""


class LocalServer:
    def __init__(self, address: str = "127.0.0.1") -> None:
        self.routes: dict[str, Handler] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.address = address
        self._server = _Server((address, 0), _RequestHandler)
        self._server.owner = self
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.01})

    @property
    def pair(self) -> str:
        """The "host:port" to put in ``HttpPolicy.allowed_private``."""
        return f"{self.address}:{self.port}"

    def url(self, path: str, host: str | None = None) -> str:
        return f"http://{host or self.address}:{self.port}{path}"

    def route(self, path: str, fn: Handler) -> str:
        self.routes[path] = fn
        return self.url(path)

    def paths(self) -> list[str]:
        return [p for p, _ in self.requests]

    def start(self) -> LocalServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


@contextmanager
def running(address: str = "127.0.0.1") -> Iterator[LocalServer]:
    server = LocalServer(address).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def server() -> Iterator[LocalServer]:
    """A fresh server per test; a test package gets it by importing this fixture into its conftest."""
    with running() as srv:
        yield srv


def respond(
    h: http.server.BaseHTTPRequestHandler,
    status: int,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
    *,
    gzip_body: bool = False,
) -> None:
    if gzip_body:
        body = gzip.compress(body)
        headers = {**(headers or {}), "Content-Encoding": "gzip"}
    h.send_response(status)
    for key, value in (headers or {}).items():
        h.send_header(key, value)
    if not any(k.lower() == "content-length" for k in headers or {}):
        h.send_header("Content-Length", str(len(body)))
    h.end_headers()
    if body:
        h.wfile.write(body)


def static(status: int, body: bytes = b"", headers: dict[str, str] | None = None, **kw) -> Handler:
    return lambda h: respond(h, status, body, headers, **kw)


def redirect(status: int, location: str) -> Handler:
    return static(status, b"", {"Location": location})


def drip(chunk: bytes = b"<", every: float = 0.05, limit: int = 400) -> Handler:
    """Headers at once, then one small chunk every ``every`` seconds (a slow-loris body)."""

    def handler(h: http.server.BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "application/rss+xml")
        h.send_header("Content-Length", str(len(chunk) * limit))
        h.end_headers()
        for _ in range(limit):
            h.wfile.write(chunk)
            h.wfile.flush()
            time.sleep(every)

    return handler


def stall(release: threading.Event, head: bytes = b"<rss>") -> Handler:
    """Headers and ``head`` at once, then nothing until the test sets ``release`` (a stalled body)."""

    def handler(h: http.server.BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "application/rss+xml")
        h.send_header("Content-Length", str(len(head) + 1))
        h.end_headers()
        h.wfile.write(head)
        h.wfile.flush()
        release.wait(120)
        h.wfile.write(b"x")

    return handler


def endless(chunk_size: int = 64 * 1024, limit: int = 2000) -> Handler:
    """A body with no Content-Length that goes on until the client hangs up (bounded for safety)."""

    def handler(h: http.server.BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "application/rss+xml")
        h.send_header("Connection", "close")
        h.end_headers()
        h.close_connection = True
        block = b"<item>x</item>" * (chunk_size // 14)
        for _ in range(limit):
            h.wfile.write(block)

    return handler
