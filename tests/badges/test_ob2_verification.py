"""Tests for OB 2.0 verification: golden cases from 1EdTech's validator fixtures and our own
issuing output, plus one test per rule of the pipeline."""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from hypothesis import given, settings
from hypothesis import strategies as st

from badges import baking
from badges.errors import FetchError
from badges.identity import Recipient, hash_identity
from badges.ob2.issuing import (
    badge_class,
    cryptographic_key,
    hosted_assertion,
    issuer_profile,
    revocation_list,
    signed_assertion,
)
from badges.ob2.verification import verify_ob2
from badges.ports import DictFetcher, JSONObject
from badges.report import VerificationReport
from badges.verification import VerifierConfig, verify

HERE = Path(__file__).resolve().parent
VALIDATOR = HERE.parent / "vectors" / "ob2" / "1edtech-validator"
SPEC_EXAMPLES = HERE.parent / "vectors" / "ob2" / "spec-examples"
EXPECTED = HERE / "ob2_fixtures"
FIXED_NOW = datetime(2025, 1, 1, tzinfo=UTC)
NOBODY = Recipient("email", "nobody@example.org")

# Our own issuer world, served by a DictFetcher.
ISSUER = "https://issuer.example/profile"
KEY = "https://issuer.example/keys/1"
BADGE = "https://issuer.example/badges/robotics"
LIST = "https://issuer.example/revocations"
HOSTED_ID = "https://issuer.example/assertions/1"
SIGNED_ID = "urn:uuid:0f1e6c52-8f8d-4a4e-9b55-3a0d3b2f6e11"
LEARNER = "learner@example.org"
# OB 2.0 still accepts md5$ identity hashes; upper-case hex must match too.
MD5_HEX_UPPER = hashlib.md5(b"a@b.org").hexdigest().upper()  # noqa: S324


class RsaSigner:
    """A minimal RS256 signer over a private key held by the test."""

    algorithm = "RS256"
    key_id = KEY

    def __init__(self, key: rsa.RSAPrivateKey) -> None:
        self._key = key

    def sign(self, data: bytes) -> bytes:
        return self._key.sign(data, padding.PKCS1v15(), hashes.SHA256())


class EcSigner:
    """A minimal ES256 signer returning the JOSE r || s form."""

    algorithm = "ES256"
    key_id = KEY

    def __init__(self, key: ec.EllipticCurvePrivateKey) -> None:
        self._key = key

    def sign(self, data: bytes) -> bytes:
        r, s = decode_dss_signature(self._key.sign(data, ec.ECDSA(hashes.SHA256())))
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")


class CountingFetcher(DictFetcher):
    """A DictFetcher that counts requests and can answer 410 Gone."""

    def __init__(self, documents: dict[str, JSONObject], gone: frozenset[str] = frozenset()):
        super().__init__(documents)
        self.requests: list[str] = []
        self._gone = gone

    def get_json(self, url: str) -> JSONObject:
        self.requests.append(url)
        if url in self._gone:
            raise FetchError(f"{url} answered 410 Gone", status=410)
        return super().get_json(url)


@dataclass(frozen=True)
class Keys:
    rsa_key: rsa.RSAPrivateKey
    rsa_other: rsa.RSAPrivateKey
    ec_key: ec.EllipticCurvePrivateKey


@pytest.fixture(scope="module")
def keys() -> Keys:
    return Keys(
        rsa_key=rsa.generate_private_key(public_exponent=65537, key_size=2048),
        rsa_other=rsa.generate_private_key(public_exponent=65537, key_size=2048),
        ec_key=ec.generate_private_key(ec.SECP256R1()),
    )


