"""The VC-API exchange: claim page links, DID Authentication, the bound credential, bad input."""

from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from app.errors import ConflictError
from app.mail.models import OutboxMessage
from app.wallets import vcapi
from app.wallets.models import WalletDelivery, WalletOffer
from badges import data_integrity
from keys import KeySigner, did_key, generate_key
from tests.app.test_claims import EMAIL, claim_token
from tests.app.test_credentials import issue, make_achievement, statuses, verify

ED25519_2020 = "https://w3id.org/security/suites/ed25519-2020/v1"
VCDM2 = "https://www.w3.org/ns/credentials/v2"
LINK = re.compile(r'id="lcw-link" href="([^"]+)"')


class Wallet:
    """What the Learner Credential Wallet does, in Python: a did:key and DID Authentication."""

    def __init__(self) -> None:
        key = generate_key("Ed25519")
        self.did = did_key(key.public_key())
        self.signer = KeySigner(key, f"{self.did}#{self.did.removeprefix('did:key:')}")

    def present(
        self,
        challenge: str,
        domain: str | None,
        *,
        suite: str = "Ed25519Signature2020",
        signer: KeySigner | None = None,
        holder: str | None = None,
    ) -> dict[str, Any]:
        legacy = suite == "Ed25519Signature2020"
        vp = {
            "@context": [VCDM2, ED25519_2020] if legacy else [VCDM2],
            "type": ["VerifiablePresentation"],
            "holder": holder or self.did,
        }
        signer = signer or self.signer
        options: dict[str, Any] = {
            "type": suite if legacy else "DataIntegrityProof",
            "created": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "verificationMethod": signer.key_id,
            "proofPurpose": "authentication",
            "challenge": challenge,
        }
        if not legacy:
            options["cryptosuite"] = suite
        if domain is not None:
            options["domain"] = domain
        return data_integrity.add_proof(vp, options, signer)


@pytest.fixture
def award(client: TestClient, app: FastAPI, make_issuer: Any) -> dict[str, Any]:
    issuer, staff = make_issuer("ai-exam")
    achievement = make_achievement(app, issuer["id"], image="png")
    credential = issue(client, staff, achievement, recipient={"email": EMAIL, "name": "山田 太郎"})
    credential["staff"] = staff
    credential["token"] = claim_token(app, credential["id"])
    return credential


def exchange_url(client: TestClient, award: dict[str, Any], lang: str = "ja") -> str:
    page = client.get(f"/claim/{award['token']}?lang={lang}")
    assert page.status_code == 200
    match = LINK.search(page.text)
    assert match is not None, page.text
    link = match[1].replace("&amp;", "&")
    assert link.startswith("https://lcw.app/request?request=")
    message = json.loads(unquote(parse_qs(urlsplit(link).query)["request"][0]))
    assert message["credentialRequestOrigin"] == "http://testserver"
    url: str = message["protocols"]["vcapi"]
    return url


def start(client: TestClient, url: str) -> dict[str, Any]:
    response = client.post(url, json={})
    assert response.status_code == 200, response.text
    request: dict[str, Any] = response.json()["verifiablePresentationRequest"]
    return request


@pytest.mark.parametrize("suite", ["Ed25519Signature2020", "eddsa-rdfc-2022"])
def test_a_wallet_gets_a_credential_bound_to_its_did(
    client: TestClient, award: dict[str, Any], suite: str
) -> None:
    url = exchange_url(client, award)
    request = start(client, url)
    assert request["query"][0]["type"] == "DIDAuthentication"
    assert request["domain"] == "testserver"
    assert request["interact"]["service"][0]["serviceEndpoint"] == url
    assert len(request["challenge"]) >= 22
    wallet = Wallet()
    vp = wallet.present(request["challenge"], request["domain"], suite=suite)
    response = client.post(url, json={"verifiablePresentation": vp})
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    answer = response.json()["verifiablePresentation"]
    assert answer["type"] == ["VerifiablePresentation"]
    [credential] = answer["verifiableCredential"]
    assert credential["credentialSubject"]["id"] == wallet.did
    assert verify(client, credential).ok
    # The same holder again (a retried POST) gets the same credential; nobody else does.
    again = client.post(url, json={"verifiablePresentation": vp})
    assert again.json()["verifiablePresentation"]["verifiableCredential"] == [credential]
    other = Wallet()
    stolen = client.post(
        url, json={"verifiablePresentation": other.present(request["challenge"], "testserver")}
    )
    assert stolen.status_code == 409
    assert stolen.headers["content-type"] == "application/problem+json"
    assert client.post(url, json={}).status_code == 409


