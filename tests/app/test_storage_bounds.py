"""What PostgreSQL refuses and SQLite stores gets one 4xx answer on both.

A NUL character in a path, a query or a field, a string longer than its column, and a
timestamp that is no date in UTC each used to be a 500 on PostgreSQL (or on both). These
tests run on SQLite by default and on PostgreSQL when SHOMEI_TEST_DATABASE_URL names one.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from app.apikeys.service import Principal
from app.audit import service as audit_service
from app.issuers.models import Issuer
from app.storage_guards import UnstorableValueError
from badges import data_integrity
from tests.app.test_credentials import issue, make_achievement
from tests.browser.support import NOW, BadgeMaker

MakeIssuer = Callable[..., tuple[dict[str, Any], dict[str, str]]]

NUL_PATHS = [
    "/issuers/a%00b",
    "/issuers/a%00b/did.json",
    "/issuers/a%00b/jwks.json",
    "/status/a%00b/revocation/0",
    "/ob2/issuers/a%00b",
    "/ob2/revocations/a%00b",
    "/ob2/keys/a%00b",
    "/credentials/a%00b.json",
    "/api/v1/issuers/a%00b",
    "/api/v1/issuers/a%00b/keys",
]


@pytest.mark.parametrize("path", NUL_PATHS)
def test_a_nul_in_a_path_names_nothing(
    client: TestClient, admin_headers: dict[str, str], make_issuer: MakeIssuer, path: str
) -> None:
    make_issuer("ai-exam")
    response = client.get(path, headers=admin_headers)
    assert response.status_code == 404, response.text
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/issuers/a%00b",
        "/api/v1/issuers/" + "a" * 300,
    ],
)
def test_a_slug_no_issuer_could_have_cannot_be_updated(
    client: TestClient, admin_headers: dict[str, str], path: str
) -> None:
    response = client.patch(path, json={"name": "x"}, headers=admin_headers)
    assert response.status_code == 404, response.text


@pytest.mark.parametrize(
    "query",
    [
        "/api/v1/achievements?issuer=a%00b",
        "/api/v1/achievements?issuer=" + "a" * 300,
        "/api/v1/credentials?external_id=a%00b",
        "/api/v1/credentials?external_id=" + "a" * 201,
        "/api/v1/credentials?recipient_email=a%00b@example.org",
    ],
)
def test_a_query_no_column_could_match_is_422(
    client: TestClient, admin_headers: dict[str, str], query: str
) -> None:
    response = client.get(query, headers=admin_headers)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    "path",
    [
        "/issuers/a%00b",
        "/issuers/a%00b/did.json",
        "/status/a%00b/revocation/0",
        "/ob2/revocations/a%00b",
        "/ob2/issuers/a\x00b",
    ],
)
def test_verifying_one_of_our_urls_with_a_nul_finds_nothing(
    client: TestClient, make_issuer: MakeIssuer, path: str
) -> None:
    make_issuer("ai-exam")
    response = client.post("/api/v1/verify", json={"url": f"http://testserver{path}"})
    assert response.status_code == 200, response.text
    check = response.json()["checks"][0]
    assert check["status"] == "indeterminate"
    assert "404" in check["message"]


def test_a_badge_naming_our_status_list_with_a_nul_is_undecided(client: TestClient) -> None:
    maker = BadgeMaker()
    credential = maker.unsigned(status_index=3)
    credential["credentialStatus"]["statusListCredential"] = (
        "http://testserver/status/a%00b/revocation/0"
    )
    signed = data_integrity.sign(credential, maker.signer, created=NOW)
    response = client.post("/api/v1/verify", json={"credential": signed})
    assert response.status_code == 200, response.text
    checks = {c["id"]: c["status"] for c in response.json()["checks"]}
    assert checks["status.revocation"] == "indeterminate"


_LONG_URL = "https://ai-exam.example.jp/" + "a" * 480
_GROWING_URL = "https://ai-exam.example.jp/" + "é" * 160  # 160 characters, 960 once encoded


@pytest.mark.parametrize(
    "fields",
    [
        {"url": _LONG_URL},
        {"image_url": _LONG_URL},
        {"url": _GROWING_URL},
        {"email": "a" * 64 + "@" + ("b" * 60 + ".") * 4 + "jp"},
        {"name": "a\x00b"},
        {"name_translations": {"en": "a\x00b"}},
    ],
    ids=["url", "image_url", "url-percent-encoded", "email", "name-nul", "translation-nul"],
)
def test_issuer_fields_that_do_not_fit_are_422(
    client: TestClient, admin_headers: dict[str, str], make_issuer: MakeIssuer, fields: Any
) -> None:
    body = {
        "slug": "long",
        "name": "Long",
        "url": "https://ai-exam.example.jp/",
        "email": "badges@ai-exam.example.jp",
    }
    response = client.post("/api/v1/issuers", json=body | fields, headers=admin_headers)
    assert response.status_code == 422, response.text
    make_issuer("ai-exam")
    response = client.patch("/api/v1/issuers/ai-exam", json=fields, headers=admin_headers)
    assert response.status_code == 422, response.text


@pytest.mark.parametrize(
    "fields",
    [
        {"recipient": {"email": "a@example.org", "name": "a\x00b"}},
        {"external_id": "a\x00b"},
        {"evidence": [{"narrative": "a\x00b"}]},
        {"evidence": [{"name": "a\x00b"}]},
        {"evidence": [{"description": "a\x00b"}]},
        {"evidence": [{"id": "https://ai-exam.example.jp/e\x00"}]},
        {"result": [{"value": "8\x007"}]},
    ],
)
def test_credential_fields_with_a_nul_are_422(
    client: TestClient, app: FastAPI, make_issuer: MakeIssuer, fields: Any
) -> None:
    issuer, staff = make_issuer("ai-exam")
    body = {
        "achievement_id": make_achievement(app, issuer["id"]),
        "recipient": {"email": "a@example.org"},
    }
    response = client.post("/api/v1/credentials", json=body | fields, headers=staff)
    assert response.status_code == 422, response.text


def test_a_revocation_reason_with_a_nul_is_422(
    client: TestClient, app: FastAPI, make_issuer: MakeIssuer
) -> None:
    issuer, staff = make_issuer("ai-exam")
    credential = issue(client, staff, make_achievement(app, issuer["id"]))
    response = client.post(
        f"/api/v1/credentials/{credential['id']}/revoke", json={"reason": "a\x00b"}, headers=staff
    )
    assert response.status_code == 422, response.text


# --- the net under the request models --------------------------------------------------


def test_the_database_refuses_a_nul_in_a_query_on_every_engine(
    client: TestClient, app: FastAPI
) -> None:
    with app.state.resources.sessions() as session, pytest.raises(UnstorableValueError):
        session.scalar(select(Issuer).where(Issuer.slug == "a\x00b"))


def test_the_database_refuses_a_string_longer_than_its_column_on_every_engine(
    client: TestClient, app: FastAPI, make_issuer: MakeIssuer
) -> None:
    make_issuer("ai-exam")
    with app.state.resources.sessions() as session:
        issuer = session.scalar(select(Issuer).where(Issuer.slug == "ai-exam"))
        assert issuer is not None
        issuer.name = "a" * 201
        with pytest.raises(UnstorableValueError, match="name must be at most 200"):
            session.commit()
        session.rollback()
        issuer.name = "a" * 200
        session.commit()


# --- timestamps at the edges of the calendar ---------------------------------------------


def test_list_filters_at_the_edges_inside_the_calendar_are_read(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    for query in (
        "issued_after=0001-01-01T00:00:00Z",
        "issued_before=9999-12-31T23:59:59Z",
        "issued_after=0001-01-01T00:00:00-14:00",
    ):
        response = client.get(f"/api/v1/credentials?{query}", headers=admin_headers)
        assert response.status_code == 200, (query, response.text)


@pytest.mark.parametrize(
    "valid_until",
    ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", 4102444800, "4102444800"],
)
def test_valid_until_outside_the_calendar_or_not_a_date_is_422(
    client: TestClient, app: FastAPI, make_issuer: MakeIssuer, valid_until: Any
) -> None:
    issuer, staff = make_issuer("ai-exam")
    body = {
        "achievement_id": make_achievement(app, issuer["id"]),
        "recipient": {"email": "a@example.org"},
        "valid_until": valid_until,
    }
    response = client.post("/api/v1/credentials", json=body, headers=staff)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"


# --- the filters of credential lists and of the audit log (listed and exported) -----------

_OUT_OF_CALENDAR = ["0001-01-01T00:00:00%2B14:00", "9999-12-31T23:59:59-14:00"]
CREDENTIAL_QUERIES = [
    *(f"issued_{name}={value}" for name in ("after", "before") for value in _OUT_OF_CALENDAR),
    "issued_before=0.5",
    "issued_after=1700000000",
    "issued_after=1e9",
]
AUDIT_QUERIES = [
    *(f"{name}={value}" for name in ("after", "before") for value in _OUT_OF_CALENDAR),
    "after=1700000000",
    "action=a%00b",
    "subject_id=a%00b",
    "issuer=a%00b",
]


@pytest.mark.parametrize(
    "path",
    [
        *(f"/api/v1/credentials?{query}" for query in CREDENTIAL_QUERIES),
        *(f"/api/v1/audit?{query}" for query in AUDIT_QUERIES),
    ],
)
def test_filters_outside_the_calendar_not_dates_or_with_a_nul_are_422(
    client: TestClient, admin_headers: dict[str, str], path: str
) -> None:
    response = client.get(path, headers=admin_headers)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("export", ["format=jsonl", "format=csv"])
@pytest.mark.parametrize("query", AUDIT_QUERIES)
def test_an_audit_export_with_a_bad_filter_is_422_before_it_starts(
    client: TestClient, admin_headers: dict[str, str], query: str, export: str
) -> None:
    response = client.get(f"/api/v1/audit/export?{export}&{query}", headers=admin_headers)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("export", [audit_service.export_jsonl, audit_service.export_csv])
def test_an_audit_export_runs_its_first_query_before_it_returns(
    client: TestClient, app: FastAPI, export: Any
) -> None:
    principal = Principal(key_id=uuid.uuid4(), is_admin=True, issuer_id=None)
    filters = audit_service.AuditFilter(action="a\x00b")  # past the request's validation
    with app.state.resources.sessions() as session, pytest.raises(UnstorableValueError):
        export(session, principal, filters)


# --- a NUL in every text field of the API ------------------------------------------------

_ISSUER_NUL_FIELDS = [
    {"url": "https://ai-exam.example.jp/a\x00b"},
    {"url": "https://ai-exam.example.jp/\x00"},  # a URL parser strips it silently
    {"image_url": "https://ai-exam.example.jp/logo\x00.png"},
    {"description": "a\x00b"},
]


@pytest.mark.parametrize("fields", _ISSUER_NUL_FIELDS)
def test_issuer_urls_and_texts_with_a_nul_are_422(
    client: TestClient, admin_headers: dict[str, str], make_issuer: MakeIssuer, fields: Any
) -> None:
    body = {"slug": "nul", "name": "Nul", "url": "https://nul.example.jp/", "email": "a@nul.jp"}
    response = client.post("/api/v1/issuers", json=body | fields, headers=admin_headers)
    assert response.status_code == 422, response.text
    make_issuer("ai-exam")
    response = client.patch("/api/v1/issuers/ai-exam", json=fields, headers=admin_headers)
    assert response.status_code == 422, response.text


def test_a_suspension_reason_with_a_nul_is_422_and_a_plain_one_is_audited(
    client: TestClient, app: FastAPI, make_issuer: MakeIssuer, admin_headers: dict[str, str]
) -> None:
    issuer, staff = make_issuer("ai-exam")
    credential = issue(client, staff, make_achievement(app, issuer["id"]))
    url = f"/api/v1/credentials/{credential['id']}/suspend"
    response = client.post(url, json={"reason": "a\x00b"}, headers=staff)
    assert response.status_code == 422, response.text
    assert client.post(url, json={"reason": "under review"}, headers=staff).is_success
    entries = client.get("/api/v1/audit?action=credential.suspend", headers=admin_headers)
    assert entries.json()["items"][0]["details"]["reason"] == "under review"


@pytest.mark.parametrize(
    "fields",
    [
        {"criteria": {"url": "https://ai-exam.example.jp/c\x00"}},
        {"alignments": [{"target_name": "x", "target_url": "https://ai-exam.example.jp/\x00"}]},
    ],
)
def test_achievement_urls_with_a_nul_are_422(
    client: TestClient, make_issuer: MakeIssuer, fields: Any
) -> None:
    _, staff = make_issuer("ai-exam")
    body = {
        "issuer": "ai-exam",
        "name": {"ja": "検定"},
        "description": {"ja": "説明"},
        "criteria": {"narrative": "合格"},
    }
    response = client.post("/api/v1/achievements", json=body | fields, headers=staff)
    assert response.status_code == 422, response.text


def test_a_watched_credential_reference_with_a_nul_is_422(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    hr = client.post("/api/v1/apikeys", json={"name": "hr", "hr": True}, headers=admin_headers)
    headers = {"Authorization": f"Bearer {hr.json()['key']}"}
    body = {"credentials": ["a\x00b"], "callback_url": "https://hr.example.jp/hook"}
    response = client.post("/api/v1/watches", json=body, headers=headers)
    assert response.status_code == 422, response.text
