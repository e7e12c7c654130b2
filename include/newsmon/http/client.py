"""The one HTTP client newsmon uses to talk to the outside world (feeds now, articles later).

Why hand-rolled on top of urllib3 instead of ``requests``: three guarantees need control of the socket.
1. The SSRF check must apply to the address actually connected to, so the connection class resolves,
   vets and connects in one step (no DNS-rebinding gap); TLS SNI and certificate checks stay on the
   host name because urllib3 wraps that socket with ``server_hostname=host``.
2. Redirects are followed by hand so every hop goes through the same check and a 301/308 target can be
   reported back for updating the stored feed URL.
3. The body cap and the total time limit are enforced while streaming, so an endless or dripping
   response costs at most ``max_bytes`` of memory and ``total_timeout`` seconds.

Connections are kept for the next request to the same host (``_Pools``): a batch fetching a site's
pages one after another pays one TCP (and TLS) handshake, not one per page. A kept connection was
vetted when it was opened, for that scheme, host, port and the policy's ``allowed_private``, which key
its pool: a request under another policy never rides on it. Only a connection whose answer was read
to its end goes back (a complete body or a 304); after an error status, a redirect, a cut body, a
timeout or any failure it is closed, so no unread byte ever meets the next request. A pool no request
took for ``_KEEP_IDLE`` seconds is closed rather than reused (servers drop idle connections; a request
racing that drop would fail), and a forked child starts with none of its parent's.

``fetch`` never raises for network, HTTP, size or SSRF problems: every failure is a ``FetchResult``
with an ``error_kind`` from :class:`newsmon.http.errors.HttpError`, logged as one WARNING line.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypedDict
from urllib.parse import urljoin

import urllib3
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import (
    ClosedPoolError,
    DecodeError,
    HTTPError,
    LocationParseError,
    ProtocolError,
    ReadTimeoutError,
    SSLError,
)
from urllib3.util import parse_url
from urllib3.util.request import ACCEPT_ENCODING

import newsmon
from newsmon.dates import parse_http_date
from newsmon.http.errors import HttpError, status_error
from newsmon.http.ssrf import SsrfBlocked, vetted_addresses

log = logging.getLogger(__name__)

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_PERMANENT = frozenset({301, 308})
_CHUNK = 64 * 1024
_MAX_RETRY_AFTER = 7 * 24 * 3600.0
_KEEP_IDLE = 4.0  # seconds: under the shortest common keep-alive timeout (Apache's 5 s)
_KEEP_POOLS = 64  # hosts (per scheme, port and policy) with connections kept
_KEEP_PER_POOL = 8  # connections kept per pool; politeness allows fewer requests at once per host


@dataclass(frozen=True)
class HttpPolicy:
    """How politely and how defensively to fetch. One policy is shared by a whole poll cycle."""

    user_agent: str = newsmon.USER_AGENT
    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    total_timeout: float = 60.0
    max_bytes: int = 10 * 1024 * 1024
    max_redirects: int = 5
    allowed_private: frozenset[str] = frozenset()
    """Exact canonical "host:port" pairs (see ``newsmon.http.ssrf.host_port_key``) that may be private."""


@dataclass(frozen=True)
class FetchResult:
    url: str
    final_url: str
    status: int | None
    headers: Mapping[str, str]
    body: bytes
    error_kind: HttpError | None
    error: str | None
    permanent_redirect: str | None = None
    retry_after: float | None = None
    elapsed: float = 0.0
    hops: tuple[str, ...] = field(default=())
    """Every URL requested, in order (the first is ``url``), for diagnosing redirect chains."""

    @property
    def ok(self) -> bool:
        return self.error_kind is None and self.status is not None and 200 <= self.status < 300

    @property
    def not_modified(self) -> bool:
        return self.error_kind is None and self.status == 304


class FetchOptions(TypedDict, total=False):
    """The keyword arguments of :func:`fetch`, for wrappers that pass them on (``HostLimiter.fetch``)."""

    etag: str | None
    last_modified: str | None
    accept: str | None


class _Failure(Exception):
    """Internal: a classified failure raised from deep inside urllib3 and turned into a result."""

    def __init__(self, kind: HttpError, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


class _GuardedConnectionMixin:
    """Resolve, vet and connect in one step; see module docstring, point 1."""

    host: str
    port: int
    timeout: Any
    socket_options: Any
    source_address: Any

    def __init__(self, *args: Any, allowed_private: frozenset[str] = frozenset(), **kwargs: Any) -> None:
        self._allowed_private = allowed_private
        super().__init__(*args, **kwargs)

    def _new_conn(self) -> socket.socket:
        host, port = self.host, self.port
        try:
            infos = vetted_addresses(host, port, self._allowed_private)
        except SsrfBlocked as exc:
            raise _Failure(HttpError.SSRF_BLOCKED, str(exc)) from None
        except (socket.gaierror, UnicodeError) as exc:
            raise _Failure(HttpError.DNS, f"cannot resolve {host}: {exc}") from None
        last: OSError | None = None
        for family, socktype, proto, _canon, sockaddr in infos:
            sock = socket.socket(family, socktype, proto)
            try:
                for opt in self.socket_options or ():
                    sock.setsockopt(*opt)
                sock.settimeout(self.timeout)
                sock.connect(sockaddr)
                return sock
            except OSError as exc:
                sock.close()
                last = exc
        if isinstance(last, TimeoutError | socket.timeout):
            raise _Failure(HttpError.TIMEOUT, f"connect to {host}:{port} timed out")
        if isinstance(last, ConnectionRefusedError):
            raise _Failure(HttpError.REFUSED, f"connection to {host}:{port} refused")
        raise _Failure(HttpError.NETWORK, f"cannot connect to {host}:{port}: {last}")


class _GuardedHTTPConnection(_GuardedConnectionMixin, HTTPConnection):
    pass


class _GuardedHTTPSConnection(_GuardedConnectionMixin, HTTPSConnection):
    pass


class _GuardedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _GuardedHTTPConnection


class _GuardedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _GuardedHTTPSConnection


_PoolKey = tuple[str, str, int | None, frozenset[str]]


class _Pools:
    """The connection pools of this process, one per (scheme, host, port, allowed_private), the least
    recently used first; a pool unused for ``_KEEP_IDLE`` seconds is closed and replaced."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pools: OrderedDict[_PoolKey, tuple[HTTPConnectionPool, float]] = OrderedDict()

    def get(self, key: _PoolKey, *, fresh: bool = False) -> HTTPConnectionPool:
        now = time.monotonic()
        stale: list[HTTPConnectionPool] = []
        with self._lock:
            while self._pools:  # the least recently used first: close what waited too long or overflows
                old_key, (old, used) = next(iter(self._pools.items()))
                if now - used <= _KEEP_IDLE and len(self._pools) < _KEEP_POOLS:
                    break
                del self._pools[old_key]
                stale.append(old)
            entry = self._pools.pop(key, None)
            if entry is not None and (fresh or now - entry[1] > _KEEP_IDLE):
                stale.append(entry[0])
                entry = None
            pool = entry[0] if entry is not None else _new_pool(key)
            self._pools[key] = (pool, now)
        for old in stale:  # a request still holding one of its connections gets ClosedPoolError: see fetch
            old.close()
        return pool

    def close(self) -> None:
        """Close every kept connection."""
        with self._lock:
            pools = [pool for pool, _used in self._pools.values()]
            self._pools.clear()
        for pool in pools:
            pool.close()

    def clear(self) -> None:
        """Forget every pool without touching its sockets (a forked child: they are the parent's)."""
        self._pools = OrderedDict()
        self._lock = threading.Lock()


