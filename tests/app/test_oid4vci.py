"""OpenID4VCI pre-authorized code flow: metadata, offer, token, nonce, credential, errors."""

from __future__ import annotations

import html
import re
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from app.bench_wallets import Wallet, key_proof, offer_uri_of
from app.oid4vci import service
from app.oid4vci.errors import OAuthError
from app.oid4vci.models import Oid4vciNonce
from app.wallets.models import WalletDelivery, WalletOffer
from badges.identity import Recipient
from keys import generate_key
from tests.app.test_claims import claim_token
from tests.app.test_credentials import issue, make_achievement, verify

BASE = "http://testserver"

PRE_AUTH = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
LINK = re.compile(r'id="oid4vci-link" href="([^"]+)"')
OTHER_DID = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
TX_CODE = re.compile(r'id="oid4vci-tx-code" class="code">(\d{6})<')


@pytest.fixture
def award(client: TestClient, app: FastAPI, make_issuer: Any) -> dict[str, Any]:
    issuer, staff = make_issuer("ai-exam")
    achievement = make_achievement(app, issuer["id"], image="png")
    credential = issue(client, staff, achievement, recipient={"email": "taro@example.jp"})
    credential["staff"] = staff
    credential["token"] = claim_token(app, credential["id"])
    return credential


def open_offer(client: TestClient, award: dict[str, Any], lang: str = "en") -> tuple[str, str]:
    """Open the claim page; return the offer URI and the transaction code it shows."""
    page = client.get(f"/claim/{award['token']}?lang={lang}")
    assert page.status_code == 200
    link, code = LINK.search(page.text), TX_CODE.search(page.text)
    assert link is not None and code is not None, page.text
    deep_link = html.unescape(link[1])
    assert deep_link.startswith("openid-credential-offer://?credential_offer_uri=")
    return offer_uri_of(deep_link), code[1]


def token_for(client: TestClient, offer_uri: str, tx_code: str | None) -> dict[str, Any]:
    offer = client.get(offer_uri).json()
    form = {
        "grant_type": PRE_AUTH,
        "pre-authorized_code": offer["grants"][PRE_AUTH]["pre-authorized_code"],
    }
    if tx_code is not None:
        form["tx_code"] = tx_code
    response = client.post("/oid4vci/token", data=form)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def ask(client: TestClient, access_token: str, body: dict[str, Any]) -> Any:
    return client.post(
        "/oid4vci/credential", json=body, headers={"Authorization": f"Bearer {access_token}"}
    )


def v1_request(proof: str) -> dict[str, Any]:
    return {"credential_configuration_id": "OpenBadgeCredential_ldp_vc", "proofs": {"jwt": [proof]}}


def nonce(client: TestClient) -> str:
    response = client.post("/oid4vci/nonce")
    assert response.headers["cache-control"] == "no-store"
    value: str = response.json()["c_nonce"]
    return value


# -- metadata --------------------------------------------------------------------------------


def test_metadata_serves_1_0_and_draft_13_wallets(client: TestClient) -> None:
    issuer = client.get("/.well-known/openid-credential-issuer").json()
    assert issuer["credential_issuer"] == BASE
    assert issuer["credential_endpoint"] == f"{BASE}/oid4vci/credential"
    assert issuer["nonce_endpoint"] == f"{BASE}/oid4vci/nonce"
    configuration = issuer["credential_configurations_supported"]["OpenBadgeCredential_ldp_vc"]
    assert configuration["format"] == "ldp_vc"
    assert configuration["credential_definition"]["type"] == [
        "VerifiableCredential",
        "OpenBadgeCredential",
    ]
    assert configuration["proof_types_supported"]["jwt"]["proof_signing_alg_values_supported"]
    assert configuration["display"] == configuration["credential_metadata"]["display"]
    server = client.get("/.well-known/oauth-authorization-server").json()
    assert server["issuer"] == BASE
    assert server["token_endpoint"] == f"{BASE}/oid4vci/token"
    assert server["pre-authorized_grant_anonymous_access_supported"] is True


# -- the whole exchange ----------------------------------------------------------------------


