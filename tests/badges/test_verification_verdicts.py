"""The wrong verdicts of issue 8 §1 and the interoperability gaps of §2, each pinned by a case."""

from __future__ import annotations

import copy
from datetime import timedelta
from typing import Any

import pytest

from badges import DictFetcher, FetchError, VerificationReport, data_integrity, vc_jwt, verify
from badges.data_integrity import format_datetime
from keys import KeySigner, did_key, generate_key
from tests.badges import worlds
from tests.support import FIXED_NOW


def _statuses(report: VerificationReport) -> dict[str, str]:
    return {c.id: c.status for c in report.checks}


def _message(report: VerificationReport, check_id: Any) -> str:
    check = report.check(check_id)
    assert check is not None, report.checks
    return check.message


def _signed(**overrides: Any) -> dict[str, Any]:
    return data_integrity.sign(
        worlds.unsigned_credential(**overrides), worlds.ED_SIGNER, created=FIXED_NOW
    )


def _fetcher(listing: dict[str, Any] | str | None = None) -> DictFetcher:
    return DictFetcher(
        {worlds.DID_URL: worlds.did_doc(), worlds.LIST_URL: listing or worlds.signed_list()}
    )


# --- §1.3: within the clock-skew allowance, say so ------------------------------------------


def test_expired_within_the_clock_skew_allowance_is_a_warning_not_passed() -> None:
    until = format_datetime(FIXED_NOW - timedelta(minutes=2))
    report = verify(_signed(validUntil=until), fetcher=_fetcher(), now=FIXED_NOW)
    assert _statuses(report)["validity.window"] == "warning"
    assert "allowance" in _message(report, "validity.window")
    assert report.ok is True


def test_expired_beyond_the_allowance_fails() -> None:
    until = format_datetime(FIXED_NOW - timedelta(minutes=6))
    report = verify(_signed(validUntil=until), fetcher=_fetcher(), now=FIXED_NOW)
    assert _statuses(report)["validity.window"] == "failed"


# --- §1.4: the summary and every check use signed data only -----------------------------------


def test_dates_added_to_a_vcdm2_credential_after_signing_are_not_used() -> None:
    credential = _signed()
    credential["expirationDate"] = "2020-01-01T00:00:00Z"  # unsigned: VCDM 2.0 has no such term
    credential["issuanceDate"] = "2019-01-01T00:00:00Z"
    report = verify(credential, fetcher=_fetcher(), now=FIXED_NOW)
    assert _statuses(report)["validity.window"] != "failed"
    assert "2020" not in _message(report, "validity.window")
    assert report.credential is not None
    assert "expirationDate" not in report.credential
    assert "issuanceDate" not in report.credential


# --- §1.5: OB 2.0 hosted revocation, the same by URL and by JSON ------------------------------


def _revoked_both_ways(answer: dict[str, Any] | FetchError) -> None:
    fetcher = DictFetcher({**worlds.ob2_documents(), worlds.OB2_HOSTED: answer})
    by_url = verify(worlds.OB2_HOSTED, fetcher=fetcher, now=FIXED_NOW)
    by_json = verify(worlds.ob2_hosted(), fetcher=fetcher, now=FIXED_NOW)
    for report in (by_url, by_json):
        assert report.format == "ob2-hosted"
        assert _statuses(report)["status.revocation"] == "failed", report.checks
        assert report.ok is False
    assert _statuses(by_url) == _statuses(by_json)


def test_a_hosted_assertion_answering_410_is_revoked_by_url_and_by_json() -> None:
    _revoked_both_ways(FetchError(f"{worlds.OB2_HOSTED} returned 410 Gone", status=410))


def test_a_hosted_assertion_replaced_by_a_revocation_stub_is_revoked_by_url_and_by_json() -> None:
    _revoked_both_ways(
        {"id": worlds.OB2_HOSTED, "revoked": True, "revocationReason": "Awarded in error."}
    )


# --- §1.6: nothing trusted is shown once the signature fails ---------------------------------