def _pem(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def _read(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _vector_documents() -> dict[str, JSONObject]:
    """The validator's assets keyed by the id each document names."""
    documents = (_read(p) for p in sorted((VALIDATOR / "assets").glob("*.json")))
    return {d["id"]: d for d in documents if "id" in d}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def _world(
    keys: Keys,
    *,
    revoked: tuple[tuple[str, str | None], ...] | None = None,
    key_pem: str | None = None,
    **profile: Any,
) -> DictFetcher:
    """Documents of our own issuer, built with the issuing module."""
    documents = {
        ISSUER: issuer_profile(
            issuer_id=ISSUER,
            name="Example Institute",
            url="https://issuer.example",
            email="badges@issuer.example",
            public_keys=[KEY],
            revocation_list=LIST if revoked is not None else None,
            **profile,
        ),
        KEY: cryptographic_key(KEY, ISSUER, key_pem or _pem(keys.rsa_key)),
        BADGE: badge_class(
            badge_id=BADGE,
            issuer_id=ISSUER,
            name="Robotics",
            description="Built a robot.",
            image="https://issuer.example/badges/robotics.png",
            criteria_narrative="Build a robot that moves.",
        ),
    }
    if revoked is not None:
        documents[LIST] = revocation_list(LIST, ISSUER, revoked)
    return DictFetcher(documents)


def _own_assertion(assertion_id: str = HOSTED_ID, **overrides: Any) -> JSONObject:
    arguments: dict[str, Any] = {
        "assertion_id": assertion_id,
        "badge_id": BADGE,
        "recipient_email": LEARNER,
        "issued_on": datetime(2024, 6, 1, 9, 0, tzinfo=UTC),
        "expires": datetime(2030, 6, 1, tzinfo=UTC),
    }
    arguments.update(overrides)
    return hosted_assertion(**arguments)


def _hosted(fetcher: DictFetcher, document: JSONObject) -> DictFetcher:
    fetcher.add(document["id"], document)
    return fetcher


def _statuses(report: VerificationReport) -> dict[str, str]:
    return {c.id: c.status for c in report.checks}


def _message(report: VerificationReport, check_id: str) -> str:
    check = report.check(check_id)
    assert check is not None
    return check.message


# --- golden cases: input, fetcher and recipient; expectations in ob2_fixtures/ ----------

Case = tuple[str | JSONObject, DictFetcher, Recipient | None]


def _simple_jwt(keys: Keys) -> Case:
    return (VALIDATOR / "simple.jwt").read_text(), DictFetcher(_vector_documents()), NOBODY


def _simple_jwt_other_recipient(keys: Keys) -> Case:
    token = (VALIDATOR / "simple.jwt").read_text()
    return token, DictFetcher(_vector_documents()), Recipient("email", "somebody@example.org")


def _simple_not_revoked_jwt(keys: Keys) -> Case:
    token = (VALIDATOR / "simple-not-revoked.jwt").read_text()
    return token, DictFetcher(_vector_documents()), NOBODY


def _basic_assertion_hosted(keys: Keys) -> Case:
    document = _read(VALIDATOR / "basic-assertion.json")
    return document, _hosted(DictFetcher(_vector_documents()), document), NOBODY


def _basic_assertion_expired(keys: Keys) -> Case:
    document = _read(VALIDATOR / "basic-assertion-expired.json")
    return document, _hosted(DictFetcher(_vector_documents()), document), None


def _revoked_by_list_signed(keys: Keys) -> Case:
    # No fixture is signed by key3 (the key of the issuer with a non-empty revocation
    # list), so serve a test key at key3's URL and sign the revoked id with it.
    documents = _vector_documents()
    key3 = documents["http://example.org/key3.json"]
    documents[key3["id"]] = {**key3, "publicKeyPem": _pem(keys.rsa_key)}
    assertion = _read(VALIDATOR / "basic-assertion.json")
    assertion["id"] = "https://example.org/beths-robotics-badge-revoked.json"
    assertion["badge"] = "https://example.org/badge-from-organization-with-revocation-list.json"
    token = signed_assertion(assertion, RsaSigner(keys.rsa_key), creator=key3["id"])
    return token, DictFetcher(documents), NOBODY


def _revoked_by_list_hosted(keys: Keys) -> Case:
    assertion = _read(VALIDATOR / "basic-assertion.json")
    assertion["id"] = "https://example.org/beths-robotics-badge-revoked.json"
    assertion["badge"] = "https://example.org/badge-from-organization-with-revocation-list.json"
    return assertion, _hosted(DictFetcher(_vector_documents()), assertion), None


def _revocation_list_unreachable(keys: Keys) -> Case:
    documents = _vector_documents()
    del documents["http://example.org/empty-revocation-list.json"]
    return (VALIDATOR / "simple-not-revoked.jwt").read_text(), DictFetcher(documents), None


def _tampered_payload(keys: Keys) -> Case:
    header, payload, signature = (VALIDATOR / "simple.jwt").read_text().strip().split(".")
    claims = json.loads(_unb64(payload))
    claims["recipient"]["identity"] = hash_identity("mallory@example.org", "deadsea")
    forged = _b64(json.dumps(claims, separators=(",", ":")).encode())
    return f"{header}.{forged}.{signature}", DictFetcher(_vector_documents()), None


def _alg_none(keys: Keys) -> Case:
    _, payload, _ = (VALIDATOR / "simple.jwt").read_text().strip().split(".")
    header = _b64(b'{"alg":"none","typ":"JWT"}')
    return f"{header}.{payload}.", DictFetcher(_vector_documents()), None


def _alg_hs256_with_public_key_as_secret(keys: Keys) -> Case:
    # The classic key-confusion forgery: HMAC keyed with the issuer's public PEM.
    documents = _vector_documents()
    _, payload, _ = (VALIDATOR / "simple.jwt").read_text().strip().split(".")
    header = _b64(b'{"alg":"HS256","typ":"JWT"}')
    secret = documents["http://example.org/key1.json"]["publicKeyPem"].encode()
    mac = hmac.new(secret, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{_b64(mac)}", DictFetcher(documents), None


def _creator_not_in_issuer_public_key(keys: Keys) -> Case:
    rogue = "http://example.org/rogue-key.json"
    documents = _vector_documents()
    documents[rogue] = {
        **documents["http://example.org/key1.json"],
        "id": rogue,
        "publicKeyPem": _pem(keys.rsa_key),
    }
    assertion = _read(VALIDATOR / "basic-assertion.json")
    token = signed_assertion(assertion, RsaSigner(keys.rsa_key), creator=rogue)
    return token, DictFetcher(documents), NOBODY


def _own_hosted(keys: Keys) -> Case:
    document = _own_assertion()
    return document, _hosted(_world(keys, revoked=()), document), Recipient("email", LEARNER)


def _own_signed_rs256(keys: Keys) -> Case:
    token = signed_assertion(_own_assertion(SIGNED_ID), RsaSigner(keys.rsa_key), creator=KEY)
    return token, _world(keys, revoked=()), Recipient("email", LEARNER)


def _own_signed_es256(keys: Keys) -> Case:
    token = signed_assertion(_own_assertion(SIGNED_ID), EcSigner(keys.ec_key), creator=KEY)
    return token, _world(keys, revoked=(), key_pem=_pem(keys.ec_key)), Recipient("email", LEARNER)


def _own_signed_revoked(keys: Keys) -> Case:
    token = signed_assertion(_own_assertion(SIGNED_ID), RsaSigner(keys.rsa_key), creator=KEY)
    fetcher = _world(keys, revoked=((SIGNED_ID, "Issued in error."),))
    return token, fetcher, None


def _hosted_revocation_notice(keys: Keys) -> Case:
    # The spec's revoked-hosted-assertion example, served where the assertion was.
    document = _read(VALIDATOR / "basic-assertion.json")
    fetcher = DictFetcher(_vector_documents())
    fetcher.add(document["id"], _read(SPEC_EXAMPLES / "revoked-hosted-assertion.json"))
    return document, fetcher, None


def _simple_badge_png_differs_from_hosted(keys: Keys) -> Case:
    # 1EdTech's baked sample lacks the evidence that basic-assertion.json, hosted at the
    # same id, has: the hosted copy is verified and the difference is a warning.
    baked = baking.unbake((VALIDATOR / "simple-badge.png").read_bytes())
    assert baked is not None
    hosted = _read(VALIDATOR / "basic-assertion.json")
    return baked.text, _hosted(DictFetcher(_vector_documents()), hosted), NOBODY


def _hosted_gone(keys: Keys) -> Case:
    document = _read(VALIDATOR / "basic-assertion.json")
    return document, CountingFetcher(_vector_documents(), gone=frozenset({document["id"]})), None


GOLDEN: dict[str, Callable[[Keys], Case]] = {
    "simple-jwt": _simple_jwt,
    "simple-jwt-other-recipient": _simple_jwt_other_recipient,
    "simple-not-revoked-jwt": _simple_not_revoked_jwt,
    "basic-assertion-hosted": _basic_assertion_hosted,
    "basic-assertion-expired": _basic_assertion_expired,
    "revoked-by-list-signed": _revoked_by_list_signed,
    "revoked-by-list-hosted": _revoked_by_list_hosted,
    "revocation-list-unreachable": _revocation_list_unreachable,
    "tampered-payload": _tampered_payload,
    "alg-none": _alg_none,
    "alg-hs256-public-key-as-secret": _alg_hs256_with_public_key_as_secret,
    "creator-not-in-issuer-public-key": _creator_not_in_issuer_public_key,
    "own-hosted": _own_hosted,
    "own-signed-rs256": _own_signed_rs256,
    "own-signed-es256": _own_signed_es256,
    "own-signed-revoked": _own_signed_revoked,
    "hosted-revocation-notice": _hosted_revocation_notice,
    "hosted-gone": _hosted_gone,
    "simple-badge-png-differs-from-hosted": _simple_badge_png_differs_from_hosted,
}


def test_every_golden_case_has_an_expected_table() -> None:
    tables = {p.name.removesuffix(".expected.json") for p in EXPECTED.glob("*.expected.json")}
    assert tables == set(GOLDEN)


@pytest.mark.parametrize("case", sorted(GOLDEN))
def test_golden_case(case: str, keys: Keys) -> None:
    expected = _read(EXPECTED / f"{case}.expected.json")
    data, fetcher, recipient = GOLDEN[case](keys)
    report = verify_ob2(data, fetcher=fetcher, now=FIXED_NOW, recipient=recipient)
    # Order matters too: the checks run in the validator's order (JSON keeps key order).
    assert list(_statuses(report).items()) == list(expected["checks"].items())
    assert report.ok is expected["ok"]
    assert report.format == expected["format"]
    assert report.version == "2.0"
    for check_id, fragment in expected.get("messages", {}).items():
        assert fragment in _message(report, check_id)


# --- input forms ------------------------------------------------------------------------


def test_decoded_assertion_is_the_report_credential() -> None:
    report = verify_ob2(
        (VALIDATOR / "simple.jwt").read_text(),
        fetcher=DictFetcher(_vector_documents()),
        now=FIXED_NOW,
    )
    assert report.credential is not None
    assert report.credential["verification"] == {
        "type": "signed",
        "creator": "http://example.org/key1.json",
    }


def test_assertion_url_is_fetched_and_verified() -> None:
    document = _read(VALIDATOR / "basic-assertion.json")
    fetcher = CountingFetcher({**_vector_documents(), document["id"]: document})
    report = verify_ob2(document["id"], fetcher=fetcher, now=FIXED_NOW)
    assert report.ok
    assert report.format == "ob2-hosted"
    assert report.credential == document
    assert fetcher.requests.count(document["id"]) == 1
    assert "is the copy hosted" in _message(report, "proof.signature")
    assert _statuses(report)["hosted.copy"] == "passed"


def test_assertion_json_text_verifies_like_the_object() -> None:
    document = _read(VALIDATOR / "basic-assertion.json")
    fetcher = _hosted(DictFetcher(_vector_documents()), document)
    as_text = verify_ob2(json.dumps(document, indent=2), fetcher=fetcher, now=FIXED_NOW)
    as_object = verify_ob2(document, fetcher=fetcher, now=FIXED_NOW)
    assert _statuses(as_text) == _statuses(as_object)
    assert as_text.checks[1:] == as_object.checks[1:]
    assert as_text.ok


def test_jws_with_surrounding_whitespace_is_read() -> None:
    token = "\n  " + (VALIDATOR / "simple.jwt").read_text() + "\n"
    report = verify_ob2(token, fetcher=DictFetcher(_vector_documents()), now=FIXED_NOW)
    assert report.ok


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ("", "not assertion JSON"),
        ("a badge, honest", "not assertion JSON"),
        ("{", "not valid JSON"),
        ('{"a": [1, 2', "not valid JSON"),
        ("[1, 2]", "not assertion JSON"),
        ('{"x": 1}' + "]" * 3, "not valid JSON"),
        ("eyJhbGciOiJSUzI1NiJ9.!!!.sig", "not assertion JSON"),
        ("e30.eyJ9.sig", "payload is not base64url"),
        ("Zm9v.e30.sig", "header is not base64url"),
        (_b64(b'{"alg":"RS256"}') + "." + _b64(b"[1]") + ".sig", "payload is not"),
    ],
)
def test_unreadable_input_fails_parse_and_skips_the_rest(data: str, fragment: str) -> None:
    report = verify_ob2(data, fetcher=DictFetcher(), now=FIXED_NOW)
    statuses = _statuses(report)
    assert statuses["document.parse"] == "failed"
    assert fragment in _message(report, "document.parse")
    assert all(s == "skipped" for k, s in statuses.items() if k != "document.parse")
    assert not report.ok


def test_deeply_nested_json_is_reported_not_raised() -> None:
    report = verify_ob2(
        '{"a":' * 100_000 + "1" + "}" * 100_000, fetcher=DictFetcher(), now=FIXED_NOW
    )
    assert _statuses(report)["document.parse"] == "failed"


def test_unreachable_assertion_url_is_indeterminate() -> None:
    report = verify_ob2("https://example.org/missing.json", fetcher=DictFetcher(), now=FIXED_NOW)
    assert _statuses(report)["document.parse"] == "indeterminate"
    assert "404" in _message(report, "document.parse")
    assert not report.ok


def test_assertion_url_answering_410_is_revoked() -> None:
    url = "https://example.org/beths-robotics-badge.json"
    fetcher = CountingFetcher({}, gone=frozenset({url}))
    report = verify_ob2(url, fetcher=fetcher, now=FIXED_NOW)
    assert report.format == "ob2-hosted"
    assert _statuses(report)["document.parse"] == "passed"
    assert _statuses(report)["status.revocation"] == "failed"
    assert "410 Gone" in _message(report, "status.revocation")


def test_assertion_url_holding_a_revocation_notice_is_revoked_with_the_reason() -> None:
    notice = _read(SPEC_EXAMPLES / "revoked-hosted-assertion.json")
    report = verify_ob2(notice["id"], fetcher=DictFetcher({notice["id"]: notice}), now=FIXED_NOW)
    assert _statuses(report)["status.revocation"] == "failed"
    assert _statuses(report)["document.shape"] == "skipped"
    assert "three stacked children" in _message(report, "status.revocation")


class StatusFetcher(DictFetcher):
    def __init__(self, status_code: int) -> None:
        super().__init__()
        self._status_code = status_code

    def get_json(self, url: str) -> JSONObject:
        raise FetchError("the server refused", status=self._status_code)


@pytest.mark.parametrize(
    ("status_code", "check_id", "expected"),
    [(410, "status.revocation", "failed"), (503, "document.parse", "indeterminate")],
)
def test_a_status_code_on_the_fetch_error_is_honoured(
    status_code: int, check_id: str, expected: str
) -> None:
    report = verify_ob2(
        "https://example.org/a.json", fetcher=StatusFetcher(status_code), now=FIXED_NOW
    )
    assert _statuses(report)[check_id] == expected


def test_the_openbadgespec_context_url_is_accepted(keys: Keys) -> None:
    document = {**_own_assertion(), "@context": "https://openbadgespec.org/v2/context.json"}
    report = verify_ob2(document, fetcher=_hosted(_world(keys), document), now=FIXED_NOW)
    assert report.ok


def test_verification_type_of_the_wrong_kind_is_reported_not_raised() -> None:
    document = {**_read(VALIDATOR / "basic-assertion.json"), "verification": {"type": [{}]}}
    report = verify_ob2(document, fetcher=DictFetcher(), now=FIXED_NOW)
    assert _statuses(report)["document.shape"] == "failed"


def test_naive_now_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="time-zone aware"):
        verify_ob2({}, fetcher=DictFetcher(), now=datetime(2025, 1, 1))


