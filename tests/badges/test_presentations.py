"""DID Authentication presentations: the holder's proof, challenge and domain, no I/O."""

from __future__ import annotations

from typing import Any

import pytest

from badges import data_integrity, presentations
from badges.errors import PresentationError
from keys import KeySigner, did_key, generate_key

CHALLENGE = "c-8f2b1d"
DOMAIN = "badges.example.jp"
ED25519_2020 = "https://w3id.org/security/suites/ed25519-2020/v1"
VCDM2 = "https://www.w3.org/ns/credentials/v2"


def _holder() -> tuple[str, KeySigner]:
    key = generate_key("Ed25519")
    did = did_key(key.public_key())
    return did, KeySigner(key, f"{did}#{did.removeprefix('did:key:')}")


def signed_vp(
    *,
    suite: str = "Ed25519Signature2020",
    challenge: str = CHALLENGE,
    domain: str | None = DOMAIN,
    holder: str | None = None,
    signer: KeySigner | None = None,
) -> dict[str, Any]:
    did, own = _holder()
    signer = signer or own
    vp: dict[str, Any] = {
        "@context": [VCDM2, ED25519_2020] if suite == "Ed25519Signature2020" else [VCDM2],
        "type": ["VerifiablePresentation"],
        "holder": holder or did,
    }
    options: dict[str, Any] = {
        "type": suite if suite == "Ed25519Signature2020" else "DataIntegrityProof",
        "created": "2026-12-07T10:00:00Z",
        "verificationMethod": signer.key_id,
        "proofPurpose": "authentication",
        "challenge": challenge,
    }
    if suite != "Ed25519Signature2020":
        options["cryptosuite"] = suite
    if domain is not None:
        options["domain"] = domain
    return data_integrity.add_proof(vp, options, signer)


@pytest.mark.parametrize("suite", ["Ed25519Signature2020", "eddsa-rdfc-2022"])
def test_a_holder_signed_presentation_authenticates_its_holder(suite: str) -> None:
    vp = signed_vp(suite=suite)
    assert presentations.authenticate(vp, challenge=CHALLENGE, domain=DOMAIN) == vp["holder"]


def test_a_presentation_without_domain_passes_only_where_none_is_asked() -> None:
    vp = signed_vp(domain=None)
    assert presentations.authenticate(vp, challenge=CHALLENGE, domain=None) == vp["holder"]
    with pytest.raises(PresentationError) as raised:
        presentations.authenticate(vp, challenge=CHALLENGE, domain=DOMAIN)
    assert raised.value.reason == "domain"


@pytest.mark.parametrize(
    ("vp", "reason"),
    [
        (lambda: signed_vp(challenge="another"), "challenge"),
        (lambda: signed_vp(domain="evil.example"), "domain"),
        (lambda: signed_vp(signer=_holder()[1]), "holder"),
        (lambda: signed_vp(suite="eddsa-2022"), "proof"),
        (
            lambda: {
                **signed_vp(),
                "holder": "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
            },
            "holder",
        ),
        (lambda: {**signed_vp(), "type": ["VerifiableCredential"]}, "malformed"),
        (lambda: {**signed_vp(), "holder": 7}, "malformed"),
        (lambda: {k: v for k, v in signed_vp().items() if k != "proof"}, "proof"),
        (lambda: [], "malformed"),
    ],
)
def test_bad_presentations_are_refused_with_their_reason(vp: Any, reason: str) -> None:
    with pytest.raises(PresentationError) as raised:
        presentations.authenticate(vp(), challenge=CHALLENGE, domain=DOMAIN)
    assert raised.value.reason == reason


def test_a_tampered_presentation_fails_its_signature() -> None:
    vp = signed_vp()
    vp["proof"][0]["created"] = "2026-12-07T10:00:01Z"
    with pytest.raises(PresentationError) as raised:
        presentations.authenticate(vp, challenge=CHALLENGE, domain=DOMAIN)
    assert raised.value.reason == "proof"


def test_a_did_web_holder_is_refused_as_unresolvable_without_any_fetch() -> None:
    web = "did:web:wallet.example"
    key = generate_key("Ed25519")
    vp = signed_vp(holder=web, signer=KeySigner(key, f"{web}#key-1"))
    with pytest.raises(PresentationError) as raised:
        presentations.authenticate(vp, challenge=CHALLENGE, domain=DOMAIN)
    assert raised.value.reason == "unresolvable"
