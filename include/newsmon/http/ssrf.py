"""Which network addresses newsmon may talk to.

Feeds and articles are URLs chosen by other people (feed authors, redirects, links inside entries), so
a URL can point at the machine newsmon runs on, the LAN behind it, or a cloud metadata service
(169.254.169.254). The rule here is simple: only globally routable unicast addresses, unless the
operator named the exact ``host:port`` as allowed (the demo server, tests).

The check is applied to the addresses a host name resolves to *at connect time* and the socket is then
connected to one of exactly those addresses, so a DNS answer cannot change between check and use.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
from collections.abc import Iterable
from functools import lru_cache

log = logging.getLogger(__name__)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
SockAddr = tuple[str, int] | tuple[str, int, int, int] | tuple[int, bytes]
"""What ``getaddrinfo`` gives to connect to: IPv4, IPv6 (with flow info and scope), or IPv6-less builds."""
AddrInfo = tuple[socket.AddressFamily, socket.SocketKind, int, str, SockAddr]
"""One ``getaddrinfo`` answer: family, socket type, protocol, canonical name, address."""

_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class SsrfBlocked(Exception):
    """A URL resolved to an address newsmon refuses to connect to."""


def host_port_key(host: str, port: int) -> str:
    """The canonical ``host:port`` spelling used to match ``allowed_private`` entries.

    Lower-case, no trailing dot, IPv6 literals in brackets, so "LOCALHOST.:80" and "localhost:80" match.
    """
    host = host.strip().strip("[]").rstrip(".").lower()
    if ":" in host:
        host = f"[{host}]"
    return f"{host}:{port}"


def normalise_allowed(pairs: Iterable[str]) -> frozenset[str]:
    """Canonicalise operator-written ``host:port`` pairs (see :func:`host_port_key`)."""
    out: set[str] = set()
    for pair in pairs:
        host, sep, port = pair.strip().rpartition(":")
        if not sep or not port.isdigit() or not host:
            raise ValueError(f"allowed_private entry must be 'host:port', got {pair!r}")
        out.add(host_port_key(host, int(port)))
    return frozenset(out)


@lru_cache(maxsize=256)
def _canonical_allowed(pairs: frozenset[str]) -> frozenset[str]:
    """Tolerant form of :func:`normalise_allowed` for the connect path: a bad entry is logged, not fatal."""
    out: set[str] = set()
    for pair in pairs:
        try:
            out |= normalise_allowed([pair])
        except ValueError as exc:
            log.warning("ignoring allowed_private entry: %s", exc)
    return frozenset(out)


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """IPv4 addresses smuggled inside IPv6 forms that still reach an IPv4 host."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def blocked_reason(ip: IPAddress) -> str | None:
    """Why this address must not be contacted, or None if it is a public unicast address."""
    if isinstance(ip, ipaddress.IPv6Address):
        inner = _embedded_ipv4(ip)
        if inner is not None:
            reason = blocked_reason(inner)
            return f"{reason} (embedded in {ip})" if reason else None
    for attr in (
        "is_unspecified",
        "is_loopback",
        "is_link_local",
        "is_multicast",
        "is_private",
        "is_reserved",
    ):
        if getattr(ip, attr):
            return attr[3:].replace("_", "-")
    if not ip.is_global:
        return "not-global"
    return None


def vetted_addresses(host: str, port: int, allowed_private: frozenset[str]) -> list[AddrInfo]:
    """Resolve ``host`` and return getaddrinfo tuples that may be connected to.

    Raises :class:`SsrfBlocked` if any resolved address is not public and ``host:port`` is not allowed,
    and :class:`socket.gaierror` when the name does not resolve. Refusing when *any* address is
    private (rather than silently skipping it) makes a half-private DNS answer visible to the operator.
    """
    infos: list[AddrInfo] = list(socket.getaddrinfo(host.strip("[]"), port, type=socket.SOCK_STREAM))
    if not infos:
        raise socket.gaierror(f"no addresses for {host}")
    if allowed_private and host_port_key(host, port) in _canonical_allowed(frozenset(allowed_private)):
        return infos
    for info in infos:
        address = info[4][0]  # an IPv6 address may carry a "%scope" suffix
        ip = ipaddress.ip_address(address.split("%", 1)[0] if isinstance(address, str) else address)
        reason = blocked_reason(ip)
        if reason:
            raise SsrfBlocked(f"{host}:{port} resolves to {ip} ({reason})")
    return infos
