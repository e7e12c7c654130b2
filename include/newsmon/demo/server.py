"""A tiny web server for the demo corpus, bound to the loopback interface only.

Why a server at all, rather than reading the files: the demo and the end-to-end tests must exercise
the real pipeline, which speaks HTTP (conditional GET, Content-Type sniffing, robots.txt). Why the
standard library only: the server is a fixture, not a product; it must start in milliseconds on any
machine, and it must never be reachable from outside, so it refuses any non-loopback address.

What it does, and nothing more:
* serves `site/` with the right Content-Type per file and `{{BASE}}` replaced by its own base URL;
* sends ETag and Last-Modified, and answers If-None-Match / If-Modified-Since with 304;
* answers 404 for unknown paths, directories without index.html and any path trying to leave the root;
* serves `overlay` entries (path -> bytes) in preference to files, so a test can publish a new copy
  into a feed between two pipeline runs: `server.overlay["/daily/atom.xml"] = new_bytes`;
* logs each request at DEBUG, never to stderr.
"""

from __future__ import annotations

import email.utils
import hashlib
import ipaddress
import logging
import posixpath
import threading
import time
from collections.abc import Iterator, Mapping, MutableMapping
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import unquote, urlsplit

from newsmon.demo.corpus import PLACEHOLDER, SITE_ROOT, sites

log = logging.getLogger(__name__)

# Feed files are recognised by name first, because ".xml" alone does not say RSS or Atom.
_TYPES_BY_NAME = {
    "rss.xml": "application/rss+xml",
    "atom.xml": "application/atom+xml",
    "feed.json": "application/feed+json",
}
_TYPES_BY_SUFFIX = {
    ".html": "text/html; charset=utf-8",
    ".rdf": "application/rdf+xml",
    ".xml": "application/xml",
    ".json": "application/json",
    ".txt": "text/plain; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
}
_FALLBACK_TYPE = "application/octet-stream"


def content_type(path: str) -> str:
    """The Content-Type the demo server sends for a URL path."""
    name = posixpath.basename(path) or "index.html"
    if name in _TYPES_BY_NAME:
        return _TYPES_BY_NAME[name]
    return _TYPES_BY_SUFFIX.get(posixpath.splitext(name)[1].lower(), _FALLBACK_TYPE)


def _is_textual(ctype: str) -> bool:
    return ctype.startswith("text/") or "xml" in ctype or "json" in ctype


def _overlay_key(path: str) -> str:
    return "/" + path.lstrip("/")


