"""The one HTTP fetcher through which Shomei reaches documents on the web.

Badges name URLs we do not control (issuer profiles, DID documents, keys, status
lists), so every fetch is treated as hostile input (STYLE 2.8):

1. only ``http`` and ``https`` URLs without credentials are fetched;
2. the host is resolved and refused if any address it resolves to is not a global
   unicast address, unless the operator's allow list names it;
3. the connection goes to exactly the addresses that were checked (see
   :class:`_GuardedBackend`), on the first request and on every redirect;
4. one overall deadline covers connect, headers and body, and bodies are capped.

Every failure is a ``badges.errors.FetchError`` (refused, unreachable, timed out,
too large, not JSON); when a server answered with a non-2xx status, ``status`` holds
it, so callers can treat 410 Gone as "revoked".
"""

from __future__ import annotations

import contextlib
import http
import ipaddress
import json
import logging
import re
import socket
import ssl
import threading
import time
import zlib
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

import httpcore
import httpx

from badges.errors import FetchError
from badges.ports import JSONObject

__all__ = [
    "FetchConfig",
    "FetchedDocument",
    "GuardedTransport",
    "Resolver",
    "SafeFetcher",
    "make_client",
    "parse_allow_list",
    "system_resolver",
]

_log = logging.getLogger(__name__)

Resolver = Callable[[str], Sequence[str]]
"""Maps a host name to the IP addresses it resolves to (strings, in preference order)."""

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_JSON_ACCEPT = "application/ld+json, application/json;q=0.9, */*;q=0.1"
_TEXT_ACCEPT = "text/plain, application/jwt;q=0.9, */*;q=0.1"
_CACHE_BYTES = 16 * 1024 * 1024
# inet_aton's forms: up to four dot-separated decimal, octal (leading 0) or hex (0x) parts.
_NUMERIC_HOST = re.compile(r"(0x[0-9a-f]*|[0-9]+)(\.(0x[0-9a-f]*|[0-9]+)){0,3}")
_HOST_LABEL = re.compile(r"[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?")
_SHARED = ipaddress.IPv4Network("100.64.0.0/10")  # RFC 6598 carrier-grade NAT
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")  # RFC 6052 well-known prefix


class _Refused(FetchError):
    """The address policy refused a host before any connection was made."""


@dataclass(frozen=True)
class FetchConfig:
    """Limits and exceptions for outbound fetches.

    ``allow`` lists hosts, ``host:port`` pairs, IP addresses and CIDR ranges that may
    be fetched even though they are private (``parse_allow_list`` reads the
    ``SHOMEI_FETCH_ALLOW`` setting). ``timeout`` bounds a whole fetch, redirects and
    body included. Cache times are seconds.
    """

    allow: tuple[str, ...] = ()
    max_redirects: int = 5
    max_bytes: int = 2 * 1024 * 1024
    timeout: float = 5.0
    user_agent: str = "Shomei/0.1 (Open Badges verifier)"
    cache_entries: int = 1000
    cache_default_ttl: float = 60.0
    cache_max_ttl: float = 300.0
    cache_negative_ttl: float = 10.0

    def __post_init__(self) -> None:
        if isinstance(self.allow, str):
            raise TypeError("allow is a tuple of entries; parse a setting with parse_allow_list")
        object.__setattr__(self, "allow", tuple(str(_AllowRule.parse(e)) for e in self.allow))
        if self.max_redirects < 0 or self.max_bytes <= 0 or self.timeout <= 0:
            raise ValueError("max_redirects must be >= 0; max_bytes and timeout must be > 0")


def parse_allow_list(text: str) -> tuple[str, ...]:
    """Parse a comma-separated allow list (``"10.0.0.0/8, intranet.example:8443"``).

    Raises:
        ValueError: an entry is neither a host, a ``host:port``, an address nor a range.
    """
    return tuple(str(_AllowRule.parse(entry)) for entry in text.split(",") if entry.strip())


@dataclass(frozen=True)
class FetchedDocument:
    """A fetched response: ``url`` is where it was finally found, after redirects."""

    status: int
    url: str
    content_type: str
    body: bytes
    warnings: tuple[str, ...] = ()

    @property
    def media_type(self) -> str:
        """The content type without parameters, lower-cased (``application/json``)."""
        return self.content_type.split(";", 1)[0].strip().lower()


