"""The Open Badges API host over HTTP, on SQLite and PostgreSQL: registration, the
authorization code flow with PKCE, tokens, the resource endpoints and their errors.

The browser-driven flow with a real OAuth 2.0 client is in tests/browser/test_ob_api_flow.py;
these tests cover every branch through the service's own HTTP interface.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jsonschema
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from app.mail.models import OutboxMessage
from app.obapi.models import OAuthToken
from app.settings import Settings
from tests.ob_api_support import (
    ALL,
    PROFILE_READ,
    PROFILE_UPDATE,
    READ,
    assert_valid,
    ob_api_settings,
    pkce,
    registration,
)

EMAIL = "hanako@example.jp"


@pytest.fixture
def settings(database_url: str) -> Settings:
    return ob_api_settings(database_url)


def sign_in(client: TestClient, app: FastAPI, email: str = EMAIL) -> None:
    """Sign in through the form and the mailed link (read from the outbox)."""
    response = client.post("/account/sign-in", data={"email": email})
    assert response.status_code == 200, response.text
    with app.state.resources.sessions() as session:
        token = session.scalars(
            select(OutboxMessage.claim_token)
            .where(OutboxMessage.kind == "sign_in", OutboxMessage.recipient == email)
            .order_by(OutboxMessage.queued_at.desc())
        ).first()
    assert token
    assert client.get(f"/account/sign-in/{token}").status_code == 200
    used = client.post(f"/account/sign-in/{token}", follow_redirects=False)
    assert used.status_code == 303


def register(client: TestClient, **overrides: Any) -> dict[str, Any]:
    response = client.post("/oauth/register", json=registration(**overrides))
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def authorize_url(client_info: dict[str, Any], challenge: str, **overrides: str) -> str:
    query = {
        "response_type": "code",
        "client_id": client_info["client_id"],
        "redirect_uri": client_info["redirect_uris"][0],
        "scope": ALL,
        "state": "xyz-state",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    } | overrides
    return "/oauth/authorize?" + urlencode(query)


def consent(client: TestClient, url: str, decision: str = "allow") -> Any:
    page = client.get(url)
    assert page.status_code == 200, page.text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf
    return client.post(
        url, data={"csrf": csrf.group(1), "decision": decision}, follow_redirects=False
    )


def code_for(client: TestClient, client_info: dict[str, Any], challenge: str, **kw: str) -> str:
    answer = consent(client, authorize_url(client_info, challenge, **kw))
    assert answer.status_code == 303, answer.text
    query = parse_qs(urlsplit(answer.headers["location"]).query)
    assert query["state"] == ["xyz-state"]
    code: str = query["code"][0]
    return code


def token(client: TestClient, client_info: dict[str, Any], **form: str) -> Any:
    return client.post(
        "/oauth/token",
        data=form,
        auth=(client_info["client_id"], client_info["client_secret"]),
    )


def tokens(
    client: TestClient, app: FastAPI, scope: str = ALL, *, signed_in: bool = False
) -> tuple[dict[str, Any], dict[str, Any]]:
    if not signed_in:
        sign_in(client, app)
    info = register(client)
    verifier, challenge = pkce()
    code = code_for(client, info, challenge, scope=scope)
    answer = token(
        client,
        info,
        grant_type="authorization_code",
        code=code,
        redirect_uri=info["redirect_uris"][0],
        code_verifier=verifier,
        scope=scope,
    )
    assert answer.status_code == 200, answer.text
    return info, answer.json()


def bearer(access: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {access['access_token']}"}


def issue(client: TestClient, staff: dict[str, str], achievement_id: str, **kw: Any) -> Any:
    body = {"achievement_id": achievement_id, "recipient": {"email": EMAIL}} | kw
    response = client.post("/api/v1/credentials", json=body, headers=staff)
    assert response.status_code == 201, response.text
    return response.json()


def assert_imsx(response: Any, status: int, minor: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert_valid("imsx_statusinfo", body)
    assert body["imsx_codeMajor"] == "failure"
    assert body["imsx_codeMinor"]["imsx_codeMinorField"][0]["imsx_codeMinorFieldValue"] == minor


# --- discovery and registration ---------------------------------------------------------------


def test_discovery_is_unprotected_and_names_the_oauth_endpoints(client: TestClient) -> None:
    response = client.get("/ims/ob/v3p0/discovery")
    assert response.status_code == 200
    sdd = response.json()
    assert sdd["openapi"].startswith("3.0")
    assert sdd["info"]["termsOfService"] and sdd["info"]["x-imssf-privacyPolicyUrl"]
    assert sdd["servers"] == [{"url": "http://localhost/ims/ob/v3p0", "description": "Shomei"}]
    scheme = sdd["components"]["securitySchemes"]["OAuth2ACG"]
    assert scheme["x-imssf-registrationUrl"] == "http://localhost/oauth/register"
    flow = scheme["flows"]["authorizationCode"]
    assert flow["authorizationUrl"] == "http://localhost/oauth/authorize"
    assert flow["tokenUrl"] == flow["refreshUrl"] == "http://localhost/oauth/token"
    assert READ in flow["scopes"] and len(flow["scopes"]) == 4
    assert {"/credentials", "/profile", "/discovery"} <= set(sdd["paths"])


def test_registration_answers_201_with_the_metadata_and_credentials(client: TestClient) -> None:
    info = register(client)
    assert info["client_id"] and info["client_secret"]
    assert info["client_secret_expires_at"] == 0 and info["client_id_issued_at"] > 0
    assert info["client_name"] == "人事システム HR Suite"
    assert info["scope"].split() == ALL.split()
    assert info["grant_types"] == ["authorization_code", "refresh_token"]


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"logo_uri": None}, "invalid_client_metadata"),
        ({"software_id": None}, "invalid_client_metadata"),
        ({"tos_uri": "https://other.example/terms"}, "invalid_client_metadata"),
        ({"redirect_uris": ["http://hr.example/callback"]}, "invalid_redirect_uri"),
        ({"redirect_uris": "http://127.0.0.1:9/callback"}, "invalid_redirect_uri"),
        ({"scope": "offline_access"}, "invalid_client_metadata"),
        ({"grant_types": ["client_credentials"]}, "invalid_client_metadata"),
        ({"token_endpoint_auth_method": "none"}, "invalid_client_metadata"),
    ],
)
def test_registration_refuses_what_the_spec_does_not_allow(
    client: TestClient, change: dict[str, Any], error: str
) -> None:
    body = {k: v for k, v in (registration() | change).items() if v is not None}
    response = client.post("/oauth/register", json=body)
    assert response.status_code == 400, response.text
    assert response.json()["error"] == error


def test_a_refused_url_is_named_in_the_characters_an_oauth_error_may_carry(
    client: TestClient,
) -> None:
    body = registration() | {"redirect_uris": ['\u00af\u0085\t"\\ \U0001f600']}
    response = client.post("/oauth/register", json=body)
    assert response.status_code == 400, response.text
    assert response.json()["error"] == "invalid_redirect_uri"
    # RFC 6749 section 5.2: %x20-21 / %x23-5B / %x5D-7E
    description = response.json()["error_description"]
    assert all(c in " !" or "#" <= c <= "[" or "]" <= c <= "~" for c in description)
    assert "%C2%AF%C2%85%09%22%5C%20%F0%9F%98%80" in description


def test_registration_refuses_a_body_that_is_not_an_object(client: TestClient) -> None:
    response = client.post(
        "/oauth/register", content=b"[1]", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_client_metadata"


# --- the authorization code flow ---------------------------------------------------------------


def test_authorize_sends_a_passer_who_is_not_signed_in_to_sign_in_and_back(
    client: TestClient, app: FastAPI
) -> None:
    info = register(client)
    _, challenge = pkce()
    url = authorize_url(info, challenge)
    response = client.get(url, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/account/sign-in?")
    assert parse_qs(urlsplit(response.headers["location"]).query)["next"] == [url]
    client.post("/account/sign-in", data={"email": EMAIL, "next": url})
    with app.state.resources.sessions() as session:
        link = session.scalar(
            select(OutboxMessage.claim_token).where(OutboxMessage.kind == "sign_in")
        )
    used = client.post(f"/account/sign-in/{link}", follow_redirects=False)
    assert used.headers["location"] == url
    page = client.get(url)
    assert "人事システム HR Suite" in page.text and "あなたのバッジを読み取る" in page.text
    english = client.get(url + "&lang=en")
    assert "Read your badges" in english.text and "HR Suite" in english.text


def test_the_whole_flow_pages_refreshes_and_revokes(
    client: TestClient, app: FastAPI, staff: dict[str, str], achievement_id: str
) -> None:
    for number in range(4):
        issue(client, staff, achievement_id, format="ob3-jwt" if number == 3 else "ob3")
    issue(client, staff, achievement_id, recipient={"email": "someone.else@example.jp"})
    info, access = tokens(client, app)
    assert access["token_type"].lower() == "bearer" and access["expires_in"] == 3600
    assert access["refresh_token"] and set(access["scope"].split()) == set(ALL.split())
    documents, tokens_, url = [], [], "/ims/ob/v3p0/credentials?limit=2"
    while url:
        page = client.get(url, headers=bearer(access))
        assert page.status_code == 200
        assert page.headers["x-total-count"] == "4"
        assert_valid("getopenbadgecredentialsresponse", page.json())
        documents += page.json()["credential"]
        tokens_ += page.json()["compactJwsString"]
        links = dict(
            (rel, target)
            for target, rel in re.findall(r'<([^>]+)>; rel="(\w+)"', page.headers["link"])
        )
        assert {"first", "last"} <= set(links)
        url = links.get("next", "").removeprefix("http://localhost")
    assert len(documents) == 3 and len(tokens_) == 1
    assert all(d["type"][-1] == "OpenBadgeCredential" for d in documents)
    # refresh: a new access token; the old refresh token is spent (rotation)
    refreshed = token(
        client, info, grant_type="refresh_token", refresh_token=access["refresh_token"]
    )
    assert refreshed.status_code == 200, refreshed.text
    again = token(client, info, grant_type="refresh_token", refresh_token=access["refresh_token"])
    assert again.json()["error"] == "invalid_grant"
    new = refreshed.json()
    assert client.get("/ims/ob/v3p0/credentials", headers=bearer(new)).status_code == 200
    # revoke (RFC 7009): then every call with it is refused
    revoked = client.post(
        "/oauth/revoke",
        data={"token": new["access_token"], "token_type_hint": "access_token"},
        auth=(info["client_id"], info["client_secret"]),
    )
    assert revoked.status_code == 200
    assert_imsx(
        client.get("/ims/ob/v3p0/credentials", headers=bearer(new)), 401, "unauthorizedrequest"
    )
    assert (
        token(
            client, info, grant_type="refresh_token", refresh_token=new["refresh_token"]
        ).status_code
        == 400
    )


def test_since_filters_and_bad_query_parameters_are_imsx_400(
    client: TestClient, app: FastAPI, staff: dict[str, str], achievement_id: str
) -> None:
    issue(client, staff, achievement_id)
    _, access = tokens(client, app)
    future = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    page = client.get("/ims/ob/v3p0/credentials", params={"since": future}, headers=bearer(access))
    assert page.headers["x-total-count"] == "0" and page.json()["credential"] == []
    for query in ("limit=0", "limit=x", "offset=-1", "since=yesterday", "limit=100000"):
        assert_imsx(
            client.get(f"/ims/ob/v3p0/credentials?{query}", headers=bearer(access)),
            400,
            "invalid_query_parameter",
        )


def test_a_wrong_verifier_is_invalid_grant(client: TestClient, app: FastAPI) -> None:
    sign_in(client, app)
    info = register(client)
    _, challenge = pkce()
    code = code_for(client, info, challenge)
    other, _ = pkce()
    answer = token(
        client,
        info,
        grant_type="authorization_code",
        code=code,
        redirect_uri=info["redirect_uris"][0],
        code_verifier=other,
    )
    assert answer.status_code == 400 and answer.json()["error"] == "invalid_grant"
    assert answer.headers["cache-control"].startswith("no-store")


def test_a_reused_code_is_refused_and_revokes_its_tokens(client: TestClient, app: FastAPI) -> None:
    sign_in(client, app)
    info = register(client)
    verifier, challenge = pkce()
    code = code_for(client, info, challenge)
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": info["redirect_uris"][0],
        "code_verifier": verifier,
    }
    first = token(client, info, **form)
    assert first.status_code == 200
    refreshed = token(
        client, info, grant_type="refresh_token", refresh_token=first.json()["refresh_token"]
    )
    assert refreshed.status_code == 200
    second = token(client, info, **form)
    assert second.status_code == 400 and second.json()["error"] == "invalid_grant"
    for given in (first.json(), refreshed.json()):
        assert_imsx(
            client.get("/ims/ob/v3p0/credentials", headers=bearer(given)),
            401,
            "unauthorizedrequest",
        )


def test_a_wrong_redirect_uri_is_refused_at_both_ends(client: TestClient, app: FastAPI) -> None:
    sign_in(client, app)
    info = register(client)
    verifier, challenge = pkce()
    # Not registered: an error page, never a redirect to it.
    page = client.get(
        authorize_url(info, challenge, redirect_uri="http://127.0.0.1:9/elsewhere"),
        follow_redirects=False,
    )
    assert page.status_code == 400 and "invalid_request" in page.text
    code = code_for(client, info, challenge)
    answer = token(
        client,
        info,
        grant_type="authorization_code",
        code=code,
        redirect_uri="http://127.0.0.1:9/elsewhere",
        code_verifier=verifier,
    )
    assert answer.status_code == 400 and answer.json()["error"] == "invalid_grant"


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"code_challenge_method": "plain"}, "invalid_request"),
        ({"code_challenge": ""}, "invalid_request"),
        ({"scope": "offline_access"}, "invalid_scope"),
        (
            {"scope": "https://purl.imsglobal.org/spec/ob/v3p0/scope/assertion.readonly"},
            "invalid_scope",
        ),
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"state": ""}, "invalid_request"),
    ],
)
def test_a_bad_authorization_request_redirects_with_the_error(
    client: TestClient, app: FastAPI, change: dict[str, str], error: str
) -> None:
    sign_in(client, app)
    info = register(client)
    _, challenge = pkce()
    response = client.get(authorize_url(info, challenge, **change), follow_redirects=False)
    assert response.status_code == 302, response.text
    query = parse_qs(urlsplit(response.headers["location"]).query)
    assert query["error"] == [error]
    assert query.get("state", [""]) == [change.get("state", "xyz-state")]


def test_denying_consent_redirects_with_access_denied(client: TestClient, app: FastAPI) -> None:
    sign_in(client, app)
    info = register(client)
    _, challenge = pkce()
    answer = consent(client, authorize_url(info, challenge), decision="deny")
    query = parse_qs(urlsplit(answer.headers["location"]).query)
    assert query["error"] == ["access_denied"]


def test_a_bad_client_secret_is_invalid_client(client: TestClient, app: FastAPI) -> None:
    info = register(client)
    answer = client.post(
        "/oauth/token",
        data={"grant_type": "refresh_token", "refresh_token": "x" * 43},
        auth=(info["client_id"], "wrong"),
    )
    assert answer.status_code == 401 and answer.json()["error"] == "invalid_client"


@pytest.mark.parametrize("path", ["/oauth/token", "/oauth/revoke"])
def test_a_form_with_too_many_fields_is_invalid_request(client: TestClient, path: str) -> None:
    info = register(client)
    answer = client.post(
        path,
        content="&".join(f"f{n}=x" for n in range(25)),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        auth=(info["client_id"], info["client_secret"]),
    )
    assert answer.status_code == 400
    assert answer.headers["content-type"] == "application/json"
    assert answer.json()["error"] == "invalid_request"


def test_a_missing_scope_is_403_and_an_expired_token_401(client: TestClient, app: FastAPI) -> None:
    _, access = tokens(client, app, scope=READ)
    assert "refresh_token" not in access  # no offline_access asked
    assert_imsx(client.get("/ims/ob/v3p0/profile", headers=bearer(access)), 403, "forbidden")
    assert_imsx(client.get("/ims/ob/v3p0/credentials"), 401, "unauthorizedrequest")
    with app.state.resources.sessions() as session:
        session.execute(
            update(OAuthToken).values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
        session.commit()
    assert_imsx(
        client.get("/ims/ob/v3p0/credentials", headers=bearer(access)), 401, "unauthorizedrequest"
    )


# --- profile and upsert ------------------------------------------------------------------------


def test_profile_is_read_and_replaced(client: TestClient, app: FastAPI) -> None:
    _, access = tokens(client, app)
    profile = client.get("/ims/ob/v3p0/profile", headers=bearer(access))
    assert profile.status_code == 200
    assert_valid("profile", profile.json())
    assert profile.json()["email"] == EMAIL
    new = profile.json() | {"name": "山田 花子"}
    put = client.put("/ims/ob/v3p0/profile", json=new, headers=bearer(access))
    assert put.status_code == 200 and put.json() == new
    assert client.get("/ims/ob/v3p0/profile", headers=bearer(access)).json()["name"] == "山田 花子"
    assert_imsx(
        client.put("/ims/ob/v3p0/profile", json={"name": "x"}, headers=bearer(access)),
        400,
        "invalid_data",
    )
    _, reader = tokens(client, app, scope=f"{READ} {PROFILE_READ}", signed_in=True)
    assert_imsx(
        client.put("/ims/ob/v3p0/profile", json=new, headers=bearer(reader)), 403, "forbidden"
    )
    assert PROFILE_UPDATE in access["scope"]


def test_upsert_keeps_what_verifies_and_refuses_what_does_not(
    client: TestClient, app: FastAPI, staff: dict[str, str], achievement_id: str
) -> None:
    foreign = issue(client, staff, achievement_id, recipient={"email": "other@example.jp"})
    jwt = issue(
        client, staff, achievement_id, recipient={"email": "other@example.jp"}, format="ob3-jwt"
    )
    _, access = tokens(client, app)
    headers = bearer(access)
    created = client.post("/ims/ob/v3p0/credentials", json=foreign["document"], headers=headers)
    assert created.status_code == 201, created.text
    assert created.json() == foreign["document"]
    replaced = client.post("/ims/ob/v3p0/credentials", json=foreign["document"], headers=headers)
    assert replaced.status_code == 200
    as_text = client.post(
        "/ims/ob/v3p0/credentials",
        content=jwt["document"],
        headers=headers | {"Content-Type": "text/plain"},
    )
    assert as_text.status_code == 201 and as_text.text == jwt["document"]
    assert as_text.headers["content-type"].startswith("text/plain")
    page = client.get("/ims/ob/v3p0/credentials", headers=headers).json()
    assert foreign["document"] in page["credential"] and jwt["document"] in page["compactJwsString"]
    tampered = json.loads(json.dumps(foreign["document"]))
    tampered["credentialSubject"]["achievement"]["name"] = "Forged"
    refused = client.post("/ims/ob/v3p0/credentials", json=tampered, headers=headers)
    assert_imsx(refused, 400, "invalid_data")
    assert "proof" in refused.json()["imsx_description"]
    assert_imsx(
        client.post(
            "/ims/ob/v3p0/credentials",
            content=b"<x/>",
            headers=headers | {"Content-Type": "application/xml"},
        ),
        400,
        "invalid_data",
    )


# --- the account -------------------------------------------------------------------------------


def test_account_lists_credentials_of_every_issuer_and_disconnects_apps(
    client: TestClient,
    app: FastAPI,
    make_issuer: Any,
    staff: dict[str, str],
    achievement_id: str,
) -> None:
    from tests.app.test_credentials import make_achievement

    issue(client, staff, achievement_id)
    other, other_staff = make_issuer("cloud-exam")
    issue(
        client,
        other_staff,
        make_achievement(app, other["id"]),
        recipient={"email": "Hanako@Example.jp"},
    )
    info, access = tokens(client, app)
    page = client.get("/account?lang=en")
    assert page.status_code == 200
    assert page.text.count("<tr><td><a href=") == 2
    assert "cloud-exam" in page.text and "HR Suite" in page.text
    grant = re.search(r"/account/applications/([0-9a-f-]+)/revoke", page.text)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert grant and csrf
    done = client.post(grant.group(0), data={"csrf": csrf.group(1)}, follow_redirects=False)
    assert done.status_code == 303
    assert "No connected applications" in client.get("/account?lang=en").text
    assert_imsx(
        client.get("/ims/ob/v3p0/credentials", headers=bearer(access)), 401, "unauthorizedrequest"
    )
    forged = client.post(grant.group(0), data={"csrf": "forged"})
    assert forged.status_code == 403
    assert info


def test_a_sign_in_link_works_once_and_expires(client: TestClient, app: FastAPI) -> None:
    client.post("/account/sign-in", data={"email": EMAIL})
    with app.state.resources.sessions() as session:
        link = session.scalar(
            select(OutboxMessage.claim_token).where(OutboxMessage.kind == "sign_in")
        )
    assert link and len(link) >= 43  # 256 bits
    assert client.post(f"/account/sign-in/{link}", follow_redirects=False).status_code == 303
    assert client.post(f"/account/sign-in/{link}", follow_redirects=False).status_code == 410
    assert client.get(f"/account/sign-in/{link}").status_code == 410
    from app.passers.models import PasserSignIn

    client.post("/account/sign-in", data={"email": "late@example.jp"})
    with app.state.resources.sessions() as session:
        late = session.scalar(
            select(OutboxMessage.claim_token).where(OutboxMessage.recipient == "late@example.jp")
        )
        session.execute(
            update(PasserSignIn).values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
        session.commit()
    assert client.post(f"/account/sign-in/{late}", follow_redirects=False).status_code == 410


def test_the_sign_in_form_is_rate_limited(client: TestClient) -> None:
    answers = [
        client.post("/account/sign-in", data={"email": "flood@example.jp"}).status_code
        for _ in range(5)
    ]
    assert answers[:3] == [200, 200, 200] and answers[-1] == 429


def test_the_account_page_needs_a_session(client: TestClient) -> None:
    response = client.get("/account", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith(
        "/account/sign-in"
    )


def test_a_method_the_api_lacks_is_an_imsx_405_with_allow(client: TestClient) -> None:
    response = client.delete("/ims/ob/v3p0/profile")
    assert_imsx(response, 405, "not_allowed")
    assert response.headers["allow"] == "GET, PUT"


def test_the_sign_in_mail_carries_the_link_in_the_passers_language(
    client: TestClient, app: FastAPI
) -> None:
    import email
    from email import policy

    from app.mail.outbox import compose

    client.post("/account/sign-in?lang=en", data={"email": EMAIL})
    with app.state.resources.sessions() as session:
        row = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "sign_in")).one()
        assert row.credential_id is None and row.language == "en"
        message = email.message_from_bytes(
            compose(session, row, app.state.resources.settings), policy=policy.default
        )
        token_ = row.claim_token
    assert message["Subject"] == "Your sign-in link to Shomei"
    body = message.get_body(("plain",))
    assert body is not None
    assert f"http://localhost/account/sign-in/{token_}" in body.get_content()


def test_an_unknown_api_path_is_an_imsx_404(client: TestClient) -> None:
    response = client.get("/ims/ob/v3p0/assertions")
    assert response.status_code == 404
    assert_valid("imsx_statusinfo", response.json())
    assert response.json()["imsx_severity"] == "status"


def test_the_discovery_document_is_a_service_description_document(client: TestClient) -> None:
    """Valid against the ServiceDescriptionDocument schema of the spec's own OpenAPI file."""
    from app.obapi.discovery import _official

    official = _official()
    schema = {
        "$ref": "#/components/schemas/ServiceDescriptionDocument",
        "components": official["components"],
    }
    sdd = client.get("/ims/ob/v3p0/discovery").json()
    errors = [e.message for e in jsonschema.Draft7Validator(schema).iter_errors(sdd)]
    assert errors == []


