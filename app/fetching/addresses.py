"""Which addresses may be contacted: global unicast only, unless the operator allows more."""

from __future__ import annotations

import contextlib
import ipaddress
import re
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from badges.errors import FetchError

Resolver = Callable[[str], Sequence[str]]
"""Maps a host name to the IP addresses it resolves to (strings, in preference order)."""

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# inet_aton's forms: up to four dot-separated decimal, octal (leading 0) or hex (0x) parts.
_NUMERIC_HOST = re.compile(r"(0x[0-9a-f]*|[0-9]+)(\.(0x[0-9a-f]*|[0-9]+)){0,3}")
_HOST_LABEL = re.compile(r"[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?")
_SHARED = ipaddress.IPv4Network("100.64.0.0/10")  # RFC 6598 carrier-grade NAT
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")  # RFC 6052 well-known prefix


def system_resolver(host: str) -> list[str]:
    """Resolve ``host`` with the operating system's resolver (``getaddrinfo``)."""
    infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class _Refused(FetchError):
    """The address policy refused a host before any connection was made."""


@dataclass(frozen=True)
class _AllowRule:
    """One allow-list entry: a host name or an address range, optionally with a port."""

    host: str | None = None
    network: IPNetwork | None = None
    port: int | None = None

    @classmethod
    def parse(cls, entry: str) -> _AllowRule:
        text = entry.strip().lower()
        if "/" in text:
            return cls(network=ipaddress.ip_network(text, strict=False))
        bracketed = re.fullmatch(r"\[([0-9a-f:.]+)\](?::([0-9]+))?", text)
        if bracketed:
            address = ipaddress.IPv6Address(bracketed[1])
            return cls(network=ipaddress.ip_network(address), port=_port(bracketed[2]))
        with contextlib.suppress(ValueError):
            return cls(network=ipaddress.ip_network(ipaddress.ip_address(text)))
        host, port = text, None
        if ":" in text:
            host, raw_port = text.rsplit(":", 1)
            port = _port(raw_port)
        host = host.rstrip(".")
        with contextlib.suppress(ValueError):
            return cls(network=ipaddress.ip_network(ipaddress.IPv4Address(host)), port=port)
        labels = host.split(".")
        if _NUMERIC_HOST.fullmatch(host) or not all(_HOST_LABEL.fullmatch(x) for x in labels):
            raise ValueError(f"not a host name, host:port, IP address or CIDR range: {entry!r}")
        return cls(host=host, port=port)

    def __str__(self) -> str:
        if self.network is None:
            base = str(self.host)
        elif self.network.num_addresses > 1:
            return str(self.network)
        elif self.network.version == 6:
            base = f"[{self.network.network_address}]"
        else:
            base = str(self.network.network_address)
        return base if self.port is None else f"{base}:{self.port}"

    def permits(self, host: str, address: IPAddress, port: int) -> bool:
        if self.port is not None and self.port != port:
            return False
        if self.network is not None:
            return address in self.network
        return self.host == host


def _port(text: str | None) -> int | None:
    if text is None:
        return None
    if not re.fullmatch(r"[0-9]{1,5}", text) or not 0 < int(text) < 65536:
        raise ValueError(f"not a port number: {text!r}")
    return int(text)


def _refusal(address: IPAddress) -> str | None:
    """Say why ``address`` must not be contacted, or return ``None`` if it may be."""
    if isinstance(address, ipaddress.IPv6Address):
        # Forms that carry an IPv4 address reach that address (through a relay or a
        # dual-stack socket), so the embedded address must be acceptable too.
        embedded = {
            "IPv4-mapped": address.ipv4_mapped,
            "6to4": address.sixtofour,
            "Teredo": address.teredo[1] if address.teredo else None,
            "NAT64": (
                ipaddress.IPv4Address(int(address) & 0xFFFFFFFF) if address in _NAT64 else None
            ),
        }
        for form, inner in embedded.items():
            reason = _refusal(inner) if inner is not None else None
            if reason:
                return f"{reason} ({form})"
        if address.is_site_local:
            return "site-local"
    checks = (
        (address.is_unspecified, "unspecified"),
        (address.is_loopback, "loopback"),
        (address.is_link_local, "link-local"),
        (address.is_multicast, "multicast"),
        (address in _SHARED, "shared (100.64.0.0/10)"),
        (address.is_reserved, "reserved"),
        (address.is_private, "private"),
        (not address.is_global, "non-global"),
    )
    return next((reason for failed, reason in checks if failed), None)


def _literal_address(host: str) -> IPAddress | None:
    """Read ``host`` as an IP address the way the system resolver would, if it is one.

    ``getaddrinfo`` accepts inet_aton's legacy forms (``127.1``, ``2130706433``,
    ``0x7f.1``, ``0177.0.0.1``), so those are parsed here rather than trusted to a
    resolver stub or to DNS.
    """
    with contextlib.suppress(ValueError):
        return ipaddress.ip_address(host)
    if not _NUMERIC_HOST.fullmatch(host):
        return None
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except OSError:
        raise _Refused(f"{host} is not a valid IP address") from None


class _AddressPolicy:
    """Resolves a host once and vets every address before anything connects to it."""

    def __init__(self, allow: tuple[str, ...], resolver: Resolver) -> None:
        self.allow = allow
        self._rules = tuple(_AllowRule.parse(entry) for entry in allow)
        self._resolver = resolver

    def vet(self, host: str, port: int) -> tuple[str, ...]:
        """Return the addresses to connect to; raise ``FetchError`` if any is refused."""
        name = host.lower().rstrip(".")
        literal = _literal_address(name)
        if literal is not None:
            addresses: list[IPAddress] = [literal]
        elif name == "localhost" or name.endswith(".localhost"):
            # RFC 6761 §6.3: these names mean loopback; never ask DNS about them.
            addresses = [ipaddress.IPv4Address("127.0.0.1"), ipaddress.IPv6Address("::1")]
        else:
            addresses = self._resolve(name)
        for address in addresses:
            if any(rule.permits(name, address, port) for rule in self._rules):
                continue
            reason = _refusal(address)
            if reason is not None:
                via = "" if literal is not None else f"{name} resolves to "
                raise _Refused(f"refused: {via}{address}, a {reason} address")
        return tuple(str(address) for address in addresses)

    def _resolve(self, name: str) -> list[IPAddress]:
        try:
            found = [ipaddress.ip_address(address) for address in self._resolver(name)]
        except (OSError, ValueError) as error:
            raise _Refused(f"{name} could not be resolved: {error}") from None
        if not found:
            raise _Refused(f"{name} did not resolve to any address")
        return found
