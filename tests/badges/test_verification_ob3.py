"""Golden tests: 1EdTech's OB 3.0 fixtures give the outcomes in tests/vectors/INDEX.md.

Where a fixture's key is named only by a URL fragment, the test serves the controller document
that lists it; without that document the key's owner is unknown, and the answer is
indeterminate (shown too).
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from badges import DictFetcher, Recipient, data_integrity, verify
from badges.baking import unbake
from keys import KeySigner, generate_key
from tests.support import FIXED_NOW, VECTORS

FIXTURES = VECTORS / "ob3-1edtech-validator"
P, F, W, S, UNKNOWN = "passed", "failed", "warning", "skipped", "indeterminate"
COMMON = ("document.parse", "document.context", "document.type", "document.jsonld", "schema")

# fixture -> expected statuses of the checks that matter (the others must be as in COMMON=P).
EXPECTED: dict[str, dict[str, str]] = {
    "simple.json": {"proof.signature": P, "issuer.key_ownership": P, "validity.window": P},
    "complete.json": {
        "proof.signature": P,
        "issuer.key_ownership": P,
        "validity.window": P,
        "status.revocation": P,
    },
    "endorsement-valid.json": {"proof.signature": P, "issuer.key_ownership": P},
    "simple-did-web-method.json": {"schema": W, "proof.signature": P, "issuer.key_ownership": P},
    "simple-eddsa-2022.json": {"proof.signature": P, "issuer.key_ownership": P},
    "simple_v1.json": {"proof.signature": P, "issuer.key_ownership": P},
    # A bare did:key signs for an issuer it has nothing to do with.
    "simple-did-key-method.json": {"proof.signature": P, "issuer.key_ownership": F},
    "simple-err-expired.json": {"proof.signature": P, "validity.window": F},
    "simple-err-issued.json": {"schema": F, "proof.signature": P, "validity.window": F},
    "simple-err-proof-value.json": {"proof.signature": F, "issuer.key_ownership": S},
    "simple-err-type.json": {"document.type": F, "proof.signature": S},
    "simple-err-context.json": {"document.context": F, "proof.signature": S},
    "simple-noproof.json": {"schema": F, "proof.signature": F},
    "simple-json.png": {"proof.signature": P, "issuer.key_ownership": P},
    "simple-jwt.png": {"proof.signature": P, "jwt.claims": P, "issuer.key_ownership": P},
    "simple.jwt": {"jwt.header": F, "proof.signature": S},
}
VALID = {
    "simple.json",
    "complete.json",
    "endorsement-valid.json",
    "simple-did-web-method.json",
    "simple-eddsa-2022.json",
    "simple_v1.json",
    "simple-json.png",
    "simple-jwt.png",
}


def _document(name: str) -> Any:
    data = (FIXTURES / name).read_bytes()
    if name.endswith(".png"):
        baked = unbake(data)
        assert baked is not None
        text = baked.text
        return json.loads(text) if text.startswith("{") else text
    return json.loads(data) if name.endswith(".json") else data.decode()


def _controller(method_id: str) -> tuple[str, dict[str, Any]]:
    """The controller document an HTTPS issuer would publish for a fragment-Multikey method."""
    controller, _, multikey = method_id.partition("#")
    method = {
        "id": method_id,
        "type": "Multikey",
        "controller": controller,
        "publicKeyMultibase": multikey,
    }
    return controller, {
        "id": controller,
        "verificationMethod": [method],
        "assertionMethod": [method_id],
    }


def _world(name: str) -> DictFetcher:
    """What the fixture's issuer would publish."""
    fetcher = DictFetcher()
    document = _document(name)
    if isinstance(document, str):  # the JWT: its issuer publishes the embedded key
        from badges import vc_jwt

        token = vc_jwt.decode(document)
        issuer = token.credential["issuer"]["id"]
        host = issuer.split("/")[2]
        fetcher.add(f"https://{host}/.well-known/jwks.json", {"keys": [token.header.get("jwk")]})
        return fetcher
    proofs = document.get("proof", [])
    for proof in proofs if isinstance(proofs, list) else [proofs]:
        method_id = proof["verificationMethod"]
        if method_id.startswith("https://"):
            fetcher.add(*_controller(method_id))
    status = document.get("credentialStatus")
    if isinstance(status, dict) and status.get("type") == "1EdTechRevocationList":
        fetcher.add(status["id"], {"id": status["id"], "revokedCredential": []})
    return fetcher