def test_a_second_address_joins_the_account_and_sign_out_ends_the_session(
    client: TestClient, app: FastAPI, staff: dict[str, str], achievement_id: str
) -> None:
    issue(client, staff, achievement_id, recipient={"email": "work@example.jp"})
    sign_in(client, app)
    page = client.get("/account?lang=en")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf and "No badges were issued" in page.text
    asked = client.post(
        "/account/sign-in", data={"email": "work@example.jp", "csrf": csrf.group(1)}
    )
    assert asked.status_code == 200
    with app.state.resources.sessions() as session:
        link = session.scalar(
            select(OutboxMessage.claim_token).where(
                OutboxMessage.recipient == "work@example.jp", OutboxMessage.kind == "sign_in"
            )
        )
    client.post(f"/account/sign-in/{link}", follow_redirects=False)
    page = client.get("/account?lang=en")
    assert EMAIL in page.text and "work@example.jp" in page.text
    assert page.text.count("<tr><td><a href=") == 1
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf
    out = client.post("/account/sign-out", data={"csrf": csrf.group(1)}, follow_redirects=False)
    assert out.status_code == 303
    assert client.get("/account", follow_redirects=False).status_code == 303


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("/oauth/authorize?client_id=x", "/oauth/authorize?client_id=x"),
        ("//evil.example/x", None),
        ("https://evil.example/x", None),
        ("/\\evil.example", None),
        ("", None),
    ],
)
def test_only_local_paths_are_followed_after_sign_in(given: str, kept: str | None) -> None:
    from app.passers.service import safe_next

    assert safe_next(given) == kept


