"""SafeFetcher against real HTTP servers on 127.0.0.1, and its refusals before connecting.

Every socket connect in this module goes through a spy: connects to loopback are let
through (to the test servers), any other address fails the test without being
attempted, so nothing here can reach beyond this machine.
"""

from __future__ import annotations

import contextlib
import datetime
import gzip
import ipaddress
import json
import re
import socket
import ssl
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from app.fetching import (
    FetchConfig,
    FetchedDocument,
    Resolver,
    SafeFetcher,
    make_client,
    parse_allow_list,
)
from badges.errors import FetchError
from badges.ports import DocumentFetcher, Fetcher

LOOPBACK = ("127.0.0.1",)
Route = Callable[["_Handler"], None]


# --- servers ------------------------------------------------------------------------


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.routes: dict[str, Route] = {}
        self.hits: Counter[str] = Counter()
        self.hosts: list[str] = []
        self.stop = threading.Event()
        self.lock = threading.Lock()

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def url(self, path: str, host: str = "127.0.0.1", scheme: str = "http") -> str:
        return f"{scheme}://{host}:{self.port}{path}"


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        with self.server.lock:
            self.server.hits[self.path] += 1
            self.server.hosts.append(self.headers.get("Host", ""))
        route = self.server.routes.get(self.path, _reply(404, b"{}"))
        # The fetcher hangs up on purpose when a body is too big or too slow.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError, ssl.SSLError):
            route(self)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def _reply(
    status: int, body: bytes, headers: dict[str, str] | None = None, *, length: bool = True
) -> Route:
    def route(handler: _Handler) -> None:
        handler.send_response(status)
        for name, value in {"Content-Type": "application/json", **(headers or {})}.items():
            handler.send_header(name, value)
        if length:
            handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    return route


def _json(document: dict[str, Any], **headers: str) -> Route:
    return _reply(200, json.dumps(document).encode(), headers)


def _redirect(location: str) -> Route:
    return _reply(302, b"", {"Location": location})


def _trickle_body(handler: _Handler) -> None:
    handler.send_response(200)
    handler.send_header("Content-Length", "1000000")
    handler.end_headers()
    while not handler.server.stop.wait(0.05):
        handler.wfile.write(b" ")


def _trickle_headers(handler: _Handler) -> None:
    handler.wfile.write(b"HTTP/1.1 200 OK\r\n")
    while not handler.server.stop.wait(0.05):
        handler.wfile.write(b"X-Slow: 1\r\n")


def _sleep(handler: _Handler) -> None:
    handler.server.stop.wait(10)
    _json({"late": True})(handler)


def _stream_megabytes(count: int) -> Route:
    def route(handler: _Handler) -> None:
        handler.send_response(200)
        handler.end_headers()  # no Content-Length: the body ends when the connection does
        for _ in range(count * 16):
            handler.wfile.write(b" " * 65536)

    return route


def _serve(server: _Server) -> Iterator[_Server]:
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield server
    server.stop.set()
    server.shutdown()
    server.server_close()


@pytest.fixture
def server() -> Iterator[_Server]:
    yield from _serve(_Server())


# --- fetchers, resolvers, the connect spy ---------------------------------------------


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class StubResolver:
    """Answers from a table; records every question; never asks DNS."""

    table: dict[str, list[str]] = field(default_factory=dict)
    asked: list[str] = field(default_factory=list)

    def __call__(self, host: str) -> list[str]:
        self.asked.append(host)
        if host not in self.table:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return self.table[host]