def test_a_wallet_receives_a_credential_bound_to_its_did(
    client: TestClient, app: FastAPI, award: dict[str, Any]
) -> None:
    offer_uri, tx_code = open_offer(client, award)
    offer = client.get(offer_uri)
    assert offer.headers["content-type"] == "application/json"
    assert "tx_code" in offer.json()["grants"][PRE_AUTH]
    assert tx_code not in offer.text  # the code goes to the passer, never into the offer
    wallet = Wallet(client)
    credential = wallet.receive(offer_uri, tx_code)
    assert credential["credentialSubject"]["id"] == wallet.did
    assert credential["credentialSubject"]["identifier"]  # the hashed e-mail stays
    # Its own status entry, and a delivery recorded against the award.
    assert credential["credentialStatus"]["id"] != award["document"]["credentialStatus"]["id"]
    with app.state.resources.sessions() as session:
        delivered = session.scalars(select(WalletDelivery)).one()
    assert (delivered.holder_did, delivered.protocol) == (wallet.did, "oid4vci")
    assert str(delivered.credential_id) == award["id"]
    report = verify(client, credential, Recipient("email", "taro@example.jp"))
    assert report.ok, report.checks
    revoked = client.post(
        f"/api/v1/credentials/{award['id']}/revoke", json={"reason": "test"}, headers=award["staff"]
    )
    assert revoked.status_code == 200, revoked.text
    statuses = {check.id: check.status for check in verify(client, credential).checks}
    assert statuses["status.revocation"] == "failed"


def test_a_draft_13_wallet_gets_its_nonce_from_the_token_and_a_single_credential(
    client: TestClient, award: dict[str, Any]
) -> None:
    offer_uri, tx_code = open_offer(client, award)
    token = token_for(client, offer_uri, tx_code)
    assert token["token_type"] == "Bearer" and token["c_nonce"]
    key = generate_key("P-256")
    proof = key_proof(key, audience=BASE, nonce=token["c_nonce"])
    response = ask(
        client,
        token["access_token"],
        {
            "format": "ldp_vc",
            "credential_definition": {
                "@context": ["https://www.w3.org/ns/credentials/v2"],
                "type": ["VerifiableCredential", "OpenBadgeCredential"],
            },
            "proof": {"proof_type": "jwt", "jwt": proof},
        },
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"credential", "c_nonce", "c_nonce_expires_in"}
    assert body["credential"]["credentialSubject"]["id"].startswith("did:key:zDn")
    assert verify(client, body["credential"]).ok


def test_the_claim_page_shows_the_offer_in_both_languages(
    client: TestClient, award: dict[str, Any]
) -> None:
    for lang, words in (("ja", "ウォレットに追加"), ("en", "Add to a wallet")):
        page = client.get(f"/claim/{award['token']}?lang={lang}").text
        assert words in page
        assert 'id="oid4vci-qr"' in page and "<svg" in page


def test_no_offer_for_a_revoked_award(client: TestClient, award: dict[str, Any]) -> None:
    client.post(
        f"/api/v1/credentials/{award['id']}/revoke", json={"reason": "test"}, headers=award["staff"]
    )
    assert 'id="oid4vci' not in client.get(f"/claim/{award['token']}").text


# -- the token endpoint ----------------------------------------------------------------------


def test_a_code_is_redeemed_once(client: TestClient, award: dict[str, Any]) -> None:
    offer_uri, tx_code = open_offer(client, award)
    code = client.get(offer_uri).json()["grants"][PRE_AUTH]["pre-authorized_code"]
    form = {"grant_type": PRE_AUTH, "pre-authorized_code": code, "tx_code": tx_code}
    first = client.post("/oid4vci/token", data=form)
    assert first.status_code == 200
    assert first.headers["cache-control"] == "no-store"
    again = client.post("/oid4vci/token", data=form)
    assert again.status_code == 400
    assert again.headers["content-type"] == "application/json"
    assert again.json()["error"] == "invalid_grant"
    assert client.get(offer_uri).status_code == 404  # a used offer is gone


def test_an_expired_offer_and_code_are_refused(
    client: TestClient, app: FastAPI, award: dict[str, Any]
) -> None:
    offer_uri, tx_code = open_offer(client, award)
    code = client.get(offer_uri).json()["grants"][PRE_AUTH]["pre-authorized_code"]
    with app.state.resources.sessions() as session:
        session.execute(update(WalletOffer).values(expires_at=datetime.now(UTC) - timedelta(1)))
        session.commit()
    assert client.get(offer_uri).status_code == 404
    form = {"grant_type": PRE_AUTH, "pre-authorized_code": code, "tx_code": tx_code}
    assert client.post("/oid4vci/token", data=form).json()["error"] == "invalid_grant"