def test_an_expired_code_is_invalid_grant(client: TestClient, app: FastAPI) -> None:
    from app.obapi.models import OAuthCode

    sign_in(client, app)
    info = register(client)
    verifier, challenge = pkce()
    code = code_for(client, info, challenge)
    with app.state.resources.sessions() as session:
        session.execute(
            update(OAuthCode).values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
        session.commit()
    answer = token(
        client,
        info,
        grant_type="authorization_code",
        code=code,
        redirect_uri=info["redirect_uris"][0],
        code_verifier=verifier,
    )
    assert answer.status_code == 400 and answer.json()["error"] == "invalid_grant"


def test_since_compares_an_upserted_credentials_issuance_not_its_upsert_time(
    client: TestClient, app: FastAPI, staff: dict[str, str], achievement_id: str
) -> None:
    # getCredentials' since: "Only include OpenBadgeCredentials issued after this timestamp".
    from app.deps import _now
    from app.obapi.models import HostedCredential

    foreign = issue(client, staff, achievement_id, recipient={"email": "other@example.jp"})
    jwt = issue(
        client, staff, achievement_id, recipient={"email": "other@example.jp"}, format="ob3-jwt"
    )
    issued = datetime.fromisoformat(foreign["document"]["validFrom"].replace("Z", "+00:00"))
    _, access = tokens(client, app)
    headers = bearer(access)
    later = datetime.now(UTC) + timedelta(minutes=30)

    async def upserted_later() -> datetime:
        return later

    app.dependency_overrides[_now] = upserted_later
    try:
        assert (
            client.post(
                "/ims/ob/v3p0/credentials", json=foreign["document"], headers=headers
            ).status_code
            == 201
        )
        as_text = headers | {"Content-Type": "text/plain"}
        sent = client.post("/ims/ob/v3p0/credentials", content=jwt["document"], headers=as_text)
        assert sent.status_code == 201
    finally:
        del app.dependency_overrides[_now]
    with app.state.resources.sessions() as session:
        rows = session.scalars(select(HostedCredential)).all()
        assert len(rows) == 2
        assert all(abs(row.issued_at - issued) < timedelta(minutes=1) for row in rows)
        assert all(row.created_at == later for row in rows)

    def total(since: datetime) -> str:
        page = client.get(
            "/ims/ob/v3p0/credentials", params={"since": since.isoformat()}, headers=headers
        )
        assert page.status_code == 200, page.text
        return page.headers["x-total-count"]

    # Upserted after ten minutes from now, but issued before: not "issued after" it.
    assert total(datetime.now(UTC) + timedelta(minutes=10)) == "0"
    assert total(issued - timedelta(minutes=1)) == "2"


def test_the_account_lists_what_applications_upserted_with_the_verdict(
    client: TestClient, app: FastAPI, make_issuer: Any
) -> None:
    from tests.app.test_credentials import make_achievement

    other, other_staff = make_issuer("cloud-exam")
    foreign = issue(
        client,
        other_staff,
        make_achievement(app, other["id"]),
        recipient={"email": "someone@example.jp"},
    )
    _, access = tokens(client, app)
    sent = client.post("/ims/ob/v3p0/credentials", json=foreign["document"], headers=bearer(access))
    assert sent.status_code == 201
    page = client.get("/account?lang=en")
    assert page.status_code == 200
    hosted = page.text.split('<section id="hosted">')[1].split("</section>")[0]
    assert hosted.count('<tr class="hosted">') == 1
    name = foreign["document"]["credentialSubject"]["achievement"]["name"]
    # Another issuer of this service: said to be issued here, not by another issuer.
    assert name in hosted and "(Issued on Shomei)" in hosted and "Other issuer" not in hosted
    assert foreign["document"]["issuer"]["name"] in hosted
    assert f"Verified on {datetime.now(UTC).date().isoformat()}" in hosted
    # Issued elsewhere, and past its validUntil: marked as another issuer's, and expired.
    from app.obapi.models import HostedCredential

    with app.state.resources.sessions() as session:
        row = session.scalars(select(HostedCredential)).one()
        document = json.loads(row.document)
        document["validUntil"] = "2000-01-01T00:00:00Z"
        document["issuer"] = {"id": "did:web:university.example", "type": ["Profile"]}
        row.document = json.dumps(document)
        session.commit()
    hosted = client.get("/account?lang=en").text.split('<section id="hosted">')[1]
    assert "did:web:university.example (Other issuer)" in " ".join(
        re.sub(r"<[^>]+>", " ", hosted).split()
    )
    assert "now expired" in hosted
