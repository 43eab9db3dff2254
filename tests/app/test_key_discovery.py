"""VC-JWT key discovery: a JWT's kid dereferences to a JWK in the issuer's DID document."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from badges import _jsonld
from keys import JWK_CONTEXT, PublicKey
from tests.app.test_credentials import issue, make_achievement

MakeIssuer = Callable[..., tuple[dict[str, Any], dict[str, str]]]
SECURITY = "https://w3id.org/security#"


def _b64(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _did_document(client: TestClient, slug: str) -> dict[str, Any]:
    response = client.get(f"/issuers/{slug}/did.json")
    assert response.status_code == 200
    document: dict[str, Any] = response.json()
    return document


@pytest.fixture
def issued(client: TestClient, app: FastAPI, make_issuer: MakeIssuer) -> dict[str, dict[str, Any]]:
    issuer, staff = make_issuer("ai-exam")
    achievement = make_achievement(app, issuer["id"])
    return {
        "ES256": issue(client, staff, achievement, format="ob3-jwt"),
        "RS256": issue(client, staff, achievement, format="ob3-jwt", jwt_algorithm="RS256"),
        "EdDSA": issue(client, staff, achievement),
    }


def test_jwt_keys_are_json_web_keys_and_data_integrity_keys_multikeys(
    client: TestClient, issued: dict[str, dict[str, Any]]
) -> None:
    document = _did_document(client, "ai-exam")
    assert JWK_CONTEXT in document["@context"]
    by_type: dict[str, list[dict[str, Any]]] = {}
    for method in document["verificationMethod"]:
        by_type.setdefault(method["type"], []).append(method)
        assert method["id"] in document["assertionMethod"]
    (multikey,) = by_type["Multikey"]
    assert multikey["publicKeyMultibase"].startswith("z6Mk")  # Ed25519
    jwks = {m["publicKeyJwk"]["alg"]: m for m in by_type["JsonWebKey"]}
    assert set(jwks) == {"ES256", "RS256"}
    for method in jwks.values():
        jwk = method["publicKeyJwk"]
        assert jwk["kid"] == method["id"]
        assert not {"d", "p", "q", "dp", "dq", "qi"} & set(jwk)
        assert "publicKeyMultibase" not in method


@pytest.mark.parametrize("algorithm", ["ES256", "RS256"])
def test_a_vc_jwt_kid_dereferences_to_the_jwk_that_verifies_it(
    client: TestClient, issued: dict[str, dict[str, Any]], algorithm: str
) -> None:
    token = issued[algorithm]["document"]
    header_part, payload_part, signature_part = token.split(".")
    header = json.loads(_b64(header_part))
    assert header["alg"] == algorithm
    did, _, _ = header["kid"].partition("#")
    document = _did_document(client, did.rsplit(":", 1)[1])
    (method,) = [m for m in document["verificationMethod"] if m["id"] == header["kid"]]
    assert method["type"] == "JsonWebKey"
    public = PublicKey.from_jwk(method["publicKeyJwk"])
    signing_input = f"{header_part}.{payload_part}".encode()
    assert public.verify(_b64(signature_part), signing_input)


def test_json_ld_consumers_keep_every_key_of_the_did_document(
    client: TestClient, issued: dict[str, dict[str, Any]]
) -> None:
    document = _did_document(client, "ai-exam")
    expanded, dropped = _jsonld.expand(document)
    assert dropped == []
    (node,) = expanded
    methods = node["https://w3id.org/security#verificationMethod"]
    assert len(methods) == len(document["verificationMethod"]) == 3
    types = sorted(t for m in methods for t in m["@type"])
    assert types == [SECURITY + "JsonWebKey", SECURITY + "JsonWebKey", SECURITY + "Multikey"]
    jwks = [
        m[SECURITY + "publicKeyJwk"][0]["@value"] for m in methods if SECURITY + "publicKeyJwk" in m
    ]
    assert sorted(j["kty"] for j in jwks) == ["EC", "RSA"]


def test_our_verifier_verifies_credentials_through_the_published_methods(
    client: TestClient, issued: dict[str, dict[str, Any]]
) -> None:
    for credential in issued.values():
        response = client.post("/api/v1/verify", json={"credential": credential["document"]})
        report = response.json()
        assert report["ok"], report
        checks = {c["id"]: c["status"] for c in report["checks"]}
        assert checks["proof.signature"] == "passed"
        assert checks["issuer.key_ownership"] == "passed"


def test_the_host_serves_every_issuers_keys_at_the_well_known_jwks(
    client: TestClient, make_issuer: MakeIssuer
) -> None:
    empty = client.get("/.well-known/jwks.json")
    assert empty.status_code == 404
    assert empty.headers["content-type"] == "application/problem+json"
    make_issuer("ai-exam")
    make_issuer("other-exam")
    response = client.get("/.well-known/jwks.json")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/jwk-set+json"
    members = response.json()["keys"]
    methods = {
        m["id"]: m
        for slug in ("ai-exam", "other-exam")
        for m in _did_document(client, slug)["verificationMethod"]
    }
    assert {k["kid"] for k in members} == set(methods)
    for member in members:
        assert PublicKey.from_jwk(member).thumbprint() == _thumbprint(methods[member["kid"]])
        assert "d" not in member


def _thumbprint(method: dict[str, Any]) -> str:
    if "publicKeyJwk" in method:
        return PublicKey.from_jwk(method["publicKeyJwk"]).thumbprint()
    return PublicKey.from_multikey(method["publicKeyMultibase"]).thumbprint()


def test_a_vc_jwt_signed_before_a_rotation_still_verifies_through_its_retired_jwk(
    client: TestClient, app: FastAPI, make_issuer: MakeIssuer
) -> None:
    issuer, staff = make_issuer("ai-exam")
    achievement = make_achievement(app, issuer["id"])
    old = issue(client, staff, achievement, format="ob3-jwt")
    rotated = client.post(
        "/api/v1/issuers/ai-exam/keys/rotate", json={"algorithm": "ES256"}, headers=staff
    )
    assert rotated.status_code == 201
    new = issue(client, staff, achievement, format="ob3-jwt")
    kids = [json.loads(_b64(c["document"].split(".")[0]))["kid"] for c in (old, new)]
    assert kids[0] != kids[1]
    document = _did_document(client, "ai-exam")
    methods = {m["id"]: m for m in document["verificationMethod"]}
    assert all(methods[kid]["type"] == "JsonWebKey" for kid in kids)
    assert kids[0] not in document["authentication"]  # retired, still for assertion
    for credential in (old, new):
        response = client.post("/api/v1/verify", json={"credential": credential["document"]})
        assert response.json()["ok"], response.json()
