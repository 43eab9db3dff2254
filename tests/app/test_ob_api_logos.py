"""Client logos: fetched once at registration through the service's fetcher, kept only as
a small PNG this service encoded itself, and shown on the consent page from this origin;
a logo that cannot be used never fails the registration."""

from __future__ import annotations

import http.server
import io
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from PIL import Image

from app.obapi import logos
from app.settings import Settings
from tests.app.test_ob_api import authorize_url, register, sign_in
from tests.database import empty_tables
from tests.ob_api_support import ob_api_settings, pkce


def picture(kind: str, size: tuple[int, int] = (300, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format=kind)
    return out.getvalue()


@pytest.mark.parametrize("kind", ["PNG", "JPEG", "GIF", "WEBP"])
def test_each_allowed_kind_becomes_a_small_png(kind: str) -> None:
    logo = logos.normalised(picture(kind))
    assert logo is not None and logo.startswith(b"\x89PNG\r\n\x1a\n")
    with Image.open(io.BytesIO(logo)) as image:
        assert image.format == "PNG" and max(image.size) == logos.SIDE


def test_what_is_not_a_small_allowed_image_is_left_out() -> None:
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    assert logos.normalised(svg) is None
    assert logos.normalised(b"<html><body>hello</body></html>") is None
    assert logos.normalised(picture("BMP")) is None  # a real image, not an allowed kind
    assert logos.normalised(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100) is None  # truncated
    assert logos.normalised(picture("PNG") + b"\x00" * logos.MAX_BYTES) is None
    # Small in bytes, huge in pixels (a decompression bomb): refused before decoding.
    assert logos.normalised(picture("PNG", (5000, 5000))) is None


def test_a_polyglot_loses_everything_after_the_image() -> None:
    logo = logos.normalised(picture("PNG") + b"<script>alert(1)</script>")
    assert logo is not None and b"<script>" not in logo


class _Logos(http.server.BaseHTTPRequestHandler):
    body = b""
    content_type = "image/png"

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", self.content_type)
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""


@pytest.fixture
def logo_server() -> Iterator[int]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Logos)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


@pytest.fixture
def settings(database_url: str) -> Settings:
    # The logo server is on loopback: allowed here, as an operator would allow an intranet.
    return ob_api_settings(database_url, fetch_allow="127.0.0.1")


def consent_page(client: TestClient, info: dict[str, Any]) -> str:
    _, challenge = pkce()
    page = client.get(authorize_url(info, challenge))
    assert page.status_code == 200, page.text
    return page.text


def test_the_consent_page_shows_the_logo_from_this_origin(
    client: TestClient, app: FastAPI, logo_server: int
) -> None:
    _Logos.body, _Logos.content_type = picture("JPEG", (640, 480)), "image/jpeg"
    sign_in(client, app)
    info = register(client, port=logo_server)
    assert info["logo_uri"] == f"http://127.0.0.1:{logo_server}/logo.png"  # as registered
    found = re.search(r'<img id="client-logo" src="([^"]+)"', consent_page(client, info))
    assert found and found.group(1) == f"/oauth/clients/{info['client_id']}/logo.png"
    served = client.get(found.group(1))
    assert served.status_code == 200 and served.headers["content-type"] == "image/png"
    assert served.headers["x-content-type-options"] == "nosniff"
    with Image.open(io.BytesIO(served.content)) as image:
        assert image.format == "PNG" and image.size == (logos.SIDE, 96)


def test_an_unusable_logo_is_left_out_and_registration_succeeds(
    client: TestClient, app: FastAPI, logo_server: int
) -> None:
    _Logos.body, _Logos.content_type = b"<svg xmlns='http://www.w3.org/2000/svg'/>", "image/svg+xml"
    sign_in(client, app)
    info = register(client, port=logo_server)
    assert 'id="client-logo"' not in consent_page(client, info)
    assert client.get(f"/oauth/clients/{info['client_id']}/logo.png").status_code == 404
    # Nothing listens on port 9: the fetch fails, the registration does not.
    unreachable = register(client, port=9)
    assert 'id="client-logo"' not in consent_page(client, unreachable)


@contextmanager
def app_with(database_url: str, **overrides: Any) -> Iterator[tuple[FastAPI, TestClient]]:
    from app.main import create_app

    app = create_app(ob_api_settings(database_url, **overrides))
    try:
        with TestClient(app) as client:
            yield app, client
    finally:
        empty_tables(database_url)


def test_loopback_logos_are_refused_unless_the_operator_allows_them(
    database_url: str, logo_server: int
) -> None:
    _Logos.body, _Logos.content_type = picture("PNG"), "image/png"
    with app_with(database_url) as (app, client):
        sign_in(client, app)
        info = register(client, port=logo_server)
        assert 'id="client-logo"' not in consent_page(client, info)


def test_logo_fetches_count_against_the_callers_address_budget(
    database_url: str, logo_server: int
) -> None:
    _Logos.body, _Logos.content_type = picture("PNG"), "image/png"
    with app_with(database_url, fetch_allow="127.0.0.1", verify_rate_per_minute=1) as (
        app,
        client,
    ):
        sign_in(client, app)
        first, second = register(client, port=logo_server), register(client, port=logo_server)
        assert 'id="client-logo"' in consent_page(client, first)
        assert 'id="client-logo"' not in consent_page(client, second)


def test_a_logo_over_the_cap_is_left_out(
    client: TestClient, app: FastAPI, logo_server: int
) -> None:
    _Logos.body, _Logos.content_type = picture("PNG") + bytes(logos.MAX_BYTES), "image/png"
    sign_in(client, app)
    info = register(client, port=logo_server)
    assert 'id="client-logo"' not in consent_page(client, info)
