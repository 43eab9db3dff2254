"""Issuing from kept contexts: a rotated key, an edited achievement or issuer is seen at once.

Every issuance reads which key signs and the versions of the achievement and issuer rows from
the database, so the bound on another process seeing a change is zero: its next issuance.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.achievements.models import Achievement
from app.credentials import issuing
from app.credentials.contexts import issuing_contexts
from app.credentials.schemas import CredentialCreate
from app.main import create_app
from app.settings import Settings
from tests.app.conftest import TEST_PASSPHRASE
from tests.app.processes import serve

Issue = dict[str, Any]


def _issue(client: TestClient | httpx.Client, achievement_id: str, staff: dict[str, str]) -> Issue:
    body = {"achievement_id": achievement_id, "recipient": {"email": "passer@example.jp"}}
    response = client.post("/api/v1/credentials", json=body, headers=staff)
    assert response.status_code == 201, response.text
    document: Issue = response.json()["document"]
    return document


def _fragment(document: Issue) -> str:
    return str(document["proof"][0]["verificationMethod"]).rpartition("#")[2]


def _rotate(client: TestClient, slug: str, staff: dict[str, str]) -> str:
    response = client.post(
        f"/api/v1/issuers/{slug}/keys/rotate", json={"algorithm": "EdDSA"}, headers=staff
    )
    assert response.status_code == 201, response.text
    return str(response.json()["verification_method"]).rpartition("#")[2]


def _verifies(client: TestClient, document: Issue) -> bool:
    response = client.post("/api/v1/verify", json={"credential": document})
    return bool(response.json()["ok"])


@pytest.fixture
def second(settings: Settings) -> Iterator[TestClient]:
    """Another server on the same database, with keys, contexts and caches of its own."""
    with TestClient(create_app(settings)) as client:
        yield client


def test_a_rotated_key_signs_the_next_credential_in_the_same_process(
    client: TestClient, app: FastAPI, issuer: Any, staff: dict[str, str], achievement_id: str
) -> None:
    before = _issue(client, achievement_id, staff)
    assert len(issuing_contexts(app.state.resources.keyring)) == 1  # the context is kept
    new_fragment = _rotate(client, issuer[0]["slug"], staff)
    after = _issue(client, achievement_id, staff)
    assert _fragment(before) != new_fragment
    assert _fragment(after) == new_fragment
    assert _verifies(client, before)
    assert _verifies(client, after)


def test_another_server_signs_with_the_rotated_key_at_once(
    client: TestClient,
    second: TestClient,
    issuer: Any,
    staff: dict[str, str],
    achievement_id: str,
) -> None:
    warm = _issue(second, achievement_id, staff)
    new_fragment = _rotate(client, issuer[0]["slug"], staff)
    assert _fragment(warm) != new_fragment
    assert _fragment(_issue(second, achievement_id, staff)) == new_fragment


def test_another_server_issues_an_edited_achievement_and_issuer_at_once(
    client: TestClient,
    second: TestClient,
    issuer: Any,
    staff: dict[str, str],
    achievement_id: str,
) -> None:
    _issue(second, achievement_id, staff)
    edited = client.patch(
        f"/api/v1/achievements/{achievement_id}",
        json={"name": {"ja": "生成AI活用検定 エキスパート", "en": "Generative AI: Expert"}},
        headers=staff,
    )
    assert edited.status_code == 200, edited.text
    document = _issue(second, achievement_id, staff)
    assert document["credentialSubject"]["achievement"]["name"] == "生成AI活用検定 エキスパート"
    renamed = client.patch(
        f"/api/v1/issuers/{issuer[0]['slug']}", json={"name": "改名した協会"}, headers=staff
    )
    assert renamed.status_code == 200, renamed.text
    assert _issue(second, achievement_id, staff)["issuer"]["name"] == "改名した協会"


def test_credentials_outside_the_usual_shape_are_signed_in_full_and_verify(
    client: TestClient, staff: dict[str, str], achievement_id: str
) -> None:
    _issue(client, achievement_id, staff)
    body = {
        "achievement_id": achievement_id,
        "recipient": {"email": "evidence@example.jp"},
        "evidence": [{"name": "答案", "narrative": "満点でした。"}],
        "result": [{"value": "98"}],
        "valid_until": "2099-01-01T00:00:00Z",
    }
    response = client.post("/api/v1/credentials", json=body, headers=staff)
    assert response.status_code == 201, response.text
    document = response.json()["document"]
    assert document["evidence"][0]["narrative"] == "満点でした。"
    assert _verifies(client, document)


@pytest.mark.slow
def test_a_server_process_signs_with_a_key_rotated_elsewhere_at_once(
    client: TestClient,
    settings: Settings,
    issuer: Any,
    staff: dict[str, str],
    achievement_id: str,
    tmp_path: Path,
) -> None:
    env = {
        "SHOMEI_DATABASE_URL": settings.database_url,
        "SHOMEI_KEY_PASSPHRASE": TEST_PASSPHRASE,
        "SHOMEI_REDIS_URL": "",
    }
    with serve(env, tmp_path) as server, httpx.Client(base_url=server.url, timeout=60) as http:
        warm = _issue(http, achievement_id, staff)
        new_fragment = _rotate(client, issuer[0]["slug"], staff)
        assert _fragment(warm) != new_fragment
        assert _fragment(_issue(http, achievement_id, staff)) == new_fragment


def test_issuing_checks_the_key_on_every_call(
    client: TestClient, staff: dict[str, str], achievement_id: str
) -> None:
    _issue(client, achievement_id, staff)  # the context is kept from here on
    created = client.post("/api/v1/apikeys", json={"name": "batch"}, headers=staff).json()
    key = {"Authorization": f"Bearer {created['key']}"}
    _issue(client, achievement_id, key)
    revoked = client.post(f"/api/v1/apikeys/{created['id']}/revoke", headers=staff)
    assert revoked.status_code == 200
    body = {"achievement_id": achievement_id, "recipient": {"email": "passer@example.jp"}}
    refused = client.post("/api/v1/credentials", json=body, headers=key)
    assert refused.status_code == 401
    assert refused.headers["content-type"].startswith("application/problem+json")
    for headers in ({}, {"Authorization": "Basic eDp5"}, {"Authorization": "Bearer shm_x_y"}):
        assert client.post("/api/v1/credentials", json=body, headers=headers).status_code == 401


def _unsigned(document: Issue) -> Issue:
    return {k: v for k, v in document.items() if k != "proof"}


def _issued(client: TestClient, staff: dict[str, str], body: Issue) -> Issue:
    response = client.post("/api/v1/credentials", json=body, headers=staff)
    assert response.status_code == 201, response.text
    document: Issue = response.json()["document"]
    assert _verifies(client, document)
    return document


def _template(app: FastAPI, achievement_id: str, body: Issue) -> Any:
    """The template a fresh context of the achievement gives ``body``'s credential."""
    resources = app.state.resources
    with resources.sessions() as session:
        achievement = session.get(Achievement, uuid.UUID(achievement_id))
        assert achievement is not None
        context = issuing.context_of(resources.urls, achievement, template=True)
    request = CredentialCreate.model_validate(body)
    return issuing.template_for(resources.urls, context, achievement.id, request)


