"""One e-mail matching rule for OB 2.0 and OB 3.0: the same spelling cases, the same verdicts.

A plaintext address matches regardless of case. A hashed address cannot be normalised after the
fact, so the verifier hashes the address as given, with its domain lower-cased, and wholly
lower-cased (``badges.identity.email_spellings``).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from badges import DictFetcher, JSONObject, Recipient, data_integrity, verify
from badges.identity import email_spellings, hash_identity, recipient_matches
from badges.ob3.builder import build_credential
from tests.badges import test_ob2_verification as ob2
from tests.interop import samples

ISSUED_LOWER = "yuki.ito@example.jp"  # what this service hashes (it lower-cases at issuance)
ISSUED_MIXED = "Yuki.Ito@example.jp"  # what another issuer may hash, exactly as typed

# (spelling the issuer hashed, spelling the verifier is given, issued to that person?)
CASES = [
    (ISSUED_LOWER, "Yuki.Ito@example.jp", True),
    (ISSUED_LOWER, "YUKI.ITO@EXAMPLE.JP", True),
    (ISSUED_LOWER, " yuki.ito@example.jp ", True),
    (ISSUED_MIXED, "Yuki.Ito@example.jp", True),
    (ISSUED_MIXED, "Yuki.Ito@EXAMPLE.JP", True),
    # Only the issuer's capitals reproduce its hash: they cannot be guessed from a lower-case
    # spelling. A verifier given the address as the recipient writes it is matched.
    (ISSUED_MIXED, "yuki.ito@example.jp", False),
    (ISSUED_LOWER, "yuki.itou@example.jp", False),
    (ISSUED_LOWER, "yuki.ito@example.co.jp", False),
]
IDS = [f"{issued}->{given.strip()}" for issued, given, _ in CASES]
OB3_NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def _ob3(email: str) -> JSONObject:
    signer = samples.did_key_signer(samples.ED_KEY)
    credential = build_credential(
        credential_id="urn:uuid:0b5a3f9e-3c4d-4b1a-9e2f-6d7c8a9b0c1d",
        issuer=samples.issuer(signer.key_id.partition("#")[0]),
        achievement=samples.achievement(),
        recipient_email=email,
        valid_from=OB3_NOW - timedelta(days=1),
    )
    return data_integrity.sign(credential, signer, created=OB3_NOW)


def _ob3_verdict(issued: str, given: str) -> str:
    report = verify(
        _ob3(issued), fetcher=DictFetcher(), now=OB3_NOW, recipient=Recipient("email", given)
    )
    check = report.check("recipient.identity")
    assert check is not None
    return check.status


@pytest.fixture(scope="module")
def ob2_keys() -> ob2.Keys:
    return ob2.Keys(
        rsa_key=rsa.generate_private_key(public_exponent=65537, key_size=2048),
        rsa_other=rsa.generate_private_key(public_exponent=65537, key_size=2048),
        ec_key=ec.generate_private_key(ec.SECP256R1()),
    )


def _ob2_verdict(keys: ob2.Keys, issued: str, given: str) -> str:
    assertion = ob2._own_assertion(recipient_email=issued)
    fetcher = ob2._hosted(ob2._world(keys), assertion)
    report = verify(
        assertion["id"], fetcher=fetcher, now=ob2.FIXED_NOW, recipient=Recipient("email", given)
    )
    check = report.check("recipient.identity")
    assert check is not None
    return check.status


@pytest.mark.parametrize(("issued", "given", "matches"), CASES, ids=IDS)
def test_ob3_hashed_email_follows_the_shared_case_rule(
    issued: str, given: str, matches: bool
) -> None:
    assert _ob3_verdict(issued, given) == ("passed" if matches else "failed")


@pytest.mark.parametrize(("issued", "given", "matches"), CASES, ids=IDS)
def test_ob2_hashed_email_follows_the_same_rule(
    issued: str, given: str, matches: bool, ob2_keys: ob2.Keys
) -> None:
    assert _ob2_verdict(ob2_keys, issued, given) == ("passed" if matches else "failed")


def test_the_spellings_tried_are_as_given_domain_lowered_and_lowered() -> None:
    assert email_spellings(" Yuki.Ito@Example.JP ") == (
        "Yuki.Ito@Example.JP",
        "Yuki.Ito@example.jp",
        "yuki.ito@example.jp",
    )
    assert email_spellings("yuki.ito@example.jp") == ("yuki.ito@example.jp",)


@pytest.mark.parametrize("given", ["yuki.ito@example.jp", "YUKI.ITO@example.JP"])
def test_a_plaintext_email_matches_in_any_case(given: str) -> None:
    wanted = Recipient("email", given)
    assert recipient_matches(ISSUED_MIXED, wanted, hashed=False, salt=None)
    assert not recipient_matches("yuki.itou@example.jp", wanted, hashed=False, salt=None)


def test_a_mailto_subject_id_matches_in_any_case() -> None:
    signer = samples.did_key_signer(samples.ED_KEY)
    credential = build_credential(
        credential_id="urn:uuid:0b5a3f9e-3c4d-4b1a-9e2f-6d7c8a9b0c1e",
        issuer=samples.issuer(signer.key_id.partition("#")[0]),
        achievement=samples.achievement(),
        recipient_id=f"mailto:{ISSUED_MIXED}",
        valid_from=OB3_NOW - timedelta(days=1),
    )
    signed = data_integrity.sign(credential, signer, created=OB3_NOW)
    report = verify(
        signed, fetcher=DictFetcher(), now=OB3_NOW, recipient=Recipient("email", ISSUED_LOWER)
    )
    check = report.check("recipient.identity")
    assert check is not None
    assert check.status == "passed"


def test_other_identifiers_still_match_exactly() -> None:
    url = Recipient("url", "https://example.jp/Yuki")
    salted = hash_identity("https://example.jp/Yuki", "s")
    assert recipient_matches(salted, url, hashed=True, salt="s")
    assert not recipient_matches(
        salted, Recipient("url", "https://example.jp/yuki"), hashed=True, salt="s"
    )
