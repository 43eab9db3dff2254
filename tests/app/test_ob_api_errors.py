"""Every error of the Open Badges API's paths in its protocol's format, whichever part of
the service answers it: ``Imsx_StatusInfo`` under /ims/ob/v3p0, RFC 6749 JSON under /oauth,
a page for the consent page. The body cap and the handlers answer before or beside the
routes, so each of their paths is tried here."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.middleware.body import ENVELOPE_BYTES
from app.settings import Settings
from tests.app.test_ob_api import assert_imsx, bearer, tokens
from tests.ob_api_support import ob_api_settings, registration

CAP = 4096
UPLOAD_CAP = CAP + ENVELOPE_BYTES


@pytest.fixture
def settings(database_url: str) -> Settings:
    return ob_api_settings(
        database_url,
        max_json_bytes=CAP,
        max_upload_bytes=CAP,
        max_image_bytes=CAP,
    )


def chunks(size: int) -> Iterator[bytes]:
    """A body sent chunked, without Content-Length: the cap counts it as it arrives."""
    for _ in range(size // 1024):
        yield b" " * 1024


def assert_oauth(response: Any, status: int, error: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["error"] == error and isinstance(body["error_description"], str)
    assert set(body) == {"error", "error_description"}


@pytest.mark.parametrize("chunked", [False, True])
def test_an_oversized_body_on_the_resource_endpoints_is_imsx(
    client: TestClient, app: FastAPI, chunked: bool
) -> None:
    _, access = tokens(client, app)
    headers = bearer(access) | {"Content-Type": "application/json"}
    for method, path in (("POST", "credentials"), ("PUT", "profile")):
        body: Any = chunks(CAP * 2) if chunked else b" " * (CAP * 2)
        answer = client.request(method, f"/ims/ob/v3p0/{path}", content=body, headers=headers)
        assert_imsx(answer, 413, "invalid_data")


@pytest.mark.parametrize("chunked", [False, True])
@pytest.mark.parametrize("path", ["/oauth/token", "/oauth/revoke", "/oauth/register"])
def test_an_oversized_body_on_the_oauth_endpoints_is_rfc_6749_json(
    client: TestClient, path: str, chunked: bool
) -> None:
    # Forms have the upload cap (with room for a multipart envelope), JSON the JSON cap.
    form = path != "/oauth/register"
    size = UPLOAD_CAP * 2 if form else CAP * 2
    media = "application/x-www-form-urlencoded" if form else "application/json"
    body: Any = chunks(size) if chunked else b"x" * size
    answer = client.post(path, content=body, headers={"Content-Type": media})
    assert_oauth(answer, 413, "invalid_request")


def test_an_oversized_consent_answer_is_a_page(client: TestClient) -> None:
    answer = client.post(
        "/oauth/authorize",
        content=b"x" * (CAP * 2),
        headers={"Content-Type": "application/json"},
    )
    assert answer.status_code == 413
    assert answer.headers["content-type"].startswith("text/html")


def test_malformed_or_mistyped_bodies_are_each_protocols_errors(
    client: TestClient, app: FastAPI
) -> None:
    _, access = tokens(client, app)
    headers = bearer(access)
    json_type = {"Content-Type": "application/json"}
    assert_imsx(
        client.put("/ims/ob/v3p0/profile", content=b"{not json", headers=headers | json_type),
        400,
        "invalid_data",
    )
    assert_imsx(
        client.put(
            "/ims/ob/v3p0/profile",
            content=b'{"type": ["Profile"]}',
            headers=headers | {"Content-Type": "text/plain"},
        ),
        400,
        "invalid_data",
    )
    assert_imsx(
        client.post("/ims/ob/v3p0/credentials", content=b"{not json", headers=headers | json_type),
        400,
        "invalid_data",
    )
    assert_oauth(
        client.post("/oauth/register", content=b"{not json", headers=json_type),
        400,
        "invalid_client_metadata",
    )
    form = "&".join(f"{k}=x" for k in registration())
    assert_oauth(
        client.post(
            "/oauth/register",
            content=form,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        ),
        400,
        "invalid_client_metadata",
    )
    assert_oauth(
        client.post("/oauth/token", json={"grant_type": "authorization_code"}),
        400,
        "invalid_request",
    )


def test_unknown_paths_and_methods_under_oauth_are_rfc_6749_json(client: TestClient) -> None:
    assert_oauth(client.get("/oauth/nothing-here"), 404, "invalid_request")
    refused = client.get("/oauth/token")
    assert_oauth(refused, 405, "invalid_request")
    assert refused.headers["allow"] == "POST"
    assert_imsx(client.delete("/ims/ob/v3p0/profile"), 405, "not_allowed")


def test_an_unexpected_failure_is_imsx_on_the_resource_endpoints(
    client: TestClient, app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.obapi import service

    _, access = tokens(client, app)

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(service, "profile", broken)
    assert_imsx(
        client.get("/ims/ob/v3p0/profile", headers=bearer(access)), 500, "internal_server_error"
    )