def test_transaction_codes(client: TestClient, award: dict[str, Any]) -> None:
    offer_uri, tx_code = open_offer(client, award)
    code = client.get(offer_uri).json()["grants"][PRE_AUTH]["pre-authorized_code"]
    form = {"grant_type": PRE_AUTH, "pre-authorized_code": code}
    missing = client.post("/oid4vci/token", data=form)
    assert missing.json()["error"] == "invalid_request"
    wrong = "000000" if tx_code != "000000" else "111111"
    for _ in range(5):
        answer = client.post("/oid4vci/token", data=form | {"tx_code": wrong})
        assert answer.json()["error"] == "invalid_grant"
    # Five wrong codes burn the offer: the right one no longer opens it.
    burnt = client.post("/oid4vci/token", data=form | {"tx_code": tx_code})
    assert burnt.json()["error"] == "invalid_grant"


@pytest.mark.parametrize(
    ("form", "error"),
    [
        ({"grant_type": "authorization_code", "code": "x"}, "unsupported_grant_type"),
        ({"grant_type": PRE_AUTH}, "invalid_request"),
        ({"grant_type": PRE_AUTH, "pre-authorized_code": "nope" * 10}, "invalid_grant"),
        ({"grant_type": PRE_AUTH, "pre-authorized_code": "x" * 5000}, "invalid_grant"),
    ],
)
def test_bad_token_requests(client: TestClient, form: dict[str, str], error: str) -> None:
    response = client.post("/oid4vci/token", data=form)
    assert response.status_code == 400
    assert response.json()["error"] == error


def test_token_request_bodies_are_bounded_and_typed(client: TestClient) -> None:
    huge = client.post(
        "/oid4vci/token",
        content=b"grant_type=" + b"x" * 100_000,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert huge.status_code == 413
    assert huge.json()["error"] == "invalid_request"
    as_json = client.post("/oid4vci/token", json={"grant_type": PRE_AUTH})
    assert as_json.json()["error"] == "invalid_request"
    # Over the service-wide cap, the body is refused before routing: the same error object.
    over_cap = client.post(
        "/oid4vci/nonce",
        content=b"x" * 2_000_000,
        headers={"Content-Type": "application/json"},
    )
    assert over_cap.status_code == 413
    assert over_cap.headers["content-type"] == "application/json"
    assert over_cap.json()["error"] == "invalid_request"
    unknown = client.get("/oid4vci/nowhere")
    assert unknown.status_code == 404 and unknown.json()["error"] == "invalid_request"
    twice = client.post(
        "/oid4vci/token",
        content=f"grant_type={PRE_AUTH}&grant_type={PRE_AUTH}".encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert twice.json()["error"] == "invalid_request"


# -- the credential endpoint -----------------------------------------------------------------


@pytest.fixture
def access(client: TestClient, award: dict[str, Any]) -> dict[str, Any]:
    return token_for(client, *open_offer(client, award))


def test_an_unknown_or_missing_token_is_401(client: TestClient) -> None:
    proof = key_proof(generate_key("Ed25519"), audience=BASE, nonce=nonce(client))
    for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic eDp5"}):
        response = client.post("/oid4vci/credential", json=v1_request(proof), headers=headers)
        assert response.status_code == 401
        assert response.json()["error"] == "invalid_token"
        assert response.headers["www-authenticate"] == 'Bearer error="invalid_token"'


def test_a_wrong_nonce_is_invalid_nonce_and_leaves_the_token_usable(
    client: TestClient, access: dict[str, Any]
) -> None:
    key = generate_key("Ed25519")
    for wrong in ("made-up-nonce", None):
        proof = key_proof(key, audience=BASE, nonce=wrong)
        response = ask(client, access["access_token"], v1_request(proof))
        assert response.status_code == 400
        assert response.json()["error"] == "invalid_nonce"
    good = ask(
        client,
        access["access_token"],
        v1_request(key_proof(key, audience=BASE, nonce=nonce(client))),
    )
    assert good.status_code == 200, good.text


def test_a_used_or_expired_nonce_is_refused(
    client: TestClient, app: FastAPI, award: dict[str, Any]
) -> None:
    key, used = generate_key("Ed25519"), nonce(client)
    first = token_for(client, *open_offer(client, award))
    assert (
        ask(
            client, first["access_token"], v1_request(key_proof(key, audience=BASE, nonce=used))
        ).status_code
        == 200
    )
    second = token_for(client, *open_offer(client, award))
    replay = ask(
        client, second["access_token"], v1_request(key_proof(key, audience=BASE, nonce=used))
    )
    assert replay.json()["error"] == "invalid_nonce"
    secret = service.nonce_secret(app.state.resources.settings.key_passphrase.get_secret_value())
    stale = service.new_nonce(secret, now=datetime.now(UTC) - timedelta(minutes=6))
    other = service.new_nonce(
        service.nonce_secret("another service's passphrase"), now=datetime.now(UTC)
    )
    fresh = nonce(client)
    forged = fresh[:-2] + ("AA" if not fresh.endswith("AA") else "BB")
    for bad in (stale, other, forged):
        old = ask(
            client, second["access_token"], v1_request(key_proof(key, audience=BASE, nonce=bad))
        )
        assert old.json()["error"] == "invalid_nonce"
    # The spent nonce is on record until it would have expired.
    with app.state.resources.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Oid4vciNonce)) == 1


