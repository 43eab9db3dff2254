"""JSON-LD safe mode: a term no context defines fails a Data Integrity proof, and signing.

https://www.w3.org/TR/vc-data-integrity/#securing-data-losslessly: "Implementations that use
JSON-LD processing [...] MUST throw an error [...] when data is dropped by a JSON-LD processor".
Each tampering below is added after issuance; the signature bytes still match (the dropped term
is not in the canonical form), so only safe mode catches it. The same cases go to
``@digitalbazaar/vc`` in tests/interop/test_oracles_safe_mode.py.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from badges import DictFetcher, JSONObject, data_integrity, vc_jwt, verify
from badges._crypto import decode_multikey
from badges._jsonld import require_lossless
from badges.errors import DataLossError, DocumentError
from keys import KeySigner, generate_key, jwk, jwks
from tests.interop import samples
from tests.support import FIXED_NOW

FOREIGN = Path(__file__).resolve().parents[1] / "vectors_foreign"


def _first_proof(credential: JSONObject) -> JSONObject:
    proof = credential["proof"]
    return proof[0] if isinstance(proof, list) else proof  # type: ignore[no-any-return]


def _add_top_level(credential: JSONObject) -> None:
    credential["grade"] = "A+"


def _add_type(credential: JSONObject) -> None:
    credential["type"] = [*credential["type"], "HonoursCredential"]


def _add_achievement_property(credential: JSONObject) -> None:
    credential["credentialSubject"]["achievement"]["level"] = "expert"


def _add_proof_option(credential: JSONObject) -> None:
    _first_proof(credential)["reviewedBy"] = "https://registrar.example/staff/7"


# name -> (change made after issuance, the term the verdict must name)
TAMPERINGS: dict[str, tuple[Callable[[JSONObject], None], str]] = {
    "top_level_property": (_add_top_level, "grade"),
    "type_value": (_add_type, "HonoursCredential"),
    "achievement_property": (_add_achievement_property, "level"),
    "proof_option": (_add_proof_option, "reviewedBy"),
}


# Signed once: every signing draws a new recipient salt.
_OURS = samples.signed(samples.did_key_signer(samples.ED_KEY))


def ours() -> JSONObject:
    """A genuine Data Integrity badge signed by this library (did:key issuer)."""
    return copy.deepcopy(_OURS)


def theirs() -> JSONObject:
    """A genuine badge signed by ``@digitalbazaar/vc`` (tests/vectors_foreign, did:key)."""
    credential: JSONObject = json.loads((FOREIGN / "a-eddsa-didkey.json").read_text("utf-8"))
    return credential


ORIGINS: dict[str, Callable[[], JSONObject]] = {"ours": ours, "digitalbazaar": theirs}


def tampered(origin: str, tampering: str) -> JSONObject:
    credential = copy.deepcopy(ORIGINS[origin]())
    TAMPERINGS[tampering][0](credential)
    return credential


def _statuses(credential: Any) -> dict[str, str]:
    report = verify(credential, fetcher=DictFetcher(), now=FIXED_NOW)
    return {c.id: c.status for c in report.checks}


@pytest.mark.parametrize("origin", list(ORIGINS))
def test_untouched_badge_passes(origin: str) -> None:
    report = verify(ORIGINS[origin](), fetcher=DictFetcher(), now=FIXED_NOW)
    assert report.ok is True, report.checks
    assert _statuses(ORIGINS[origin]())["document.jsonld"] == "passed"


@pytest.mark.parametrize("tampering", list(TAMPERINGS))
@pytest.mark.parametrize("origin", list(ORIGINS))
def test_undefined_term_added_after_issuance_fails_the_signature_naming_it(
    origin: str, tampering: str
) -> None:
    report = verify(tampered(origin, tampering), fetcher=DictFetcher(), now=FIXED_NOW)
    assert report.ok is False
    signature = report.check("proof.signature")
    assert signature is not None
    assert signature.status == "failed"
    assert repr(TAMPERINGS[tampering][1]) in signature.message
    assert "DATA_LOSS_DETECTION_ERROR" in signature.message


@pytest.mark.parametrize("tampering", list(TAMPERINGS))
def test_the_signature_bytes_alone_would_still_match(tampering: str) -> None:
    """Why safe mode matters: the dropped term leaves the canonical form, so hashData, unchanged."""
    credential = tampered("ours", tampering)
    untouched = ours()
    proof, original_proof = _first_proof(credential), _first_proof(untouched)
    forms = data_integrity.canonical_forms(credential, proof, strict=False)
    original = data_integrity.canonical_forms(untouched, original_proof, strict=False)
    assert forms.hash_data == original.hash_data


def test_verify_signature_raises_data_loss_for_the_document_and_for_the_proof_options() -> None:
    info = decode_multikey(samples.ED_KEY.public_key().multikey())
    document = tampered("ours", "achievement_property")
    with pytest.raises(DataLossError, match="the credential") as caught:
        data_integrity.verify_signature(document, _first_proof(document), info)
    assert caught.value.terms == ("level",)
    options = tampered("ours", "proof_option")
    with pytest.raises(DataLossError, match="the proof options") as caught:
        data_integrity.verify_signature(options, _first_proof(options), info)
    assert caught.value.terms == ("reviewedBy",)


def test_signing_refuses_the_same_terms_with_the_same_check() -> None:
    unsigned = data_integrity.unsecured(ours())
    unsigned["credentialSubject"]["achievement"]["level"] = "expert"
    signer = samples.did_key_signer(samples.ED_KEY)
    with pytest.raises(DataLossError) as signing:
        data_integrity.sign(unsigned, signer, created=FIXED_NOW)
    with pytest.raises(DataLossError) as shared:
        require_lossless(["level"], what=data_integrity.CREDENTIAL)
    assert str(signing.value) == str(shared.value)
    assert isinstance(signing.value, DocumentError)


def test_vc_jwt_keeps_the_dropped_terms_as_a_warning() -> None:
    """A JWS signs the payload's bytes: nothing is unsigned, but JSON-LD consumers lose it."""
    credential = samples.jwt_credential()
    credential["credentialSubject"]["achievement"]["level"] = "expert"
    key = generate_key("P-256")
    kid = f"https://{samples.HOST}/.well-known/jwks.json#es256-1"
    token = vc_jwt.sign(credential, KeySigner(key, kid))
    world = {
        f"https://{samples.HOST}/.well-known/jwks.json": jwks([jwk(key.public_key(), kid=kid)])
    }
    report = verify(token, fetcher=DictFetcher(world), now=FIXED_NOW)
    statuses = {c.id: c.status for c in report.checks}
    assert statuses["document.jsonld"] == "warning"
    assert statuses["proof.signature"] == "passed"
    assert report.ok is True
    jsonld = report.check("document.jsonld")
    assert jsonld is not None
    assert "level" in jsonld.message


def test_a_status_list_with_an_undefined_term_does_not_confirm_the_status() -> None:
    world = samples.web_world()
    status_list = world[samples.LIST_URL]
    status_list["credentialSubject"]["publishedBy"] = "the registrar"
    credential = samples.signed(
        samples.WEB_SIGNER, credential_status=samples.status_entry(samples.LIVE_INDEX)
    )
    report = verify(credential, fetcher=DictFetcher(world), now=FIXED_NOW)
    revocation = report.check("status.revocation")
    assert revocation is not None
    assert revocation.status == "indeterminate"
    assert "publishedBy" in revocation.message