def _statuses(report: Any) -> dict[str, str]:
    return {c.id: c.status for c in report.checks}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_gives_the_published_outcome(name: str) -> None:
    report = verify(_document(name), fetcher=_world(name), now=FIXED_NOW)
    statuses = _statuses(report)
    expected = EXPECTED[name]
    for check_id, status in expected.items():
        assert statuses.get(check_id) == status, (check_id, report.checks)
    for check_id in COMMON:
        if check_id not in expected and check_id in statuses and S not in expected.values():
            assert statuses[check_id] == P, (check_id, report.checks)
    assert report.ok is (name in VALID)


def test_every_fixture_is_covered() -> None:
    on_disk = {p.name for p in FIXTURES.iterdir() if p.suffix in (".json", ".png", ".jwt")}
    assert on_disk - {"complete_v1.json"} == set(EXPECTED)


def test_a_fragment_key_without_its_controller_document_is_indeterminate() -> None:
    report = verify(_document("simple.json"), fetcher=DictFetcher(), now=FIXED_NOW)
    statuses = _statuses(report)
    assert statuses["proof.signature"] == P  # the fragment names the key that signed
    assert statuses["issuer.key_ownership"] == UNKNOWN  # ... but nothing says whose key it is
    assert report.ok is False


def test_a_controller_document_that_does_not_list_the_key_fails_ownership() -> None:
    document = _document("simple.json")
    method_id = document["proof"][0]["verificationMethod"]
    controller, published = _controller(method_id)
    published["assertionMethod"] = []
    report = verify(document, fetcher=DictFetcher({controller: published}), now=FIXED_NOW)
    assert _statuses(report)["issuer.key_ownership"] == F


def test_someone_else_signing_for_a_url_issuer_is_caught() -> None:
    """A Multikey in a fragment under the issuer's URL proves nothing: the issuer must list it."""
    honest = _document("simple.json")
    issuer = honest["issuer"]["id"]
    forger = generate_key("Ed25519")
    method_id = f"{issuer}#{forger.public_key().multikey()}"
    forged = data_integrity.sign(
        data_integrity.unsecured(honest), KeySigner(forger, method_id), created=FIXED_NOW
    )
    controller, published = _controller(honest["proof"][0]["verificationMethod"])

    listed = verify(forged, fetcher=DictFetcher({controller: published}), now=FIXED_NOW)
    assert _statuses(listed)["proof.signature"] == P  # the forger's key did sign it
    assert _statuses(listed)["issuer.key_ownership"] == F  # but the issuer does not list it
    assert listed.ok is False

    unknown = verify(forged, fetcher=DictFetcher(), now=FIXED_NOW)
    assert _statuses(unknown)["issuer.key_ownership"] == UNKNOWN
    assert unknown.ok is False


def test_revoked_on_the_1edtech_revocation_list_fails_with_the_reason() -> None:
    document = _document("complete.json")
    fetcher = _world("complete.json")
    url = document["credentialStatus"]["id"]
    fetcher.add(
        url,
        {"id": url, "revokedCredential": [{"id": document["id"], "revocationReason": "不正受験"}]},
    )
    report = verify(document, fetcher=fetcher, now=FIXED_NOW)
    check = report.check("status.revocation")
    assert check is not None and check.status == F
    assert "不正受験" in check.message
    assert report.ok is False


def test_an_unreachable_revocation_list_is_indeterminate_not_passed() -> None:
    document = _document("complete.json")
    fetcher = _world("complete.json")
    fetcher._documents.pop(document["credentialStatus"]["id"])
    report = verify(document, fetcher=fetcher, now=FIXED_NOW)
    assert _statuses(report)["status.revocation"] == UNKNOWN
    assert report.ok is False


