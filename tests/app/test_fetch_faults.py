"""Malformed redirects from a real server on loopback: a fetch failure, never a 500.

A server may answer with any bytes in its ``Location``; whether the URL in it is unparsable
(``http:\\\\host\\x``) or names a host that IDNA cannot decode (``xn--zz``), the badge
that led there is undecided (``indeterminate``) on every public way in: the API, a batch and
the page.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.fetching import FetchConfig, SafeFetcher
from badges import data_integrity
from badges.errors import FetchError
from tests.browser.support import NOW, BadgeMaker

API = "/api/v1/verify"

LOCATIONS = {
    "backslashes": "http:\\\\host\\x",
    "backslashes-absolute": "http:\\\\127.0.0.1\\x",
    "idna-bad-codepoint": "http://xn--a.com/",
    "idna-bad-label": "http://xn--zz/badge",
    "idna-relative": "//xn--a.com/x",
    "idna-soft-hyphen": "http://ex\u00adample.com/",
    "control-character": "/a\tb",
    "unclosed-ipv6": "http://[::1/",
}


class _Redirector(ThreadingHTTPServer):
    """Answers every GET with a 302 to ``location``."""

    daemon_threads = True

    def __init__(self, location: str) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.location = location
        self.hits: list[str] = []

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    server: _Redirector

    def do_GET(self) -> None:
        self.server.hits.append(self.path)
        self.send_response(302)
        self.send_header("Location", self.server.location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(params=sorted(LOCATIONS), ids=sorted(LOCATIONS))
def redirector(request: pytest.FixtureRequest) -> Iterator[_Redirector]:
    server = _Redirector(LOCATIONS[request.param])
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@contextlib.contextmanager
def _fetching_from(client: TestClient, server: _Redirector) -> Iterator[SafeFetcher]:
    """Let the app fetch from ``server`` only, without its cache."""
    allow = (f"127.0.0.1:{server.server_address[1]}",)
    app: FastAPI = client.app  # type: ignore[assignment]
    with SafeFetcher.create(FetchConfig(allow=allow, timeout=2.0), cache=False) as fetcher:
        previous = app.state.resources.fetcher
        app.state.resources.fetcher = fetcher
        try:
            yield fetcher
        finally:
            app.state.resources.fetcher = previous


def _checks(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["id"]: c for c in report["checks"]}


def test_the_fetcher_turns_a_malformed_location_into_a_fetch_error(
    redirector: _Redirector,
) -> None:
    allow = (f"127.0.0.1:{redirector.server_address[1]}",)
    with SafeFetcher.create(FetchConfig(allow=allow, timeout=2.0)) as fetcher:
        for fetch in (fetcher.get_json, fetcher.get_text):
            with pytest.raises(FetchError, match="redirected") as caught:
                fetch(f"{redirector.origin}/badge")
            assert caught.value.status is None
    assert redirector.hits == ["/badge", "/badge"]  # nothing followed to the same server


def test_a_url_to_verify_that_redirects_badly_is_undecided(
    client: TestClient, redirector: _Redirector
) -> None:
    with _fetching_from(client, redirector):
        response = client.post(API, json={"url": f"{redirector.origin}/badge"})
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["ok"] is False
    check = _checks(report)["document.parse"]
    assert check["status"] == "indeterminate"
    assert "redirected" in check["message"]


def test_a_batch_with_a_badly_redirecting_url_answers_every_item(
    client: TestClient, redirector: _Redirector
) -> None:
    items = [{"url": f"{redirector.origin}/badge/{n}"} for n in range(100)]
    with _fetching_from(client, redirector):
        response = client.post(f"{API}/batch", json={"items": items})
    assert response.status_code == 200, response.text
    reports = response.json()["reports"]
    assert len(reports) == 100
    assert {_checks(r)["document.parse"]["status"] for r in reports} == {"indeterminate"}


def test_the_page_reports_a_badly_redirecting_url(
    client: TestClient, redirector: _Redirector
) -> None:
    with _fetching_from(client, redirector):
        response = client.post("/verify", data={"text": f"{redirector.origin}/badge"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    assert "redirected" in response.text


def test_a_status_list_that_redirects_badly_leaves_the_status_undecided(
    client: TestClient, redirector: _Redirector
) -> None:
    maker = BadgeMaker()
    credential = maker.unsigned(status_index=3)
    credential["credentialStatus"]["statusListCredential"] = f"{redirector.origin}/list"
    signed = data_integrity.sign(credential, maker.signer, created=NOW)
    with _fetching_from(client, redirector):
        response = client.post(API, json={"credential": signed})
    assert response.status_code == 200, response.text
    checks = _checks(response.json())
    assert checks["proof.signature"]["status"] == "passed"
    assert checks["status.revocation"]["status"] == "indeterminate"
    assert "redirected" in checks["status.revocation"]["message"]