@pytest.fixture
def connects(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    """Every address a socket tried to connect to; non-loopback ones are blocked."""
    attempted: list[Any] = []
    real_connect = socket.socket.connect

    def spy(sock: socket.socket, address: Any) -> None:
        attempted.append(address)
        if not ipaddress.ip_address(address[0]).is_loopback:
            raise OSError(f"the tests never connect to {address[0]}")
        real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", spy)
    yield attempted
    blocked = [a for a in attempted if not ipaddress.ip_address(a[0]).is_loopback]
    assert blocked == [], "a fetch tried to leave the machine"


MakeFetcher = Callable[..., SafeFetcher]


@pytest.fixture
def make_fetcher(connects: list[Any]) -> Iterator[MakeFetcher]:
    clients: list[httpx.Client] = []

    def build(
        *,
        resolver: Resolver | None = None,
        clock: Callable[[], float] = time.monotonic,
        local: Callable[[str], dict[str, Any] | None] | None = None,
        cache: bool = True,
        ssl_context: ssl.SSLContext | None = None,
        **settings: Any,
    ) -> SafeFetcher:
        config = FetchConfig(**{"allow": LOOPBACK, "timeout": 2.0, **settings})
        client = make_client(config, resolver=resolver or StubResolver(), ssl_context=ssl_context)
        clients.append(client)
        return SafeFetcher(client, config, local=local, cache=cache, clock=clock)

    yield build
    for client in clients:
        client.close()


# --- fetching -----------------------------------------------------------------------


def test_json_object_is_fetched(server: _Server, make_fetcher: MakeFetcher) -> None:
    server.routes["/profile"] = _json({"id": "urn:x", "type": "Profile"})
    assert make_fetcher().get_json(server.url("/profile")) == {"id": "urn:x", "type": "Profile"}


def test_fetcher_matches_the_badges_fetcher_protocol(make_fetcher: MakeFetcher) -> None:
    assert isinstance(make_fetcher(), Fetcher)


def test_get_reports_final_url_type_body_and_plain_http(
    server: _Server, make_fetcher: MakeFetcher
) -> None:
    server.routes["/old"] = _redirect("/new")
    server.routes["/new"] = _reply(200, b"<svg/>", {"Content-Type": "image/svg+xml; charset=x"})
    document = make_fetcher().get(server.url("/old"), accept="image/svg+xml")
    assert document == FetchedDocument(
        status=200,
        url=server.url("/new"),
        content_type="image/svg+xml; charset=x",
        body=b"<svg/>",
        warnings=("fetched over plain http",),
    )
    assert document.media_type == "image/svg+xml"


def test_compact_jws_is_fetched_as_text(server: _Server, make_fetcher: MakeFetcher) -> None:
    server.routes["/jws"] = _reply(200, b"eyJh.eyJi.c2ln\n", {"Content-Type": "text/plain"})
    assert make_fetcher().get_text(server.url("/jws")) == "eyJh.eyJi.c2ln"


def test_a_vc_jwt_document_is_fetched_as_its_token(
    server: _Server, make_fetcher: MakeFetcher
) -> None:
    """Status lists may be secured as VC-JWTs (application/vc+jwt)."""
    server.routes["/list"] = _reply(
        200, b"eyJh.eyJi.c2ln\n", {"Content-Type": "application/vc+jwt"}
    )
    server.routes["/json"] = _json({"id": "urn:x"})
    fetcher = make_fetcher()
    assert isinstance(fetcher, DocumentFetcher)
    assert fetcher.get_document(server.url("/list")) == "eyJh.eyJi.c2ln"
    assert fetcher.get_document(server.url("/json")) == {"id": "urn:x"}
    with pytest.raises(FetchError, match="not a JSON object"):
        fetcher.get_json(server.url("/list"))


@pytest.mark.parametrize("body", [b"[1, 2]", b"not json", b'"text"', b"[" * 100_000])
def test_body_that_is_not_a_json_object_is_refused(
    server: _Server, make_fetcher: MakeFetcher, body: bytes
) -> None:
    server.routes["/doc"] = _reply(200, body)
    with pytest.raises(FetchError, match="not a JSON object"):
        make_fetcher().get_json(server.url("/doc"))


@pytest.mark.parametrize(("status", "phrase"), [(404, "404 Not Found"), (410, "410 Gone")])
def test_error_status_raises_with_the_status(
    server: _Server, make_fetcher: MakeFetcher, status: int, phrase: str
) -> None:
    server.routes["/gone"] = _reply(status, b"{}")
    with pytest.raises(FetchError, match=phrase) as caught:
        make_fetcher().get_json(server.url("/gone"))
    assert caught.value.status == status


def test_gzip_body_is_decoded(server: _Server, make_fetcher: MakeFetcher) -> None:
    server.routes["/z"] = _reply(200, gzip.compress(b'{"a": 1}'), {"Content-Encoding": "gzip"})
    assert make_fetcher().get_json(server.url("/z")) == {"a": 1}


# --- caching ------------------------------------------------------------------------


def _fetch_twice_apart(
    server: _Server, fetcher: SafeFetcher, clock: FakeClock, seconds: float
) -> int:
    fetcher.get_json(server.url("/doc"))
    clock.now += seconds
    fetcher.get_json(server.url("/doc"))
    return server.hits["/doc"]


@pytest.mark.parametrize(
    ("cache_control", "fresh_for"),
    [("public, max-age=120", 120), ("max-age=86400", 300), (None, 60)],
    ids=["max-age", "capped-at-five-minutes", "default-one-minute"],
)
def test_documents_are_cached_for_their_max_age(
    server: _Server, make_fetcher: MakeFetcher, cache_control: str | None, fresh_for: float
) -> None:
    headers = {"Cache-Control": cache_control} if cache_control else {}
    server.routes["/doc"] = _json({"n": 1}, **headers)
    clock = FakeClock()
    fetcher = make_fetcher(clock=clock)
    assert _fetch_twice_apart(server, fetcher, clock, fresh_for - 1) == 1
    clock.now += 2
    fetcher.get_json(server.url("/doc"))
    assert server.hits["/doc"] == 2


@pytest.mark.parametrize("cache_control", ["no-store", "no-cache", "max-age=0"])
def test_uncacheable_documents_are_fetched_every_time(
    server: _Server, make_fetcher: MakeFetcher, cache_control: str
) -> None:
    server.routes["/doc"] = _json({"n": 1}, **{"Cache-Control": cache_control})
    clock = FakeClock()
    assert _fetch_twice_apart(server, make_fetcher(clock=clock), clock, 1) == 2


def test_cache_can_be_disabled(server: _Server, make_fetcher: MakeFetcher) -> None:
    server.routes["/doc"] = _json({"n": 1}, **{"Cache-Control": "max-age=300"})
    clock = FakeClock()
    assert _fetch_twice_apart(server, make_fetcher(clock=clock, cache=False), clock, 1) == 2


def test_failures_are_remembered_briefly(server: _Server, make_fetcher: MakeFetcher) -> None:
    server.routes["/doc"] = _reply(410, b"{}")
    clock = FakeClock()
    fetcher = make_fetcher(clock=clock)
    for _ in range(2):
        with pytest.raises(FetchError, match="410 Gone") as caught:
            fetcher.get_json(server.url("/doc"))
        assert caught.value.status == 410
        clock.now += 5
    assert server.hits["/doc"] == 1
    clock.now += 1
    with pytest.raises(FetchError):
        fetcher.get_json(server.url("/doc"))
    assert server.hits["/doc"] == 2


def test_callers_cannot_change_a_cached_document(
    server: _Server, make_fetcher: MakeFetcher
) -> None:
    server.routes["/doc"] = _json({"keys": ["a"]})
    fetcher = make_fetcher()
    fetcher.get_json(server.url("/doc"))["keys"].append("forged")
    assert fetcher.get_json(server.url("/doc")) == {"keys": ["a"]}
    assert server.hits["/doc"] == 1


def test_cache_keeps_only_the_most_recent_entries(
    server: _Server, make_fetcher: MakeFetcher
) -> None:
    for name in "abc":
        server.routes[f"/{name}"] = _json({"name": name})
    fetcher = make_fetcher(cache_entries=2)
    for name in "abca":
        fetcher.get_json(server.url(f"/{name}"))
    assert server.hits == Counter({"/a": 2, "/b": 1, "/c": 1})


# --- redirects ----------------------------------------------------------------------


@pytest.fixture
def chain(server: _Server) -> _Server:
    server.routes["/r/0"] = _json({"end": True})
    for step in range(1, 7):
        server.routes[f"/r/{step}"] = _redirect(f"/r/{step - 1}")
    return server


def test_five_redirects_are_followed(chain: _Server, make_fetcher: MakeFetcher) -> None:
    assert make_fetcher().get_json(chain.url("/r/5")) == {"end": True}


def test_a_sixth_redirect_is_refused(chain: _Server, make_fetcher: MakeFetcher) -> None:
    with pytest.raises(FetchError, match="redirected more than 5 times") as caught:
        make_fetcher().get_json(chain.url("/r/6"))
    assert caught.value.status is None
    assert chain.hits["/r/0"] == 0


def test_redirect_to_a_private_address_is_refused_before_connecting(
    server: _Server, make_fetcher: MakeFetcher, connects: list[Any]
) -> None:
    server.routes["/hop"] = _redirect("http://10.0.0.1/latest/meta-data/")
    with pytest.raises(FetchError, match=r"10\.0\.0\.1, a private address"):
        make_fetcher().get_json(server.url("/hop"))
    assert connects == [("127.0.0.1", server.port)]


@pytest.mark.parametrize("location", ["file:///etc/passwd", "ftp://example.org/x"])
def test_redirect_to_another_scheme_is_refused(
    server: _Server, make_fetcher: MakeFetcher, location: str
) -> None:
    server.routes["/hop"] = _redirect(location)
    with pytest.raises(FetchError, match="only http and https"):
        make_fetcher().get_json(server.url("/hop"))


# --- size and time limits -------------------------------------------------------------


@pytest.mark.parametrize(
    "route",
    [
        _reply(200, b" " * (3 * 1024 * 1024)),
        _stream_megabytes(3),
        _reply(200, gzip.compress(b" " * (3 * 1024 * 1024)), {"Content-Encoding": "gzip"}),
    ],
    ids=["declared-length", "streamed", "gzip-bomb"],
)
def test_body_over_two_megabytes_is_cut_off(
    server: _Server, make_fetcher: MakeFetcher, route: Route
) -> None:
    server.routes["/big"] = route
    with pytest.raises(FetchError, match="larger than 2 MB"):
        make_fetcher().get(server.url("/big"), accept="*/*")


@pytest.mark.parametrize(
    "route", [_sleep, _trickle_body, _trickle_headers], ids=["slow", "trickle", "slow-headers"]
)
def test_slow_servers_are_cut_off_by_the_overall_deadline(
    server: _Server, make_fetcher: MakeFetcher, route: Route
) -> None:
    server.routes["/slow"] = route
    fetcher = make_fetcher(timeout=0.5)
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"timed out after 0\.5 s"):
        fetcher.get(server.url("/slow"), accept="*/*")
    assert time.monotonic() - started < 1.2