# --- document.shape ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        (lambda d: d.pop("recipient"), "recipient"),
        (lambda d: d.pop("issuedOn"), "issuedOn"),
        (lambda d: d.update(issuedOn="2016-12-31T23:59:59"), "timezone"),
        (lambda d: d.update(expires="soon"), "expires"),
        (lambda d: d.update(type="Badge"), "type must include Assertion"),
        (lambda d: d.update({"@context": "https://w3id.org/openbadges/v1"}), "@context"),
        (lambda d: d.update(verification={"type": "psychic"}), "HostedBadge or SignedBadge"),
        (lambda d: d.update(id="urn:uuid:1"), "HTTP(S) URL it is served at"),
    ],
)
def test_malformed_assertion_fails_shape(
    change: Callable[[JSONObject], object], fragment: str
) -> None:
    document = _read(VALIDATOR / "basic-assertion.json")
    change(document)
    report = verify_ob2(document, fetcher=DictFetcher(_vector_documents()), now=FIXED_NOW)
    assert _statuses(report)["document.shape"] == "failed"
    assert fragment in _message(report, "document.shape")
    assert _message(report, "badge.fetch") == "needs document.shape"


def test_legacy_verify_property_is_accepted(keys: Keys) -> None:
    document = _own_assertion()
    document["verify"] = document.pop("verification")
    report = verify_ob2(document, fetcher=_hosted(_world(keys), document), now=FIXED_NOW)
    assert report.ok


