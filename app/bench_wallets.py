"""A minimal OpenID4VCI wallet, for ``wallet_delivery_per_s`` and the service tests.

It does what a 1.0 wallet does in the pre-authorized code flow
(https://openid.net/specs/openid-4-verifiable-credential-issuance-1_0.html#section-3.5):
read the offer by reference, redeem the code (with the transaction code), fetch a nonce, sign
a ``jwt`` key proof with its own Ed25519 key (a ``did:key``) and ask for the credential.
Any ``httpx.Client`` will do, a FastAPI ``TestClient`` included.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from keys import KeySigner, PrivateKey, b64url_encode, did_key, generate_key

__all__ = ["Wallet", "key_proof", "offer_uri_of"]


def offer_uri_of(deep_link: str) -> str:
    """The ``credential_offer_uri`` of an ``openid-credential-offer://`` link."""
    return parse_qs(urlsplit(deep_link).query)["credential_offer_uri"][0]


def key_proof(
    key: PrivateKey,
    *,
    audience: str,
    nonce: str | None,
    issued_at: float | None = None,
    header: dict[str, Any] | None = None,
) -> str:
    """An ``openid4vci-proof+jwt`` by ``key``, naming it by its ``did:key`` URL."""
    did = did_key(key.public_key())
    head: dict[str, Any] = {
        "typ": "openid4vci-proof+jwt",
        "alg": "EdDSA" if key.public_key().key_type == "Ed25519" else "ES256",
        "kid": f"{did}#{did.removeprefix('did:key:')}",
    } | (header or {})
    body: dict[str, Any] = {"aud": audience, "iat": int(issued_at or time.time())}
    if nonce is not None:
        body["nonce"] = nonce
    signing_input = ".".join(
        b64url_encode(json.dumps(part, separators=(",", ":")).encode()) for part in (head, body)
    )
    signature = KeySigner(key, "proof").sign(signing_input.encode())
    return f"{signing_input}.{b64url_encode(signature)}"


@dataclass
class Wallet:
    """One holder: an Ed25519 key and its ``did:key``."""

    http: httpx.Client
    key: PrivateKey = field(default_factory=lambda: generate_key("Ed25519"))

    @property
    def did(self) -> str:
        return did_key(self.key.public_key())

    def receive(self, offer_uri: str, tx_code: str | None) -> dict[str, Any]:
        """Run the whole exchange; return the credential."""
        offer = self.http.get(offer_uri)
        offer.raise_for_status()
        grant = offer.json()["grants"]["urn:ietf:params:oauth:grant-type:pre-authorized_code"]
        form = {
            "grant_type": "urn:ietf:params:oauth:grant-type:pre-authorized_code",
            "pre-authorized_code": grant["pre-authorized_code"],
        }
        if tx_code is not None:
            form["tx_code"] = tx_code
        base = offer.json()["credential_issuer"]
        token = self.http.post(f"{base}/oid4vci/token", data=form)
        token.raise_for_status()
        nonce = self.http.post(f"{base}/oid4vci/nonce")
        nonce.raise_for_status()
        proof = key_proof(self.key, audience=base, nonce=nonce.json()["c_nonce"])
        answer = self.http.post(
            f"{base}/oid4vci/credential",
            json={
                "credential_configuration_id": offer.json()["credential_configuration_ids"][0],
                "proofs": {"jwt": [proof]},
            },
            headers={"Authorization": f"Bearer {token.json()['access_token']}"},
        )
        answer.raise_for_status()
        credential: dict[str, Any] = answer.json()["credentials"][0]["credential"]
        return credential
