"""Who is calling: the client's address, read through trusted proxies only.

``X-Forwarded-For`` is believed only when the peer that sent the request is a configured
proxy (``SHOMEI_TRUSTED_PROXIES``); otherwise anyone could name any address and escape their
rate limit. The list is read from the right, skipping trusted proxies: the first address that
is not one is the client (https://developer.mozilla.org/en-US/docs/Web/HTTP/Reference/Headers/X-Forwarded-For#selecting_an_ip_address).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass

from starlette.types import Scope

__all__ = ["TrustedProxies"]

_Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class TrustedProxies:
    """Addresses and CIDR ranges of the proxies in front of the service."""

    networks: tuple[_Network, ...] = ()

    @classmethod
    def parse(cls, entries: Iterable[str]) -> TrustedProxies:
        """Read ``10.0.0.0/8``-style entries; raises ``ValueError`` on one that is neither."""
        return cls(
            tuple(ipaddress.ip_network(e.strip(), strict=False) for e in entries if e.strip())
        )

    def trusts(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in self.networks)

    def client_address(self, scope: Scope) -> str:
        """The calling client's address, as far as the trusted proxies vouch for it."""
        client = scope.get("client")
        peer = client[0] if client else "unknown"
        if not self.networks or not self.trusts(peer):
            return peer
        hops: list[str] = []
        for name, value in scope["headers"]:
            if name == b"x-forwarded-for":
                hops.extend(h.strip() for h in value.decode("latin-1").split(","))
        for hop in reversed(hops):
            if not self.trusts(hop):
                return hop if _is_address(hop) else peer
        return hops[0] if hops and _is_address(hops[0]) else peer


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True
