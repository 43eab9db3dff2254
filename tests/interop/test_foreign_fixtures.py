"""Credentials from other issuers, signed by independent implementations, verify with ours.

The fixtures in tests/vectors_foreign/ were made by tests/interop/js/sign-foreign.mjs (see
SOURCE.md there). Each ``<name>.json`` / ``<name>.jwt`` comes with ``<name>.world.json`` (what
the verifier may fetch) and ``<name>.expected.json`` (our check statuses, and the JavaScript
oracle's verdict).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from badges import DictFetcher, Recipient, verify
from tests.interop import harness
from tests.support import FIXED_NOW

FOREIGN = Path(__file__).resolve().parents[1] / "vectors_foreign"
NAMES = sorted(p.name.removesuffix(".world.json") for p in FOREIGN.glob("*.world.json"))
PRIVATE_MEMBERS = {"d", "p", "q", "dp", "dq", "qi", "secretKeyMultibase", "privateKeyMultibase"}


def _expected(name: str) -> dict[str, Any]:
    expected: dict[str, Any] = json.loads((FOREIGN / f"{name}.expected.json").read_text())
    return expected


def _credential(directory: Path, name: str) -> Any:
    json_path = directory / f"{name}.json"
    if json_path.exists():
        return json.loads(json_path.read_text(encoding="utf-8"))
    return (directory / f"{name}.jwt").read_text(encoding="ascii").strip()


def _world(directory: Path, name: str) -> dict[str, Any]:
    world: dict[str, Any] = json.loads((directory / f"{name}.world.json").read_text())
    return world


ORACLE_NAMES = [n for n in NAMES if _expected(n)["oracle"] is not None]


def test_every_fixture_kind_of_the_brief_is_present() -> None:
    kinds = {name.split("-")[0] for name in NAMES}
    assert kinds >= {"a", "b", "c", "d", "e", "f"}
    assert len([n for n in NAMES if n.startswith("d-")]) == 2


@pytest.mark.parametrize("name", NAMES)
def test_foreign_fixture_gets_its_expected_checks(name: str) -> None:
    expected = _expected(name)
    recipient = expected.get("recipient")
    report = verify(
        _credential(FOREIGN, name),
        fetcher=DictFetcher(_world(FOREIGN, name)),
        now=FIXED_NOW,
        recipient=Recipient(recipient["kind"], recipient["value"]) if recipient else None,
    )
    assert {c.id: c.status for c in report.checks} == expected["checks"], report.checks
    assert report.ok is expected["ok"]
    assert report.format == expected["format"]


def test_the_tampered_fixture_differs_from_the_original_only_in_one_name() -> None:
    original = _credential(FOREIGN, "a-eddsa-didkey")
    tampered = _credential(FOREIGN, "e-eddsa-didkey-tampered")
    assert tampered["proof"] == original["proof"]
    original["credentialSubject"]["achievement"]["name"] = "Data Stewardship Expert"
    assert tampered == original


def test_a_foreign_hashed_email_does_not_match_another_address() -> None:
    report = verify(
        _credential(FOREIGN, "a-eddsa-didkey"),
        fetcher=DictFetcher(),
        now=FIXED_NOW,
        recipient=Recipient("email", "someone.else@example.net"),
    )
    check = report.check("recipient.identity")
    assert check is not None
    assert check.status == "failed"


def test_the_did_web_fixture_fails_without_its_did_document() -> None:
    report = verify(_credential(FOREIGN, "b-eddsa-didweb"), fetcher=DictFetcher(), now=FIXED_NOW)
    assert report.ok is False
    assert {c.id: c.status for c in report.checks}["proof.signature"] != "passed"


def _private_members(value: Any) -> set[str]:
    if isinstance(value, dict):
        found = PRIVATE_MEMBERS & value.keys()
        return found.union(*(_private_members(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(_private_members(v) for v in value))
    return set()


@pytest.mark.parametrize("path", sorted(FOREIGN.glob("*.json")), ids=lambda p: p.name)
def test_no_fixture_file_holds_private_key_material(path: Path) -> None:
    assert _private_members(json.loads(path.read_text(encoding="utf-8"))) == set()


@pytest.fixture(scope="module")
def oracle_verdicts(oracle: None) -> dict[str, dict[str, Any]]:
    requests = [
        harness.di_request(_credential(FOREIGN, n), _world(FOREIGN, n), now=FIXED_NOW)
        for n in ORACLE_NAMES
    ]
    return dict(zip(ORACLE_NAMES, harness.verify_di_many(requests), strict=True))


@pytest.mark.parametrize("name", ORACLE_NAMES)
def test_javascript_oracle_agrees_on_foreign_fixture(
    name: str, oracle_verdicts: dict[str, dict[str, Any]]
) -> None:
    verdict = oracle_verdicts[name]
    assert verdict["verified"] is _expected(name)["oracle"], verdict["errors"]


def test_javascript_oracle_names_the_tampering_and_the_revocation(
    oracle_verdicts: dict[str, dict[str, Any]],
) -> None:
    assert "Invalid signature." in oracle_verdicts["e-eddsa-didkey-tampered"]["errors"]
    revoked = oracle_verdicts["f-eddsa-didweb-revoked"]
    assert revoked["proofs"][0]["verified"] is True
    assert revoked["status"] == [
        {
            "id": "https://badges.other.example/status/1/revocation#17",
            "statusPurpose": "revocation",
            "statusListIndex": "17",
            "set": True,
        }
    ]


def test_freshly_generated_foreign_fixtures_verify_too(oracle: None, tmp_path: Path) -> None:
    """The generator still works, with new keys, and its output still verifies with ours."""
    harness.sign_foreign(tmp_path)
    fresh = sorted(p.name.removesuffix(".world.json") for p in tmp_path.glob("*.world.json"))
    assert fresh == NAMES
    for name in fresh:
        report = verify(
            _credential(tmp_path, name), fetcher=DictFetcher(_world(tmp_path, name)), now=FIXED_NOW
        )
        signature = {c.id: c.status for c in report.checks}["proof.signature"]
        assert signature == _expected(name)["checks"]["proof.signature"], (name, report.checks)
        assert report.ok is _expected(name)["ok"], (name, report.checks)