def test_revoking_the_award_revokes_what_the_wallet_received(
    client: TestClient, award: dict[str, Any]
) -> None:
    url = exchange_url(client, award)
    request = start(client, url)
    vp = Wallet().present(request["challenge"], request["domain"])
    [credential] = client.post(url, json={"verifiablePresentation": vp}).json()[
        "verifiablePresentation"
    ]["verifiableCredential"]
    revoked = client.post(
        f"/api/v1/credentials/{award['id']}/revoke", json={"reason": "x"}, headers=award["staff"]
    )
    assert revoked.status_code == 200
    assert statuses(verify(client, credential))["status.revocation"] == "failed"
    # A revoked badge offers no wallet any more.
    assert 'id="lcw-link"' not in client.get(f"/claim/{award['token']}").text


def test_the_legacy_one_post_request_takes_the_bare_presentation(
    client: TestClient, award: dict[str, Any]
) -> None:
    page = client.get(f"/claim/{award['token']}?lang=en").text
    match = re.search(r'id="lcw-legacy" href="([^"]+)"', page)
    assert match is not None
    legacy = match[1].replace("&amp;", "&")
    assert legacy.startswith("dccrequest://request?")
    query = {k: v[0] for k, v in parse_qs(urlsplit(legacy).query).items()}
    assert query["auth_type"] == "bearer" and query["issuer"] == "testserver"
    wallet = Wallet()
    # Older wallets sign no domain: the challenge in the link is the binding.
    response = client.post(query["vc_request_url"], json=wallet.present(query["challenge"], None))
    assert response.status_code == 200, response.text
    credential = response.json()
    assert credential["credentialSubject"]["id"] == wallet.did
    assert verify(client, credential).ok


def test_the_interaction_url_lists_the_vcapi_exchange(
    client: TestClient, award: dict[str, Any]
) -> None:
    page = client.get(f"/claim/{award['token']}?lang=en").text
    match = re.search(r'id="lcw-interaction" href="interaction:([^"]+)"', page)
    assert match is not None
    url = match[1].replace("&amp;", "&")
    assert url.endswith("?iuv=1")
    protocols = client.get(url, headers={"Accept": "application/json"}).json()["protocols"]
    assert protocols["vcapi"].startswith("http://testserver/wallets/vcapi/exchanges/")
    html = client.get(url, headers={"Accept": "text/html", "Accept-Language": "en"})
    assert html.headers["content-type"].startswith("text/html")
    assert "Open this link in a wallet app" in html.text


def test_offers_are_made_per_visit_and_never_mailed(
    client: TestClient, app: FastAPI, award: dict[str, Any]
) -> None:
    first, second = exchange_url(client, award), exchange_url(client, award, "en")
    assert first != second
    with app.state.resources.sessions() as session:
        vcapi = select(func.count()).where(WalletOffer.protocol == "vcapi")
        assert session.scalar(vcapi) == 2
        bodies = session.scalars(select(OutboxMessage)).all()
    assert bodies and all("wallets" not in json.dumps(m.__dict__, default=str) for m in bodies)


