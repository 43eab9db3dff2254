"""The staff console: signing in and out, cookies, CSRF, expiry, isolation, changes audited."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from app.audit.models import AuditEntry
from app.console.models import ConsoleSession
from app.main import create_app
from app.settings import Settings
from tests.app.test_credentials import make_achievement
from tests.app.test_statistics import insert_credentials

_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def token_of(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "the page has no CSRF field"
    return match[1]


def bearer(headers: dict[str, str]) -> str:
    return headers["Authorization"].removeprefix("Bearer ")


def sign_in(client: TestClient, key: str) -> Any:
    form = client.get("/console/sign-in")
    assert form.status_code == 200
    return client.post(
        "/console/sign-in",
        data={"api_key": key, "csrf": token_of(form.text)},
        follow_redirects=False,
    )


@pytest.fixture
def console(client: TestClient, staff: dict[str, str]) -> TestClient:
    response = sign_in(client, bearer(staff))
    assert response.status_code == 303, response.text
    return client


def test_signing_in_sets_a_strict_httponly_cookie_and_stores_only_its_hash(
    client: TestClient, app: FastAPI, staff: dict[str, str]
) -> None:
    response = sign_in(client, bearer(staff))
    assert response.status_code == 303
    assert response.headers["location"] == "/console/achievements"
    cookie = next(
        c for c in response.headers.get_list("set-cookie") if c.startswith("shomei_console=")
    )
    flags = {part.strip().lower() for part in cookie.split(";")[1:]}
    assert {"httponly", "samesite=strict", "path=/console"} <= flags
    assert "secure" not in flags  # the base URL is plain http
    value = cookie.split(";")[0].split("=", 1)[1]
    with app.state.resources.sessions() as session:
        rows = session.scalars(select(ConsoleSession)).all()
    assert [r.id_hash for r in rows] == [hashlib.sha256(value.encode()).hexdigest()]
    page = client.get("/console/achievements")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    assert "script-src 'self'" in page.headers["content-security-policy"]


def test_the_cookie_is_secure_when_the_base_url_is_https(
    settings: Settings, admin_headers: dict[str, str]
) -> None:
    app = create_app(settings.model_copy(update={"base_url": "https://badges.example.jp"}))
    with TestClient(app, base_url="https://badges.example.jp") as client:
        response = sign_in(client, bearer(admin_headers))
        cookie = next(
            c for c in response.headers.get_list("set-cookie") if c.startswith("shomei_console=")
        )
        assert "secure" in cookie.lower()


def test_a_wrong_key_is_refused_and_nothing_is_opened(client: TestClient, app: FastAPI) -> None:
    response = sign_in(client, "shm_0123456789ab_not-a-key")
    assert response.status_code == 401
    assert "API" in response.text
    assert "shomei_console=" not in response.headers.get("set-cookie", "")
    assert client.get("/console/achievements", follow_redirects=False).status_code == 303


def test_pages_without_a_session_send_the_browser_to_sign_in(client: TestClient) -> None:
    for path in ("/console/achievements", "/console/search", "/console/statistics"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == "/console/sign-in"


def test_sign_in_without_the_form_token_is_403(client: TestClient, staff: dict[str, str]) -> None:
    client.get("/console/sign-in")
    response = client.post("/console/sign-in", data={"api_key": bearer(staff)})
    assert response.status_code == 403


def test_posts_need_the_session_token(console: TestClient) -> None:
    token = token_of(console.get("/console/achievements").text)
    missing = console.post("/console/sign-out", data={}, follow_redirects=False)
    wrong = console.post("/console/sign-out", data={"csrf": "x" + token}, follow_redirects=False)
    other_site = console.post(
        "/console/sign-out",
        data={"csrf": token},
        headers={"Origin": "https://evil.example"},
        follow_redirects=False,
    )
    cross_site = console.post(
        "/console/sign-out",
        data={"csrf": token},
        headers={"Sec-Fetch-Site": "cross-site"},
        follow_redirects=False,
    )
    for response in (missing, wrong, other_site, cross_site):
        assert response.status_code == 403
    # Still signed in: none of them did anything.
    assert console.get("/console/achievements", follow_redirects=False).status_code == 200


def test_signing_out_ends_the_session_everywhere(console: TestClient, app: FastAPI) -> None:
    cookie = console.cookies.get("shomei_console")
    token = token_of(console.get("/console/achievements").text)
    response = console.post(
        "/console/sign-out",
        data={"csrf": token},
        headers={"Origin": "http://testserver"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/console/sign-in?signed_out=1"
    with app.state.resources.sessions() as session:
        assert session.scalars(select(ConsoleSession)).all() == []
        actions = session.scalars(select(AuditEntry.action).order_by(AuditEntry.at)).all()
    assert actions[-2:] == ["console.sign_in", "console.sign_out"]
    # The old cookie, replayed, names nothing.
    console.cookies.set("shomei_console", cookie or "", path="/console")
    assert console.get("/console/achievements", follow_redirects=False).status_code == 303


def test_an_expired_session_signs_nobody_in(console: TestClient, app: FastAPI) -> None:
    with app.state.resources.sessions() as session:
        session.execute(
            update(ConsoleSession).values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
        session.commit()
    assert console.get("/console/search", follow_redirects=False).status_code == 303


def test_revoking_the_key_ends_its_sessions(
    console: TestClient, staff: dict[str, str], client: TestClient
) -> None:
    keys = client.get("/api/v1/apikeys", headers=staff).json()["items"]
    assert client.post(f"/api/v1/apikeys/{keys[0]['id']}/revoke", headers=staff).status_code == 200
    assert console.get("/console/search", follow_redirects=False).status_code == 303


def test_sign_in_failures_are_rate_limited_per_address(settings: Settings) -> None:
    app = create_app(settings.model_copy(update={"verify_rate_per_minute": 2}))
    with TestClient(app) as client:
        assert sign_in(client, "shm_aaaaaaaaaaaa_wrong").status_code == 401
        assert sign_in(client, "shm_aaaaaaaaaaaa_wrong").status_code == 401
        refused = sign_in(client, "shm_aaaaaaaaaaaa_wrong")
        assert refused.status_code == 429
        assert "Retry-After" in refused.headers


@pytest.fixture
def two_issuers(
    client: TestClient, app: FastAPI, make_issuer: Any
) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """Two issuers, each with one credential (examinee number A-1 and B-1)."""
    made = []
    for slug, number in (("ai-exam", "A-1"), ("other-exam", "B-1")):
        issuer, headers = make_issuer(slug)
        achievement = make_achievement(app, issuer["id"], name=f"検定 {slug}")
        [credential] = insert_credentials(
            app, issuer["id"], achievement, [(datetime.now(UTC), "active")], external_id=number
        )
        made.append({"issuer": issuer, "headers": headers, "credential": credential})
    yield made[0], made[1]


def test_one_issuer_cannot_see_anothers_credentials_or_statistics(
    client: TestClient, two_issuers: tuple[dict[str, Any], dict[str, Any]]
) -> None:
    mine, theirs = two_issuers
    assert sign_in(client, bearer(mine["headers"])).status_code == 303
    found = client.get("/console/search", params={"q": "A-1"})
    assert f"/console/credentials/{mine['credential']}" in found.text
    hidden = client.get("/console/search", params={"q": "B-1"})
    assert f"/console/credentials/{theirs['credential']}" not in hidden.text
    assert client.get(f"/console/credentials/{theirs['credential']}").status_code == 404
    stats = client.get("/console/statistics")
    assert "検定 ai-exam" in stats.text and "検定 other-exam" not in stats.text
    assert client.get("/console/statistics", params={"issuer": "other-exam"}).status_code == 404
    csv_text = client.get("/console/statistics.csv").text
    assert "検定 other-exam" not in csv_text


def test_revoking_through_the_console_is_the_api_revocation_audited_with_the_key(
    client: TestClient, app: FastAPI, two_issuers: tuple[dict[str, Any], dict[str, Any]]
) -> None:
    mine, _ = two_issuers
    sign_in(client, bearer(mine["headers"]))
    path = f"/console/credentials/{mine['credential']}"
    token = token_of(client.get(path).text)
    empty = client.post(f"{path}/revoke", data={"csrf": token, "reason": ""})
    assert empty.status_code == 422
    done = client.post(f"{path}/revoke", data={"csrf": token, "reason": "不正受験"})
    assert done.status_code == 200 and "不正受験" in done.text
    api = client.get(f"/api/v1/credentials/{mine['credential']}", headers=mine["headers"])
    assert api.json()["status"] == "revoked"
    assert api.json()["revocation_reason"] == "不正受験"
    again = client.post(f"{path}/revoke", data={"csrf": token, "reason": "x"})
    assert again.status_code == 409
    with app.state.resources.sessions() as session:
        entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "credential.revoke"))
        key_id = session.scalar(
            select(ConsoleSession.api_key_id).where(ConsoleSession.api_key_id.is_not(None))
        )
    assert entry is not None and entry.api_key_id == key_id


def test_suspend_and_unsuspend(
    client: TestClient, two_issuers: tuple[dict[str, Any], dict[str, Any]]
) -> None:
    mine, _ = two_issuers
    sign_in(client, bearer(mine["headers"]))
    path = f"/console/credentials/{mine['credential']}"
    token = token_of(client.get(path).text)
    assert "一時停止中" in client.post(f"{path}/suspend", data={"csrf": token}).text
    assert "一時停止を解除しました" in client.post(f"{path}/unsuspend", data={"csrf": token}).text


def test_pages_follow_the_language(console: TestClient) -> None:
    english = console.get("/console/search", params={"lang": "en"})
    assert '<html lang="en">' in english.text and "Find a passer" in english.text
    # The choice is remembered.
    assert "Find a passer" in console.get("/console/search").text
    assert "合格者の検索" in console.get("/console/search", params={"lang": "ja"}).text


def test_an_administrator_chooses_the_issuer(
    client: TestClient, admin_headers: dict[str, str], two_issuers: Any
) -> None:
    sign_in(client, bearer(admin_headers))
    everything = client.get("/console/achievements").text
    assert "検定 ai-exam" in everything and "検定 other-exam" in everything
    one = client.get("/console/achievements", params={"issuer": "other-exam"}).text
    assert "検定 ai-exam" not in one and "検定 other-exam" in one


def test_console_routes_stay_out_of_the_api_contract(app: FastAPI) -> None:
    assert not any(path.startswith("/console") for path in app.openapi()["paths"])


def test_a_bad_query_is_a_page_not_json(console: TestClient) -> None:
    response = console.get("/console/search", params={"q": "x" * 300})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("text/html")
    missing = console.get("/console/credentials/not-a-uuid")
    assert missing.status_code == 422 and "text/html" in missing.headers["content-type"]