def test_credentials_with_a_name_or_a_score_are_signed_from_a_template_of_their_shape(
    client: TestClient, app: FastAPI, staff: dict[str, str], achievement_id: str
) -> None:
    # The name (a second IdentityObject) and a score vary per passer: without their paths
    # among a template's, every such credential would be expanded in full.
    plain = {"achievement_id": achievement_id, "recipient": {"email": "plain@example.jp"}}
    named = {**plain, "recipient": {"email": "named@example.jp", "name": "山田 花子"}}
    scored = {**named, "result": [{"value": "87"}]}
    documents = {
        key: _issued(client, staff, body)
        for key, body in (("plain", plain), ("named", named), ("scored", scored))
    }
    assert documents["named"]["credentialSubject"]["identifier"][1]["identityHash"] == "山田 花子"
    assert documents["scored"]["credentialSubject"]["result"][0]["value"] == "87"
    templates = {
        key: _template(app, achievement_id, body)
        for key, body in (("plain", plain), ("named", named), ("scored", scored))
    }
    for key, template in templates.items():
        assert template is not None
        assert template.quads(_unsigned(documents[key])) is not None
    assert templates["plain"].quads(_unsigned(documents["named"])) is None  # another shape
    assert templates["named"].quads(_unsigned(documents["scored"])) is None
    unusual = {**plain, "result": [{"status": "Completed"}]}
    assert _template(app, achievement_id, unusual) is None


def test_an_issuer_who_leaves_names_out_signs_named_passers_from_the_plain_template(
    client: TestClient, app: FastAPI, issuer: Any, staff: dict[str, str], achievement_id: str
) -> None:
    changed = client.patch(
        f"/api/v1/issuers/{issuer[0]['slug']}",
        json={"recipient_name_in_credential": False},
        headers=staff,
    )
    assert changed.status_code == 200, changed.text
    named = {
        "achievement_id": achievement_id,
        "recipient": {"email": "named@example.jp", "name": "山田 花子"},
    }
    document = _issued(client, staff, named)
    assert len(document["credentialSubject"]["identifier"]) == 1
    template = _template(app, achievement_id, named)
    assert template is not None
    assert template.quads(_unsigned(document)) is not None