def _expire(app: FastAPI) -> None:
    with app.state.resources.sessions() as session:
        session.execute(
            update(WalletOffer).values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
        session.commit()


def test_an_expired_exchange_is_gone(
    client: TestClient, app: FastAPI, award: dict[str, Any]
) -> None:
    url = exchange_url(client, award)
    request = start(client, url)
    _expire(app)
    vp = Wallet().present(request["challenge"], request["domain"])
    response = client.post(url, json={"verifiablePresentation": vp})
    assert response.status_code == 410
    assert response.json()["type"].endswith("/problems/gone")
    assert client.post(url, json={}).status_code == 410
    assert client.get(url.replace("vcapi/exchanges", "interactions") + "?iuv=1").status_code == 410


def _problem(response: Any, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"].endswith(f"/problems/{code}")


@pytest.mark.parametrize(
    ("make", "code"),
    [
        (lambda w, r: w.present("not-the-challenge", r["domain"]), "presentation_challenge"),
        (lambda w, r: w.present(r["challenge"], "evil.example"), "presentation_domain"),
        (lambda w, r: w.present(r["challenge"], None), "presentation_domain"),
        (
            lambda w, r: w.present(r["challenge"], r["domain"], signer=Wallet().signer),
            "presentation_holder",
        ),
        (
            lambda w, r: w.present(
                r["challenge"],
                r["domain"],
                holder="did:web:wallet.example",
                signer=KeySigner(generate_key("Ed25519"), "did:web:wallet.example#key-1"),
            ),
            "presentation_unresolvable",
        ),
        (
            lambda w, r: {**w.present(r["challenge"], r["domain"]), "holder": 5},
            "presentation_malformed",
        ),
        (lambda w, r: [w.present(r["challenge"], r["domain"])], "presentation_malformed"),
        (lambda w, r: {"type": "VerifiablePresentation", "holder": w.did}, "presentation_proof"),
    ],
)
def test_bad_presentations_are_400_problems_and_leave_the_exchange_open(
    client: TestClient, app: FastAPI, award: dict[str, Any], make: Any, code: str
) -> None:
    url = exchange_url(client, award)
    request = start(client, url)
    wallet = Wallet()
    _problem(client.post(url, json={"verifiablePresentation": make(wallet, request)}), 400, code)
    with app.state.resources.sessions() as session:
        assert session.scalar(select(func.count()).select_from(WalletDelivery)) == 0
    good = wallet.present(request["challenge"], request["domain"])
    assert client.post(url, json={"verifiablePresentation": good}).status_code == 200


def test_malformed_huge_and_unknown_requests_are_clear_4xx(
    client: TestClient, award: dict[str, Any]
) -> None:
    url = exchange_url(client, award)
    _problem(
        client.post(url, content=b"{not json", headers={"Content-Type": "application/json"}),
        400,
        "presentation_malformed",
    )
    _problem(client.post(url, json=[1, 2]), 400, "presentation_malformed")
    huge = {"verifiablePresentation": {"holder": "did:key:z", "x": "a" * 100_000}}
    _problem(client.post(url, json=huge), 413, "payload_too_large")
    # Nesting too deep for a JSON parser's recursion, and nesting JSON-LD refuses to expand.
    deep = '{"verifiablePresentation":' + "[" * 20_000 + "]" * 20_000 + "}"
    _problem(
        client.post(url, content=deep, headers={"Content-Type": "application/json"}),
        400,
        "presentation_malformed",
    )
    request = start(client, url)
    nested: dict[str, Any] = {}
    for _ in range(200):
        nested = {"https://example.org/n": nested}
    vp = Wallet().present(request["challenge"], request["domain"]) | {
        "https://example.org/x": nested
    }
    assert client.post(url, json={"verifiablePresentation": vp}).status_code == 400
    _problem(client.post(f"/wallets/vcapi/exchanges/{'A' * 32}", json={}), 404, "not_found")
    assert client.post(url, content=b"").status_code == 200  # an empty body starts, as {}


def test_wallets_racing_for_one_exchange_get_one_credential(
    client: TestClient, app: FastAPI, award: dict[str, Any]
) -> None:
    url = exchange_url(client, award)
    token = url.rsplit("/", 1)[1]
    request = start(client, url)
    wallets = [Wallet() for _ in range(6)]
    messages = [
        {"verifiablePresentation": w.present(request["challenge"], request["domain"])}
        for w in wallets
    ]
    resources = app.state.resources

    def attempt(message: dict[str, Any]) -> str:
        with resources.sessions() as session:
            try:
                vcapi.exchange(
                    session, resources.keyring, resources.urls, token, message, datetime.now(UTC)
                )
            except ConflictError:
                return "conflict"
            return "delivered"

    with ThreadPoolExecutor(len(messages)) as pool:
        outcomes = list(pool.map(attempt, messages))
    assert sorted(outcomes) == ["conflict"] * 5 + ["delivered"]
    with app.state.resources.sessions() as session:
        [delivery] = session.scalars(select(WalletDelivery)).all()
        offer = session.scalars(select(WalletOffer).where(WalletOffer.protocol == "vcapi")).one()
    assert delivery.holder_did == offer.holder_did
    assert delivery.holder_did == wallets[outcomes.index("delivered")].did
