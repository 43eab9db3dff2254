"""badges.verify takes every form an employer may be handed, and names the format it found."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from badges import DictFetcher, Recipient, baking, data_integrity, verify
from badges.ob3.builder import build_credential
from badges.ob3.models import Achievement, Profile
from keys import KeySigner, did_key, generate_key
from tests.support import FIXED_NOW, VECTORS

OB2 = VECTORS / "ob2" / "1edtech-validator"
OB2_NOW = datetime(2025, 1, 1, tzinfo=UTC)
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect/></svg>'


def _ob2_world() -> DictFetcher:
    fetcher = DictFetcher()
    for path in [*(OB2 / "assets").glob("*.json"), OB2 / "basic-assertion.json"]:
        document = json.loads(path.read_text(encoding="utf-8"))
        if "id" in document:
            fetcher.add(document["id"], document)
    return fetcher


def _own_credential() -> dict[str, Any]:
    key = generate_key("Ed25519")
    did = did_key(key.public_key())
    credential = build_credential(
        credential_id="urn:uuid:2b1f4c1e-8f7e-4b7a-9a57-6d5b8f0e7c11",
        issuer=Profile.from_wire({"id": did, "type": ["Profile"], "name": "試験センター"}),
        achievement=Achievement.from_wire(
            {
                "id": "https://example.org/achievements/engineer",
                "type": ["Achievement"],
                "name": "生成AI活用検定 エンジニア",
                "description": "Generative AI for engineers",
                "criteria": {"narrative": "合格すること"},
            }
        ),
        recipient_email="passer@example.com",
        valid_from=FIXED_NOW,
    )
    signer = KeySigner(key, f"{did}#{did.removeprefix('did:key:')}")
    return data_integrity.sign(credential, signer, created=FIXED_NOW)


@pytest.mark.parametrize("form", ["object", "text", "bytes", "png", "svg"])
def test_an_ob3_credential_verifies_in_every_form(form: str) -> None:
    credential = _own_credential()
    text = json.dumps(credential, ensure_ascii=False)
    data: Any = {
        "object": credential,
        "text": text,
        "bytes": text.encode(),
        "png": baking.bake(
            (VECTORS / "ob2/1edtech-validator/assets/robotics-badge.png").read_bytes(),
            text,
            version="3.0",
        ),
        "svg": baking.bake(SVG, text, version="3.0"),
    }[form]
    report = verify(
        data,
        fetcher=DictFetcher(),
        now=FIXED_NOW,
        recipient=Recipient("email", "passer@example.com"),
    )
    assert report.ok, report.checks
    assert report.format == "ob3-data-integrity"
    assert report.version == "3.0"
    if form in ("png", "svg"):
        assert f"baked {form.upper()}" in report.checks[0].message


def test_an_ob2_signed_assertion_is_detected_and_verified() -> None:
    report = verify((OB2 / "simple.jwt").read_text(), fetcher=_ob2_world(), now=OB2_NOW)
    assert report.format == "ob2-signed"
    assert report.version == "2.0"
    assert {c.id: c.status for c in report.checks}["proof.signature"] == "passed"


def test_an_ob2_baked_png_is_detected_and_verified() -> None:
    image = (OB2 / "simple-badge.png").read_bytes()
    baked = baking.unbake(image)
    assert baked is not None
    fetcher = _ob2_world()
    assertion = json.loads(baked.text)
    fetcher.add(assertion["id"], assertion)  # the issuer hosts what it baked
    report = verify(image, fetcher=fetcher, now=OB2_NOW)
    assert report.format == "ob2-hosted"
    assert {c.id: c.status for c in report.checks}["proof.signature"] == "passed"


def test_an_ob2_assertion_url_is_fetched_and_verified() -> None:
    url = json.loads((OB2 / "basic-assertion.json").read_text())["id"]
    report = verify(url, fetcher=_ob2_world(), now=OB2_NOW)
    assert report.format == "ob2-hosted"
    assert {c.id: c.status for c in report.checks}["proof.signature"] == "passed"


def test_an_unreachable_url_is_indeterminate() -> None:
    report = verify("https://badges.example.org/nowhere", fetcher=DictFetcher(), now=FIXED_NOW)
    assert report.checks[0].status == "indeterminate"
    assert report.ok is False


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("hello there", "Not an Open Badge"),
        ("{not json", "Not valid JSON"),
        ("[1, 2, 3]", "Not an Open Badge"),
        (b"\xc3\x28 garbage", "neither UTF-8"),
        (b"\x89PNG\r\n\x1a\ntruncated", "PNG"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "carries no Open Badge"),
        (b"x" * (11 * 1024 * 1024), "larger than"),
    ],
)
def test_unreadable_input_is_a_failed_parse_check(data: Any, message: str) -> None:
    report = verify(data, fetcher=DictFetcher(), now=FIXED_NOW)
    assert report.ok is False
    assert report.format == "unknown"
    assert report.checks[0].id == "document.parse"
    assert report.checks[0].status == "failed"
    assert message in report.checks[0].message


def test_a_naive_clock_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="time zone"):
        verify({}, fetcher=DictFetcher(), now=datetime(2026, 1, 1))


def test_json_nested_beyond_the_parser_limit_is_a_failed_parse_check() -> None:
    report = verify("[" * 100_000 + "]" * 100_000, fetcher=DictFetcher(), now=FIXED_NOW)
    assert report.checks[0].status == "failed"
    deep_object = '{"a":' * 100_000 + "1" + "}" * 100_000
    report = verify(deep_object, fetcher=DictFetcher(), now=FIXED_NOW)
    assert report.checks[0].status == "failed"
    assert "nested too deeply" in report.checks[0].message


@pytest.mark.parametrize(
    "change",
    [
        lambda c: c.update(type=5),
        lambda c: c.update(type={"a": 1}),
        lambda c: c["proof"].__setitem__("cryptosuite", ["eddsa-rdfc-2022"]),
        lambda c: c.update(credentialStatus={"type": ["BitstringStatusListEntry"]}),
        lambda c: c.update(credentialStatus="https://status.example/1"),
        lambda c: c.update(proof="not a proof"),
        lambda c: c.update(validFrom=12),
        lambda c: c["credentialSubject"].update(
            identifier=[
                {"identityHash": "sha256$é", "hashed": True, "identityType": "emailAddress"}
            ]
        ),
    ],
)
def test_strange_values_are_reported_never_raised(change: Any) -> None:
    credential = _own_credential()
    credential["proof"] = credential["proof"][0]
    change(credential)
    report = verify(
        credential,
        fetcher=DictFetcher(),
        now=FIXED_NOW,
        recipient=Recipient("email", "passer@example.com"),
    )
    assert report.ok is False


def test_a_huge_number_in_json_text_is_a_failed_parse_check() -> None:
    report = verify('{"a": ' + "9" * 5000 + "}", fetcher=DictFetcher(), now=FIXED_NOW)
    assert report.checks[0].status == "failed"


def test_an_overlong_proof_value_is_refused_quickly() -> None:
    import time

    credential = _own_credential()
    credential["proof"][0]["proofValue"] = "z" + "2" * 100_000
    started = time.perf_counter()
    report = verify(credential, fetcher=DictFetcher(), now=FIXED_NOW)
    assert time.perf_counter() - started < 2  # a guard against quadratic decoding, not a benchmark
    assert {c.id: c.status for c in report.checks}["proof.signature"] == "failed"