# --- refusals -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1/", "loopback"),
        ("http://localhost/", "loopback"),
        ("http://api.localhost:8080/", "loopback"),
        ("http://[::1]/", "loopback"),
        ("http://10.0.0.1/", "private"),
        ("http://192.168.1.1/", "private"),
        ("http://169.254.169.254/latest/meta-data/", "link-local"),
        ("http://0.0.0.0/", "unspecified"),
        ("http://2130706433/", "loopback"),
        ("http://127.1/", "loopback"),
        ("http://0x7f.1/", "loopback"),
        ("http://100.64.0.1/", "shared"),
        ("http://224.0.0.1/", "multicast"),
        ("http://[fe80::1]/", "link-local"),
        ("http://[fc00::1]/", "private"),
        ("http://[::ffff:127.0.0.1]/", "loopback"),
        ("http://[::ffff:a9fe:a9fe]/", "link-local"),
        ("http://[2002:7f00:1::]/", "loopback (6to4)"),
        ("http://[64:ff9b::a00:1]/", "private (NAT64)"),
        ("https://240.0.0.1/", "reserved"),
        ("http://0x100000000/", "not a valid IP address"),
    ],
)
def test_special_addresses_are_refused_before_connecting(
    make_fetcher: MakeFetcher, connects: list[Any], url: str, reason: str
) -> None:
    resolver = StubResolver()
    with pytest.raises(FetchError, match=f"was not fetched: .*{re.escape(reason)}"):
        make_fetcher(allow=(), resolver=resolver).get_json(url)
    assert connects == []
    assert resolver.asked == []


