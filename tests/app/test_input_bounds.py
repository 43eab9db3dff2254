"""Input at the edges gets a clear 4xx, never a 500."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.app.test_credentials import issue, make_achievement

MakeIssuer = Callable[..., tuple[dict[str, Any], dict[str, str]]]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/credentials?offset=100000000000000000000",
        "/api/v1/issuers?offset=100000000000000000000",
        "/api/v1/achievements?offset=100000000000000000000",
        "/api/v1/credentials?issued_after=2024-01-01T00:00:00",
        "/api/v1/credentials?issued_before=2024-01-01",
    ],
)
def test_out_of_range_queries_are_422(
    client: TestClient, admin_headers: dict[str, str], path: str
) -> None:
    response = client.get(path, headers=admin_headers)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"


def test_a_huge_status_list_number_is_422(client: TestClient, make_issuer: MakeIssuer) -> None:
    make_issuer("ai-exam")
    response = client.get("/status/ai-exam/revocation/99999999999999999999")
    assert response.status_code == 422


def test_valid_until_at_the_end_of_time_is_422(
    client: TestClient, app: FastAPI, make_issuer: MakeIssuer
) -> None:
    issuer, staff = make_issuer("ai-exam")
    body = {
        "achievement_id": make_achievement(app, issuer["id"]),
        "recipient": {"email": "a@example.jp"},
        "valid_until": "9999-12-31T23:59:59-14:00",
    }
    response = client.post("/api/v1/credentials", json=body, headers=staff)
    assert response.status_code == 422, response.text


@pytest.mark.parametrize(
    "change",
    [{"description": "x\u000b"}, {"name": "Org\u0001"}, {"name_translations": {"en": "A\u007f"}}],
)
def test_issuer_text_that_could_not_be_signed_is_refused(
    client: TestClient, make_issuer: MakeIssuer, change: dict[str, Any]
) -> None:
    _, staff = make_issuer("ai-exam")
    response = client.patch("/api/v1/issuers/ai-exam", json=change, headers=staff)
    assert response.status_code == 422, response.text


def test_the_baked_svg_is_served_with_a_strict_policy(
    client: TestClient, app: FastAPI, make_issuer: MakeIssuer
) -> None:
    issuer, staff = make_issuer("ai-exam")
    credential = issue(client, staff, make_achievement(app, issuer["id"], image="svg"))
    response = client.get(f"/credentials/{credential['id']}.svg")
    assert response.status_code == 200
    assert response.headers["content-security-policy"].startswith("default-src 'none'")
    assert response.headers["x-content-type-options"] == "nosniff"


def test_the_issuer_profile_varies_by_accept(client: TestClient, make_issuer: MakeIssuer) -> None:
    make_issuer("ai-exam")
    for accept in ("application/json", "text/html"):
        response = client.get("/issuers/ai-exam", headers={"Accept": accept})
        assert response.headers["vary"] == "Accept"
