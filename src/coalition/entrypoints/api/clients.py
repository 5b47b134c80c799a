"""Who the client is: the one decision every part of the server uses (rate limits, the request log).

The client is the peer that opened the connection, unless that peer is one of the proxies named in
COALITION_TRUSTED_PROXIES: then it is the address the proxies forwarded in X-Forwarded-For, read from
the right (each proxy appends the address it saw) to the first address that is not a trusted proxy.
A client that talks to the server directly cannot choose its address by sending the header, and the
server never trusts a forwarded header from anyone else (uvicorn's own handling is off; see
coalition.entrypoints.api.app.SERVER_OPTIONS). From a trusted proxy, X-Forwarded-Proto gives the scheme.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from coalition.config import Network

UNKNOWN = "unknown"


def _address(text: str) -> str | None:
    """An address as a proxy writes it ('203.0.113.7', '203.0.113.7:5123', '[2001:db8::1]:443'), normalised."""
    text = text.strip().strip('"')
    if text.startswith("["):
        text = text[1:].split("]", 1)[0]
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None


class ClientAddresses:
    """Decides a request's client address from its peer and, behind trusted proxies, X-Forwarded-For."""

    def __init__(self, trusted: Sequence[Network]) -> None:
        self.trusted = tuple(trusted)

    def trusts(self, address: str | None) -> bool:
        if not self.trusted or address is None:
            return False
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in self.trusted)

    def client(self, peer: str | None, forwarded_for: Iterable[str]) -> str:
        """The client's address: the peer, or the nearest address before the trusted proxies."""
        if peer is None:
            return UNKNOWN
        if not self.trusts(peer):
            return peer
        hops = [hop for header in forwarded_for for hop in header.split(",")]
        for hop in reversed(hops):
            address = _address(hop)
            if address is None:  # not an address: a proxy wrote none there, so nothing further left is believed
                return peer
            if not self.trusts(address):
                return address
        first = _address(hops[0]) if hops else None
        return first or peer  # every hop is a trusted proxy: the first one is the client

    def resolve(self, scope: dict[str, Any]) -> None:
        """Put the client's address in ``scope`` (its ``client``, and ``state['client']``), and the scheme a
        trusted proxy says it was reached by."""
        peer_host = (scope.get("client") or (None, 0))[0]
        forwarded = [value.decode("latin-1") for name, value in scope.get("headers", ())
                     if name == b"x-forwarded-for"]
        address = self.client(peer_host, forwarded)
        scope.setdefault("state", {})["client"] = address
        if address != peer_host:
            scope["client"] = (address, 0)
        if self.trusts(peer_host):
            proto = next((v.decode("latin-1").split(",")[-1].strip().lower() for n, v in scope.get("headers", ())
                          if n == b"x-forwarded-proto"), None)
            if proto in ("http", "https"):
                scope["scheme"] = proto


def client_address(scope: Mapping[str, Any]) -> str:
    """The client's address as decided for this request (by ClientAddresses.resolve)."""
    state = scope.get("state") or {}
    decided = state.get("client")
    if decided:
        return str(decided)
    peer = scope.get("client")
    return str(peer[0]) if peer else UNKNOWN
