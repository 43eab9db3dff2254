"""The OpenID4VCI ``jwt`` key proof: header, key, signature, ``aud`` and ``iat``."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from badges.key_proof import KeyProofError, verify_key_proof
from keys import KeySigner, PrivateKey, did_jwk, did_key, generate_key, public_key_from_did_jwk
from keys._codec import b64url_decode, b64url_encode

AUD = "https://badges.example.jp"
NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def proof(
    key: PrivateKey,
    *,
    header: dict[str, Any] | None = None,
    payload: dict[str, Any] | None = None,
    signer: PrivateKey | None = None,
) -> str:
    alg = "EdDSA" if key.public_key().key_type == "Ed25519" else "ES256"
    did = did_key(key.public_key())
    head = {"typ": "openid4vci-proof+jwt", "alg": alg, "kid": f"{did}#{did[8:]}"}
    head.update(header or {})
    head = {k: v for k, v in head.items() if v is not None}
    body = {"aud": AUD, "iat": int(NOW.timestamp()), "nonce": "n-1"}
    body.update(payload or {})
    body = {k: v for k, v in body.items() if v is not None}

    def part(value: dict[str, Any]) -> str:
        return b64url_encode(json.dumps(value).encode())

    signing_input = f"{part(head)}.{part(body)}"
    signature = KeySigner(signer or key, "k").sign(signing_input.encode())
    return f"{signing_input}.{b64url_encode(signature)}"


@pytest.mark.parametrize("key_type", ["Ed25519", "P-256"])
def test_did_key_proof_names_the_holder(key_type: str) -> None:
    key = generate_key(key_type)  # type: ignore[arg-type]
    checked = verify_key_proof(proof(key), audience=AUD, now=NOW)
    assert checked.holder == did_key(key.public_key())
    assert checked.nonce == "n-1"


def test_jwk_header_becomes_a_did_jwk_and_did_jwk_kid_is_read() -> None:
    key = generate_key("P-256")
    sent = {"y": key.public_key().jwk()["y"], **key.public_key().jwk()}
    jwk_proof = proof(key, header={"kid": None, "jwk": sent})
    holder = verify_key_proof(jwk_proof, audience=AUD, now=NOW).holder
    # However the wallet ordered its JWK, the DID is RFC 7638's members in their order.
    assert holder == did_jwk(key.public_key())
    assert list(json.loads(b64url_decode(holder.removeprefix("did:jwk:"), "did"))) == [
        "crv",
        "kty",
        "x",
        "y",
    ]
    assert public_key_from_did_jwk(holder).thumbprint() == key.public_key().thumbprint()
    by_kid = proof(key, header={"kid": holder + "#0"})
    assert verify_key_proof(by_kid, audience=AUD, now=NOW).holder == holder


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"header": {"typ": "JWT"}}, "typ"),
        ({"header": {"alg": "HS256"}}, "alg"),
        ({"header": {"kid": "did:web:example.com#key-1"}}, "did:key or did:jwk"),
        ({"header": {"kid": None}}, "exactly one"),
        ({"payload": {"aud": "https://other.example"}}, "aud"),
        ({"payload": {"iat": int((NOW - timedelta(hours=1)).timestamp())}}, "iat"),
        ({"payload": {"iat": int((NOW + timedelta(hours=1)).timestamp())}}, "iat"),
        ({"payload": {"iat": "yesterday"}}, "iat"),
        ({"payload": {"nonce": 7}}, "nonce"),
    ],
)
def test_bad_proofs_are_refused(change: dict[str, Any], message: str) -> None:
    with pytest.raises(KeyProofError, match=message):
        verify_key_proof(proof(generate_key("Ed25519"), **change), audience=AUD, now=NOW)


def test_a_proof_signed_by_another_key_is_refused() -> None:
    key, other = generate_key("Ed25519"), generate_key("Ed25519")
    with pytest.raises(KeyProofError, match="signature"):
        verify_key_proof(proof(key, signer=other), audience=AUD, now=NOW)


def test_a_private_jwk_is_refused() -> None:
    key = generate_key("Ed25519")
    private = {**key.public_key().jwk(), "d": b64url_encode(b"\0" * 32)}
    with pytest.raises(KeyProofError, match="public"):
        verify_key_proof(proof(key, header={"kid": None, "jwk": private}), audience=AUD, now=NOW)


@pytest.mark.parametrize("token", ["", "a.b", "x" * 20000, None, "e30.e30.", "!!.!!.!!"])
def test_malformed_tokens_are_refused(token: object) -> None:
    with pytest.raises(KeyProofError):
        verify_key_proof(token, audience=AUD, now=NOW)