# --- badge.fetch and issuer.fetch -------------------------------------------------------


def test_missing_badge_is_indeterminate_and_blocks_later_checks() -> None:
    documents = _vector_documents()
    del documents["https://example.org/robotics-badge.json"]
    report = verify_ob2(
        (VALIDATOR / "simple.jwt").read_text(), fetcher=DictFetcher(documents), now=FIXED_NOW
    )
    statuses = _statuses(report)
    assert statuses["badge.fetch"] == "indeterminate"
    assert "404" in _message(report, "badge.fetch")
    for check_id in ("issuer.fetch", "proof.signature", "status.revocation"):
        assert statuses[check_id] == "skipped"
        assert "badge.fetch" in _message(report, check_id)
    assert not report.ok


def test_embedded_badge_is_used_but_the_issuer_is_still_fetched(keys: Keys) -> None:
    fetcher = _world(keys)
    badge = fetcher.get_json(BADGE)
    document = {**_own_assertion(), "badge": {k: v for k, v in badge.items() if k != "@context"}}
    fetcher = CountingFetcher({ISSUER: fetcher.get_json(ISSUER), document["id"]: document})
    report = verify_ob2(document, fetcher=fetcher, now=FIXED_NOW)
    assert report.ok
    assert "embedded" in _message(report, "badge.fetch")
    assert BADGE not in fetcher.requests
    assert ISSUER in fetcher.requests


def test_embedded_issuer_copy_is_not_trusted_for_key_ownership(keys: Keys) -> None:
    # The badge embeds an issuer copy that lists a rogue key; the hosted Profile does not.
    rogue = "https://attacker.example/key"
    fetcher = _world(keys)
    badge = copy.deepcopy(fetcher.get_json(BADGE))
    badge["issuer"] = {**fetcher.get_json(ISSUER), "publicKey": [KEY, rogue]}
    del badge["@context"]
    fetcher.add(rogue, cryptographic_key(rogue, ISSUER, _pem(keys.rsa_other)))
    assertion = {**_own_assertion(SIGNED_ID), "badge": badge}
    token = signed_assertion(assertion, RsaSigner(keys.rsa_other), creator=rogue)
    report = verify_ob2(token, fetcher=fetcher, now=FIXED_NOW)
    assert _statuses(report)["proof.signature"] == "passed"
    assert _statuses(report)["issuer.key_ownership"] == "failed"
    assert not report.ok


def test_badge_served_under_another_id_fails() -> None:
    documents = _vector_documents()
    documents["https://example.org/robotics-badge.json"] = {
        **documents["https://example.org/robotics-badge.json"],
        "id": "https://example.org/another-badge.json",
    }
    report = verify_ob2(
        (VALIDATOR / "simple.jwt").read_text(), fetcher=DictFetcher(documents), now=FIXED_NOW
    )
    assert _statuses(report)["badge.fetch"] == "failed"
    assert "different id" in _message(report, "badge.fetch")