class Overlay(MutableMapping[str, bytes]):
    """Path -> bytes served instead of (or in addition to) the files; safe to change while serving.

    It remembers when each entry was set so Last-Modified moves forward, strictly, on every change:
    a client that polls with If-Modified-Since must see a new version even within the same second.
    """

    def __init__(self, initial: Mapping[str, bytes] | None = None, root: Path = SITE_ROOT) -> None:
        self._root = root
        self._data: dict[str, tuple[bytes, int]] = {}
        self._lock = threading.Lock()
        self._clock = 0
        for key, value in (initial or {}).items():
            self[key] = value

    def __setitem__(self, path: str, content: bytes | str) -> None:
        body = content.encode("utf-8") if isinstance(content, str) else bytes(content)
        key = _overlay_key(path)
        with self._lock:
            file = self._root / key.lstrip("/")
            floor = int(file.stat().st_mtime) if file.is_file() else 0
            self._clock = max(int(time.time()), self._clock + 1, floor + 1)
            self._data[key] = (body, self._clock)

    def __getitem__(self, path: str) -> bytes:
        return self._data[_overlay_key(path)][0]

    def __delitem__(self, path: str) -> None:
        with self._lock:
            del self._data[_overlay_key(path)]

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._data))

    def __len__(self) -> int:
        return len(self._data)

    def entry(self, path: str) -> tuple[bytes, int] | None:
        """(content, modification time in whole seconds) or None."""
        return self._data.get(_overlay_key(path))


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    server_version = "newsmon-demo/1"
    sys_version = ""

    def do_GET(self) -> None:
        self._respond(send_body=True)

    def do_HEAD(self) -> None:
        self._respond(send_body=False)

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("demo server: %s %s", self.address_string(), format % args)

    def _respond(self, send_body: bool) -> None:
        demo = self.server.demo
        path = clean_path(self.path)
        found = demo.lookup(path) if path is not None else None
        if found is None:
            self._send_plain(HTTPStatus.NOT_FOUND, b"Not found\n", send_body)
            return
        served_path, body, mtime = found
        ctype = content_type(served_path)
        if _is_textual(ctype):
            body = body.replace(PLACEHOLDER.encode(), demo.base_url.encode())
        etag = '"' + hashlib.sha256(body).hexdigest()[:24] + '"'
        last_modified = email.utils.formatdate(mtime, usegmt=True)
        if self._not_modified(etag, mtime):
            self.send_response(HTTPStatus.NOT_MODIFIED)
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", last_modified)
            self.end_headers()
            return
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", last_modified)
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def _not_modified(self, etag: str, mtime: int) -> bool:
        # RFC 9110 13.2.2: If-None-Match wins; If-Modified-Since only counts when it is absent.
        inm = self.headers.get("If-None-Match")
        if inm is not None:
            tags = {t.strip().removeprefix("W/") for t in inm.split(",")}
            return "*" in tags or etag in tags
        ims = self.headers.get("If-Modified-Since")
        if ims:
            try:
                since = email.utils.parsedate_to_datetime(ims)
            except (TypeError, ValueError):
                return False
            return since.tzinfo is not None and mtime <= since.timestamp()
        return False

    def _send_plain(self, status: HTTPStatus, body: bytes, send_body: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body:
            self.wfile.write(body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    demo: DemoServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        # The default prints a traceback to stderr; a client hanging up early is routine here.
        log.debug("demo server: error while serving %s", client_address, exc_info=True)


def clean_path(target: str) -> str | None:
    """The URL path of a request target, or None if it is malformed or tries to leave the web root.

    Paths with `..` segments (also percent-encoded) are refused outright rather than normalised:
    a well-behaved client never sends them, so they are an attack or a bug, and both deserve a 404.
    """
    if target.startswith("/"):  # origin form; urlsplit would read "//host/..." as a network location
        raw = target.split("?", 1)[0].split("#", 1)[0]
    else:  # absolute form, "http://host/path"
        try:
            parts = urlsplit(target)
        except ValueError:
            return None
        if parts.scheme not in ("http", "https"):
            return None
        raw = parts.path
    path = unquote(raw)
    if not path.startswith("/") or "\x00" in path or "\\" in path:
        return None
    if any(segment == ".." for segment in path.split("/")):
        return None
    trailing = path.endswith("/")
    path = posixpath.normpath(path)
    path = "/" + path.lstrip("/")  # normpath keeps a leading "//"
    return path.rstrip("/") + "/" if trailing else path


class DemoServer:
    """The demo corpus on http://127.0.0.1:PORT, served from a daemon thread.

    Use it as a context manager (`with DemoServer() as srv: srv.base_url`) or call start()/stop().
    Port 0 picks a free port, which is what tests want.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        root: Path | None = None,
        overlay: Mapping[str, bytes] | None = None,
    ) -> None:
        if host != "localhost" and not ipaddress.ip_address(host).is_loopback:
            raise ValueError(f"the demo server only binds to a loopback address, not {host!r}")
        self.host = host
        self.port = port
        self.root = (root or SITE_ROOT).resolve()
        self.overlay = Overlay(overlay, self.root)
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        """The server's root URL, e.g. "http://127.0.0.1:PORT"; known once the server has started."""
        if self._httpd is None:
            raise RuntimeError("the demo server has not been started")
        host, port = self._httpd.socket.getsockname()[:2]  # as bound: port 0 became a free port
        return f"http://{host}:{port}"

    def _bind(self) -> _Server:
        httpd = _Server((self.host, self.port), _Handler)
        httpd.demo = self
        self._httpd = httpd
        return httpd

    def serve_here(self) -> None:
        """Serve in the calling thread until it is interrupted (Ctrl-C: KeyboardInterrupt propagates), then
        close the socket. For the command line: no second thread to shut down and join, so an interrupt
        arriving at any moment stops the server at once."""
        httpd = self._httpd or self._bind()
        try:
            httpd.serve_forever(poll_interval=0.5)
        finally:
            self._httpd = None
            httpd.server_close()

    def start(self) -> DemoServer:
        if self._httpd is not None:
            return self
        httpd = self._bind()
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.1}, name="newsmon-demo-server", daemon=True
        )
        self._thread.start()
        log.debug("demo server listening on %s", self.base_url)
        return self

    def stop(self) -> None:
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        httpd.shutdown()
        httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        log.debug("demo server stopped")

    def __enter__(self) -> DemoServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def lookup(self, path: str) -> tuple[str, bytes, int] | None:
        """(path actually served, raw bytes with `{{BASE}}` unreplaced, mtime) for a clean URL path."""
        candidates = [path + "index.html"] if path.endswith("/") else [path, path + "/index.html"]
        for candidate in candidates:
            entry = self.overlay.entry(candidate)
            if entry is not None:
                return candidate, entry[0], entry[1]
        for candidate in candidates:
            file = (self.root / candidate.lstrip("/")).resolve()
            if file.is_relative_to(self.root) and file.is_file():
                return candidate, file.read_bytes(), int(file.stat().st_mtime)
        return None

    def source(self, path: str) -> bytes:
        """The raw content served at `path` (overlay first), for tests that build a changed copy of it."""
        clean = clean_path(path)
        found = self.lookup(clean) if clean is not None else None
        if found is None:
            raise KeyError(path)
        return found[1]

    def feeds(self) -> list[dict[str, Any]]:
        """One feed per demo site, in the shape of a feeds.yaml entry: url, name, lang, tags."""
        base = self.base_url
        return [
            {
                "url": base + site["feed"],
                "name": site["name"],
                "lang": site["lang"],
                "tags": list(site["tags"]),
            }
            for site in sites().values()
        ]

    def feeds_yaml(self) -> str:
        """feeds() as the text of a feeds.yaml file."""
        import yaml

        class _Dumper(yaml.SafeDumper):
            # Indent list items under their key, the way people write feeds.yaml by hand.
            def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
                super().increase_indent(flow, False)

        return yaml.dump(
            {"feeds": self.feeds()},
            Dumper=_Dumper,
            sort_keys=False,
            allow_unicode=True,
            default_flow_style=None,
        )


def serve(port: int = 8765, host: str = "127.0.0.1") -> None:
    """Serve the demo corpus until interrupted (for `newsmon demo serve`); Ctrl-C stops it cleanly."""
    server = DemoServer(host, port)
    server._bind()
    try:
        print(
            f"newsmon demo corpus on {server.base_url}/  (Ctrl-C to stop)\n"
            f"Feeds, ready for config/feeds.yaml:\n\n{server.feeds_yaml()}",
            flush=True,
        )
        server.serve_here()
    except KeyboardInterrupt:
        print("demo server stopped", flush=True)
