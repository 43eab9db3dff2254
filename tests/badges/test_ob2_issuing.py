"""Tests for OB 2.0 issuing: document builders and JWS signing checked by joserfc."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from joserfc import jws
from joserfc.errors import BadSignatureError
from joserfc.jwk import ECKey, RSAKey

from badges.errors import DocumentError, SigningError
from badges.identity import hash_identity
from badges.ob2.issuing import (
    badge_class,
    cryptographic_key,
    hosted_assertion,
    issuer_profile,
    revocation_list,
    signed_assertion,
)
from badges.ob2.models import Assertion, BadgeClass, Profile, RevocationList

ISSUED = datetime(2024, 5, 1, 12, 30, 15, 999, tzinfo=UTC)
KEY_URL = "https://issuer.example/keys/1"


class RsaSigner:
    """A minimal RS256 signer over a private key held by the test."""

    algorithm = "RS256"
    key_id = KEY_URL

    def __init__(self, key: rsa.RSAPrivateKey) -> None:
        self._key = key
        self.signed: list[bytes] = []

    def sign(self, data: bytes) -> bytes:
        self.signed.append(data)
        return self._key.sign(data, padding.PKCS1v15(), hashes.SHA256())


class EcSigner:
    """A minimal ES256 signer returning the JOSE r || s form (or DER, to test refusal)."""

    algorithm = "ES256"
    key_id = KEY_URL

    def __init__(self, key: ec.EllipticCurvePrivateKey, *, der: bool = False) -> None:
        self._key, self._der = key, der

    def sign(self, data: bytes) -> bytes:
        der = self._key.sign(data, ec.ECDSA(hashes.SHA256()))
        if self._der:
            return der
        r, s = decode_dss_signature(der)
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")


class Hs256Signer(RsaSigner):
    algorithm = "HS256"


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def ec_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _public_pem(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def _assertion(**overrides: Any) -> dict[str, Any]:
    arguments: dict[str, Any] = {
        "assertion_id": "https://issuer.example/assertions/1",
        "badge_id": "https://issuer.example/badges/1",
        "recipient_email": "learner@example.org",
        "salt": "pepper",
        "issued_on": ISSUED,
    }
    arguments.update(overrides)
    return hosted_assertion(**arguments)


def _segments(token: str) -> tuple[dict[str, Any], bytes]:
    header, payload, _ = token.split(".")
    return json.loads(_unb64(header)), _unb64(payload)


def _unb64(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def test_hosted_assertion_has_the_ob2_shape() -> None:
    document = _assertion(
        expires=ISSUED + timedelta(days=365),
        evidence=["https://issuer.example/work/1", {"narrative": "Built a robot."}],
        narrative="Completed every module.",
        image="https://issuer.example/assertions/1.png",
    )
    assert document["@context"] == "https://w3id.org/openbadges/v2"
    assert document["type"] == "Assertion"
    assert document["verification"] == {"type": "HostedBadge"}
    assert document["issuedOn"] == "2024-05-01T12:30:15Z"
    assert document["expires"] == "2025-05-01T12:30:15Z"
    assert document["recipient"] == {
        "type": "email",
        "hashed": True,
        "salt": "pepper",
        "identity": hash_identity("learner@example.org", "pepper"),
    }
    assert document["evidence"][1] == {"narrative": "Built a robot."}
    Assertion.model_validate(document)


def test_hosted_assertion_identity_is_sha256_of_email_then_salt() -> None:
    # The published 1EdTech vector: nobody@example.org salted with "deadsea".
    document = _assertion(recipient_email="nobody@example.org", salt="deadsea")
    assert document["recipient"]["identity"] == (
        "sha256$ecf5409f3f4b91ab60cc5ef4c02aef7032354375e70cf4d8e43f6a1d29891942"
    )


def test_hosted_assertion_draws_a_fresh_salt_when_none_is_given() -> None:
    first, second = _assertion(salt=None), _assertion(salt=None)
    assert first["recipient"]["salt"] != second["recipient"]["salt"]
    assert len(first["recipient"]["salt"]) == 32


def test_hosted_assertion_writes_times_in_utc_with_z() -> None:
    tokyo = timezone(timedelta(hours=9))
    document = _assertion(issued_on=datetime(2024, 5, 1, 9, 0, tzinfo=tokyo))
    assert document["issuedOn"] == "2024-05-01T00:00:00Z"


def test_hosted_assertion_leaves_out_optional_properties_not_given() -> None:
    assert set(_assertion()) == {
        "@context",
        "type",
        "id",
        "recipient",
        "badge",
        "verification",
        "issuedOn",
    }


@pytest.mark.parametrize(
    "overrides",
    [
        {"issued_on": datetime(2024, 5, 1)},
        {"expires": datetime(2025, 5, 1)},
        {"expires": ISSUED - timedelta(seconds=1)},
        {"recipient_email": "not-an-email"},
        {"recipient_email": " learner@example.org"},
    ],
    ids=["naive-issued", "naive-expires", "expires-first", "no-at", "spaces"],
)
def test_hosted_assertion_rejects_bad_arguments(overrides: dict[str, Any]) -> None:
    with pytest.raises(DocumentError):
        _assertion(**overrides)


def test_signed_assertion_verifies_with_joserfc_and_carries_the_exact_json(
    rsa_key: rsa.RSAPrivateKey,
) -> None:
    signer = RsaSigner(rsa_key)
    assertion = _assertion(assertion_id="urn:uuid:4b1c2a47-14ec-4c4a-8a3f-0d35c6f6b4d1")
    token = signed_assertion(assertion, signer, creator=KEY_URL)

    verified = jws.deserialize_compact(
        token, RSAKey.import_key(_public_pem(rsa_key)), algorithms=["RS256"]
    )
    expected = {**assertion, "verification": {"type": "SignedBadge", "creator": KEY_URL}}
    assert verified.headers() == {"alg": "RS256"}
    assert verified.payload == json.dumps(
        expected, ensure_ascii=False, separators=(",", ":")
    ).encode("utf-8")
    assert signer.signed == [token.rsplit(".", 1)[0].encode("ascii")]
    assert assertion["verification"] == {"type": "HostedBadge"}  # the input is not mutated


def test_signed_assertion_keeps_non_ascii_text_as_utf8(rsa_key: rsa.RSAPrivateKey) -> None:
    token = signed_assertion(_assertion(narrative="証明 ✓"), RsaSigner(rsa_key), creator=KEY_URL)
    _, payload = _segments(token)
    assert "証明 ✓".encode() in payload


def test_signed_assertion_replaces_a_legacy_verify_property(rsa_key: rsa.RSAPrivateKey) -> None:
    assertion = _assertion()
    assertion["verify"] = assertion.pop("verification")
    _, payload = _segments(signed_assertion(assertion, RsaSigner(rsa_key), creator=KEY_URL))
    claims = json.loads(payload)
    assert "verify" not in claims
    assert claims["verification"] == {"type": "SignedBadge", "creator": KEY_URL}


def test_tampered_signed_assertion_fails_joserfc_verification(rsa_key: rsa.RSAPrivateKey) -> None:
    token = signed_assertion(_assertion(), RsaSigner(rsa_key), creator=KEY_URL)
    header, _, signature = token.split(".")
    claims = json.loads(_segments(token)[1])
    claims["issuedOn"] = "2030-01-01T00:00:00Z"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    with pytest.raises(BadSignatureError):
        jws.deserialize_compact(
            f"{header}.{forged}.{signature}",
            RSAKey.import_key(_public_pem(rsa_key)),
            algorithms=["RS256"],
        )


def test_es256_signature_verifies_with_joserfc(ec_key: ec.EllipticCurvePrivateKey) -> None:
    token = signed_assertion(_assertion(), EcSigner(ec_key), creator=KEY_URL)
    verified = jws.deserialize_compact(
        token, ECKey.import_key(_public_pem(ec_key)), algorithms=["ES256"]
    )
    assert verified.headers() == {"alg": "ES256"}


def test_es256_signer_returning_der_is_refused(ec_key: ec.EllipticCurvePrivateKey) -> None:
    with pytest.raises(SigningError, match="64 bytes"):
        signed_assertion(_assertion(), EcSigner(ec_key, der=True), creator=KEY_URL)


def test_signing_with_an_algorithm_other_than_rs256_or_es256_is_refused(
    rsa_key: rsa.RSAPrivateKey,
) -> None:
    with pytest.raises(SigningError, match="HS256"):
        signed_assertion(_assertion(), Hs256Signer(rsa_key), creator=KEY_URL)


def test_signing_an_invalid_assertion_is_refused(rsa_key: rsa.RSAPrivateKey) -> None:
    broken = _assertion()
    del broken["recipient"]
    with pytest.raises(DocumentError, match="recipient"):
        signed_assertion(broken, RsaSigner(rsa_key), creator=KEY_URL)


def test_badge_class_embeds_narrative_criteria_and_alignment() -> None:
    document = badge_class(
        badge_id="https://issuer.example/badges/1",
        issuer_id="https://issuer.example/issuer",
        name="Robotics",
        description="Built robots.",
        image="https://issuer.example/badges/1.png",
        criteria_url="https://issuer.example/badges/1/criteria",
        criteria_narrative="Build **two** robots.",
        alignment=[{"targetName": "STEM", "targetUrl": "https://standards.example/stem"}],
        tags=["robots"],
    )
    assert document["criteria"] == {
        "id": "https://issuer.example/badges/1/criteria",
        "narrative": "Build **two** robots.",
    }
    badge = BadgeClass.model_validate(document)
    assert badge.issuer_id == "https://issuer.example/issuer"
    assert document["tags"] == ["robots"]


def test_badge_class_with_only_a_criteria_url_uses_the_iri_form() -> None:
    document = badge_class(
        badge_id="https://issuer.example/badges/1",
        issuer_id="https://issuer.example/issuer",
        name="Robotics",
        description="Built robots.",
        image="https://issuer.example/badges/1.png",
        criteria_url="https://issuer.example/criteria",
    )
    assert document["criteria"] == "https://issuer.example/criteria"
    assert "alignment" not in document


def test_badge_class_needs_criteria() -> None:
    with pytest.raises(DocumentError, match="criteria"):
        badge_class(
            badge_id="https://issuer.example/badges/1",
            issuer_id="https://issuer.example/issuer",
            name="Robotics",
            description="Built robots.",
            image="https://issuer.example/badges/1.png",
        )


def test_badge_class_rejects_an_alignment_without_target_url() -> None:
    with pytest.raises(DocumentError, match="targetUrl"):
        badge_class(
            badge_id="https://issuer.example/badges/1",
            issuer_id="https://issuer.example/issuer",
            name="Robotics",
            description="Built robots.",
            image="https://issuer.example/badges/1.png",
            criteria_url="https://issuer.example/criteria",
            alignment=[{"targetName": "STEM"}],
        )


def test_issuer_profile_lists_keys_revocation_list_and_hosting_policy() -> None:
    document = issuer_profile(
        issuer_id="https://issuer.example/issuer",
        name="Example University",
        url="https://issuer.example",
        email="badges@issuer.example",
        public_keys=[KEY_URL],
        revocation_list="https://issuer.example/revocations",
        allowed_origins=["assertions.issuer.example"],
    )
    profile = Profile.model_validate(document)
    assert profile.public_keys == (KEY_URL,)
    assert document["revocationList"] == "https://issuer.example/revocations"
    assert document["verification"] == {
        "type": "VerificationObject",
        "allowedOrigins": ["assertions.issuer.example"],
    }


def test_issuer_profile_without_keys_or_policy_leaves_them_out() -> None:
    document = issuer_profile(
        issuer_id="https://issuer.example/issuer",
        name="Example University",
        url="https://issuer.example",
        email="badges@issuer.example",
    )
    assert not {"publicKey", "revocationList", "verification"} & set(document)


def test_cryptographic_key_publishes_the_public_pem(rsa_key: rsa.RSAPrivateKey) -> None:
    pem = _public_pem(rsa_key)
    document = cryptographic_key(KEY_URL, "https://issuer.example/issuer", pem)
    assert document == {
        "@context": "https://w3id.org/openbadges/v2",
        "type": "CryptographicKey",
        "id": KEY_URL,
        "owner": "https://issuer.example/issuer",
        "publicKeyPem": pem,
    }


def test_cryptographic_key_refuses_a_private_key(rsa_key: rsa.RSAPrivateKey) -> None:
    private_pem = rsa_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    with pytest.raises(DocumentError, match="private key"):
        cryptographic_key(KEY_URL, "https://issuer.example/issuer", private_pem)


def test_cryptographic_key_refuses_text_that_is_not_a_key() -> None:
    with pytest.raises(DocumentError, match="not an RSA or EC public key"):
        cryptographic_key(KEY_URL, "https://issuer.example/issuer", "-----BEGIN PUBLIC KEY-----")


def test_revocation_list_entries_carry_reasons_when_given() -> None:
    document = revocation_list(
        "https://issuer.example/revocations",
        "https://issuer.example/issuer",
        [("urn:uuid:1", "Issued in error."), ("urn:uuid:2", None)],
    )
    assert document["revokedAssertions"] == [
        {"id": "urn:uuid:1", "revocationReason": "Issued in error."},
        {"id": "urn:uuid:2"},
    ]
    listing = RevocationList.model_validate(document)
    entry = listing.entry_for("urn:uuid:2")
    assert entry is not None and entry.is_revoked