def test_issuer_without_email_fails_issuer_fetch() -> None:
    documents = _vector_documents()
    del documents["https://example.org/organization.json"]["email"]
    report = verify_ob2(
        (VALIDATOR / "simple.jwt").read_text(), fetcher=DictFetcher(documents), now=FIXED_NOW
    )
    assert _statuses(report)["issuer.fetch"] == "failed"
    assert "email" in _message(report, "issuer.fetch")


def test_missing_issuer_is_indeterminate() -> None:
    documents = _vector_documents()
    del documents["https://example.org/organization.json"]
    report = verify_ob2(
        (VALIDATOR / "simple.jwt").read_text(), fetcher=DictFetcher(documents), now=FIXED_NOW
    )
    assert _statuses(report)["issuer.fetch"] == "indeterminate"
    assert not report.ok


# --- loops and the fetch budget ---------------------------------------------------------


def test_assertion_whose_badge_is_itself_is_a_loop_not_a_hang() -> None:
    url = "https://example.org/loop.json"
    document = {**_read(VALIDATOR / "basic-assertion.json"), "id": url, "badge": url}
    fetcher = CountingFetcher({url: document})
    report = verify_ob2(url, fetcher=fetcher, now=FIXED_NOW)
    assert _statuses(report)["badge.fetch"] == "failed"
    assert "loop" in _message(report, "badge.fetch")
    assert fetcher.requests == [url]


def test_badge_whose_issuer_is_the_assertion_is_a_loop() -> None:
    url = "https://example.org/beths-robotics-badge.json"
    documents = _vector_documents()
    documents["https://example.org/robotics-badge.json"]["issuer"] = url
    document = _read(VALIDATOR / "basic-assertion.json")
    documents[url] = document
    report = verify_ob2(url, fetcher=DictFetcher(documents), now=FIXED_NOW)
    assert _statuses(report)["issuer.fetch"] == "failed"
    assert "loop" in _message(report, "issuer.fetch")


def test_fetches_stay_within_the_budget_however_many_keys_the_issuer_lists(keys: Keys) -> None:
    fetcher = _world(keys)
    keys_listed = [f"https://issuer.example/keys/{n}" for n in range(2, 60)]
    profile = {**fetcher.get_json(ISSUER), "publicKey": keys_listed}
    counting = CountingFetcher({ISSUER: profile, BADGE: fetcher.get_json(BADGE)})
    assertion = _own_assertion(SIGNED_ID)
    token = signed_assertion(assertion, RsaSigner(keys.rsa_key), creator=KEY)
    claims = json.loads(_unb64(token.split(".")[1]))
    del claims["verification"]["creator"]
    without_creator = f"{token.split('.')[0]}.{_b64(json.dumps(claims).encode())}.x"
    report = verify_ob2(without_creator, fetcher=counting, now=FIXED_NOW)
    assert len(counting.requests) <= VerifierConfig().max_fetches
    assert _statuses(report)["proof.signature"] == "indeterminate"
    assert "only the first" in _message(report, "proof.signature")


# --- proof.signature and issuer.key_ownership -------------------------------------------


def test_without_creator_the_issuers_keys_are_tried_in_turn(keys: Keys) -> None:
    other = "https://issuer.example/keys/0"
    fetcher = _world(keys)
    profile = {**fetcher.get_json(ISSUER), "publicKey": [other, KEY]}
    fetcher.add(ISSUER, profile)
    fetcher.add(other, cryptographic_key(other, ISSUER, _pem(keys.rsa_other)))
    token = signed_assertion(_own_assertion(SIGNED_ID), RsaSigner(keys.rsa_key), creator=KEY)
    header, payload, signature = token.split(".")
    claims = json.loads(_unb64(payload))
    del claims["verification"]["creator"]
    # Re-sign without creator: the signature must cover the payload as published.
    payload = _b64(json.dumps(claims, separators=(",", ":")).encode())
    signature = _b64(RsaSigner(keys.rsa_key).sign(f"{header}.{payload}".encode()))
    report = verify_ob2(f"{header}.{payload}.{signature}", fetcher=fetcher, now=FIXED_NOW)
    assert report.ok
    assert KEY in _message(report, "proof.signature")
    assert _statuses(report)["issuer.key_ownership"] == "passed"


def test_key_owned_by_someone_else_fails_ownership(keys: Keys) -> None:
    fetcher = _world(keys)
    fetcher.add(KEY, cryptographic_key(KEY, "https://attacker.example/profile", _pem(keys.rsa_key)))
    token = signed_assertion(_own_assertion(SIGNED_ID), RsaSigner(keys.rsa_key), creator=KEY)
    report = verify_ob2(token, fetcher=fetcher, now=FIXED_NOW)
    assert _statuses(report)["issuer.key_ownership"] == "failed"
    assert "attacker.example" in _message(report, "issuer.key_ownership")


def test_key_without_owner_is_a_warning(keys: Keys) -> None:
    fetcher = _world(keys)
    key_doc = {k: v for k, v in fetcher.get_json(KEY).items() if k != "owner"}
    fetcher.add(KEY, key_doc)
    token = signed_assertion(_own_assertion(SIGNED_ID), RsaSigner(keys.rsa_key), creator=KEY)
    report = verify_ob2(token, fetcher=fetcher, now=FIXED_NOW)
    assert _statuses(report)["issuer.key_ownership"] == "warning"
    assert report.ok


def test_signature_by_another_key_fails(keys: Keys) -> None:
    token = signed_assertion(_own_assertion(SIGNED_ID), RsaSigner(keys.rsa_other), creator=KEY)
    report = verify_ob2(token, fetcher=_world(keys), now=FIXED_NOW)
    assert _statuses(report)["proof.signature"] == "failed"
    assert "does not verify" in _message(report, "proof.signature")


def test_es256_token_against_an_rsa_key_fails(keys: Keys) -> None:
    token = signed_assertion(_own_assertion(SIGNED_ID), EcSigner(keys.ec_key), creator=KEY)
    report = verify_ob2(token, fetcher=_world(keys), now=FIXED_NOW)
    assert _statuses(report)["proof.signature"] == "failed"
    assert "ES256-capable" in _message(report, "proof.signature")