@pytest.mark.parametrize("jwt", [False, True])
def test_a_tampered_credential_shows_no_status(jwt: bool) -> None:
    badge, fetcher = worlds.ob3_world(jwt=jwt)
    if isinstance(badge, str):
        header, _, signature = badge.split(".")
        other = vc_jwt.sign(worlds.unsigned_credential(name="改ざん"), worlds.EC_SIGNER)
        badge = f"{header}.{other.split('.')[1]}.{signature}"
    else:
        badge["name"] = "改ざん"
    report = verify(badge, fetcher=fetcher, now=FIXED_NOW)
    statuses = _statuses(report)
    assert statuses["proof.signature"] == "failed"
    for check_id in ("validity.window", "status", "recipient.identity"):
        assert statuses[check_id] == "skipped"
        assert _message(report, check_id) == "needs proof.signature"


# --- §1.7: a status list fetched from another URL than its id --------------------------------


def test_a_status_list_served_elsewhere_by_the_issuer_passes_with_a_warning() -> None:
    listing = worlds.signed_list(url="https://cdn.example.jp/lists/exam-1")
    report = verify(_signed(), fetcher=_fetcher(listing), now=FIXED_NOW)
    assert _statuses(report)["status.revocation"] == "warning"
    assert "names itself" in _message(report, "status.revocation")
    assert report.ok is True


def test_a_status_list_of_another_issuer_served_elsewhere_is_indeterminate() -> None:
    stranger = generate_key("Ed25519")
    other = did_key(stranger.public_key())
    unsigned = worlds.unsigned_list(url="https://cdn.example.jp/lists/x", issuer=other)
    listing = data_integrity.sign(
        unsigned, KeySigner(stranger, f"{other}#{other[8:]}"), created=FIXED_NOW
    )
    report = verify(_signed(), fetcher=_fetcher(listing), now=FIXED_NOW)
    assert _statuses(report)["status.revocation"] == "indeterminate"


# --- §2.2: status lists secured as VC-JWT -----------------------------------------------------


@pytest.mark.parametrize(("bits", "expected"), [((), "passed"), ((worlds.INDEX,), "failed")])
def test_a_status_list_secured_as_a_vc_jwt_is_read_and_verified(
    bits: tuple[int, ...], expected: str
) -> None:
    listing = vc_jwt.sign(worlds.unsigned_list(bits), worlds.EC_SIGNER)
    report = verify(_signed(), fetcher=_fetcher(listing), now=FIXED_NOW)
    assert _statuses(report)["status.revocation"] == expected, report.checks


def test_a_vc_jwt_status_list_with_a_forged_signature_is_indeterminate() -> None:
    genuine = vc_jwt.sign(worlds.unsigned_list(), worlds.EC_SIGNER)
    forger = KeySigner(generate_key("P-256"), f"{worlds.DID}#key-2")
    forged = vc_jwt.sign(worlds.unsigned_list(), forger)
    assert forged != genuine
    report = verify(_signed(), fetcher=_fetcher(forged), now=FIXED_NOW)
    assert _statuses(report)["status.revocation"] == "indeterminate"
    assert "signature" in _message(report, "status.revocation")


# --- §2.3: embedded endorsements --------------------------------------------------------------

ENDORSER_KEY = generate_key("Ed25519")
ENDORSER = did_key(ENDORSER_KEY.public_key())


def _endorsement(comment: str = "確かな検定です。") -> dict[str, Any]:
    unsigned = {
        "@context": worlds.CONTEXT,
        "id": "urn:uuid:2d1c4f0e-54c3-4d8e-9d6c-1a0b8e2f9c77",
        "type": ["VerifiableCredential", "EndorsementCredential"],
        "issuer": {"id": ENDORSER, "type": ["Profile"], "name": "日本資格評議会"},
        "validFrom": "2026-01-01T00:00:00Z",
        "name": "推薦",
        "credentialSubject": {
            "id": "https://badges.example.jp/achievements/1",
            "type": ["EndorsementSubject"],
            "endorsementComment": comment,
        },
    }
    method = f"{ENDORSER}#{ENDORSER[8:]}"
    return data_integrity.sign(unsigned, KeySigner(ENDORSER_KEY, method), created=FIXED_NOW)


