"""Status lists: allocation, the signed list credentials, and revocation and suspension."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from app.credentials.models import IssuedCredential
from app.status import service as status_service
from app.status.models import StatusList
from badges import status_list
from tests.app.test_credentials import (
    BASE,
    issue,
    make_achievement,
    statuses,
    verify,
)


def _status_bit(client: TestClient, entry: dict[str, Any]) -> int:
    listing = client.get(entry["statusListCredential"]).json()
    return status_list.read_status(listing, status_list.parse_status_entries(entry)[0])


def _suspension_entry(credential: dict[str, Any]) -> dict[str, Any]:
    entry = status_service.companion_entry(credential["document"]["credentialStatus"], "suspension")
    assert entry is not None
    return entry


def test_a_credential_names_one_revocation_entry_on_a_random_position(
    client: TestClient, staff: dict[str, str], achievement_id: str
) -> None:
    credentials = [issue(client, staff, achievement_id) for _ in range(6)]
    entries = [c["document"]["credentialStatus"] for c in credentials]
    for entry in entries:
        # The OB 3.0 schema allows a single credentialStatus object.
        assert isinstance(entry, dict)
        assert entry["type"] == "BitstringStatusListEntry"
        assert entry["statusPurpose"] == "revocation"
        assert entry["statusListCredential"] == f"{BASE}/status/ai-exam/revocation/1"
        assert entry["id"] == f"{entry['statusListCredential']}#{entry['statusListIndex']}"
        assert 0 <= int(entry["statusListIndex"]) < status_list.MIN_ENTRIES
    indexes = [int(e["statusListIndex"]) for e in entries]
    assert len(set(indexes)) == len(indexes)
    assert indexes != sorted(indexes) or max(indexes) - min(indexes) > 1000


def test_the_status_list_credential_is_signed_short_lived_and_cacheable(
    client: TestClient, app: FastAPI, staff: dict[str, str], achievement_id: str
) -> None:
    issue(client, staff, achievement_id)
    url = f"{BASE}/status/ai-exam/revocation/1"
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vc+ld+json")
    assert response.headers["cache-control"] == "max-age=60"
    etag = response.headers["etag"]
    listing = response.json()
    assert listing["id"] == url
    assert listing["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert listing["issuer"] == "did:web:testserver:issuers:ai-exam"
    assert listing["credentialSubject"]["type"] == "BitstringStatusList"
    assert listing["credentialSubject"]["statusPurpose"] == "revocation"
    assert listing["credentialSubject"]["ttl"] == 60_000
    assert listing["proof"][0]["cryptosuite"] == "eddsa-rdfc-2022"
    bits = status_list.decode_bitstring(listing["credentialSubject"]["encodedList"])
    assert len(bits) * 8 == status_list.MIN_ENTRIES and not any(bits)
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    assert client.get(url).content == response.content  # the same version is not re-signed
    with app.state.resources.sessions() as session:
        served = status_service.status_list_document(
            session,
            app.state.resources.keyring,
            app.state.resources.urls,
            "ai-exam",
            "revocation",
            1,
            datetime.now(UTC),
        )
    assert served == listing


def test_a_revocation_shows_at_once(
    client: TestClient, staff: dict[str, str], achievement_id: str
) -> None:
    credential = issue(client, staff, achievement_id)
    bystander = issue(client, staff, achievement_id)
    entry = credential["document"]["credentialStatus"]
    before = client.get(entry["statusListCredential"])
    assert _status_bit(client, entry) == 0
    revoked = client.post(
        f"/api/v1/credentials/{credential['id']}/revoke",
        json={"reason": "不正受験"},
        headers=staff,
    )
    assert revoked.status_code == 200
    after = client.get(entry["statusListCredential"])
    assert after.headers["etag"] != before.headers["etag"]
    assert _status_bit(client, entry) == 1
    report = verify(client, credential["document"])
    assert not report.ok
    assert statuses(report)["status.revocation"] == "failed"
    assert statuses(report)["proof.signature"] == "passed"
    assert verify(client, bystander["document"]).ok
    jwt = issue(client, staff, achievement_id, format="ob3-jwt")
    client.post(f"/api/v1/credentials/{jwt['id']}/revoke", json={"reason": "x"}, headers=staff)
    assert statuses(verify(client, jwt["document"]))["status.revocation"] == "failed"


def test_suspension_sets_the_same_position_on_the_suspension_list(
    client: TestClient, staff: dict[str, str], achievement_id: str
) -> None:
    credential = issue(client, staff, achievement_id)
    revocation = credential["document"]["credentialStatus"]
    suspension = _suspension_entry(credential)
    assert suspension["statusListCredential"] == f"{BASE}/status/ai-exam/suspension/1"
    assert suspension["statusListIndex"] == revocation["statusListIndex"]
    assert _status_bit(client, suspension) == 0
    path = f"/api/v1/credentials/{credential['id']}"

    assert client.post(f"{path}/suspend", headers=staff).status_code == 200
    assert _status_bit(client, suspension) == 1
    assert _status_bit(client, revocation) == 0
    # Verifiers follow the one entry the credential names: suspension is not revocation.
    report = verify(client, credential["document"])
    assert statuses(report)["status.revocation"] == "passed"
    browser = {"Accept": "text/html"}
    assert "一時停止中" in client.get(credential["public_url"], headers=browser).text

    assert client.post(f"{path}/unsuspend", headers=staff).status_code == 200
    assert _status_bit(client, suspension) == 0
    assert verify(client, credential["document"]).ok

    client.post(f"{path}/suspend", headers=staff)
    client.post(f"{path}/revoke", json={"reason": "取り消し"}, headers=staff)
    assert _status_bit(client, suspension) == 0
    assert _status_bit(client, revocation) == 1
    assert statuses(verify(client, credential["document"]))["status.revocation"] == "failed"


def test_a_half_full_list_opens_the_next_one(
    client: TestClient, app: FastAPI, staff: dict[str, str], achievement_id: str
) -> None:
    first = issue(client, staff, achievement_id)
    assert first["document"]["credentialStatus"]["statusListCredential"].endswith("/1")
    with app.state.resources.sessions() as session:
        session.execute(update(StatusList).values(allocated=status_service.FILL_LIMIT))
        session.commit()
    second = issue(client, staff, achievement_id)
    entry = second["document"]["credentialStatus"]
    assert entry["statusListCredential"] == f"{BASE}/status/ai-exam/revocation/2"
    assert client.get(entry["statusListCredential"]).status_code == 200
    assert verify(client, second["document"]).ok
    with app.state.resources.sessions() as session:
        lists = session.execute(select(StatusList.number, StatusList.allocated)).all()
    assert sorted(tuple(row) for row in lists) == [(1, status_service.FILL_LIMIT), (2, 1)]


def test_taken_indexes_are_drawn_again(
    client: TestClient,
    app: FastAPI,
    staff: dict[str, str],
    achievement_id: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first = issue(client, staff, achievement_id)
    taken = int(first["document"]["credentialStatus"]["statusListIndex"])
    draws = iter([taken, taken, 7])
    monkeypatch.setattr(status_service.secrets, "randbelow", lambda n: next(draws))
    second = issue(client, staff, achievement_id)
    assert second["document"]["credentialStatus"]["statusListIndex"] == "7"
    with app.state.resources.sessions() as session:
        positions = session.scalars(select(IssuedCredential.status_index)).all()
    assert sorted(positions) == sorted([taken, 7])


def test_unknown_status_lists_are_404_problems(
    client: TestClient, staff: dict[str, str], achievement_id: str
) -> None:
    issue(client, staff, achievement_id)
    for path in (
        "/status/nobody/revocation/1",
        "/status/ai-exam/refresh/1",
        "/status/ai-exam/revocation/2",
        "/status/ai-exam/suspension/0",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.headers["content-type"] == "application/problem+json"


def test_companion_entries_only_come_from_our_own_lists() -> None:
    ours = {
        "id": f"{BASE}/status/a/revocation/3#9",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "9",
        "statusListCredential": f"{BASE}/status/a/revocation/3",
    }
    assert status_service.companion_entry(ours, "suspension") == {
        "id": f"{BASE}/status/a/suspension/3#9",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "suspension",
        "statusListIndex": "9",
        "statusListCredential": f"{BASE}/status/a/suspension/3",
    }
    foreign = ours | {"statusListCredential": "https://elsewhere.example/lists/7"}
    assert status_service.companion_entry(foreign, "suspension") is None
    assert status_service.companion_entry(ours | {"statusPurpose": "message"}, "suspension") is None


def test_status_changes_of_other_lists_do_not_leak(
    client: TestClient, app: FastAPI, make_issuer: Any, staff: dict[str, str], achievement_id: str
) -> None:
    other, other_staff = make_issuer("other-body")
    theirs = issue(client, other_staff, make_achievement(app, other["id"]))
    ours = issue(client, staff, achievement_id)
    client.post(
        f"/api/v1/credentials/{theirs['id']}/revoke", json={"reason": "x"}, headers=other_staff
    )
    assert ours["document"]["credentialStatus"]["statusListCredential"].startswith(
        f"{BASE}/status/ai-exam/"
    )
    assert verify(client, ours["document"]).ok
    assert not verify(client, theirs["document"]).ok