def test_unreachable_key_is_indeterminate(keys: Keys) -> None:
    fetcher = _world(keys)
    token = signed_assertion(_own_assertion(SIGNED_ID), RsaSigner(keys.rsa_key), creator=KEY)
    documents = {url: fetcher.get_json(url) for url in (ISSUER, BADGE)}
    report = verify_ob2(token, fetcher=DictFetcher(documents), now=FIXED_NOW)
    assert _statuses(report)["proof.signature"] == "indeterminate"
    assert _statuses(report)["issuer.key_ownership"] == "indeterminate"
    assert not report.ok


def test_signed_assertion_json_without_its_jws_fails_proof(keys: Keys) -> None:
    token = signed_assertion(_own_assertion(SIGNED_ID), RsaSigner(keys.rsa_key), creator=KEY)
    claims = json.loads(_unb64(token.split(".")[1]))
    report = verify_ob2(claims, fetcher=_world(keys), now=FIXED_NOW)
    assert report.format == "ob2-signed"
    assert _statuses(report)["proof.signature"] == "failed"
    assert "from its JWS" in _message(report, "proof.signature")


def test_jws_whose_payload_declares_hosted_verification_fails(keys: Keys) -> None:
    header = _b64(b'{"alg":"RS256"}')
    payload = _b64(json.dumps(_own_assertion()).encode())
    signature = _b64(RsaSigner(keys.rsa_key).sign(f"{header}.{payload}".encode()))
    report = verify_ob2(f"{header}.{payload}.{signature}", fetcher=_world(keys), now=FIXED_NOW)
    assert _statuses(report)["proof.signature"] == "failed"
    assert "hosted verification" in _message(report, "proof.signature")


def test_jws_with_crit_header_is_refused(keys: Keys) -> None:
    header = _b64(b'{"alg":"RS256","b64":false,"crit":["b64"]}')
    payload = _b64(
        json.dumps(
            {**_own_assertion(SIGNED_ID), "verification": {"type": "SignedBadge", "creator": KEY}}
        ).encode()
    )
    signature = _b64(RsaSigner(keys.rsa_key).sign(f"{header}.{payload}".encode()))
    report = verify_ob2(f"{header}.{payload}.{signature}", fetcher=_world(keys), now=FIXED_NOW)
    assert _statuses(report)["proof.signature"] == "failed"
    assert "crit" in _message(report, "proof.signature")


def test_key_embedded_in_the_issuer_profile_is_used_without_a_fetch(keys: Keys) -> None:
    embedded_id = f"{ISSUER}#key-1"
    fetcher = _world(keys)
    embedded = {k: v for k, v in fetcher.get_json(KEY).items() if k != "@context"}
    profile = {**fetcher.get_json(ISSUER), "publicKey": [{**embedded, "id": embedded_id}]}
    counting = CountingFetcher({ISSUER: profile, BADGE: fetcher.get_json(BADGE)})
    token = signed_assertion(
        _own_assertion(SIGNED_ID), RsaSigner(keys.rsa_key), creator=embedded_id
    )
    report = verify_ob2(token, fetcher=counting, now=FIXED_NOW)
    assert report.ok
    assert embedded_id not in counting.requests


@settings(max_examples=100, deadline=None)
@given(signature=st.text(alphabet="ABCDEFabcdef0123456789-_", max_size=400))
def test_malformed_signatures_fail_without_raising(signature: str) -> None:
    header, payload, _ = (VALIDATOR / "simple.jwt").read_text().strip().split(".")
    report = verify_ob2(
        f"{header}.{payload}.{signature}", fetcher=DictFetcher(_vector_documents()), now=FIXED_NOW
    )
    assert _statuses(report)["proof.signature"] == "failed"


# --- hosted verification and hosted.scope -----------------------------------------------


def test_given_copy_that_differs_is_judged_as_the_issuers_copy_with_a_warning() -> None:
    document = _read(VALIDATOR / "basic-assertion.json")
    fetcher = CountingFetcher({**_vector_documents(), document["id"]: document})
    amended = {**document, "issuedOn": "2015-01-01T00:00:00Z", "expires": "2020-01-01T00:00:00Z"}
    report = verify_ob2(amended, fetcher=fetcher, now=FIXED_NOW)
    assert report.ok
    assert _statuses(report)["proof.signature"] == "passed"
    assert _statuses(report)["hosted.copy"] == "warning"
    assert _message(report, "hosted.copy") == (
        "the badge you were given differs from the issuer's current copy in: expires, "
        "issuedOn; showing the issuer's copy"
    )
    # The issuer's copy, not the one given, is judged and reported.
    assert report.credential == document
    assert _message(report, "validity.window") == "issued on 2016-12-31T23:59:59+00:00; no expiry"
    assert "verifying the issuer's copy" in _message(report, "document.parse")
    assert fetcher.requests.count(document["id"]) == 1


def test_given_copy_naming_another_recipient_is_judged_on_the_issuers_copy() -> None:
    document = _read(VALIDATOR / "basic-assertion.json")
    fetcher = _hosted(DictFetcher(_vector_documents()), document)
    claimed = copy.deepcopy(document)
    claimed["recipient"]["identity"] = hash_identity("mallory@example.org", "deadsea")
    mallory = Recipient("email", "mallory@example.org")
    report = verify_ob2(claimed, fetcher=fetcher, now=FIXED_NOW, recipient=mallory)
    assert _statuses(report)["hosted.copy"] == "warning"
    assert "in: recipient;" in _message(report, "hosted.copy")
    assert _statuses(report)["recipient.identity"] == "failed"
    assert not report.ok


def test_baked_png_differing_from_the_hosted_copy_verifies_with_a_warning() -> None:
    hosted = _read(VALIDATOR / "basic-assertion.json")
    fetcher = _hosted(DictFetcher(_vector_documents()), hosted)
    image = (VALIDATOR / "simple-badge.png").read_bytes()
    report = verify(image, fetcher=fetcher, now=FIXED_NOW, recipient=NOBODY)
    assert report.format == "ob2-hosted"
    assert report.ok
    assert report.credential == hosted
    check = report.check("hosted.copy")
    assert check is not None
    assert check.status == "warning"
    assert check.message == (
        "the badge you were given differs from the issuer's current copy in: evidence; "
        "showing the issuer's copy"
    )