@pytest.mark.parametrize(
    ("addresses", "refused"),
    [(["10.1.2.3"], "10.1.2.3"), (["93.184.216.34", "10.0.0.5"], "10.0.0.5")],
    ids=["private", "public-and-private"],
)
def test_names_resolving_to_any_private_address_are_refused_before_connecting(
    make_fetcher: MakeFetcher, connects: list[Any], addresses: list[str], refused: str
) -> None:
    resolver = StubResolver({"issuer.example": addresses})
    with pytest.raises(FetchError, match=f"issuer.example resolves to {refused}, a private"):
        make_fetcher(allow=(), resolver=resolver).get_json("https://issuer.example/did.json")
    assert connects == []


def test_unresolvable_name_is_not_fetched(make_fetcher: MakeFetcher) -> None:
    with pytest.raises(FetchError, match=r"nowhere\.example could not be resolved"):
        make_fetcher().get_json("https://nowhere.example/")


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://example.org/badge.json", "only http and https"),
        ("file:///etc/passwd", "only http and https"),
        ("gopher://example.org/", "only http and https"),
        ("data:application/json,{}", "only http and https"),
        ("https://user:secret@example.org/", "carries credentials"),
        ("https:///nohost", "names no host"),
    ],
)
def test_urls_that_are_not_plain_http_are_refused(
    make_fetcher: MakeFetcher, connects: list[Any], url: str, message: str
) -> None:
    with pytest.raises(FetchError, match=message):
        make_fetcher().get_json(url)
    assert connects == []


