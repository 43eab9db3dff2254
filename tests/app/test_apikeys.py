"""API keys: named, listed, given an expiry, revoked at once (API and command line)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import update

from app.apikeys.models import ApiKey
from app.apikeys.service import create_api_key
from app.cli import main
from app.main import create_app
from app.settings import Settings

MakeIssuer = Callable[..., tuple[dict[str, Any], dict[str, str]]]


def _bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_a_revoked_key_stops_working_at_once(client: TestClient, make_issuer: MakeIssuer) -> None:
    _, staff = make_issuer("ai-exam")
    assert client.get("/api/v1/issuers", headers=staff).status_code == 200
    listed = client.get("/api/v1/apikeys", headers=staff).json()
    own = next(k for k in listed["items"] if k["scope"] == "issuer")
    revoked = client.post(f"/api/v1/apikeys/{own['id']}/revoke", headers=staff)
    assert revoked.status_code == 200
    assert revoked.json()["status"] == "revoked"
    refused = client.get("/api/v1/issuers", headers=staff)
    assert refused.status_code == 401
    assert refused.json()["code"] == "unauthorized"


def test_a_key_revoked_by_another_server_stops_working_at_once(
    client: TestClient, app: FastAPI, make_issuer: MakeIssuer
) -> None:
    _, staff = make_issuer("ai-exam")
    assert client.get("/api/v1/issuers", headers=staff).status_code == 200
    # Another process (another server, or SQL) revokes it: this process has no warning.
    with app.state.resources.sessions() as session:
        session.execute(update(ApiKey).values(revoked_at=datetime.now(UTC)))
        session.commit()
    assert client.get("/api/v1/issuers", headers=staff).status_code == 401


def test_keys_are_created_named_and_listed_without_secrets(
    client: TestClient, make_issuer: MakeIssuer, admin_headers: dict[str, str]
) -> None:
    make_issuer("ai-exam")
    body = {"name": "exam results import", "issuer": "ai-exam"}
    created = client.post("/api/v1/apikeys", json=body, headers=admin_headers)
    assert created.status_code == 201, created.text
    key = created.json()
    assert key["key"].startswith(f"shm_{key['prefix']}_")
    assert key | {"key": None, "id": None, "created_at": None, "created_by_key_id": None} == {
        "id": None,
        "key": None,
        "name": "exam results import",
        "prefix": key["prefix"],
        "scope": "issuer",
        "issuer": "ai-exam",
        "status": "active",
        "created_at": None,
        "created_by_key_id": None,
        "expires_at": None,
        "revoked_at": None,
    }
    assert client.get("/api/v1/achievements", headers=_bearer(key["key"])).status_code == 200
    listing = client.get("/api/v1/apikeys?issuer=ai-exam", headers=admin_headers).json()
    assert key["id"] in {k["id"] for k in listing["items"]}
    assert all("key" not in k for k in listing["items"])
    one = client.get(f"/api/v1/apikeys/{key['id']}", headers=admin_headers).json()
    assert one["name"] == "exam results import"


def test_an_expired_key_is_refused(
    client: TestClient, app: FastAPI, make_issuer: MakeIssuer
) -> None:
    _, staff = make_issuer("ai-exam")
    soon = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    created = client.post(
        "/api/v1/apikeys", json={"name": "temporary", "expires_at": soon}, headers=staff
    ).json()
    assert created["issuer"] == "ai-exam"  # an issuer's key makes keys for its own issuer
    assert client.get("/api/v1/issuers", headers=_bearer(created["key"])).status_code == 200
    with app.state.resources.sessions() as session:
        past = datetime.now(UTC) - timedelta(seconds=1)
        session.execute(update(ApiKey).where(ApiKey.name == "temporary").values(expires_at=past))
        session.commit()
    assert client.get("/api/v1/issuers", headers=_bearer(created["key"])).status_code == 401
    listed = client.get("/api/v1/apikeys", headers=staff).json()["items"]
    assert {k["name"]: k["status"] for k in listed}["temporary"] == "expired"
    past_body = {"name": "x", "expires_at": "2020-01-01T00:00:00Z"}
    assert client.post("/api/v1/apikeys", json=past_body, headers=staff).status_code == 422


def test_an_issuer_key_manages_only_its_own_issuer(
    client: TestClient, make_issuer: MakeIssuer, admin_headers: dict[str, str]
) -> None:
    make_issuer("issuer-a")
    _, staff_b = make_issuer("issuer-b")
    admin_key = {"name": "root", "admin": True}
    assert client.post("/api/v1/apikeys", json=admin_key, headers=staff_b).status_code == 403
    other = {"name": "x", "issuer": "issuer-a"}
    assert client.post("/api/v1/apikeys", json=other, headers=staff_b).status_code == 422
    listed = client.get("/api/v1/apikeys", headers=staff_b).json()["items"]
    assert {k["issuer"] for k in listed} == {"issuer-b"}
    admins = client.get("/api/v1/apikeys", headers=admin_headers).json()["items"]
    admin_id = next(k["id"] for k in admins if k["scope"] == "admin")
    assert client.get(f"/api/v1/apikeys/{admin_id}", headers=staff_b).status_code == 404
    assert client.post(f"/api/v1/apikeys/{admin_id}/revoke", headers=staff_b).status_code == 404


def test_revoking_twice_is_a_conflict(client: TestClient, admin_headers: dict[str, str]) -> None:
    created = client.post(
        "/api/v1/apikeys", json={"name": "spare", "admin": True}, headers=admin_headers
    ).json()
    first = client.post(f"/api/v1/apikeys/{created['id']}/revoke", headers=admin_headers)
    assert first.status_code == 200
    again = client.post(f"/api/v1/apikeys/{created['id']}/revoke", headers=admin_headers)
    assert again.status_code == 409


def test_a_key_over_its_rate_limit_is_told_when_to_retry(settings: Settings, app: FastAPI) -> None:
    limited = create_app(settings.model_copy(update={"key_rate_per_minute": 2}))
    with TestClient(limited) as client:
        with limited.state.resources.sessions() as session:
            key = create_api_key(session, issuer_id=None, is_admin=True)
        headers = _bearer(key)
        assert client.get("/api/v1/issuers", headers=headers).status_code == 200
        assert client.get("/api/v1/issuers", headers=headers).status_code == 200
        refused = client.get("/api/v1/issuers", headers=headers)
        assert refused.status_code == 429
        assert int(refused.headers["Retry-After"]) >= 1
        assert refused.json()["code"] == "too_many_requests"


def test_the_command_line_creates_lists_and_revokes_keys(
    client: TestClient,
    make_issuer: MakeIssuer,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    make_issuer("ai-exam")
    monkeypatch.setenv("SHOMEI_DATABASE_URL", settings.database_url)
    monkeypatch.delenv("SHOMEI_KEY_PASSPHRASE", raising=False)
    monkeypatch.delenv("SHOMEI_DEVELOPMENT", raising=False)
    argv = ["apikey", "create", "--issuer", "ai-exam", "--name", "importer", "--expires", "30d"]
    assert main(argv) == 0
    token = capsys.readouterr().out.strip()
    assert client.get("/api/v1/issuers", headers=_bearer(token)).status_code == 200
    assert main(["apikey", "list"]) == 0
    listing = capsys.readouterr().out
    prefix = token.split("_")[1]
    line = next(line for line in listing.splitlines() if line.startswith(prefix))
    assert "active" in line and "issuer:ai-exam" in line and "importer" in line
    assert token.split("_", 2)[2] not in listing  # never the secret
    assert main(["apikey", "revoke", prefix]) == 0
    assert client.get("/api/v1/issuers", headers=_bearer(token)).status_code == 401
    assert main(["apikey", "list"]) == 0
    assert prefix not in capsys.readouterr().out  # revoked keys only with --all
    assert main(["apikey", "revoke", prefix]) == 2
    assert "revoked already" in capsys.readouterr().err


def test_apikey_create_works_beside_make_run_without_development_mode(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from app import demo

    monkeypatch.chdir(tmp_path)
    for name in ("SHOMEI_DATABASE_URL", "SHOMEI_KEY_PASSPHRASE", "SHOMEI_DEVELOPMENT"):
        monkeypatch.delenv(name, raising=False)
    demo.prepare(Settings(_env_file=None, development=True))  # what `make run` does first
    capsys.readouterr()
    assert main(["apikey", "create", "--issuer", demo.DEMO_SLUG]) == 0
    assert capsys.readouterr().out.startswith("shm_")
    assert main(["apikey", "create", "--issuer", "nobody"]) == 2
    assert capsys.readouterr().err == "shomei: no issuer 'nobody'\n"


def test_a_command_without_a_database_fails_with_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SHOMEI_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    assert main(["apikey", "list"]) == 2
    error = capsys.readouterr().err
    assert error.startswith("shomei: database error:") and error.count("\n") == 1