def test_hosted_copy_marked_revoked_fails_even_when_the_given_copy_is_not() -> None:
    document = _read(VALIDATOR / "basic-assertion.json")
    revoked = {**document, "revoked": True, "revocationReason": "Awarded in error."}
    fetcher = _hosted(DictFetcher(_vector_documents()), revoked)
    report = verify_ob2(document, fetcher=fetcher, now=FIXED_NOW)
    assert _statuses(report)["status.revocation"] == "failed"
    assert _message(report, "status.revocation") == "revoked: Awarded in error."
    assert "in: revocationReason, revoked;" in _message(report, "hosted.copy")
    assert not report.ok


def test_hosted_copy_naming_another_id_fails_proof() -> None:
    document = _read(VALIDATOR / "basic-assertion.json")
    fetcher = DictFetcher(_vector_documents())
    fetcher.add(document["id"], {**document, "id": "https://example.org/another.json"})
    report = verify_ob2(document, fetcher=fetcher, now=FIXED_NOW)
    assert _statuses(report)["proof.signature"] == "failed"
    assert "names a different id" in _message(report, "proof.signature")
    assert _statuses(report)["hosted.copy"] == "skipped"
    assert report.credential == document
    assert not report.ok


def test_url_whose_document_names_another_id_is_verified_from_that_id() -> None:
    document = _read(VALIDATOR / "basic-assertion.json")
    mirror = "https://mirror.example/beths-robotics-badge.json"
    fetcher = CountingFetcher({**_vector_documents(), mirror: document, document["id"]: document})
    report = verify_ob2(mirror, fetcher=fetcher, now=FIXED_NOW)
    assert report.ok
    assert fetcher.requests[:2] == [mirror, document["id"]]
    assert _statuses(report)["hosted.copy"] == "passed"


def test_unreachable_hosted_copy_is_indeterminate_never_passed() -> None:
    document = _read(VALIDATOR / "basic-assertion.json")
    report = verify_ob2(document, fetcher=DictFetcher(_vector_documents()), now=FIXED_NOW)
    statuses = _statuses(report)
    assert statuses["proof.signature"] == "indeterminate"
    assert statuses["hosted.copy"] == "skipped"
    assert statuses["status.revocation"] == "indeterminate"
    assert report.credential == document
    assert not report.ok


def test_assertion_hosted_off_the_issuers_host_fails_scope(keys: Keys) -> None:
    document = _own_assertion("https://elsewhere.example/assertions/1")
    report = verify_ob2(document, fetcher=_hosted(_world(keys), document), now=FIXED_NOW)
    assert _statuses(report)["hosted.scope"] == "failed"
    assert "issuer.example" in _message(report, "hosted.scope")


def test_allowed_origins_lets_another_host_serve_assertions(keys: Keys) -> None:
    document = _own_assertion("https://cdn.example/assertions/1")
    fetcher = _world(keys, allowed_origins=["cdn.example"])
    report = verify_ob2(document, fetcher=_hosted(fetcher, document), now=FIXED_NOW)
    assert _statuses(report)["hosted.scope"] == "passed"


def test_starts_with_policy_rejects_other_paths(keys: Keys) -> None:
    document = _own_assertion("https://issuer.example/other/1")
    fetcher = _world(keys, starts_with=["https://issuer.example/assertions/"])
    report = verify_ob2(document, fetcher=_hosted(fetcher, document), now=FIXED_NOW)
    assert _statuses(report)["hosted.scope"] == "failed"
    assert "starts with none" in _message(report, "hosted.scope")


# --- status.revocation ------------------------------------------------------------------


def test_revoked_string_entry_without_reason_fails(keys: Keys) -> None:
    documents = _vector_documents()
    key3 = documents["http://example.org/key3.json"]
    documents[key3["id"]] = {**key3, "publicKeyPem": _pem(keys.rsa_key)}
    assertion = _read(VALIDATOR / "basic-assertion.json")
    assertion["id"] = "urn:uuid:6deb4a00-ebce-4b28-8cc2-afa705ef7be4"
    assertion["badge"] = "https://example.org/badge-from-organization-with-revocation-list.json"
    token = signed_assertion(assertion, RsaSigner(keys.rsa_key), creator=key3["id"])
    report = verify_ob2(token, fetcher=DictFetcher(documents), now=FIXED_NOW)
    assert _statuses(report)["status.revocation"] == "failed"
    assert _message(report, "status.revocation") == "revoked: no reason given"


def test_legacy_uid_in_the_list_revokes(keys: Keys) -> None:
    fetcher = _world(keys, revoked=())
    fetcher.add(LIST, {**fetcher.get_json(LIST), "revokedAssertions": [{"uid": "abc123"}]})
    assertion = {**_own_assertion(SIGNED_ID), "uid": "abc123"}
    token = signed_assertion(assertion, RsaSigner(keys.rsa_key), creator=KEY)
    report = verify_ob2(token, fetcher=fetcher, now=FIXED_NOW)
    assert _statuses(report)["status.revocation"] == "failed"


def test_entry_marked_not_revoked_passes(keys: Keys) -> None:
    fetcher = _world(keys, revoked=())
    entries = [{"id": SIGNED_ID, "revoked": False}]
    fetcher.add(LIST, {**fetcher.get_json(LIST), "revokedAssertions": entries})
    token = signed_assertion(_own_assertion(SIGNED_ID), RsaSigner(keys.rsa_key), creator=KEY)
    report = verify_ob2(token, fetcher=fetcher, now=FIXED_NOW)
    assert _statuses(report)["status.revocation"] == "passed"


def test_unreadable_revocation_list_is_indeterminate(keys: Keys) -> None:
    fetcher = _world(keys, revoked=())
    fetcher.add(LIST, {"type": "RevocationList", "revokedAssertions": "everything"})
    token = signed_assertion(_own_assertion(SIGNED_ID), RsaSigner(keys.rsa_key), creator=KEY)
    report = verify_ob2(token, fetcher=fetcher, now=FIXED_NOW)
    assert _statuses(report)["status.revocation"] == "indeterminate"
    assert not report.ok