# --- pinning --------------------------------------------------------------------------


def test_connection_goes_to_the_vetted_address_with_the_original_host(
    server: _Server, make_fetcher: MakeFetcher, connects: list[Any]
) -> None:
    server.routes["/did.json"] = _json({"id": "did:web:issuer.example"})
    resolver = StubResolver({"issuer.example": ["127.0.0.1"]})
    fetcher = make_fetcher(resolver=resolver)
    assert fetcher.get_json(server.url("/did.json", host="issuer.example"))["id"]
    assert server.hosts == [f"issuer.example:{server.port}"]
    assert connects == [("127.0.0.1", server.port)]
    assert resolver.asked == ["issuer.example"]


def test_dns_answer_that_changes_after_the_check_is_never_used(
    server: _Server, make_fetcher: MakeFetcher, connects: list[Any]
) -> None:
    server.routes["/a"] = _json({"n": 1})
    server.routes["/b"] = _json({"n": 2})
    answers = iter([["127.0.0.1"], ["10.0.0.1"]])

    def rebinding(host: str) -> list[str]:
        return next(answers)

    fetcher = make_fetcher(resolver=rebinding)
    assert fetcher.get_json(server.url("/a", host="rebind.example")) == {"n": 1}
    with pytest.raises(FetchError, match=r"resolves to 10\.0\.0\.1"):
        fetcher.get_json(server.url("/b", host="rebind.example"))
    assert connects == [("127.0.0.1", server.port)]


def test_next_vetted_address_is_tried_when_one_refuses(
    server: _Server, make_fetcher: MakeFetcher, connects: list[Any]
) -> None:
    server.routes["/doc"] = _json({"n": 1})
    resolver = StubResolver({"issuer.example": ["127.0.0.2", "127.0.0.1"]})
    fetcher = make_fetcher(allow=("127.0.0.0/8",), resolver=resolver)
    assert fetcher.get_json(server.url("/doc", host="issuer.example")) == {"n": 1}
    assert connects == [("127.0.0.2", server.port), ("127.0.0.1", server.port)]