def _new_pool(key: _PoolKey) -> HTTPConnectionPool:
    scheme, host, port, allowed_private = key
    pool_cls = _GuardedHTTPSPool if scheme == "https" else _GuardedHTTPPool
    return pool_cls(
        host, port, maxsize=_KEEP_PER_POOL, block=False, retries=False, allowed_private=allowed_private
    )


_POOLS = _Pools()
os.register_at_fork(after_in_child=_POOLS.clear)


def close_connections() -> None:
    """Close the connections kept for later requests (a stage's end: nothing idles until the next run)."""
    _POOLS.close()


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date), capped at 7 days."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return min(float(value), _MAX_RETRY_AFTER)
    when = parse_http_date(value)
    if when is None:
        return None
    delta = (when - (now or datetime.now(UTC))).total_seconds()
    return min(max(delta, 0.0), _MAX_RETRY_AFTER)


def _classify(exc: BaseException) -> tuple[HttpError, str]:
    """Map an exception escaping urllib3 to (error_kind, message)."""
    if isinstance(exc, _Failure):
        return exc.kind, exc.message
    if isinstance(exc, ReadTimeoutError | TimeoutError | socket.timeout):
        return HttpError.TIMEOUT, f"read timed out: {exc}"
    if isinstance(exc, SSLError):
        return HttpError.TLS, str(exc)
    if isinstance(exc, DecodeError):
        return HttpError.DECODE, str(exc)
    if isinstance(exc, ProtocolError):
        text = str(exc)
        if "IncompleteRead" in text or "incomplete" in text.lower():
            return HttpError.TRUNCATED, text
        if "timed out" in text:
            return HttpError.TIMEOUT, text
        return HttpError.PROTOCOL, text
    if isinstance(exc, HTTPError | OSError):
        return HttpError.NETWORK, f"{type(exc).__name__}: {exc}"
    return HttpError.PROTOCOL, f"{type(exc).__name__}: {exc}"


