"""The oracles fetch from a web server on loopback, as they will from the running service.

A did:web issuer on ``127.0.0.1:<port>`` publishes its DID document, status list and JWK Set
from a local server. The oracles read them over plain HTTP only because they are asked to
(``fetch`` with the server's origin allowed); every other origin is refused.
"""

from __future__ import annotations

import pytest

from badges import vc_jwt
from keys import KeySigner, PublishedKey, did_document, did_web, generate_key, jwk, jwks
from tests.interop import harness, samples
from tests.interop.conftest import LoopbackServer
from tests.support import FIXED_NOW


@pytest.fixture
def issuer_on_loopback(loopback: LoopbackServer) -> tuple[KeySigner, str]:
    """A did:web issuer served by ``loopback``: (signer, revocation list URL); bit 8 is set."""
    did = did_web("127.0.0.1", loopback.port, ["issuers", "demo"])
    key = generate_key("Ed25519")
    signer = KeySigner(key, f"{did}#key-1")
    loopback.publish(
        "/issuers/demo/did.json", did_document(did, [PublishedKey(key.public_key(), "key-1")])
    )
    list_url = loopback.url("/status/demo/revocation")
    listing = samples.status_list_credential(signer, list_url, set_bits=(8,))
    loopback.publish("/status/demo/revocation", listing)
    return signer, list_url


def test_oracle_resolves_did_web_and_status_list_on_loopback(
    oracle: None, loopback: LoopbackServer, issuer_on_loopback: tuple[KeySigner, str]
) -> None:
    signer, list_url = issuer_on_loopback
    live = samples.signed(signer, credential_status=samples.status_entry(7, list_url))
    revoked = samples.signed(signer, credential_status=samples.status_entry(8, list_url))
    origins = [loopback.origin]

    verdicts = harness.verify_di_many(
        [
            harness.di_request(live, now=FIXED_NOW, fetch=True, allow=origins),
            harness.di_request(revoked, now=FIXED_NOW, fetch=True, allow=origins),
            harness.di_request(live, now=FIXED_NOW),
        ]
    )
    assert verdicts[0]["verified"] is True, verdicts[0]["errors"]
    assert verdicts[0]["status"] == [
        {"id": f"{list_url}#7", "statusPurpose": "revocation", "statusListIndex": "7", "set": False}
    ]
    assert verdicts[1]["verified"] is False
    assert verdicts[1]["status"][0]["set"] is True
    assert {"/issuers/demo/did.json", "/status/demo/revocation"} <= set(loopback.requests)
    assert verdicts[2]["verified"] is False  # nothing is fetched unless asked for
    assert "not among the given documents" in " ".join(verdicts[2]["errors"])


def test_oracle_fetches_only_from_allowed_loopback_origins(oracle: None) -> None:
    credential = samples.signed(samples.did_key_signer(samples.ED_KEY))
    verdict = harness.verify_di(
        credential, now=FIXED_NOW, fetch=True, allow=["http://example.org:8000"]
    )
    assert verdict["verified"] is False
    assert "not an http URL on a loopback host" in " ".join(verdict["errors"])


def test_jose_verifies_with_a_jwk_set_served_on_loopback(
    oracle: None, loopback: LoopbackServer
) -> None:
    key = generate_key("RSA-3072")
    jwks_url = loopback.url("/.well-known/jwks.json")
    kid = f"{jwks_url}#rsa-1"
    loopback.publish("/.well-known/jwks.json", jwks([jwk(key.public_key(), kid=kid)]))
    token = vc_jwt.sign(samples.jwt_credential(), KeySigner(key, kid))

    verdict = harness.verify_jwt(token, jwks_url=jwks_url, now=FIXED_NOW)
    assert verdict["verified"] is True, verdict["error"]
    assert loopback.requests == ["/.well-known/jwks.json"]
    refused = harness.verify_jwt(token, jwks_url="https://example.org/jwks.json", now=FIXED_NOW)
    assert refused["verified"] is False
    assert "not an http URL on a loopback host" in refused["error"]
