"""Every request body is capped before it is parsed or authenticated.

The server is a real ``shomei serve`` process: its resident memory is read from the kernel
while bodies far larger than the cap are sent to it without an API key.
"""

from __future__ import annotations

import contextlib
import select
import socket
import threading
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.migrate import upgrade
from app.settings import Settings
from tests.app.conftest import TEST_PASSPHRASE
from tests.app.processes import Server, serve

MB = 1024 * 1024
BIG = 300 * MB


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("body")
    url = f"sqlite:///{tmp / 'shomei.db'}"
    upgrade(url)
    env = {"SHOMEI_DATABASE_URL": url, "SHOMEI_KEY_PASSPHRASE": TEST_PASSPHRASE}
    with serve(env, tmp) as running:
        yield running


def _head(server: Server, path: str, headers: dict[str, str]) -> bytes:
    lines = [
        f"POST {path} HTTP/1.1",
        f"Host: 127.0.0.1:{server.port}",
        *(f"{name}: {value}" for name, value in headers.items()),
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _answer(sock: socket.socket) -> bytes:
    sock.settimeout(20)
    data = b""
    with contextlib.suppress(ConnectionResetError, TimeoutError):
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    return data


def _send_huge(server: Server, path: str, *, chunked: bool) -> tuple[bytes, int]:
    """Send a 300 MB JSON body without a key until the server answers → (answer, sent)."""
    piece = b"[" + b"1," * (MB // 2 - 1) + b"1"
    headers = {"Content-Type": "application/json"}
    if chunked:
        headers["Transfer-Encoding"] = "chunked"
    else:
        headers["Content-Length"] = str(BIG)
    sent = 0
    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 256 * 1024)
        sock.sendall(_head(server, path, headers))
        while sent < BIG:
            if select.select([sock], [], [], 0)[0]:
                break  # the server has answered
            data = f"{len(piece):x}\r\n".encode() + piece + b"\r\n" if chunked else piece
            try:
                sock.sendall(data)
            except (BrokenPipeError, ConnectionResetError):
                break
            sent += len(piece)
        return _answer(sock), sent


@pytest.mark.slow
@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_a_huge_body_without_a_key_is_refused_at_once_in_bounded_memory(
    server: Server, chunked: bool
) -> None:
    before = server.rss_mb()
    answers: list[tuple[bytes, int]] = []

    def attack(path: str) -> None:
        answers.append(_send_huge(server, path, chunked=chunked))

    paths = ["/api/v1/credentials", "/api/v1/issuers", "/api/v1/verify"]
    threads = [threading.Thread(target=attack, args=(path,)) for path in paths]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    grown = server.rss_mb() - before
    for answer, sent in answers:
        assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
        assert b"application/problem+json" in answer
        assert sent < 64 * MB, f"{sent / MB:.0f} MB were taken in before the refusal"
    # Three 300 MB bodies at once: without the cap the server grew by gigabytes.
    assert grown < 100, f"the server grew by {grown:.0f} MB"
    assert server.process.poll() is None


def test_the_json_cap_is_a_setting(settings: Settings) -> None:
    small = settings.model_copy(update={"max_json_bytes": 1000})
    json_type = {"Content-Type": "application/json"}
    with TestClient(create_app(small)) as client:
        declared = client.post(
            "/api/v1/issuers", content=b"{" + b" " * 2000 + b"}", headers=json_type
        )
        assert declared.status_code == 413
        assert declared.headers["content-type"] == "application/problem+json"
        assert declared.json()["code"] == "payload_too_large"
        streamed = client.post(
            "/api/v1/issuers", content=iter([b"{", b" " * 600, b" " * 600, b"}"]), headers=json_type
        )
        assert streamed.status_code == 413
        assert (
            streamed.json()["detail"] == "The request body is larger than the limit of 1000 bytes."
        )
        small_body = client.post("/api/v1/issuers", content=b"{}", headers=json_type)
        assert small_body.status_code == 401  # read as far as authentication