@pytest.mark.parametrize("path", [("name",), ("credentialSubject", "achievement", "name")])
def test_a_changed_fixture_fails_its_proof(path: tuple[str, ...]) -> None:
    document = copy.deepcopy(_document("simple.json"))
    node = document
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] += " (edited)"
    report = verify(document, fetcher=_world("simple.json"), now=FIXED_NOW)
    assert _statuses(report)["proof.signature"] == F


def test_recipient_check_uses_the_subject_id() -> None:
    document = _document("simple.json")
    subject_id = document["credentialSubject"]["id"]
    ok = verify(
        document,
        fetcher=_world("simple.json"),
        now=FIXED_NOW,
        recipient=Recipient("url", subject_id),
    )
    assert _statuses(ok)["recipient.identity"] == P
    other = verify(
        document,
        fetcher=_world("simple.json"),
        now=FIXED_NOW,
        recipient=Recipient("url", "did:example:someone-else"),
    )
    assert _statuses(other)["recipient.identity"] == F
    assert other.ok is False


def _forged_by_a_document_claiming_the_issuer(method_id: str) -> tuple[dict[str, Any], Any]:
    """A forger signs for the issuer with a key in its own document that names the issuer."""
    honest = _document("simple.json")
    forger = generate_key("Ed25519")
    forged = data_integrity.sign(
        data_integrity.unsecured(honest), KeySigner(forger, method_id), created=FIXED_NOW
    )
    base = method_id.partition("#")[0]
    claimed = {
        "id": base,
        "verificationMethod": [
            {
                "id": method_id,
                "type": "Multikey",
                "controller": honest["issuer"]["id"],  # the lie
                "publicKeyMultibase": forger.public_key().multikey(),
            }
        ],
        "assertionMethod": [method_id],
    }
    return forged, claimed


@pytest.mark.parametrize(
    ("method_id", "document_url"),
    [
        ("https://evil.example/keys#k", "https://evil.example/keys"),
        ("did:web:evil.example#k", "https://evil.example/.well-known/did.json"),
    ],
)
def test_a_document_claiming_the_issuer_as_controller_proves_nothing(
    method_id: str, document_url: str
) -> None:
    forged, claimed = _forged_by_a_document_claiming_the_issuer(method_id)
    if method_id.startswith("did:"):
        claimed["id"] = "did:web:evil.example"
    honest_controller, honest_document = _controller(
        _document("simple.json")["proof"][0]["verificationMethod"]
    )
    fetcher = DictFetcher({document_url: claimed, honest_controller: honest_document})
    report = verify(forged, fetcher=fetcher, now=FIXED_NOW)
    assert _statuses(report)["proof.signature"] == P
    assert _statuses(report)["issuer.key_ownership"] == F
    assert report.ok is False
    # Without the issuer's own document, it stays unconfirmed.
    report = verify(forged, fetcher=DictFetcher({document_url: claimed}), now=FIXED_NOW)
    assert _statuses(report)["issuer.key_ownership"] == UNKNOWN
    assert report.ok is False


def test_a_jwt_key_from_a_document_claiming_the_issuer_proves_nothing() -> None:
    from badges import vc_jwt

    honest = data_integrity.unsecured(_document("simple.json"))
    forger = generate_key("P-256")
    method_id = "did:web:evil.example#k"
    token = vc_jwt.sign(honest, KeySigner(forger, method_id))
    claimed = {
        "id": "did:web:evil.example",
        "verificationMethod": [
            {
                "id": method_id,
                "type": "Multikey",
                "controller": honest["issuer"]["id"],
                "publicKeyMultibase": forger.public_key().multikey(),
            }
        ],
        "assertionMethod": [method_id],
    }
    fetcher = DictFetcher(
        {
            "https://evil.example/.well-known/did.json": claimed,
            "https://example.com/.well-known/jwks.json": {"keys": []},
        }
    )
    report = verify(token, fetcher=fetcher, now=FIXED_NOW)
    assert _statuses(report)["proof.signature"] == P
    assert _statuses(report)["issuer.key_ownership"] == F
    assert report.ok is False