def test_the_access_token_delivers_once(client: TestClient, access: dict[str, Any]) -> None:
    key = generate_key("Ed25519")
    first = ask(
        client,
        access["access_token"],
        v1_request(key_proof(key, audience=BASE, nonce=nonce(client))),
    )
    assert first.status_code == 200
    again = ask(
        client,
        access["access_token"],
        v1_request(key_proof(key, audience=BASE, nonce=nonce(client))),
    )
    assert again.status_code == 401


@pytest.mark.parametrize(
    "proof",
    [
        lambda c: key_proof(
            generate_key("Ed25519"), audience="https://other.example", nonce=nonce(c)
        ),
        lambda c: key_proof(
            generate_key("Ed25519"), audience=BASE, nonce=nonce(c), issued_at=time.time() - 3600
        ),
        lambda c: key_proof(
            generate_key("Ed25519"), audience=BASE, nonce=nonce(c), header={"typ": "JWT"}
        ),
        # Signed by one key, naming another.
        lambda c: key_proof(
            generate_key("Ed25519"),
            audience=BASE,
            nonce=nonce(c),
            header={"kid": f"{OTHER_DID}#{OTHER_DID.removeprefix('did:key:')}"},
        ),
        # A DID we would have to fetch to read: holders use did:key or did:jwk.
        lambda c: key_proof(
            generate_key("Ed25519"),
            audience=BASE,
            nonce=nonce(c),
            header={"kid": "did:web:wallet.example#key-1"},
        ),
        lambda c: "not.a.jwt",
        lambda c: 42,
        lambda c: "e" * 20_000,
    ],
    ids=[
        "wrong-aud",
        "old-iat",
        "wrong-typ",
        "another-key",
        "did-web",
        "malformed",
        "not-a-string",
        "huge",
    ],
)
def test_bad_proofs_are_invalid_proof(
    client: TestClient, access: dict[str, Any], proof: Any
) -> None:
    response = ask(client, access["access_token"], v1_request(proof(client)))
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_proof"


def test_a_draft_13_invalid_proof_carries_a_fresh_nonce(
    client: TestClient, access: dict[str, Any]
) -> None:
    proof = key_proof(generate_key("Ed25519"), audience=BASE, nonce="stale")
    body = {
        "format": "ldp_vc",
        "credential_definition": {"type": ["VerifiableCredential", "OpenBadgeCredential"]},
        "proof": {"proof_type": "jwt", "jwt": proof},
    }
    response = ask(client, access["access_token"], body)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_proof"
    assert response.json()["c_nonce"]
    retry = key_proof(generate_key("Ed25519"), audience=BASE, nonce=response.json()["c_nonce"])
    ok = ask(client, access["access_token"], body | {"proof": {"proof_type": "jwt", "jwt": retry}})
    assert ok.status_code == 200, ok.text


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (
            {"credential_configuration_id": "Other", "proofs": {"jwt": ["x"]}},
            "unknown_credential_configuration",
        ),
        ({"credential_configuration_id": "OpenBadgeCredential_ldp_vc"}, "invalid_proof"),
        (
            {
                "credential_configuration_id": "OpenBadgeCredential_ldp_vc",
                "proofs": {"jwt": ["a", "b"]},
            },
            "invalid_proof",
        ),
        (
            {
                "credential_configuration_id": "OpenBadgeCredential_ldp_vc",
                "proofs": {"di_vp": [{}]},
            },
            "invalid_proof",
        ),
        ({"credential_identifier": "x", "proofs": {"jwt": ["x"]}}, "unknown_credential_identifier"),
        (
            {"format": "jwt_vc_json", "proof": {"proof_type": "jwt", "jwt": "x"}},
            "unsupported_credential_format",
        ),
        (
            {"format": "ldp_vc", "credential_definition": {"type": ["VerifiableCredential"]}},
            "unsupported_credential_type",
        ),
        ({"proof": {}, "proofs": {}}, "invalid_credential_request"),
        ([], "invalid_credential_request"),
    ],
)
def test_bad_credential_requests(
    client: TestClient, access: dict[str, Any], body: Any, error: str
) -> None:
    response = ask(client, access["access_token"], body)
    assert response.status_code == 400
    assert response.json()["error"] == error


