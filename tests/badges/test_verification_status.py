"""Bitstring Status List checks in verification: revoked, suspended, and "could not check"."""

from __future__ import annotations

from typing import Any

import pytest

from badges import DictFetcher, data_integrity, status_list, verify
from keys import KeySigner, PublishedKey, did_document, generate_key
from tests.support import FIXED_NOW

DID = "did:web:badges.example.jp:issuers:exam"
DID_URL = "https://badges.example.jp/issuers/exam/did.json"
LISTS = {
    "revocation": "https://badges.example.jp/status/exam/revocation",
    "suspension": "https://badges.example.jp/status/exam/suspension",
}
INDEX = 94567
KEY = generate_key("Ed25519")
SIGNER = KeySigner(KEY, f"{DID}#key-1")
CONTEXT = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]


def _list_credential(
    purpose: str, set_bits: tuple[int, ...] = (), *, url: str | None = None, **dates: str
) -> dict[str, Any]:
    bits = status_list.new_bitstring()
    for index in set_bits:
        status_list.set_bit(bits, index, 1)
    url = url or LISTS[purpose]
    unsigned = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": DID,
        "validFrom": "2026-01-01T00:00:00Z",
        **dates,
        "credentialSubject": status_list.status_list_credential_subject(
            subject_id=f"{url}#list", purpose=purpose, bits=bits
        ),
    }
    return data_integrity.sign(unsigned, SIGNER, created=FIXED_NOW)


def _credential() -> dict[str, Any]:
    unsigned = {
        "@context": CONTEXT,
        "id": "urn:uuid:6a4f8a0c-2f63-4a43-8d0e-51a2b2bfb9a1",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": DID, "type": ["Profile"], "name": "試験センター"},
        "validFrom": "2026-06-01T00:00:00Z",
        "name": "生成AI活用検定",
        "credentialSubject": {
            "id": "did:example:passer",
            "type": ["AchievementSubject"],
            "achievement": {
                "id": "https://badges.example.jp/achievements/1",
                "type": ["Achievement"],
                "name": "生成AI活用検定",
                "description": "Generative AI literacy",
                "criteria": {"narrative": "合格"},
            },
        },
        "credentialStatus": {
            "id": f"{LISTS['revocation']}#{INDEX}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(INDEX),
            "statusListCredential": LISTS["revocation"],
        },
    }
    return data_integrity.sign(unsigned, SIGNER, created=FIXED_NOW)


def _world(**lists: dict[str, Any]) -> DictFetcher:
    fetcher = DictFetcher({DID_URL: did_document(DID, [PublishedKey(KEY.public_key(), "key-1")])})
    for purpose, document in lists.items():
        fetcher.add(LISTS[purpose], document)
    return fetcher


def _status(fetcher: DictFetcher) -> tuple[str, str, bool]:
    report = verify(_credential(), fetcher=fetcher, now=FIXED_NOW)
    check = report.check("status.revocation")
    assert check is not None, report.checks
    return check.status, check.message, report.ok


def test_an_unset_bit_passes() -> None:
    status, _, ok = _status(_world(revocation=_list_credential("revocation", (INDEX + 1,))))
    assert status == "passed"
    assert ok is True


def test_a_set_bit_fails_and_says_revoked() -> None:
    status, message, ok = _status(_world(revocation=_list_credential("revocation", (INDEX,))))
    assert status == "failed"
    assert "revoked" in message
    assert ok is False


def test_an_unreachable_list_is_indeterminate() -> None:
    status, message, ok = _status(_world())
    assert status == "indeterminate"
    assert "could not be fetched" in message
    assert ok is False


def test_a_list_whose_proof_fails_is_indeterminate_not_passed() -> None:
    listing = _list_credential("revocation", (INDEX,))
    # someone between issuer and verifier clears the bit: the list's proof no longer holds
    cleared = status_list.encode_bitstring(status_list.new_bitstring())
    assert cleared != listing["credentialSubject"]["encodedList"]
    listing["credentialSubject"]["encodedList"] = cleared
    status, message, ok = _status(_world(revocation=listing))
    assert status == "indeterminate"
    assert "proof" in message
    assert ok is False


def test_a_list_signed_by_a_key_its_issuer_does_not_list_is_indeterminate() -> None:
    stranger = KeySigner(generate_key("Ed25519"), f"{DID}#key-2")
    unsigned = data_integrity.unsecured(_list_credential("revocation"))
    forged = data_integrity.sign(unsigned, stranger, created=FIXED_NOW)
    status, _, ok = _status(_world(revocation=forged))
    assert status == "indeterminate"
    assert ok is False


def test_a_list_of_another_purpose_is_indeterminate() -> None:
    # A genuine, signed suspension list served where the revocation list should be.
    listing = _list_credential("suspension", url=LISTS["revocation"])
    status, message, ok = _status(_world(revocation=listing))
    assert status == "indeterminate"
    assert "the list is for ['suspension'], not 'revocation'" in message
    assert ok is False


@pytest.mark.parametrize(
    ("dates", "reason"),
    [
        ({"validUntil": "2026-06-01T00:00:00Z"}, "expired"),
        ({"validFrom": "2030-01-01T00:00:00Z"}, "valid only from"),
    ],
)
def test_a_list_outside_its_validity_is_indeterminate(dates: dict[str, str], reason: str) -> None:
    """A stale list could be replayed to hide a revocation made since."""
    listing = _list_credential("revocation", **dates)
    status, message, ok = _status(_world(revocation=listing))
    assert status == "indeterminate"
    assert reason in message
    assert ok is False
