"""Hostile input to the public verify endpoints: each is refused or reported, and nothing leaks.

Every socket connect in this module goes through a spy: loopback (the test servers, the live
service) is let through, any other address fails the test without being attempted. Fetches
that must be refused are also checked to have reached no server at all.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import select
import socket
import struct
import threading
import time
import tracemalloc
import zlib
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.fetching import FetchConfig, SafeFetcher
from app.main import create_app
from app.settings import Settings
from badges import data_integrity
from keys import KeySigner, generate_key
from tests.browser.support import (
    NOW,
    BadgeMaker,
    LiveServer,
    badge_png,
    serve,
)

API = "/api/v1/verify"
MB = 1024 * 1024


@pytest.fixture
def connects(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    """Every address a socket connected to; anything but loopback is blocked and fails."""
    attempted: list[Any] = []
    real_connect = socket.socket.connect

    def spy(sock: socket.socket, address: Any) -> None:
        attempted.append(address)
        if not ipaddress.ip_address(address[0]).is_loopback:
            raise OSError(f"the tests never connect to {address[0]}")
        real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", spy)
    yield attempted
    outside = [a for a in attempted if not ipaddress.ip_address(a[0]).is_loopback]
    assert outside == [], "a fetch tried to leave the machine"


@pytest.fixture
def closed_settings(settings: Settings) -> Settings:
    """The service as deployed: no private address may be fetched."""
    return settings.model_copy(update={"fetch_allow": (), "verify_rate_per_minute": 10_000})


@pytest.fixture
def closed_client(closed_settings: Settings, connects: list[Any]) -> Iterator[TestClient]:
    with TestClient(create_app(closed_settings)) as client:
        yield client


def _install(client: TestClient, fetcher: SafeFetcher) -> None:
    app: FastAPI = client.app  # type: ignore[assignment]
    app.state.resources.fetcher = fetcher


def _healthy(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}


def _parse_check(report: dict[str, Any]) -> dict[str, Any]:
    check: dict[str, Any] = report["checks"][0]
    assert check["id"] == "document.parse"
    return check


# --- unreadable requests ------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"{",
        b'{"credential": {"a": 1}',
        b"\xff\xfe{}",
        b"null",
        b"[]",
        b'"credential"',
        b"[" * 100_000,
        b'{"credential": ' + b'{"a":' * 5000 + b"1" + b"}" * 5000 + b"}",
    ],
    ids=["empty", "open", "truncated", "not-utf8", "null", "array", "string", "deep", "deep-obj"],
)
def test_malformed_json_is_a_4xx_problem(closed_client: TestClient, body: bytes) -> None:
    for path in (API, f"{API}/batch"):
        response = closed_client.post(
            path, content=body, headers={"Content-Type": "application/json"}
        )
        assert 400 <= response.status_code < 500, (path, response.text)
        assert response.headers["content-type"] == "application/problem+json"
    _healthy(closed_client)


@pytest.mark.parametrize(
    "body",
    [
        {"credential": 1.5},
        {"credential": True},
        {"credential": None},
        {"url": ["https://example.org"]},
        {"url": "javascript:alert(1)"},
        {"url": "https://" + "a" * 3000},
        {"credential": {}, "recipient": {"email": 5}},
        {"credential": {}, "recipient": {"phone": "+81"}},
    ],
)
def test_wrong_types_are_422(closed_client: TestClient, body: dict[str, Any]) -> None:
    response = closed_client.post(API, json=body)
    assert response.status_code == 422, response.text
    # In a batch, the item gets its own error in place; a batch that is not a list is 422.
    in_batch = closed_client.post(f"{API}/batch", json={"items": [body]})
    assert in_batch.status_code == 200, in_batch.text
    assert in_batch.json()["reports"][0]["error"]["code"] == "invalid_item"
    assert closed_client.post(f"{API}/batch", json={"items": body}).status_code == 422


def test_a_credential_nested_too_deep_for_the_verifier_is_not_a_badge(
    closed_client: TestClient,
) -> None:
    deep = '{"a":' * 3000 + "1" + "}" * 3000
    response = closed_client.post(API, json={"credential": deep})
    assert response.status_code == 422
    assert "nested too deeply" in response.json()["detail"]
    page = closed_client.post("/verify", data={"text": deep})
    assert page.status_code == 422
    _healthy(closed_client)


# --- size -----------------------------------------------------------------------------


@pytest.fixture
def live(settings: Settings, connects: list[Any]) -> Iterator[LiveServer]:
    def make_app(base_url: str) -> FastAPI:
        return create_app(settings.model_copy(update={"base_url": base_url}))

    with serve(make_app) as server:
        yield server


def _request_head(server: LiveServer, path: str, headers: dict[str, str]) -> bytes:
    lines = [f"POST {path} HTTP/1.1", f"Host: 127.0.0.1:{server.port}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _status(response: bytes) -> int:
    return int(response.split(b" ", 2)[1])


def _read_response(sock: socket.socket, timeout: float = 10.0) -> bytes:
    sock.settimeout(timeout)
    data = b""
    with contextlib.suppress(ConnectionResetError, TimeoutError):
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    return data


def _stream_upload(server: LiveServer, path: str, content_type: str) -> tuple[int, int]:
    """Send a 50 MB chunked body; stop as soon as an answer arrives. → (status, bytes sent)."""
    total, sent = 50 * MB, 0
    piece = b"\x89PNG\r\n\x1a\n" + b"A" * (256 * 1024 - 8)
    chunk = f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
    headers = {"Content-Type": content_type, "Transfer-Encoding": "chunked"}
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # A small send buffer, so "sent" stays close to what the server has taken in.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 128 * 1024)
        sock.connect(("127.0.0.1", server.port))
        sock.sendall(_request_head(server, path, headers))
        if content_type.startswith("multipart"):
            part = b'--b\r\nContent-Disposition: form-data; name="file"; filename="x.png"\r\n\r\n'
            sock.sendall(f"{len(part):x}\r\n".encode() + part + b"\r\n")
        while sent < total:
            readable, _, _ = select.select([sock], [], [], 0)
            if readable:
                break
            try:
                sock.sendall(chunk)
            except (BrokenPipeError, ConnectionResetError):
                break
            sent += len(piece)
        return _status(_read_response(sock)), sent


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        (API, "multipart/form-data; boundary=b"),
        (API, "application/json"),
        (f"{API}/batch", "application/json"),
        ("/verify", "multipart/form-data; boundary=b"),
    ],
)
def test_a_50_mb_upload_is_refused_before_it_is_all_sent(
    live: LiveServer, path: str, content_type: str
) -> None:
    tracemalloc.start()
    try:
        status, sent = _stream_upload(live, path, content_type)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert status == 413
    # The answer came soon after the 5 MB limit (plus what the kernel buffers on the way),
    # long before the 50 MB were sent; and the server held little memory meanwhile.
    assert sent < 20 * MB, f"{sent / MB:.1f} MB were sent before the refusal"
    assert peak < 30 * MB, f"{peak / MB:.1f} MB were held while refusing"
    with socket.create_connection(("127.0.0.1", live.port)) as sock:
        sock.sendall(f"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:{live.port}\r\n\r\n".encode())
        assert _status(_read_response(sock)) == 200


def test_a_declared_50_mb_body_is_refused_without_reading_it(live: LiveServer) -> None:
    headers = {"Content-Type": "application/json", "Content-Length": str(50 * MB)}
    with socket.create_connection(("127.0.0.1", live.port)) as sock:
        sock.sendall(_request_head(live, API, headers))  # and not one byte of the body
        response = _read_response(sock, timeout=5.0)
    assert _status(response) == 413
    assert b"application/problem+json" in response


# --- hostile images ------------------------------------------------------------------------


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _bomb_png(inflated: int) -> bytes:
    """A PNG whose compressed iTXt badge inflates to ``inflated`` bytes."""
    packer = zlib.compressobj(9)
    block = b" " * MB
    compressed = packer.compress(b'{"a":"')
    for _ in range(inflated // MB):
        compressed += packer.compress(block)
    compressed += packer.compress(b'"}') + packer.flush()
    text = b"openbadges\x00\x01\x00\x00\x00" + compressed
    png = badge_png()
    return png[:-12] + _png_chunk(b"iTXt", text) + png[-12:]


def test_a_png_decompression_bomb_is_refused_without_inflating_it(
    closed_client: TestClient,
) -> None:
    bomb = _bomb_png(200 * MB)
    assert len(bomb) < 1 * MB
    tracemalloc.start()
    started = time.monotonic()
    try:
        response = closed_client.post(API, files={"file": ("bomb.png", bomb, "image/png")})
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert response.status_code == 422, response.text
    assert "inflates to more than" in response.json()["detail"]
    assert peak < 40 * MB
    assert time.monotonic() - started < 5
    _healthy(closed_client)


SVG_XXE = b"""<?xml version="1.0"?>
<!DOCTYPE svg [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="http://openbadges.org">
<openbadges:credential>&xxe;</openbadges:credential></svg>"""
SVG_REMOTE = b"""<?xml version="1.0"?>
<!DOCTYPE svg [<!ENTITY ext SYSTEM "http://10.0.0.1/secret">]>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="http://openbadges.org">
<openbadges:credential>&ext;</openbadges:credential></svg>"""
SVG_LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE svg [<!ENTITY l0 "ha">'
    + b"".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">'.encode() for i in range(1, 10))
    + b']>\n<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="http://openbadges.org">'
    + b"<openbadges:credential>&l9;</openbadges:credential></svg>"
)


@pytest.mark.parametrize("svg", [SVG_XXE, SVG_REMOTE, SVG_LAUGHS], ids=["file", "remote", "laughs"])
def test_svg_entities_are_refused(closed_client: TestClient, svg: bytes) -> None:
    started = time.monotonic()
    response = closed_client.post(API, files={"file": ("x.svg", svg, "image/svg+xml")})
    assert response.status_code == 422, response.text
    assert "root:" not in response.text
    assert time.monotonic() - started < 5
    page = closed_client.post("/verify", files={"file": ("x.svg", svg, "image/svg+xml")})
    assert page.status_code == 422
    assert "root:" not in page.text
    _healthy(closed_client)


# --- where fetches may go ------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/badge",
        "http://127.0.0.1:8000/issuers/x/did.json",
        "http://localhost/badge",
        "http://app.localhost/badge",
        "http://[::1]/badge",
        "http://[::ffff:127.0.0.1]/badge",
        "http://10.0.0.1/badge",
        "http://169.254.169.254/latest/meta-data/",
        "http://2130706433/badge",
        "http://0x7f.1/badge",
        "http://0.0.0.0/badge",
    ],
)
def test_private_addresses_are_never_fetched(
    closed_client: TestClient, connects: list[Any], url: str
) -> None:
    for body in ({"url": url}, {"credential": url}):
        report = closed_client.post(API, json=body).json()
        assert report["ok"] is False
        check = _parse_check(report)
        assert check["status"] == "indeterminate"
        assert "refused" in check["message"] or "not a valid IP" in check["message"]
    assert connects == []
    _healthy(closed_client)


def _did_web_credential(host: str) -> dict[str, Any]:
    """A credential whose issuer is a did:web on ``host``, and whose status list is there too."""
    did = f"did:web:{host}"
    credential = BadgeMaker().unsigned(status_index=3)
    credential["issuer"] = {"id": did, "type": ["Profile"], "name": "Metadata"}
    credential["credentialStatus"]["statusListCredential"] = f"https://{host}/status/1"
    signer = KeySigner(generate_key("Ed25519"), f"{did}#key-1")
    return data_integrity.sign(credential, signer, created=NOW)


@pytest.mark.parametrize("host", ["169.254.169.254", "10.0.0.1", "localhost%3A8000"])
def test_a_credential_that_points_at_private_addresses_stays_undecided(
    closed_client: TestClient, connects: list[Any], host: str
) -> None:
    report = closed_client.post(API, json={"credential": _did_web_credential(host)}).json()
    checks = {c["id"]: c for c in report["checks"]}
    assert checks["proof.signature"]["status"] == "indeterminate"
    assert "refused" in checks["proof.signature"]["message"]
    assert checks["status.revocation"]["status"] == "indeterminate"
    assert report["ok"] is False
    assert connects == []


def test_a_name_that_resolves_to_a_private_address_is_refused(
    closed_client: TestClient, connects: list[Any]
) -> None:
    asked: list[str] = []

    def resolver(host: str) -> list[str]:
        asked.append(host)
        return {"badges.example.org": ["93.184.216.34", "10.1.2.3"]}.get(host, ["10.1.2.3"])

    with SafeFetcher.create(FetchConfig(allow=()), resolver=resolver) as fetcher:
        _install(closed_client, fetcher)
        for url in ("https://intranet.example.org/badge", "https://badges.example.org/badge"):
            check = _parse_check(closed_client.post(API, json={"url": url}).json())
            assert check["status"] == "indeterminate"
            assert "resolves to 10.1.2.3" in check["message"]
    assert asked == ["intranet.example.org", "badges.example.org"]
    assert connects == []
    _healthy(closed_client)


# --- hostile servers on loopback --------------------------------------------------------------


class _Hostile(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, handle: Callable[[BaseHTTPRequestHandler], None]) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.handle_get = handle
        self.hits: list[str] = []

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    server: _Hostile

    def do_GET(self) -> None:
        self.server.hits.append(self.path)
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.server.handle_get(self)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextlib.contextmanager
def _hostile(handle: Callable[[BaseHTTPRequestHandler], None]) -> Iterator[_Hostile]:
    server = _Hostile(handle)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@contextlib.contextmanager
def _fetching_only(client: TestClient, server: _Hostile, timeout: float) -> Iterator[None]:
    """Let the app fetch from ``server`` (its port only), with a short deadline."""
    allow = (f"127.0.0.1:{server.server_address[1]}",)
    with SafeFetcher.create(FetchConfig(allow=allow, timeout=timeout)) as fetcher:
        _install(client, fetcher)
        yield


def _nowhere(handler: BaseHTTPRequestHandler) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.end_headers()
    handler.wfile.write(b'{"secret": true}')


@pytest.mark.parametrize("target", ["loopback", "10.0.0.1", "169.254.169.254"])
def test_a_redirect_to_a_private_address_is_not_followed(
    closed_client: TestClient, connects: list[Any], target: str
) -> None:
    with _hostile(_nowhere) as inner:
        location = {
            "loopback": f"{inner.origin}/secret",  # another port: not on the allow list
            "10.0.0.1": "http://10.0.0.1/secret",
            "169.254.169.254": "http://169.254.169.254/latest/meta-data/",
        }[target]

        def redirect(handler: BaseHTTPRequestHandler) -> None:
            handler.send_response(302)
            handler.send_header("Location", location)
            handler.end_headers()

        with _hostile(redirect) as outer, _fetching_only(closed_client, outer, 2.0):
            check = _parse_check(closed_client.post(API, json={"url": f"{outer.origin}/b"}).json())
        assert outer.hits == ["/b"]
    assert check["status"] == "indeterminate"
    assert "redirected" in check["message"] or "refused" in check["message"]
    assert inner.hits == []
    assert all(ipaddress.ip_address(a[0]).is_loopback for a in connects)
    _healthy(closed_client)


def test_a_slow_server_times_out_and_the_service_answers(closed_client: TestClient) -> None:
    release = threading.Event()

    def slow(handler: BaseHTTPRequestHandler) -> None:
        release.wait(10)
        _nowhere(handler)

    try:
        with _hostile(slow) as server, _fetching_only(closed_client, server, 1.0):
            started = time.monotonic()
            report = closed_client.post(API, json={"url": f"{server.origin}/slow"}).json()
            elapsed = time.monotonic() - started
            _healthy(closed_client)
            release.set()
    finally:
        release.set()
    assert elapsed < 3.0
    check = _parse_check(report)
    assert check["status"] == "indeterminate"
    assert "timed out" in check["message"]


def test_an_endless_response_is_cut_off(closed_client: TestClient) -> None:
    stop = threading.Event()

    def endless(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.end_headers()
        handler.wfile.write(b'{"a": "')
        while not stop.is_set():
            handler.wfile.write(b"x" * 65536)

    try:
        with _hostile(endless) as server, _fetching_only(closed_client, server, 3.0):
            started = time.monotonic()
            report = closed_client.post(API, json={"url": f"{server.origin}/forever"}).json()
            elapsed = time.monotonic() - started
    finally:
        stop.set()
    check = _parse_check(report)
    assert check["status"] == "indeterminate"
    assert "larger than 2 MB" in check["message"] or "timed out" in check["message"]
    assert elapsed < 5.0
    _healthy(closed_client)


def test_a_badge_that_names_a_slow_status_server_is_bounded_in_time(
    closed_client: TestClient,
) -> None:
    release = threading.Event()

    def slow(handler: BaseHTTPRequestHandler) -> None:
        release.wait(10)

    maker = BadgeMaker()
    credential = maker.unsigned(status_index=3)
    try:
        with _hostile(slow) as server, _fetching_only(closed_client, server, 1.0):
            credential["credentialStatus"]["statusListCredential"] = f"{server.origin}/list"
            signed = data_integrity.sign(credential, maker.signer, created=NOW)
            started = time.monotonic()
            report = closed_client.post(API, json={"credential": signed}).json()
            elapsed = time.monotonic() - started
            assert server.hits == ["/list"]
    finally:
        release.set()
    checks = {c["id"]: c for c in report["checks"]}
    assert checks["proof.signature"]["status"] == "passed"
    assert checks["status.revocation"]["status"] == "indeterminate"
    assert "timed out" in checks["status.revocation"]["message"]
    assert report["summary"]["status"] == "unknown"
    assert elapsed < 3.0
    _healthy(closed_client)


def test_the_verify_page_survives_what_the_api_survives(closed_client: TestClient) -> None:
    for data in ({"text": "http://169.254.169.254/"}, {"text": "[" * 50_000}, {"email": "x"}):
        response = closed_client.post("/verify", data=data)
        assert response.status_code in (200, 422), response.text
        assert response.headers["content-type"].startswith("text/html")
    bomb = _bomb_png(50 * MB)
    page = closed_client.post("/verify", files={"file": ("b.png", bomb, "image/png")})
    assert page.status_code == 422
    _healthy(closed_client)


def test_json_bodies_claiming_another_type_are_not_parsed(closed_client: TestClient) -> None:
    body = json.dumps({"credential": "x"}).encode()
    for media in ("text/plain", "application/x-www-form-urlencoded", ""):
        response = closed_client.post(API, content=body, headers={"Content-Type": media})
        assert response.status_code == 415, media