def system_resolver(host: str) -> list[str]:
    """Resolve ``host`` with the operating system's resolver (``getaddrinfo``)."""
    infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


# --- which addresses may be contacted ------------------------------------------------


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


# --- the transport: pinned connections and one overall deadline ----------------------

# The deadline of the fetch running in this thread (time.monotonic()), if any. httpx's
# sync client does all socket I/O in the calling thread, so a context variable reaches
# the streams without threading it through httpx and httpcore.
_DEADLINE: ContextVar[float | None] = ContextVar("shomei_fetch_deadline", default=None)


def _within_deadline(timeout: float | None, expired: type[Exception]) -> float | None:
    deadline = _DEADLINE.get()
    if deadline is None:
        return timeout
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise expired("the fetch deadline passed")
    return remaining if timeout is None else min(timeout, remaining)


class _DeadlineStream(httpcore.NetworkStream):
    """Clamps every socket wait to the fetch deadline, so trickled bytes cannot stall us."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _within_deadline(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _within_deadline(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        limit = _within_deadline(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._inner.start_tls(ssl_context, server_hostname, limit))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _GuardedBackend(httpcore.NetworkBackend):
    """Resolves, vets and connects in one step, so DNS cannot change in between.

    httpcore asks its network backend to open a TCP connection to the request's host
    name; everything above this layer (the Host header, TLS SNI and certificate
    checks, connection pooling per origin) keeps using that name. Here the name is
    resolved exactly once, every address is vetted, and the socket is opened to one
    of those same addresses. A DNS answer that changes after the check (rebinding)
    is never used, because nothing resolves the name again for this connection.
    """

    def __init__(self, policy: _AddressPolicy) -> None:
        self._policy = policy
        self._tcp = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        *others, last = self._policy.vet(host, port)  # never empty
        for address in others:
            with contextlib.suppress(httpcore.ConnectError, httpcore.ConnectTimeout):
                return self._connect(address, port, timeout, local_address, socket_options)
        return self._connect(last, port, timeout, local_address, socket_options)

    def _connect(
        self,
        address: str,
        port: int,
        timeout: float | None,
        local_address: str | None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None,
    ) -> httpcore.NetworkStream:
        limit = _within_deadline(timeout, httpcore.ConnectTimeout)
        stream = self._tcp.connect_tcp(address, port, limit, local_address, socket_options)
        return _DeadlineStream(stream)

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        raise _Refused("refused: unix sockets are not fetched")


_HTTPCORE_ERRORS: dict[type[Exception], type[httpx.TransportError]] = {
    httpcore.ConnectTimeout: httpx.ConnectTimeout,
    httpcore.ReadTimeout: httpx.ReadTimeout,
    httpcore.WriteTimeout: httpx.WriteTimeout,
    httpcore.PoolTimeout: httpx.PoolTimeout,
    httpcore.TimeoutException: httpx.TimeoutException,
    httpcore.ConnectError: httpx.ConnectError,
    httpcore.ReadError: httpx.ReadError,
    httpcore.WriteError: httpx.WriteError,
    httpcore.NetworkError: httpx.NetworkError,
    httpcore.RemoteProtocolError: httpx.RemoteProtocolError,
    httpcore.LocalProtocolError: httpx.LocalProtocolError,
    httpcore.ProtocolError: httpx.ProtocolError,
    httpcore.UnsupportedProtocol: httpx.UnsupportedProtocol,
    httpcore.ProxyError: httpx.ProxyError,
}


@contextlib.contextmanager
def _as_httpx_errors() -> Iterator[None]:
    try:
        yield
    except tuple(_HTTPCORE_ERRORS) as error:
        mapped = next(_HTTPCORE_ERRORS[c] for c in type(error).__mro__ if c in _HTTPCORE_ERRORS)
        raise mapped(str(error) or type(error).__name__) from error


class _ResponseStream(httpx.SyncByteStream):
    def __init__(self, stream: Iterable[bytes]) -> None:
        self._stream = stream

    def __iter__(self) -> Iterator[bytes]:
        with _as_httpx_errors():
            yield from self._stream

    def close(self) -> None:
        close = getattr(self._stream, "close", None)
        if close is not None:
            close()


class GuardedTransport(httpx.BaseTransport):
    """An httpx transport whose connections only reach vetted, pinned addresses."""

    def __init__(
        self,
        allow: tuple[str, ...] = (),
        *,
        resolver: Resolver | None = None,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.allow = tuple(str(_AllowRule.parse(entry)) for entry in allow)
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl_context or httpx.create_ssl_context(),
            max_connections=20,
            keepalive_expiry=30.0,
            network_backend=_GuardedBackend(
                _AddressPolicy(self.allow, resolver or system_resolver)
            ),
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if not isinstance(request.stream, httpx.SyncByteStream):
            raise TypeError("GuardedTransport is synchronous")
        core_request = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=request.url.raw_scheme,
                host=request.url.raw_host,
                port=request.url.port,
                target=request.url.raw_path,
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        with _as_httpx_errors():
            response = self._pool.handle_request(core_request)
        if not isinstance(response.stream, Iterable):
            raise TypeError("httpcore returned an asynchronous stream")
        return httpx.Response(
            status_code=response.status,
            headers=response.headers,
            stream=_ResponseStream(response.stream),
            extensions=response.extensions,
        )

    def close(self) -> None:
        self._pool.close()


def make_client(
    config: FetchConfig | None = None,
    *,
    resolver: Resolver | None = None,
    ssl_context: ssl.SSLContext | None = None,
) -> httpx.Client:
    """Build the shared client a :class:`SafeFetcher` needs (no proxies, no redirects)."""
    config = config or FetchConfig()
    transport = GuardedTransport(config.allow, resolver=resolver, ssl_context=ssl_context)
    return httpx.Client(
        transport=transport,
        follow_redirects=False,
        trust_env=False,  # no proxy variables, no .netrc credentials
        timeout=config.timeout,
    )


# --- the cache ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Entry:
    expires: float
    body: bytes | None = None  # a JSON object's bytes, re-parsed on every hit
    error: str | None = None
    status: int | None = None
    size: int = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "size", len(self.body or b"") + len(self.error or ""))


class _TTLCache:
    """A thread-safe LRU map with per-entry expiry, bounded in entries and bytes."""

    def __init__(self, max_entries: int, clock: Callable[[], float]) -> None:
        self._max_entries = max_entries
        self._clock = clock
        self._data: OrderedDict[str, _Entry] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: str) -> _Entry | None:
        with self._lock:
            entry = self._data.get(key)
            if entry is None:
                return None
            if entry.expires <= self._clock():
                self._bytes -= self._data.pop(key).size
                return None
            self._data.move_to_end(key)
            return entry

    def put(self, key: str, ttl: float, **values: Any) -> None:
        entry = _Entry(expires=self._clock() + ttl, **values)
        if ttl <= 0 or entry.size > _CACHE_BYTES:
            return
        with self._lock:
            old = self._data.pop(key, None)
            self._bytes += entry.size - (old.size if old else 0)
            self._data[key] = entry
            while len(self._data) > self._max_entries or self._bytes > _CACHE_BYTES:
                self._bytes -= self._data.popitem(last=False)[1].size


def _freshness(cache_control: str | None, default: float, cap: float) -> float:
    """Seconds a response may be reused: RFC 9111 max-age, capped; 0 for no-store/no-cache."""
    if cache_control is None:
        return default
    ttl = default
    for directive in cache_control.lower().split(","):
        name, _, value = directive.strip().partition("=")
        if name in ("no-store", "no-cache"):
            return 0.0
        if name == "max-age":
            value = value.strip().strip('"')
            ttl = float(value) if value.isdigit() else 0.0
    return min(ttl, cap)


# --- the fetcher --------------------------------------------------------------------


class _BodyReader:
    """Reads a body to at most ``limit`` bytes after decoding (so gzip bombs stop too)."""

    def __init__(self, encoding: str, limit: int, url: str) -> None:
        self._url = url
        self._limit = limit
        self._decoder: zlib._Decompress | None = None
        if encoding in ("gzip", "x-gzip", "deflate"):
            self._decoder = zlib.decompressobj(wbits=zlib.MAX_WBITS | 32)  # zlib or gzip
        elif encoding not in ("", "identity"):
            raise FetchError(f"{url} used an unsupported content encoding: {encoding}")

    def read(self, chunks: Iterable[bytes]) -> bytes:
        parts: list[bytes] = []
        size = 0
        for chunk in chunks:
            room = self._limit - size
            try:
                data = self._decoder.decompress(chunk, room + 1) if self._decoder else chunk
            except zlib.error as error:
                raise FetchError(f"{self._url} sent a corrupt compressed body: {error}") from None
            size += len(data)
            if size > self._limit:
                raise FetchError(f"{self._url} is larger than {_size(self._limit)}")
            parts.append(data)
        if self._decoder is not None:
            parts.append(self._decoder.flush())
            if size + len(parts[-1]) > self._limit:
                raise FetchError(f"{self._url} is larger than {_size(self._limit)}")
        return b"".join(parts)


def _size(count: int) -> str:
    for unit, scale in (("MB", 1024 * 1024), ("KB", 1024)):
        if count % scale == 0:
            return f"{count // scale} {unit}"
    return f"{count} bytes"


class SafeFetcher:
    """Fetches documents from the web for the service and the CLI; see the module docs.

    Satisfies :class:`badges.ports.Fetcher`. ``local`` is asked first by
    :meth:`get_json` and may answer the service's own URLs without the network.
    JSON objects (and failures, briefly) are cached unless ``cache`` is false.
    """

    def __init__(
        self,
        client: httpx.Client,
        config: FetchConfig | None = None,
        *,
        local: Callable[[str], JSONObject | None] | None = None,
        cache: bool = True,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._config = config or FetchConfig()
        # The address checks live in the transport; a plain client would skip them all.
        transport = getattr(client, "_transport", None)
        if not isinstance(transport, GuardedTransport) or getattr(client, "_mounts", None):
            raise ValueError("SafeFetcher needs a client built by make_client()")
        if transport.allow != self._config.allow:
            raise ValueError("the client was built with a different allow list")
        self._client = client
        self._owns_client = False
        self._local = local
        self._cache = _TTLCache(self._config.cache_entries, clock) if cache else None

    @classmethod
    def create(
        cls,
        config: FetchConfig | None = None,
        *,
        resolver: Resolver | None = None,
        ssl_context: ssl.SSLContext | None = None,
        local: Callable[[str], JSONObject | None] | None = None,
        cache: bool = True,
    ) -> SafeFetcher:
        """Build a fetcher with its own client; close it with :meth:`close`."""
        client = make_client(config, resolver=resolver, ssl_context=ssl_context)
        fetcher = cls(client, config, local=local, cache=cache)
        fetcher._owns_client = True
        return fetcher

    def close(self) -> None:
        """Close the client if this fetcher created it."""
        if self._owns_client:
            self._client.close()

    def __enter__(self) -> SafeFetcher:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def get_json(self, url: str) -> JSONObject:
        """Return the JSON object at ``url``.

        Raises:
            FetchError: it could not be fetched or is not a JSON object; ``status``
                is set when the server answered with a non-2xx status.
        """
        if self._local is not None:
            document = self._local(url)
            if document is not None:
                return document
        if self._cache is None:
            return _json_object(url, self.get(url, accept=_JSON_ACCEPT).body)
        entry = self._cache.get(url)
        if entry is not None:
            if entry.body is not None:
                return _json_object(url, entry.body)
            raise FetchError(str(entry.error), status=entry.status)
        config = self._config
        try:
            fetched = self._fetch(url, _JSON_ACCEPT)
            document = _json_object(url, fetched[0].body)
        except FetchError as error:
            self._cache.put(url, config.cache_negative_ttl, error=str(error), status=error.status)
            raise
        ttl = _freshness(fetched[1], config.cache_default_ttl, config.cache_max_ttl)
        self._cache.put(url, ttl, body=fetched[0].body)
        return document

    def get_text(self, url: str) -> str:
        """Return the text at ``url`` (e.g. a compact JWS), without surrounding whitespace.

        Raises:
            FetchError: it could not be fetched or is not text in its declared charset.
        """
        document = self.get(url, accept=_TEXT_ACCEPT)
        charset = "utf-8"
        for parameter in document.content_type.split(";")[1:]:
            name, _, value = parameter.strip().partition("=")
            if name.lower() == "charset" and value:
                charset = value.strip('"')
        try:
            return document.body.decode(charset).strip()
        except (LookupError, UnicodeDecodeError):
            raise FetchError(f"{url} is not text in {charset}") from None

    def get(self, url: str, *, accept: str) -> FetchedDocument:
        """Fetch ``url`` with the given Accept header; no cache, no local answers.

        Raises:
            FetchError: refused, unreachable, timed out, too large, or not 2xx.
        """
        return self._fetch(url, accept)[0]

    def _fetch(self, url: str, accept: str) -> tuple[FetchedDocument, str | None]:
        """Follow up to ``max_redirects`` redirects; return the document and Cache-Control."""
        token = _DEADLINE.set(time.monotonic() + self._config.timeout)
        try:
            with self._guarded(url):
                return self._follow(url, accept)
        except FetchError as error:
            _log.debug("fetch of %s failed: %s", url, error)
            raise
        finally:
            _DEADLINE.reset(token)

    def _follow(self, url: str, accept: str) -> tuple[FetchedDocument, str | None]:
        config = self._config
        target = _checked_url(url, url)
        warnings: list[str] = []
        headers = {"Accept": accept, "Accept-Encoding": "identity", "User-Agent": config.user_agent}
        for _ in range(config.max_redirects + 1):
            if target.scheme == "http" and "fetched over plain http" not in warnings:
                warnings.append("fetched over plain http")
            remaining = _within_deadline(config.timeout, _Expired)
            request = httpx.Request(
                "GET", target, headers=headers, extensions={"timeout": _timeouts(remaining)}
            )
            with self._send(request) as response:
                if response.status_code in _REDIRECTS:
                    location = response.headers.get("location")
                    if not location:
                        raise FetchError(f"{url} redirected without a Location")
                    target = _checked_url(_join(target, location, url), f"{url} redirected")
                    continue
                if not 200 <= response.status_code < 300:
                    raise _status_error(url, response)
                encoding = response.headers.get("content-encoding", "").strip().lower()
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > config.max_bytes:
                    raise FetchError(f"{url} is larger than {_size(config.max_bytes)}")
                body = _BodyReader(encoding, config.max_bytes, url).read(response.iter_raw())
                document = FetchedDocument(
                    status=response.status_code,
                    url=str(target),
                    content_type=response.headers.get("content-type", ""),
                    body=body,
                    warnings=tuple(warnings),
                )
                return document, response.headers.get("cache-control")
        raise FetchError(f"{url} redirected more than {config.max_redirects} times")

    @contextlib.contextmanager
    def _send(self, request: httpx.Request) -> Iterator[httpx.Response]:
        response = self._client.send(request, stream=True)
        try:
            yield response
        finally:
            response.close()

    @contextlib.contextmanager
    def _guarded(self, url: str) -> Iterator[None]:
        """Turn transport failures into ``FetchError``s that name the URL."""
        try:
            yield
        except (httpx.TimeoutException, _Expired):
            raise FetchError(f"{url} timed out after {self._config.timeout:g} s") from None
        except httpx.TransportError as error:
            raise FetchError(f"{url} could not be fetched: {error}") from None
        except _Refused as error:
            raise FetchError(f"{url} was not fetched: {error}") from None


class _Expired(Exception):
    """The fetch deadline passed between two requests of a redirect chain."""


def _timeouts(seconds: float | None) -> dict[str, float | None]:
    return {"connect": seconds, "read": seconds, "write": seconds, "pool": seconds}


def _checked_url(raw: str | httpx.URL, subject: str) -> httpx.URL:
    """Parse a URL to fetch; ``subject`` names it in messages ("<url> redirected")."""
    try:
        url = httpx.URL(raw)
    except (httpx.InvalidURL, TypeError):
        raise FetchError(f"{subject}: not a valid URL") from None
    if url.scheme not in ("http", "https"):
        raise FetchError(f"{subject}: {url.scheme} URLs are not fetched, only http and https")
    if not url.host:
        raise FetchError(f"{subject}: not a valid URL, it names no host")
    if url.userinfo:
        raise FetchError(f"{subject}: refused, the URL carries credentials")
    return url


def _join(base: httpx.URL, location: str, original: str) -> httpx.URL:
    try:
        return base.join(location)
    except httpx.InvalidURL:
        raise FetchError(f"{original} redirected to an invalid URL") from None


def _status_error(url: str, response: httpx.Response) -> FetchError:
    status = response.status_code
    try:
        phrase = http.HTTPStatus(status).phrase
    except ValueError:
        phrase = response.reason_phrase
    return FetchError(f"{url} returned {status} {phrase}".rstrip(), status=status)


def _json_object(url: str, body: bytes) -> JSONObject:
    try:
        document = json.loads(body)
    except (ValueError, RecursionError):
        document = None
    if not isinstance(document, dict):
        raise FetchError(f"{url} is not a JSON object")
    return document