def _certificate(tmp_path: Path, host: str) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[tuple[_Server, ssl.SSLContext]]:
    cert_path, key_path = _certificate(tmp_path, "issuer.example")
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(cert_path, key_path)
    server = _Server()
    server.socket = server_context.wrap_socket(server.socket, server_side=True)
    server.routes["/did.json"] = _json({"id": "did:web:issuer.example"})
    yield from ((s, ssl.create_default_context(cafile=str(cert_path))) for s in _serve(server))


def test_tls_is_verified_for_the_url_host_not_the_address(
    tls_server: tuple[_Server, ssl.SSLContext], make_fetcher: MakeFetcher
) -> None:
    server, trust = tls_server
    resolver = StubResolver({"issuer.example": ["127.0.0.1"], "other.example": ["127.0.0.1"]})
    fetcher = make_fetcher(resolver=resolver, ssl_context=trust, cache=False)
    document = fetcher.get(server.url("/did.json", "issuer.example", "https"), accept="*/*")
    assert document.warnings == ()
    with pytest.raises(FetchError, match="CERTIFICATE_VERIFY_FAILED"):
        fetcher.get_json(server.url("/did.json", "other.example", "https"))


# --- allow list, local hook, construction -----------------------------------------------


def test_allow_listed_host_may_resolve_to_a_private_address(
    server: _Server, make_fetcher: MakeFetcher
) -> None:
    server.routes["/doc"] = _json({"ok": True})
    resolver = StubResolver({"intranet.example": ["127.0.0.1"]})
    allowed = make_fetcher(allow=(f"intranet.example:{server.port}",), resolver=resolver)
    assert allowed.get_json(server.url("/doc", host="intranet.example")) == {"ok": True}
    other_port = make_fetcher(allow=("intranet.example:1",), resolver=resolver)
    with pytest.raises(FetchError, match="loopback"):
        other_port.get_json(server.url("/doc", host="intranet.example"))


def test_allow_list_setting_is_parsed_and_normalised() -> None:
    text = " 10.0.0.0/8, Intranet.Example:8443 ,127.0.0.1,[::1]:8000, ::1, 192.168.1.7/24,"
    assert parse_allow_list(text) == (
        "10.0.0.0/8",
        "intranet.example:8443",
        "127.0.0.1",
        "[::1]:8000",
        "[::1]",
        "192.168.1.0/24",
    )


@pytest.mark.parametrize(
    "entry", ["http://intranet.example", "10.0.0.0/33", "host:0", "host:http", "127.1", "a b"]
)
def test_malformed_allow_list_entries_are_rejected(entry: str) -> None:
    with pytest.raises(ValueError):
        parse_allow_list(entry)


def test_local_hook_answers_without_the_network(
    make_fetcher: MakeFetcher, connects: list[Any]
) -> None:
    own = {"https://shomei.example/issuers/1/did.json": {"id": "did:web:shomei.example"}}
    resolver = StubResolver()
    fetcher = make_fetcher(allow=(), resolver=resolver, local=own.get)
    assert fetcher.get_json("https://shomei.example/issuers/1/did.json") == {
        "id": "did:web:shomei.example"
    }
    assert connects == []
    assert resolver.asked == []
    with pytest.raises(FetchError, match="could not be resolved"):
        fetcher.get_json("https://shomei.example/elsewhere.json")


def test_plain_httpx_client_is_not_accepted() -> None:
    with httpx.Client() as client, pytest.raises(ValueError, match="make_client"):
        SafeFetcher(client)


def test_client_built_with_another_allow_list_is_not_accepted() -> None:
    with make_client(FetchConfig(allow=LOOPBACK)) as client, pytest.raises(ValueError):
        SafeFetcher(client, FetchConfig())


def test_created_fetcher_owns_and_closes_its_client(server: _Server, connects: list[Any]) -> None:
    server.routes["/doc"] = _json({"n": 1})
    with SafeFetcher.create(FetchConfig(allow=LOOPBACK), cache=False) as fetcher:
        assert fetcher.get_json(server.url("/doc")) == {"n": 1}
    with pytest.raises(RuntimeError, match="closed"):
        fetcher.get_json(server.url("/doc"))