def _set_read_timeout(resp: urllib3.BaseHTTPResponse, seconds: float) -> None:
    """Shrink the socket timeout so a single blocking read cannot outlive the total deadline."""
    conn = getattr(resp, "connection", None)
    sock = getattr(conn, "sock", None)
    if sock is not None:
        sock.settimeout(max(seconds, 0.001))


def _read_body(resp: urllib3.BaseHTTPResponse, policy: HttpPolicy, deadline: float) -> bytes:
    """Stream the (decompressed) body, stopping at ``max_bytes`` or the total deadline."""
    declared = resp.headers.get("content-length")
    if declared and declared.strip().isdigit() and int(declared) > policy.max_bytes:
        raise _Failure(
            HttpError.TOO_LARGE, f"Content-Length {declared} exceeds the {policy.max_bytes}-byte limit"
        )
    parts: list[bytes] = []
    size = 0
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise _Failure(
                HttpError.TIMEOUT, f"body not complete within {policy.total_timeout:g}s (got {size} bytes)"
            )
        _set_read_timeout(resp, min(policy.read_timeout, remaining))
        chunk = resp.read1(_CHUNK, decode_content=True)  # returns what has arrived: deadline stays checkable
        if not chunk:
            break
        size += len(chunk)
        if size > policy.max_bytes:
            raise _Failure(HttpError.TOO_LARGE, f"body exceeds the {policy.max_bytes}-byte limit")
        parts.append(chunk)
    if time.monotonic() > deadline:
        raise _Failure(HttpError.TIMEOUT, f"body not complete within {policy.total_timeout:g}s")
    return b"".join(parts)


def _request_headers(
    policy: HttpPolicy, etag: str | None, last_modified: str | None, accept: str | None
) -> dict[str, str]:
    headers = {
        "User-Agent": policy.user_agent,
        "Accept-Encoding": ACCEPT_ENCODING,
        "Accept": accept or "*/*",
    }
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return headers