def test_assertion_marked_revoked_in_its_own_body_fails(keys: Keys) -> None:
    assertion = {**_own_assertion(SIGNED_ID), "revoked": True, "revocationReason": "Withdrawn."}
    token = signed_assertion(assertion, RsaSigner(keys.rsa_key), creator=KEY)
    report = verify_ob2(token, fetcher=_world(keys), now=FIXED_NOW)
    assert _message(report, "status.revocation") == "revoked: Withdrawn."


# --- validity.window --------------------------------------------------------------------


def test_assertion_issued_in_the_future_fails(keys: Keys) -> None:
    document = _own_assertion(issued_on=FIXED_NOW + timedelta(hours=1), expires=None)
    report = verify_ob2(document, fetcher=_hosted(_world(keys), document), now=FIXED_NOW)
    assert _statuses(report)["validity.window"] == "failed"
    assert "future" in _message(report, "validity.window")


def test_small_clock_skew_is_tolerated_with_a_warning(keys: Keys) -> None:
    document = _own_assertion(issued_on=FIXED_NOW + timedelta(minutes=4), expires=None)
    report = verify_ob2(document, fetcher=_hosted(_world(keys), document), now=FIXED_NOW)
    assert _statuses(report)["validity.window"] == "warning"
    assert "allowance" in _message(report, "validity.window")
    assert report.ok


def test_expires_before_issued_on_fails(keys: Keys) -> None:
    document = {**_own_assertion(), "expires": "2024-01-01T00:00:00Z"}
    report = verify_ob2(document, fetcher=_hosted(_world(keys), document), now=FIXED_NOW)
    assert _statuses(report)["validity.window"] == "failed"
    assert "before issuedOn" in _message(report, "validity.window")


def test_expired_message_names_the_date() -> None:
    document = _read(VALIDATOR / "basic-assertion-expired.json")
    fetcher = _hosted(DictFetcher(_vector_documents()), document)
    report = verify_ob2(document, fetcher=fetcher, now=FIXED_NOW)
    assert _message(report, "validity.window") == "expired on 2022-11-15T23:59:59+00:00"


# --- recipient.identity -----------------------------------------------------------------


def _with_recipient(keys: Keys, recipient: JSONObject, who: Recipient) -> VerificationReport:
    document = {**_own_assertion(), "recipient": recipient}
    return verify_ob2(
        document, fetcher=_hosted(_world(keys), document), now=FIXED_NOW, recipient=who
    )


@pytest.mark.parametrize(
    ("recipient", "who"),
    [
        (
            {
                "type": "email",
                "hashed": True,
                "identity": "md5$" + MD5_HEX_UPPER,
            },
            Recipient("email", "a@b.org"),
        ),
        (
            {
                "type": "email",
                "hashed": True,
                "salt": "s",
                "identity": hash_identity("a@b.org", "s"),
            },
            Recipient("email", "A@B.org"),
        ),
        (
            {"type": "email", "hashed": False, "identity": "A@b.org"},
            Recipient("email", "a@B.ORG"),
        ),
        (
            {"type": "url", "hashed": True, "identity": hash_identity("https://me.example", None)},
            Recipient("url", "https://me.example"),
        ),
        (
            {"type": "telephone", "hashed": False, "identity": "+15551234567"},
            Recipient("telephone", "+15551234567"),
        ),
    ],
    ids=["md5-unsalted-upper-hex", "sha256-salted-email-case", "plain-email", "url", "telephone"],
)
def test_recipient_forms_that_match(keys: Keys, recipient: JSONObject, who: Recipient) -> None:
    report = _with_recipient(keys, recipient, who)
    assert _statuses(report)["recipient.identity"] == "passed"


@pytest.mark.parametrize(
    ("recipient", "who", "fragment"),
    [
        (
            {"type": "email", "hashed": True, "identity": hash_identity("a@b.org", None)},
            Recipient("telephone", "a@b.org"),
            "by email, not telephone",
        ),
        (
            {"type": "url", "hashed": False, "identity": "https://me.example"},
            Recipient("url", "https://ME.example"),
            "does not match",
        ),
        (
            {"type": "email", "hashed": True, "identity": "sha1$abcdef"},
            Recipient("email", "a@b.org"),
            "does not match",
        ),
    ],
)
def test_recipient_mismatches_fail(
    keys: Keys, recipient: JSONObject, who: Recipient, fragment: str
) -> None:
    report = _with_recipient(keys, recipient, who)
    assert _statuses(report)["recipient.identity"] == "failed"
    assert fragment in _message(report, "recipient.identity")


def test_recipient_messages_do_not_reveal_the_identifier(keys: Keys) -> None:
    data, fetcher, _ = _own_hosted(keys)
    who = Recipient("email", "secret@example.org")
    report = verify_ob2(data, fetcher=fetcher, now=FIXED_NOW, recipient=who)
    assert _statuses(report)["recipient.identity"] == "failed"
    assert all("secret@example.org" not in c.message for c in report.checks)


# --- never raises -----------------------------------------------------------------------

_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=20,
)
_assertion_keys = st.sampled_from(
    [
        "@context",
        "type",
        "id",
        "recipient",
        "badge",
        "verification",
        "verify",
        "issuedOn",
        "expires",
        "revoked",
        "evidence",
        "image",
    ]
)


@settings(max_examples=150, deadline=None)
@given(
    base=st.just(_read(VALIDATOR / "basic-assertion.json")),
    changes=st.dictionaries(_assertion_keys, _json_values, max_size=4),
)
def test_arbitrary_assertion_mutations_never_raise(base: JSONObject, changes: JSONObject) -> None:
    document = {**base, **changes}
    fetcher = _hosted(DictFetcher(_vector_documents()), base)
    report = verify_ob2(document, fetcher=fetcher, now=FIXED_NOW)
    assert len(report.checks) == 12
    if report.ok:
        assert all(c.status != "indeterminate" for c in report.checks)


@settings(max_examples=150, deadline=None)
@given(text=st.text(max_size=200))
def test_arbitrary_text_never_raises(text: str) -> None:
    report = verify_ob2(text, fetcher=DictFetcher(), now=FIXED_NOW)
    assert report.checks[0].id == "document.parse"
    assert not report.ok
