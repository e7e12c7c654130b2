"""A real HTTP server on 127.0.0.1 (in a thread) serving pages written for these tests."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from newsmon.http.client import HttpPolicy

Route = Callable[[BaseHTTPRequestHandler], None]


@dataclass
class Site:
    """The running server: base URL, port, a route table tests extend, and a request log."""

    base: str
    port: int
    routes: dict[str, Route]
    hits: list[str] = field(default_factory=list)

    def url(self, path: str) -> str:
        return self.base + path

    def page(
        self,
        path: str,
        body: bytes,
        content_type: str | None = "text/html; charset=utf-8",
        status: int = 200,
        headers: dict[str, str] | None = None,
    ) -> str:
        """Serve ``body`` at ``path``; returns the absolute URL."""

        def route(handler: BaseHTTPRequestHandler) -> None:
            handler.send_response(status)
            if content_type:
                handler.send_header("Content-Type", content_type)
            for name, value in (headers or {}).items():
                handler.send_header(name, value)
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body)

        self.routes[path] = route
        return self.url(path)


def _handler_for(site: Site) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"  # close after each answer: a streamed body ends with the connection

        def do_GET(self) -> None:
            site.hits.append(self.path)
            route = site.routes.get(self.path)
            if route is None:
                self.send_response(404)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", "9")
                self.end_headers()
                self.wfile.write(b"not found")
                return
            # the client may stop reading (size cap): that is expected, not a server error
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                route(self)

        def log_message(self, format: str, *args: object) -> None:  # keep test output quiet
            return

    return Handler


@pytest.fixture
def site() -> Iterator[Site]:
    routes: dict[str, Route] = {}
    server = ThreadingHTTPServer(("127.0.0.1", 0), None)  # type: ignore[arg-type]
    port = server.server_address[1]
    holder = Site(base=f"http://127.0.0.1:{port}", port=port, routes=routes)
    server.RequestHandlerClass = _handler_for(holder)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield holder
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def policy(site: Site) -> HttpPolicy:
    return HttpPolicy(
        connect_timeout=2.0,
        read_timeout=5.0,
        total_timeout=20.0,
        max_bytes=2 * 1024 * 1024,
        allowed_private=frozenset({f"127.0.0.1:{site.port}"}),
    )
