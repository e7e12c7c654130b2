from __future__ import annotations

import ipaddress
import socket

import pytest

from newsmon.http.ssrf import SsrfBlocked, blocked_reason, host_port_key, normalise_allowed, vetted_addresses


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.8.9.10",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "100.64.0.1",
        "169.254.169.254",
        "224.0.0.1",
        "239.255.255.250",
        "0.0.0.0",  # noqa: S104 - an address under test, not a bind
        "255.255.255.255",
        "240.0.0.1",
        "::1",
        "::",
        "fe80::1",
        "fc00::1",
        "ff02::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "2002:7f00:1::1",
        "64:ff9b::a9fe:a9fe",
    ],
)
def test_non_public_addresses_are_blocked(address: str) -> None:
    assert blocked_reason(ipaddress.ip_address(address)) is not None


@pytest.mark.parametrize("address", ["8.8.8.8", "93.184.216.34", "2606:4700:4700::1111", "::ffff:8.8.8.8"])
def test_public_addresses_pass(address: str) -> None:
    assert blocked_reason(ipaddress.ip_address(address)) is None


def test_localhost_name_is_blocked_unless_that_exact_pair_is_allowed() -> None:
    with pytest.raises(SsrfBlocked, match="loopback"):
        vetted_addresses("localhost", 8765, frozenset())
    # The IP literal being allowed does not allow the name, nor another port.
    with pytest.raises(SsrfBlocked):
        vetted_addresses("localhost", 8765, frozenset({"127.0.0.1:8765"}))
    with pytest.raises(SsrfBlocked):
        vetted_addresses("127.0.0.1", 8766, frozenset({"127.0.0.1:8765"}))
    assert vetted_addresses("LocalHost", 8765, frozenset({"localhost.:8765"}))


def test_a_name_with_any_private_address_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    def fake(host, port, *args, **kwargs):
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.7", port)),
        ]

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    with pytest.raises(SsrfBlocked, match=r"10\.0\.0\.7"):
        vetted_addresses("mixed.example", 80, frozenset())


def test_allowed_pairs_are_canonicalised() -> None:
    assert host_port_key("[::1]", 80) == "[::1]:80"
    assert normalise_allowed(["Demo.Local.:8765", "[::1]:80"]) == {"demo.local:8765", "[::1]:80"}
    with pytest.raises(ValueError, match="host:port"):
        normalise_allowed(["127.0.0.1"])