def test_credential_bodies_are_bounded_and_must_be_json(
    client: TestClient, access: dict[str, Any]
) -> None:
    headers = {
        "Authorization": f"Bearer {access['access_token']}",
        "Content-Type": "application/json",
    }
    huge = client.post("/oid4vci/credential", content=b"[" * 200_000, headers=headers)
    assert huge.status_code == 413
    nested = client.post("/oid4vci/credential", content=b"[" * 60_000, headers=headers)
    assert nested.json()["error"] == "invalid_credential_request"
    garbage = client.post("/oid4vci/credential", content=b"\xff\xfe", headers=headers)
    assert garbage.json()["error"] == "invalid_credential_request"


def test_an_award_revoked_after_the_token_is_denied(
    client: TestClient, award: dict[str, Any], access: dict[str, Any]
) -> None:
    client.post(
        f"/api/v1/credentials/{award['id']}/revoke", json={"reason": "test"}, headers=award["staff"]
    )
    proof = key_proof(generate_key("Ed25519"), audience=BASE, nonce=nonce(client))
    response = ask(client, access["access_token"], v1_request(proof))
    assert response.status_code == 400
    assert response.json()["error"] == "credential_request_denied"


def test_wallets_racing_with_one_code_get_one_token(
    client: TestClient, app: FastAPI, award: dict[str, Any]
) -> None:
    offer_uri, tx_code = open_offer(client, award)
    code = client.get(offer_uri).json()["grants"][PRE_AUTH]["pre-authorized_code"]
    resources = app.state.resources

    def attempt(_: int) -> str:
        with resources.sessions() as session:
            try:
                service.redeem(session, code, tx_code, now=datetime.now(UTC))
            except OAuthError as error:
                return error.error
            return "token"

    with ThreadPoolExecutor(6) as pool:
        outcomes = sorted(pool.map(attempt, range(6)))
    assert outcomes == ["invalid_grant"] * 5 + ["token"]


def test_the_transaction_code_is_described_in_the_wallets_language(
    client: TestClient, award: dict[str, Any]
) -> None:
    offer_uri, _ = open_offer(client, award)
    for language, words in (("ja-JP,ja;q=0.9", "6桁の確認コード"), ("en-US", "6-digit code")):
        offer = client.get(offer_uri, headers={"Accept-Language": language}).json()
        tx_code = offer["grants"][PRE_AUTH]["tx_code"]
        assert words in tx_code["description"]
        assert len(tx_code["description"]) <= 300
        assert (tx_code["input_mode"], tx_code["length"]) == ("numeric", 6)


def test_the_hourly_clean_up_deletes_offers_no_wallet_used_and_keeps_used_ones(
    client: TestClient, app: FastAPI, award: dict[str, Any]
) -> None:
    from app.obapi import cleanup
    from app.oid4vci.models import Oid4vciGrant

    used_uri, used_code = open_offer(client, award)
    Wallet(client).receive(used_uri, used_code)
    open_offer(client, award)  # a second visit: offers no wallet takes
    with app.state.resources.sessions() as session:
        assert session.scalar(select(func.count()).select_from(WalletOffer)) == 4
        # Within a day of their expiry, nothing goes.
        soon = datetime.now(UTC) + timedelta(hours=1)
        assert cleanup.delete_expired(session, soon).offers == 0
        later = datetime.now(UTC) + timedelta(days=2)
        assert cleanup.delete_expired(session, later).offers == 3
        left = session.scalars(select(WalletOffer)).one()
        assert left.used_at is not None
        grants = session.scalars(select(Oid4vciGrant.offer_id)).all()
        assert grants == [left.id]
        delivered = session.scalars(select(WalletDelivery)).one()
        assert delivered.offer_id == left.id
