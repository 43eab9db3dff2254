"""OB 2.0: hosted and signed assertions, the documents they rely on, and revocation."""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient

from badges import Recipient, baking
from tests.app.test_credentials import (
    BASE,
    issue,
    statuses,
    verify,
)


@pytest.fixture
def assertion(client: TestClient, staff: dict[str, str], achievement_id: str) -> dict[str, Any]:
    return issue(
        client,
        staff,
        achievement_id,
        format="ob2",
        recipient={"email": "Taro@Example.jp"},
        evidence=[{"id": "https://exam.example.jp/results/42", "narrative": "合格"}],
    )


def _signed(client: TestClient, credential: dict[str, Any]) -> str:
    baked = baking.unbake(client.get(credential["png_url"]).content)
    assert baked is not None
    return baked.text


def _payload(token: str) -> dict[str, Any]:
    part = token.split(".")[1]
    payload: dict[str, Any] = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    return payload


def test_an_ob2_assertion_is_hosted_and_verifies(
    client: TestClient, assertion: dict[str, Any], achievement_id: str
) -> None:
    document = assertion["document"]
    hosted_url = f"{BASE}/ob2/assertions/{assertion['id']}"
    assert assertion["format"] == "ob2"
    assert document["id"] == hosted_url
    assert document["verification"] == {"type": "HostedBadge"}
    assert document["badge"] == f"{BASE}/ob2/badges/{achievement_id}"
    assert document["recipient"]["hashed"] is True
    assert document["evidence"][0]["narrative"] == "合格"
    served = client.get(hosted_url)
    assert served.status_code == 200
    assert served.headers["content-type"].startswith("application/ld+json")
    assert served.json() == document

    report = verify(client, hosted_url, Recipient("email", "taro@example.jp"))
    assert report.ok, report.checks
    checks = statuses(report)
    assert checks["hosted.copy"] == "passed"
    assert checks["recipient.identity"] == "passed"
    assert verify(client, document).ok


def test_the_signed_twin_verifies_with_a_published_rsa_key(
    client: TestClient, assertion: dict[str, Any]
) -> None:
    token = _signed(client, assertion)
    header = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
    assert header["alg"] == "RS256"
    payload = _payload(token)
    creator = payload["verification"]["creator"]
    assert payload["verification"]["type"] == "SignedBadge"
    assert {k: v for k, v in payload.items() if k != "verification"} == {
        k: v for k, v in assertion["document"].items() if k != "verification"
    }
    profile = client.get("/ob2/issuers/ai-exam").json()
    assert profile["type"] == "Issuer"
    assert profile["publicKey"] == [creator]
    assert profile["revocationList"] == f"{BASE}/ob2/revocations/ai-exam"
    key = client.get(creator).json()
    assert key["type"] == "CryptographicKey"
    assert key["owner"] == profile["id"] == f"{BASE}/ob2/issuers/ai-exam"
    assert key["publicKeyPem"].startswith("-----BEGIN PUBLIC KEY-----")

    report = verify(client, token)
    assert report.ok, report.checks
    assert statuses(report)["proof.signature"] == "passed"
    assert statuses(report)["status.revocation"] == "passed"
    assert client.get(assertion["jwt_url"] or assertion["public_url"] + ".jwt").status_code == 404


def test_the_badge_class_describes_the_achievement(
    client: TestClient, assertion: dict[str, Any], achievement_id: str
) -> None:
    badge = client.get(f"/ob2/badges/{achievement_id}").json()
    assert badge["type"] == "BadgeClass"
    assert badge["name"] == "生成AI活用検定 ジェネラリスト"
    assert badge["issuer"] == f"{BASE}/ob2/issuers/ai-exam"


def test_a_revoked_assertion_says_so_in_both_forms(
    client: TestClient, staff: dict[str, str], assertion: dict[str, Any]
) -> None:
    token = _signed(client, assertion)
    hosted_url = f"{BASE}/ob2/assertions/{assertion['id']}"
    assert client.get("/ob2/revocations/ai-exam").json()["revokedAssertions"] == []
    response = client.post(
        f"/api/v1/credentials/{assertion['id']}/revoke",
        json={"reason": "不正受験のため"},
        headers=staff,
    )
    assert response.status_code == 200

    hosted = client.get(hosted_url).json()
    assert hosted["revoked"] is True
    assert hosted["revocationReason"] == "不正受験のため"
    assert hosted["recipient"] == assertion["document"]["recipient"]
    revocations = client.get("/ob2/revocations/ai-exam").json()
    assert revocations["type"] == "RevocationList"
    listed, decoy = revocations["revokedAssertions"]  # one revocation never stands alone
    assert listed == {"id": hosted_url, "revocationReason": "不正受験のため"}
    assert decoy["id"].startswith("urn:uuid:")
    hosted_report = verify(client, hosted_url)
    assert not hosted_report.ok
    assert statuses(hosted_report)["status.revocation"] == "failed"
    signed_report = verify(client, token)
    assert not signed_report.ok
    assert statuses(signed_report)["status.revocation"] == "failed"
    # The public credential document stays as issued, and its images too.
    as_issued = client.get(assertion["public_url"], headers={"Accept": "application/json"})
    assert as_issued.json() == assertion["document"]
    assert _signed(client, assertion) == token


def test_ob2_assertions_cannot_be_suspended(
    client: TestClient, staff: dict[str, str], assertion: dict[str, Any]
) -> None:
    response = client.post(f"/api/v1/credentials/{assertion['id']}/suspend", headers=staff)
    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"


def test_old_rsa_keys_stay_published_after_rotation(
    client: TestClient, staff: dict[str, str], assertion: dict[str, Any], achievement_id: str
) -> None:
    old_token = _signed(client, assertion)
    rotated = client.post(
        "/api/v1/issuers/ai-exam/keys/rotate", json={"algorithm": "RS256"}, headers=staff
    )
    assert rotated.status_code == 201
    newer = issue(client, staff, achievement_id, format="ob2")
    new_token = _signed(client, newer)
    old_creator = _payload(old_token)["verification"]["creator"]
    new_creator = _payload(new_token)["verification"]["creator"]
    assert old_creator != new_creator
    assert set(client.get("/ob2/issuers/ai-exam").json()["publicKey"]) == {
        old_creator,
        new_creator,
    }
    assert verify(client, old_token).ok
    assert verify(client, new_token).ok


def test_unknown_ob2_documents_are_404_problems(
    client: TestClient, staff: dict[str, str], achievement_id: str
) -> None:
    ob3 = issue(client, staff, achievement_id)
    keys = client.get("/api/v1/issuers/ai-exam/keys", headers=staff).json()["items"]
    ed25519 = next(k for k in keys if k["algorithm"] == "EdDSA")
    for path in (
        f"/ob2/assertions/{uuid.uuid4()}",
        f"/ob2/assertions/{ob3['id']}",  # an OB 3.0 credential has no OB 2.0 assertion
        "/ob2/assertions/nope",
        f"/ob2/badges/{uuid.uuid4()}",
        "/ob2/badges/nope",
        "/ob2/issuers/nobody",
        f"/ob2/keys/{uuid.uuid4()}",
        f"/ob2/keys/{ed25519['id']}",  # only RSA keys sign OB 2.0 assertions
        "/ob2/keys/nope",
        "/ob2/revocations/nobody",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.headers["content-type"] == "application/problem+json", path
