"""The issuer API and the issuer's public documents."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from badges import DictFetcher, resolution

MakeIssuer = Callable[..., tuple[dict[str, Any], dict[str, str]]]


def test_an_administrator_creates_an_issuer_with_a_did_web(
    client: TestClient, make_issuer: MakeIssuer
) -> None:
    issuer, _ = make_issuer("ai-exam")
    assert issuer["did"] == "did:web:testserver:issuers:ai-exam"
    assert issuer["name"] == "一般社団法人 AIリテラシー検定協会"
    assert issuer["profile_url"] == "http://testserver/issuers/ai-exam"


def test_creating_needs_a_key_and_an_administrator(
    client: TestClient, make_issuer: MakeIssuer
) -> None:
    body = {"slug": "x", "name": "X", "url": "https://x.example/", "email": "a@x.example"}
    anonymous = client.post("/api/v1/issuers", json=body)
    assert anonymous.status_code == 401
    assert anonymous.headers["content-type"] == "application/problem+json"
    _, staff = make_issuer("ai-exam")
    assert client.post("/api/v1/issuers", json=body, headers=staff).status_code == 403
    wrong = {"Authorization": "Bearer shm_000000000000_nope"}
    assert client.post("/api/v1/issuers", json=body, headers=wrong).status_code == 401


def test_a_duplicate_slug_is_a_conflict(
    client: TestClient, make_issuer: MakeIssuer, admin_headers: dict[str, str]
) -> None:
    make_issuer("ai-exam")
    body = {"slug": "ai-exam", "name": "X", "url": "https://x.example/", "email": "a@x.example"}
    response = client.post("/api/v1/issuers", json=body, headers=admin_headers)
    assert response.status_code == 409


def test_invalid_input_is_a_422_problem(client: TestClient, admin_headers: dict[str, str]) -> None:
    body = {"slug": "Bad Slug!", "name": "", "url": "not a url", "email": "nobody"}
    response = client.post("/api/v1/issuers", json=body, headers=admin_headers)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    fields = {tuple(e["loc"]) for e in response.json()["errors"]}
    assert ("body", "slug") in fields and ("body", "email") in fields


def test_staff_of_one_issuer_cannot_see_or_change_another(
    client: TestClient, make_issuer: MakeIssuer
) -> None:
    make_issuer("issuer-a")
    _, staff_b = make_issuer("issuer-b")
    assert client.get("/api/v1/issuers/issuer-a", headers=staff_b).status_code == 404
    patch = client.patch("/api/v1/issuers/issuer-a", json={"name": "Hijacked"}, headers=staff_b)
    assert patch.status_code == 404
    assert client.get("/api/v1/issuers/issuer-a/keys", headers=staff_b).status_code == 404
    rotate = client.post(
        "/api/v1/issuers/issuer-a/keys/rotate", json={"algorithm": "EdDSA"}, headers=staff_b
    )
    assert rotate.status_code == 404
    listed = client.get("/api/v1/issuers", headers=staff_b).json()
    assert [i["slug"] for i in listed["items"]] == ["issuer-b"]


def test_the_did_document_lists_the_keys_for_assertion(
    client: TestClient, make_issuer: MakeIssuer
) -> None:
    issuer, staff = make_issuer("ai-exam")
    document = client.get("/issuers/ai-exam/did.json").json()
    assert document["id"] == issuer["did"]
    keys = client.get("/api/v1/issuers/ai-exam/keys", headers=staff).json()["items"]
    assert {k["algorithm"] for k in keys} == {"EdDSA", "ES256"}
    for key in keys:
        parsed = resolution.ControllerDocument.parse(document, url="did.json")
        method = parsed.find(key["verification_method"])
        assert "assertionMethod" in method.relationships
        assert method.controller == issuer["did"]


def test_rotation_keeps_the_old_key_published(client: TestClient, make_issuer: MakeIssuer) -> None:
    _, staff = make_issuer("ai-exam")
    old = client.get("/api/v1/issuers/ai-exam/keys", headers=staff).json()["items"]
    old_ed = next(k for k in old if k["algorithm"] == "EdDSA")
    new = client.post(
        "/api/v1/issuers/ai-exam/keys/rotate", json={"algorithm": "EdDSA"}, headers=staff
    ).json()
    assert new["status"] == "active" and new["verification_method"] != old_ed["verification_method"]
    keys = {
        k["id"]: k
        for k in client.get("/api/v1/issuers/ai-exam/keys", headers=staff).json()["items"]
    }
    assert keys[old_ed["id"]]["status"] == "retired"
    document = client.get("/issuers/ai-exam/did.json").json()
    parsed = resolution.ControllerDocument.parse(document, url="did.json")
    for method_id in (old_ed["verification_method"], new["verification_method"]):
        assert "assertionMethod" in parsed.find(method_id).relationships
    jwks = client.get("/issuers/ai-exam/jwks.json").json()
    assert {k["kid"] for k in jwks["keys"]} >= {
        old_ed["verification_method"],
        new["verification_method"],
    }


def test_the_profile_is_json_for_wallets_and_a_page_for_browsers(
    client: TestClient, make_issuer: MakeIssuer
) -> None:
    issuer, _ = make_issuer("ai-exam")
    as_json = client.get("/issuers/ai-exam", headers={"Accept": "application/ld+json"})
    assert as_json.headers["content-type"].startswith("application/ld+json")
    assert as_json.json()["id"] == issuer["did"]
    assert as_json.json()["type"] == ["Profile"]
    page = client.get("/issuers/ai-exam", headers={"Accept": "text/html,application/xhtml+xml"})
    assert page.headers["content-type"].startswith("text/html")
    assert "AIリテラシー検定協会" in page.text


def test_unknown_issuers_are_404_problems(client: TestClient) -> None:
    for path in ("/issuers/nobody", "/issuers/nobody/did.json", "/issuers/nobody/jwks.json"):
        response = client.get(path)
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"


def test_the_did_web_resolves_to_the_served_document(
    client: TestClient, make_issuer: MakeIssuer
) -> None:
    issuer, _ = make_issuer("ai-exam")
    config = resolution.ResolverConfig(did_web_http_hosts=frozenset({"testserver"}))
    url = resolution.did_web_url(issuer["did"], config)
    assert url == "http://testserver/issuers/ai-exam/did.json"
    fetcher = DictFetcher({url: client.get(url).json()})
    document = resolution.load_controller_document(issuer["did"] + "#x", fetcher, config)
    assert document.id == issuer["did"]
