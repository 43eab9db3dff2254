"""A real OpenID4VCI wallet library receives badges from the running service (issue 13, §4).

``@openid4vc/openid4vci`` (the OpenWallet Foundation's client, used by Credo and Paradym)
acts as the wallet, in js/oid4vci-wallet.mjs: it resolves the ``openid-credential-offer://``
link the claim page shows, reads the issuer and authorization server metadata, redeems the
pre-authorized code with the transaction code from the page, proves possession of a fresh
Ed25519 key and receives the credential. It runs once speaking 1.0 (nonce endpoint,
``credential_configuration_id``, ``proofs``; holder ``did:key``) and once speaking draft 13
(``c_nonce`` from the token response, ``format`` + ``credential_definition``, one ``proof``;
holder key as a ``jwk`` header, so ``did:jwk``).

Every delivered credential is verified by Digital Bazaar's ``vc`` and by our own verifier,
fetching the issuer's DID document and status lists from the server; revoking the award
makes both report it revoked. The ``did:key`` holder presents its credential back in a
presentation signed with the key it proved, and ``vc`` verifies both proofs.
"""

from __future__ import annotations

import base64
import html
import json
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

import badges
from app.mail.models import OutboxMessage
from badges import JSONObject, Recipient
from tests.browser.support import LiveServer
from tests.interop import harness
from tests.interop.service_support import LiveFetcher, ShomeiAPI, serve_shomei

pytestmark = pytest.mark.interop

SLUG = "wallet-exam"
LINK = re.compile(r'id="oid4vci-link" href="([^"]+)"')
TX_CODE = re.compile(r'id="oid4vci-tx-code" class="code">(\d{6})<')


@dataclass(frozen=True)
class Service:
    server: LiveServer
    api: ShomeiAPI
    achievement: str

    @property
    def url(self) -> str:
        return self.server.url

    def award(self) -> JSONObject:
        """A new OB 3.0 award, with the token of the claim link mailed for it."""
        issued = self.api.issue(self.achievement, "ob3")
        with self.server.app.state.resources.sessions() as session:
            issued["token"] = session.scalar(
                select(OutboxMessage.claim_token).where(
                    OutboxMessage.credential_id == uuid.UUID(issued["id"])
                )
            )
        assert issued["token"]
        return issued

    def offer(self, award: JSONObject, lang: str = "ja") -> tuple[str, str]:
        """Open the claim page; return its deep link and the transaction code it shows."""
        page = self.api.client.get(f"/claim/{award['token']}?lang={lang}")
        assert page.status_code == 200
        link, code = LINK.search(page.text), TX_CODE.search(page.text)
        assert link is not None and code is not None
        return html.unescape(link[1]), code[1]

    def ours(self, credential: JSONObject) -> badges.VerificationReport:
        host = self.url.removeprefix("http://")
        config = badges.VerifierConfig(
            resolver=badges.ResolverConfig(did_web_http_hosts=frozenset({host}))
        )
        return badges.verify(
            credential,
            fetcher=LiveFetcher(self.api.client, self.url),
            now=datetime.now(UTC),
            recipient=Recipient("email", "hanako@example.jp"),
            config=config,
        )


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    directory = tmp_path_factory.mktemp("oid4vci-service")
    with serve_shomei(directory) as server, ShomeiAPI.connect(server) as api:
        api.create_issuer(SLUG)
        yield Service(server, api, api.create_achievement(SLUG))


def wallet(offer: str, tx_code: str | None, version: str, **extra: Any) -> dict[str, Any]:
    binding = "did:key" if version == "1.0" else "jwk"
    request = {"offer": offer, "txCode": tx_code, "version": version, "binding": binding}
    result: dict[str, Any] = harness.run_script("oid4vci-wallet.mjs", request | extra)
    return result


@dataclass(frozen=True)
class Delivered:
    award: JSONObject
    result: dict[str, Any]


@pytest.fixture(scope="module")
def delivered(oracle: None, service: Service) -> dict[str, Delivered]:
    runs = {}
    for version in ("1.0", "draft13"):
        award = service.award()
        result = wallet(*service.offer(award), version, allow=[service.url])
        assert result["ok"], result
        runs[version] = Delivered(award, result)
    return runs


def _di(service: Service, credential: JSONObject) -> JSONObject:
    return harness.di_request(credential, fetch=True, allow=[service.url])