def _with_endorsement(where: str, endorsement: dict[str, Any]) -> dict[str, Any]:
    credential = worlds.unsigned_credential()
    if where == "credential":
        credential["endorsement"] = [endorsement]
    elif where == "achievement":
        credential["credentialSubject"]["achievement"]["endorsement"] = [endorsement]
    else:
        credential["issuer"]["endorsement"] = [endorsement]
    return data_integrity.sign(credential, worlds.ED_SIGNER, created=FIXED_NOW)


@pytest.mark.parametrize("where", ["credential", "achievement", "issuer"])
def test_an_embedded_endorsement_is_verified_and_names_its_endorser(where: str) -> None:
    report = verify(_with_endorsement(where, _endorsement()), fetcher=_fetcher(), now=FIXED_NOW)
    assert _statuses(report)["endorsement"] == "passed", report.checks
    assert "日本資格評議会" in _message(report, "endorsement")
    assert report.ok is True


@pytest.mark.parametrize("where", ["credential", "achievement", "issuer"])
def test_an_endorsement_altered_after_its_endorser_signed_is_flagged_not_fatal(
    where: str,
) -> None:
    altered = copy.deepcopy(_endorsement())
    altered["credentialSubject"]["endorsementComment"] = "最高の検定です。"
    report = verify(_with_endorsement(where, altered), fetcher=_fetcher(), now=FIXED_NOW)
    assert _statuses(report)["endorsement"] == "warning"
    assert "proof.signature" in _message(report, "endorsement")
    assert "日本資格評議会" in _message(report, "endorsement")
    assert report.ok is True  # a bad endorsement says nothing about the badge itself


def test_a_credential_without_endorsements_reports_none() -> None:
    report = verify(_signed(), fetcher=_fetcher(), now=FIXED_NOW)
    assert "endorsement" not in _statuses(report)


# --- §2.5: did:key issuers ---------------------------------------------------------------------


def test_a_did_key_issuer_gets_a_key_ownership_warning_naming_the_organisation() -> None:
    key = generate_key("Ed25519")
    issuer = did_key(key.public_key())
    credential = worlds.unsigned_credential(
        issuer={"id": issuer, "type": ["Profile"], "name": "東京大学"}
    )
    del credential["credentialStatus"]
    signed = data_integrity.sign(
        credential, KeySigner(key, f"{issuer}#{issuer[8:]}"), created=FIXED_NOW
    )
    report = verify(signed, fetcher=DictFetcher(), now=FIXED_NOW)
    assert _statuses(report)["issuer.key_ownership"] == "warning"
    assert "東京大学" in _message(report, "issuer.key_ownership")
    assert report.ok is True


def test_an_endorsement_secured_as_a_vc_jwt_is_verified_too() -> None:
    """In a VC-JWT credential (``endorsementJwt`` is not a term a Data Integrity proof signs)."""
    endorser_key = generate_key("P-256")
    endorser = did_key(endorser_key.public_key())
    unsigned = {k: v for k, v in _endorsement().items() if k != "proof"}
    unsigned["issuer"] = {**unsigned["issuer"], "id": endorser}
    token = vc_jwt.sign(unsigned, KeySigner(endorser_key, f"{endorser}#{endorser[8:]}"))
    good = vc_jwt.sign(worlds.unsigned_credential(endorsementJwt=[token]), worlds.EC_SIGNER)
    report = verify(good, fetcher=_fetcher(), now=FIXED_NOW)
    assert _statuses(report)["endorsement"] == "passed", report.checks
    header, payload, signature = token.split(".")
    forged = f"{header}.{payload}.{signature[:-4]}AAAA"
    bad = vc_jwt.sign(worlds.unsigned_credential(endorsementJwt=[forged, token]), worlds.EC_SIGNER)
    report = verify(bad, fetcher=_fetcher(), now=FIXED_NOW)
    assert [c.status for c in report.checks if c.id == "endorsement"] == ["warning", "passed"]
    assert report.ok is True
