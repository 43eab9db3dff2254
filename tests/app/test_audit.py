"""The audit log: every state change says who, when and what; read and exported by the API."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.app.test_credentials import make_achievement

MakeIssuer = Callable[..., tuple[dict[str, Any], dict[str, str]]]
RECIPIENT = "passer.audit@example.jp"


def _key_id(client: TestClient, headers: dict[str, str]) -> str:
    keys = client.get("/api/v1/apikeys", headers=headers).json()["items"]
    token = headers["Authorization"].split()[1]
    return next(k["id"] for k in keys if token.startswith(f"shm_{k['prefix']}_"))


def _every_change(
    client: TestClient, app: FastAPI, make_issuer: MakeIssuer, admin: dict[str, str]
) -> tuple[dict[str, Any], dict[str, str], str]:
    issuer, staff = make_issuer("ai-exam")
    assert client.patch(
        "/api/v1/issuers/ai-exam", json={"description": "新しい説明"}, headers=staff
    ).is_success
    assert client.post(
        "/api/v1/issuers/ai-exam/keys/rotate", json={"algorithm": "EdDSA"}, headers=staff
    ).is_success
    achievement = client.post(
        "/api/v1/achievements",
        json={
            "issuer": "ai-exam",
            "language": "ja",
            "name": {"ja": "生成AI活用検定"},
            "description": {"ja": "説明"},
            "criteria": {"narrative": "合格"},
        },
        headers=staff,
    )
    assert achievement.status_code == 201, achievement.text
    achievement_id = achievement.json()["id"]
    assert client.patch(
        f"/api/v1/achievements/{achievement_id}", json={"tags": ["AI"]}, headers=staff
    ).is_success
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><title>AI</title></svg>'
    assert client.put(
        f"/api/v1/achievements/{achievement_id}/image",
        content=svg,
        headers={**staff, "Content-Type": "image/svg+xml"},
    ).is_success
    with_image = make_achievement(app, issuer["id"])
    credential = client.post(
        "/api/v1/credentials",
        json={"achievement_id": with_image, "recipient": {"email": RECIPIENT}},
        headers=staff,
    ).json()
    for path, body in (
        ("suspend", None),
        ("unsuspend", None),
        ("revoke", {"reason": "issued in error"}),
    ):
        url = f"/api/v1/credentials/{credential['id']}/{path}"
        assert client.post(url, json=body, headers=staff).is_success
    assert client.patch(
        f"/api/v1/credentials/{credential['id']}", json={"listed": True}, headers=staff
    ).is_success
    made = client.post("/api/v1/apikeys", json={"name": "spare"}, headers=staff).json()
    assert client.post(f"/api/v1/apikeys/{made['id']}/revoke", headers=staff).is_success
    return issuer, staff, credential["id"]


def test_every_state_change_is_recorded_with_who_and_when(
    client: TestClient, app: FastAPI, make_issuer: MakeIssuer, admin_headers: dict[str, str]
) -> None:
    issuer, staff, credential_id = _every_change(client, app, make_issuer, admin_headers)
    response = client.get(
        "/api/v1/audit?limit=500", headers={**admin_headers, "X-Request-ID": "audit-read-1"}
    )
    assert response.status_code == 200
    entries = response.json()["items"]
    actions = [e["action"] for e in reversed(entries)]
    assert actions == [
        "api_key.create",  # the fixture's administrator key (command line)
        "issuer.create",
        "api_key.create",  # the fixture's staff key
        "issuer.update",
        "issuer.key.rotate",
        "achievement.create",
        "achievement.update",
        "achievement.image",
        "credential.issue",
        "credential.suspend",
        "credential.unsuspend",
        "credential.revoke",
        "credential.listing",
        "api_key.create",
        "api_key.revoke",
    ]
    staff_key = _key_id(client, staff)
    by_action = {e["action"]: e for e in entries}
    revoke = by_action["credential.revoke"]
    assert revoke["actor"] == "api_key"
    assert revoke["api_key_id"] == staff_key
    assert revoke["issuer_id"] == issuer["id"]
    assert revoke["subject_type"] == "credential"
    assert revoke["subject_id"] == credential_id
    assert revoke["details"] == {"reason": "issued in error", "reason_public": False}
    assert by_action["credential.listing"]["details"] == {"listed": True}
    assert revoke["request_id"]
    assert by_action["issuer.update"]["details"] == {"fields": ["description"]}
    assert by_action["achievement.update"]["details"] == {"fields": ["tags"]}
    assert by_action["achievement.image"]["details"]["media_type"] == "image/svg+xml"
    assert by_action["issuer.create"]["api_key_id"] == _key_id(client, admin_headers)
    assert entries[-1]["actor"] == "command_line" and entries[-1]["api_key_id"] is None
    assert RECIPIENT not in response.text
    assert "shm_" not in response.text


def test_the_request_id_of_a_change_is_in_its_entry(
    client: TestClient, make_issuer: MakeIssuer, admin_headers: dict[str, str]
) -> None:
    _, staff = make_issuer("ai-exam")
    client.patch(
        "/api/v1/issuers/ai-exam",
        json={"description": "x"},
        headers={**staff, "X-Request-ID": "change-42"},
    )
    entries = client.get("/api/v1/audit?action=issuer.update", headers=admin_headers).json()
    assert [e["request_id"] for e in entries["items"]] == ["change-42"]


def test_an_issuer_key_reads_only_its_own_issuer_entries(
    client: TestClient, make_issuer: MakeIssuer, admin_headers: dict[str, str]
) -> None:
    issuer_a, staff_a = make_issuer("issuer-a")
    make_issuer("issuer-b")
    seen = client.get("/api/v1/audit", headers=staff_a).json()
    assert seen["total"] == len(seen["items"]) > 0
    assert {e["issuer_id"] for e in seen["items"]} == {issuer_a["id"]}
    assert client.get("/api/v1/audit?issuer=issuer-b", headers=staff_a).status_code == 404
    assert client.get("/api/v1/audit").status_code == 401


def test_entries_are_filtered_and_paged(
    client: TestClient, app: FastAPI, make_issuer: MakeIssuer, admin_headers: dict[str, str]
) -> None:
    _, _, credential_id = _every_change(client, app, make_issuer, admin_headers)
    family = client.get("/api/v1/audit?action=credential", headers=admin_headers).json()
    assert family["total"] == 5
    assert {e["action"] for e in family["items"]} == {
        "credential.issue",
        "credential.suspend",
        "credential.unsuspend",
        "credential.revoke",
        "credential.listing",
    }
    first = client.get("/api/v1/audit?action=credential&limit=3", headers=admin_headers).json()
    rest = client.get(
        "/api/v1/audit?action=credential&limit=3&offset=3", headers=admin_headers
    ).json()
    assert len(first["items"]) == 3 and len(rest["items"]) == 2
    assert first["items"][0]["action"] == "credential.listing"  # newest first
    subject = client.get(f"/api/v1/audit?subject_id={credential_id}", headers=admin_headers)
    assert subject.json()["total"] == 5
    later = client.get(
        "/api/v1/audit", params={"after": "2999-01-01T00:00:00Z"}, headers=admin_headers
    )
    assert later.json()["total"] == 0
    naive = client.get("/api/v1/audit", params={"after": "2020-01-01T00:00"}, headers=admin_headers)
    assert naive.status_code == 422


def test_the_log_exports_as_json_lines_and_csv(
    client: TestClient, app: FastAPI, make_issuer: MakeIssuer, admin_headers: dict[str, str]
) -> None:
    _every_change(client, app, make_issuer, admin_headers)
    lines = client.get("/api/v1/audit/export?format=jsonl", headers=admin_headers)
    assert lines.status_code == 200
    assert lines.headers["content-type"] == "application/jsonl"
    assert "attachment" in lines.headers["content-disposition"]
    rows = [json.loads(line) for line in lines.text.splitlines()]
    assert len(rows) == client.get("/api/v1/audit", headers=admin_headers).json()["total"]
    assert rows[0]["action"] == "api_key.create"  # oldest first
    table = client.get("/api/v1/audit/export?format=csv&action=credential", headers=admin_headers)
    assert table.headers["content-type"].startswith("text/csv")
    records = list(csv.DictReader(io.StringIO(table.text)))
    assert [r["action"] for r in records] == [
        "credential.issue",
        "credential.suspend",
        "credential.unsuspend",
        "credential.revoke",
        "credential.listing",
    ]
    assert json.loads(records[-2]["details"]) == {
        "reason": "issued in error",
        "reason_public": False,
    }
    assert RECIPIENT not in lines.text + table.text
