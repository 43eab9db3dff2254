"""SafeFetcher: redirects, size caps, the cache and the local hook over the guarded transport."""

from __future__ import annotations

import contextlib
import http
import json
import logging
import re
import ssl
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from types import TracebackType

import httpx

from app.fetching.addresses import Resolver, _Refused
from app.fetching.cache import _freshness, _TTLCache
from app.fetching.config import FetchConfig, FetchedDocument
from app.fetching.transport import _DEADLINE, GuardedTransport, _within_deadline, make_client
from badges.errors import FetchError
from badges.ports import JSONObject

_log = logging.getLogger(__name__)


_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_JSON_ACCEPT = "application/ld+json, application/json;q=0.9, */*;q=0.1"
# A document that may be secured as a VC-JWT (status lists: BSL v1.0 §3.1, VC-JOSE-COSE §3.1.1).
_DOCUMENT_ACCEPT = (
    "application/vc+ld+json, application/vc+jwt;q=0.9, application/ld+json;q=0.9, "
    "application/json;q=0.8, application/jwt;q=0.7, */*;q=0.1"
)
_JWS = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")
_TEXT_ACCEPT = "text/plain, application/jwt;q=0.9, */*;q=0.1"


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
        # Requests go straight to the transport: httpx.Client.send would parse every
        # Location itself (even with redirects off) and raise on malformed ones, while
        # here each Location is parsed by _join and _checked_url into a FetchError.
        self._transport = transport
        self._owns_client = False
        self._local = local
        self._cache = (
            _TTLCache(self._config.cache_entries, clock, self._config.cache_bytes)
            if cache
            else None
        )

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
        return _json_object(url, self._cached_body(url, _JSON_ACCEPT))

    def get_document(self, url: str) -> JSONObject | str:
        """Return the JSON object at ``url``, or the compact JWS it serves (a VC-JWT).

        Satisfies :class:`badges.ports.DocumentFetcher`.

        Raises:
            FetchError: it could not be fetched, or is neither a JSON object nor a JWS.
        """
        if self._local is not None:
            document = self._local(url)
            if document is not None:
                return document
        body = self._cached_body(url, _DOCUMENT_ACCEPT)
        text = body.strip()
        if _JWS.fullmatch(text.decode("ascii", "replace")):
            return text.decode("ascii")
        return _json_object(url, body)

    def _cached_body(self, url: str, accept: str) -> bytes:
        if self._cache is None:
            return self.get(url, accept=accept).body
        entry = self._cache.get(url)
        if entry is not None:
            if entry.body is not None:
                return entry.body
            raise FetchError(str(entry.error), status=entry.status)
        config = self._config
        try:
            fetched = self._fetch(url, accept)
        except FetchError as error:
            self._cache.put(url, config.cache_negative_ttl, error=str(error), status=error.status)
            raise
        ttl = _freshness(fetched[1], config.cache_default_ttl, config.cache_max_ttl)
        self._cache.put(url, ttl, body=fetched[0].body)
        return fetched[0].body

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

    def vet_url(self, url: str) -> None:
        """Check ``url`` as a fetch would (scheme, no credentials, every address the host
        resolves to), without fetching it.

        Raises:
            FetchError: a fetch of ``url`` would be refused.
        """
        target = _checked_url(url, url)
        self._transport.vet(target.host, target.port or (443 if target.scheme == "https" else 80))

    @contextlib.contextmanager
    def _send(self, request: httpx.Request) -> Iterator[httpx.Response]:
        if self._client.is_closed:
            raise RuntimeError("Cannot send a request, as the client has been closed.")
        response = self._transport.handle_request(request)
        response.request = request
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
        host = url.host  # decodes an IDNA "xn--" name, which may be malformed
    except (httpx.InvalidURL, TypeError, UnicodeError):
        raise FetchError(f"{subject}: not a valid URL") from None
    if url.scheme not in ("http", "https"):
        raise FetchError(f"{subject}: {url.scheme} URLs are not fetched, only http and https")
    if not host:
        raise FetchError(f"{subject}: not a valid URL, it names no host")
    if url.userinfo:
        raise FetchError(f"{subject}: refused, the URL carries credentials")
    return url


# Controls, spaces and backslashes are not in an RFC 3986 URI-reference, and parsers read
# them differently: WHATWG URL turns "http:\\host\x" into http://host/x, httpx into a path.
_NOT_IN_LOCATION = re.compile(r"[\x00-\x20\x7f\\]")


def _join(base: httpx.URL, location: str, original: str) -> httpx.URL:
    """Resolve a Location (https://www.rfc-editor.org/rfc/rfc9110#section-10.2.2)."""
    if _NOT_IN_LOCATION.search(location.strip()):
        raise FetchError(f"{original} redirected to an invalid URL")
    try:
        return base.join(location)
    except (httpx.InvalidURL, UnicodeError):  # idna.IDNAError is a UnicodeError
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