@pytest.fixture(scope="module")
def verdicts(
    service: Service, delivered: dict[str, Delivered]
) -> dict[str, tuple[JSONObject, JSONObject]]:
    """Digital Bazaar's verdict on each delivered credential, before and after revoking."""
    credentials = [run.result["credential"] for run in delivered.values()]
    before = harness.verify_di_many([_di(service, c) for c in credentials])
    for run in delivered.values():
        service.api.revoke(run.award["id"], "Awarded in error.")
    after = harness.verify_di_many([_di(service, c) for c in credentials])
    return {v: (b, a) for v, b, a in zip(delivered, before, after, strict=True)}


@pytest.mark.parametrize("version", ["1.0", "draft13"])
def test_the_wallet_receives_a_credential_bound_to_the_key_it_proved(
    version: str, delivered: dict[str, Delivered]
) -> None:
    result = delivered[version].result
    credential = result["credential"]
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    subject = credential["credentialSubject"]["id"]
    if version == "1.0":
        assert subject == result["holder"]
        assert subject.startswith("did:key:z6Mk")
    else:
        # A bare jwk header: its did:jwk holds the key's RFC 7638 members, in their order.
        assert subject.startswith("did:jwk:")
        named = json.loads(base64.urlsafe_b64decode(subject[8:] + "=="))
        wallet_jwk = json.loads(base64.urlsafe_b64decode(result["holder"][8:] + "=="))
        assert named == {k: wallet_jwk[k] for k in ("crv", "kty", "x")}
    proofs = credential["proof"] if isinstance(credential["proof"], list) else [credential["proof"]]
    assert [p["cryptosuite"] for p in proofs] == ["eddsa-rdfc-2022"]


def test_digital_bazaar_verifies_the_holder_presenting_its_credential(
    delivered: dict[str, Delivered],
) -> None:
    # The did:key holder presents the credential back, signing with the key it proved.
    presented = delivered["1.0"].result["presented"]
    assert presented == {"verified": True, "presentationVerified": True, "errors": []}


def test_each_wallet_spoke_its_own_protocol_version(delivered: dict[str, Delivered]) -> None:
    v1, d13 = delivered["1.0"].result, delivered["draft13"].result
    # The metadata alone makes the library a 1.0 client (credential_metadata is present).
    assert v1["detectedVersion"] == d13["detectedVersion"] == "V1"
    paths = [(method, path) for method, path, _ in v1["requests"]]
    assert ("POST", "/oid4vci/nonce") in paths
    assert ("POST", "/oid4vci/nonce") not in [(m, p) for m, p, _ in d13["requests"]]
    v1_body = next(b for m, p, b in v1["requests"] if p == "/oid4vci/credential")
    d13_body = next(b for m, p, b in d13["requests"] if p == "/oid4vci/credential")
    assert '"credential_configuration_id"' in v1_body and '"proofs"' in v1_body
    assert '"format":"ldp_vc"' in d13_body and '"proof":' in d13_body
    assert v1["responseMembers"] == ["credentials"]
    assert d13["responseMembers"] == ["c_nonce", "c_nonce_expires_in", "credential"]
    # The transaction code travelled in the token request, as tx_code.
    token_body = next(b for m, p, b in v1["requests"] if p == "/oid4vci/token")
    assert "tx_code=" in token_body


@pytest.mark.parametrize("version", ["1.0", "draft13"])
def test_digital_bazaar_and_our_verifier_accept_then_report_revoked(
    version: str,
    service: Service,
    delivered: dict[str, Delivered],
    verdicts: dict[str, tuple[JSONObject, JSONObject]],
) -> None:
    before, after = verdicts[version]
    assert before["verified"] is True, before["errors"]
    assert [p["cryptosuite"] for p in before["proofs"]] == ["eddsa-rdfc-2022"]
    assert after["verified"] is False
    assert after["errors"] == ["status bit set: revocation"]
    ours = service.ours(delivered[version].result["credential"])
    failed = [check.id for check in ours.checks if check.status == "failed"]
    assert failed == ["status.revocation"]


def test_our_verifier_accepts_a_fresh_delivery(oracle: None, service: Service) -> None:
    result = wallet(*service.offer(service.award(), "en"), "1.0")
    assert result["ok"], result
    report = service.ours(result["credential"])
    assert report.ok, [c for c in report.checks if c.status != "passed"]


def test_a_wrong_transaction_code_and_a_reused_offer_fail_in_the_wallet(
    oracle: None, service: Service
) -> None:
    offer, tx_code = service.offer(service.award())
    wrong = wallet(offer, "000000" if tx_code != "000000" else "111111", "1.0")
    assert wrong["ok"] is False
    assert "invalid_grant" in (wrong["body"] or wrong["error"])
    first = wallet(offer, tx_code, "1.0", stage="token")
    assert first["ok"], first
    reused = wallet(offer, tx_code, "1.0", stage="token")
    assert reused["ok"] is False  # the offer is gone once its code was redeemed
