"""VC-JWT signing and verification (OB 3.0 §8.2), with real keys of every accepted type."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from badges import vc_jwt
from badges.errors import DocumentError, SigningError
from keys import KeySigner, generate_key
from tests.support import load_json


def _credential() -> dict[str, Any]:
    credential = load_json("ob3-impl-guide-eddsa-rdfc-2022/unsigned-credential.json")
    credential["validUntil"] = "2030-01-01T00:00:00Z"
    return credential


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


@pytest.mark.parametrize("key_type", ["Ed25519", "P-256", "RSA-3072"])
def test_signed_token_verifies_with_its_public_jwk(key_type: Any) -> None:
    key = generate_key(key_type)
    token = vc_jwt.sign(_credential(), KeySigner(key, "https://example.edu/keys/1"))
    decoded = vc_jwt.decode(token)
    assert decoded.header == {
        "alg": key.algorithm,
        "kid": "https://example.edu/keys/1",
        "typ": "JWT",
    }
    assert vc_jwt.verify_signature(token, key.public_key().jwk())


def test_claims_mirror_the_credential() -> None:
    key = generate_key("P-256")
    token = vc_jwt.sign(_credential(), KeySigner(key, "kid"))
    payload = vc_jwt.decode(token).payload
    assert payload["iss"] == "https://example.edu/issuers/565049"
    assert payload["jti"] == "http://example.com/credentials/3527"
    assert payload["sub"] == "did:example:ebfeb1f712ebc6f1c276e12ec21"
    assert payload["nbf"] == 1262304000
    assert payload["exp"] == 1893456000
    assert payload["credentialSubject"]["achievement"]["name"] == "Teamwork"
    assert vc_jwt.check_claims(vc_jwt.decode(token)).findings == []
    assert "iss" not in vc_jwt.decode(token).credential


def test_a_changed_payload_fails_the_signature() -> None:
    key = generate_key("P-256")
    token = vc_jwt.sign(_credential(), KeySigner(key, "kid"))
    header, _, signature = token.split(".")
    claims = vc_jwt.decode(token).payload
    claims["name"] = "Forged"
    assert not vc_jwt.verify_signature(
        f"{header}.{_b64(claims)}.{signature}", key.public_key().jwk()
    )


def test_another_key_of_the_same_type_fails_the_signature() -> None:
    token = vc_jwt.sign(_credential(), KeySigner(generate_key("P-256"), "kid"))
    assert not vc_jwt.verify_signature(token, generate_key("P-256").public_key().jwk())


@pytest.mark.parametrize("alg", ["none", "HS256", "HS512", "PS256", None])
def test_unaccepted_algorithms_are_refused(alg: Any) -> None:
    with pytest.raises(DocumentError, match="not accepted"):
        vc_jwt.check_header({"alg": alg, "kid": "k"})


def test_an_algorithm_that_does_not_match_the_key_is_refused() -> None:
    rsa = generate_key("RSA-3072")
    token = vc_jwt.sign(_credential(), KeySigner(rsa, "kid"))
    with pytest.raises(DocumentError, match="RS256 needs a RSA"):
        vc_jwt.verify_signature(token, generate_key("P-256").public_key().jwk())


def test_an_hmac_token_made_with_a_public_key_as_secret_is_refused() -> None:
    header = _b64({"alg": "HS256", "typ": "JWT", "kid": "k"})
    token = f"{header}.{_b64(_credential())}.c2lnbmF0dXJl"
    with pytest.raises(DocumentError, match="not accepted"):
        vc_jwt.verify_signature(token, generate_key("RSA-3072").public_key().jwk())


@pytest.mark.parametrize("typ", ["JWT", "vc+jwt", None])
def test_typ_jwt_and_vc_jwt_are_accepted(typ: Any) -> None:
    header = {"alg": "ES256", "kid": "k"} | ({"typ": typ} if typ else {})
    assert vc_jwt.check_header(header) == "ES256"


def test_other_typ_values_are_refused() -> None:
    with pytest.raises(DocumentError, match="typ"):
        vc_jwt.check_header({"alg": "ES256", "kid": "k", "typ": "JOSE+JSON"})


def test_a_header_without_kid_or_jwk_is_refused() -> None:
    with pytest.raises(DocumentError, match="names no key"):
        vc_jwt.check_header({"alg": "RS256", "typ": "JWT"})


def test_an_embedded_private_jwk_is_refused() -> None:
    with pytest.raises(DocumentError, match="public key"):
        vc_jwt.check_header({"alg": "ES256", "jwk": {"kty": "EC", "d": "secret"}})


def test_signing_with_an_unaccepted_algorithm_is_refused() -> None:
    class Hmac:
        key_id = "k"
        algorithm = "HS256"

        def sign(self, data: bytes) -> bytes:
            return b""

    with pytest.raises(SigningError):
        vc_jwt.sign(_credential(), Hmac())


def test_claims_that_disagree_with_the_credential_are_errors() -> None:
    key = generate_key("P-256")
    token = vc_jwt.sign(_credential(), KeySigner(key, "kid"))
    decoded = vc_jwt.decode(token)
    tampered = vc_jwt.DecodedJWT(
        decoded.header, {**decoded.payload, "iss": "https://evil.example"}, token
    )
    assert any("iss" in e for e in vc_jwt.check_claims(tampered).errors)
    moved = vc_jwt.DecodedJWT(decoded.header, {**decoded.payload, "nbf": 0}, token)
    assert any("nbf" in e for e in vc_jwt.check_claims(moved).errors)
    no_exp = {k: v for k, v in decoded.payload.items() if k != "exp"}
    assert any("exp" in e for e in vc_jwt.check_claims(vc_jwt.DecodedJWT({}, no_exp, token)).errors)


def test_missing_sub_is_a_warning_and_aud_equal_to_the_subject_is_accepted() -> None:
    decoded = vc_jwt.decode(vc_jwt.sign(_credential(), KeySigner(generate_key("P-256"), "kid")))
    without_sub = {k: v for k, v in decoded.payload.items() if k != "sub"}
    assert vc_jwt.check_claims(vc_jwt.DecodedJWT({}, without_sub, "")).warnings
    with_aud = {**without_sub, "aud": "did:example:ebfeb1f712ebc6f1c276e12ec21"}
    assert vc_jwt.check_claims(vc_jwt.DecodedJWT({}, with_aud, "")).findings == []


def test_vcdm_1_1_vc_claim_is_unwrapped_and_rebuilt_from_the_claims() -> None:
    vc = {
        "@context": ["https://www.w3.org/2018/credentials/v1"],
        "type": ["VerifiableCredential"],
        "credentialSubject": {"name": "x"},
    }
    payload = {
        "vc": vc,
        "iss": "https://issuer.example",
        "jti": "urn:uuid:1",
        "sub": "did:example:1",
        "nbf": 1262304000,
    }
    credential = vc_jwt.DecodedJWT({}, payload, "").credential
    assert credential["issuer"] == "https://issuer.example"
    assert credential["id"] == "urn:uuid:1"
    assert credential["credentialSubject"]["id"] == "did:example:1"
    assert credential["issuanceDate"] == "2010-01-01T00:00:00Z"


@pytest.mark.parametrize(
    "token",
    ["", "a.b", "a.b.c.d", "not a token at all", "eyJhbGciOiJub25lIn0.e30", "!!!.###.$$$"],
)
def test_malformed_tokens_are_document_errors(token: str) -> None:
    with pytest.raises(DocumentError):
        vc_jwt.decode(token)


def test_payload_that_is_not_json_is_a_document_error() -> None:
    header = _b64({"alg": "ES256", "kid": "k"})
    body = base64.urlsafe_b64encode(b"not json").rstrip(b"=").decode()
    with pytest.raises(DocumentError, match="not JSON"):
        vc_jwt.decode(f"{header}.{body}.c2ln")


def test_rsa_keys_shorter_than_2048_bits_are_refused() -> None:
    from cryptography.hazmat.primitives.asymmetric import rsa
    from joserfc.jwk import RSAKey

    weak = rsa.generate_private_key(65537, 1024)  # noqa: S505 - deliberately too short
    small = RSAKey.import_key(weak.public_key())
    with pytest.raises(DocumentError, match="2048"):
        vc_jwt.import_public_jwk(small.as_dict(private=False), "RS256")
