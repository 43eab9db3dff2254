"""The verify API on credentials this service issued: it sees their suspension too."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.app.test_credentials import issue, make_achievement

MakeIssuer = Callable[..., tuple[dict[str, Any], dict[str, str]]]


def _statuses(client: TestClient, credential: dict[str, Any]) -> tuple[bool, dict[str, str]]:
    response = client.post("/api/v1/verify", json={"credential": credential["document"]})
    assert response.status_code == 200, response.text
    report = response.json()
    return report["ok"], {c["id"]: c["status"] for c in report["checks"]}


def test_suspension_of_our_own_credential_is_reported_and_lifted(
    client: TestClient, app: FastAPI, make_issuer: MakeIssuer
) -> None:
    issuer, staff = make_issuer("ai-exam")
    achievement_id = make_achievement(app, issuer["id"])
    credential = issue(client, staff, achievement_id)

    ok, checks = _statuses(client, credential)
    assert ok and checks["status.revocation"] == "passed"
    assert checks["status.suspension"] == "passed"

    suspend = client.post(f"/api/v1/credentials/{credential['id']}/suspend", headers=staff)
    assert suspend.status_code == 200, suspend.text
    ok, checks = _statuses(client, credential)
    assert not ok
    assert checks["status.revocation"] == "passed"
    assert checks["status.suspension"] == "failed"

    lift = client.post(f"/api/v1/credentials/{credential['id']}/unsuspend", headers=staff)
    assert lift.status_code == 200, lift.text
    ok, checks = _statuses(client, credential)
    assert ok and checks["status.suspension"] == "passed"


def test_own_documents_answer_jwt_only_for_jwt_credentials(
    client: TestClient, app: FastAPI, staff: dict[str, str], achievement_id: str
) -> None:
    """The service's own answers agree with its public routes (.jwt is 404 for others)."""
    from app.verification.local import LocalDocuments
    from badges.errors import FetchError

    resources = app.state.resources
    local = LocalDocuments(resources.sessions, resources.keyring, resources.urls)
    plain = issue(client, staff, achievement_id)
    token = issue(client, staff, achievement_id, format="ob3-jwt")
    assert client.get(f"/credentials/{plain['id']}.jwt").status_code == 404
    with pytest.raises(FetchError) as refused:
        local.body(f"{plain['public_url']}.jwt")
    assert refused.value.status == 404
    assert local.body(f"{token['public_url']}.jwt") == token["document"].encode()


def _report(client: TestClient, **body: Any) -> dict[str, Any]:
    response = client.post("/api/v1/verify", json=body)
    assert response.status_code == 200, response.text
    report: dict[str, Any] = response.json()
    return report


def test_suspension_is_reported_even_when_another_check_fails(
    client: TestClient, app: FastAPI, make_issuer: MakeIssuer
) -> None:
    """A suspended badge sent with a mistyped e-mail is still shown as suspended."""
    issuer, staff = make_issuer("ai-exam")
    credential = issue(client, staff, make_achievement(app, issuer["id"]))
    suspend = client.post(f"/api/v1/credentials/{credential['id']}/suspend", headers=staff)
    assert suspend.status_code == 200, suspend.text
    report = _report(
        client, credential=credential["document"], recipient={"email": "someone@example.jp"}
    )
    checks = {c["id"]: c["status"] for c in report["checks"]}
    assert checks["recipient.identity"] == "failed"
    assert checks["status.suspension"] == "failed"
    assert report["summary"]["status"] == "suspended"


def test_a_tampered_credential_of_ours_shows_neither_revocation_nor_suspension(
    client: TestClient, app: FastAPI, make_issuer: MakeIssuer
) -> None:
    issuer, staff = make_issuer("ai-exam")
    credential = issue(client, staff, make_achievement(app, issuer["id"]))
    tampered = {**credential["document"], "name": "別の資格"}
    checks = {c["id"]: c["status"] for c in _report(client, credential=tampered)["checks"]}
    assert checks["proof.signature"] == "failed"
    assert checks["status"] == "skipped"
    assert checks["status.suspension"] == "skipped"


@pytest.mark.parametrize("action", ["revoke", "suspend"])
def test_a_vc_jwt_of_ours_is_revoked_and_suspended_through_its_vc_jwt_list(
    client: TestClient, app: FastAPI, make_issuer: MakeIssuer, action: str
) -> None:
    issuer, staff = make_issuer("ai-exam")
    credential = issue(client, staff, make_achievement(app, issuer["id"]), format="ob3-jwt")
    ok, checks = _statuses(client, credential)
    assert ok and checks["status.revocation"] == "passed"
    assert checks["status.suspension"] == "passed"
    body = {"reason": "Issued in error."} if action == "revoke" else None
    changed = client.post(
        f"/api/v1/credentials/{credential['id']}/{action}", json=body, headers=staff
    )
    assert changed.status_code == 200, changed.text
    ok, checks = _statuses(client, credential)
    assert not ok
    purpose = "revocation" if action == "revoke" else "suspension"
    assert checks[f"status.{purpose}"] == "failed"