def _urlopen(
    key: _PoolKey, path: str, headers: Mapping[str, str], timeout: urllib3.Timeout
) -> urllib3.BaseHTTPResponse:
    """The answer's head, on a kept connection of ``key``'s pool or a new one; the body is left to read."""
    for fresh in (False, True):
        try:
            return _POOLS.get(key, fresh=fresh).urlopen(
                "GET",
                path,
                headers=dict(headers),
                timeout=timeout,
                redirect=False,
                retries=False,
                preload_content=False,
                decode_content=True,
                assert_same_host=False,
                release_conn=False,
            )
        except ClosedPoolError:
            if fresh:
                raise
    raise AssertionError("unreachable")


def fetch(
    url: str,
    policy: HttpPolicy,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    accept: str | None = None,
) -> FetchResult:
    """GET ``url`` following up to ``policy.max_redirects`` redirects; never raises for I/O problems.

    Conditional headers are sent on every hop. For error statuses the body is not read (it is not
    needed and may be large). ``permanent_redirect`` is the target of the leading run of 301/308 hops.
    """
    start = time.monotonic()
    deadline = start + policy.total_timeout
    headers = _request_headers(policy, etag, last_modified, accept)
    current = url
    hops: list[str] = []
    permanent: str | None = None
    still_permanent = True
    status: int | None = None
    resp_headers: dict[str, str] = {}

    def result(
        kind: HttpError | None = None, error: str | None = None, body: bytes = b"", retry: float | None = None
    ) -> FetchResult:
        if kind:
            log.warning("fetch %s failed: %s: %s", url, kind, error)
        return FetchResult(
            url=url,
            final_url=current,
            status=status,
            headers=resp_headers,
            body=body,
            error_kind=kind,
            error=error,
            permanent_redirect=permanent,
            retry_after=retry,
            elapsed=time.monotonic() - start,
            hops=tuple(hops),
        )

    for _hop in range(policy.max_redirects + 1):
        hops.append(current)
        try:
            parsed = parse_url(current)
        except LocationParseError as exc:
            return result(HttpError.BAD_URL, f"cannot parse URL {current!r}: {exc}")
        if parsed.scheme not in ("http", "https") or not parsed.host:
            return result(HttpError.BAD_URL, f"not an http(s) URL: {current!r}")
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return result(HttpError.TIMEOUT, f"no time left after {len(hops) - 1} redirects")
        timeout = urllib3.Timeout(
            connect=min(policy.connect_timeout, remaining), read=min(policy.read_timeout, remaining)
        )
        key: _PoolKey = (parsed.scheme, parsed.host, parsed.port, policy.allowed_private)
        try:
            resp = _urlopen(key, parsed.request_uri, headers, timeout)
        except Exception as exc:
            return result(*_classify(exc))
        complete = False  # the answer read to its end: the connection may serve the next request
        try:
            status = resp.status
            resp_headers = {k.lower(): v for k, v in resp.headers.items()}
            if status in _REDIRECTS:
                location = resp.headers.get("location")
                if not location:
                    return result(HttpError.BAD_REDIRECT, f"HTTP {status} without Location")
                target = urljoin(current, location.strip())
                if status in _PERMANENT and still_permanent:
                    permanent = target
                else:
                    still_permanent = False
                current = target
                continue
            kind = status_error(status)
            if kind is not None:
                retry = parse_retry_after(resp.headers.get("retry-after"))
                return result(kind, f"HTTP {status} {resp.reason or ''}".strip(), retry=retry)
            if status == 304:
                complete = True
                return result()
            body = _read_body(resp, policy, deadline)
            complete = True
            return result(body=body)
        except Exception as exc:
            return result(*_classify(exc))
        finally:
            if not complete:
                resp.close()  # closes the connection (before it goes back: no other thread may take it)
            resp.release_conn()
    return result(HttpError.TOO_MANY_REDIRECTS, f"more than {policy.max_redirects} redirects")
