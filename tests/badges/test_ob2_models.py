"""Tests for the OB 2.0 wire models: the spec's examples parse, input forms, round trips."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from badges.ob2.models import (
    AlignmentObject,
    Assertion,
    BadgeClass,
    Criteria,
    CryptographicKey,
    Endorsement,
    Evidence,
    Image,
    OB2Node,
    Profile,
    RevocationList,
    RevokedAssertion,
)

VECTORS = Path(__file__).resolve().parents[1] / "vectors" / "ob2"
SPEC_EXAMPLES = VECTORS / "spec-examples"
VALIDATOR = VECTORS / "1edtech-validator"

# Each spec example and the model that reads it; a key path picks a nested node.
SPEC_EXAMPLE_MODELS: dict[str, tuple[type[BaseModel], tuple[str, ...]]] = {
    "assertion-hosted.json": (Assertion, ()),
    "badgeclass.json": (BadgeClass, ()),
    "criteria-embedded.json": (Criteria, ("criteria",)),
    "cryptographickey.json": (CryptographicKey, ()),
    "issuer-profile.json": (Profile, ()),
    "revocationlist.json": (RevocationList, ()),
    "revoked-hosted-assertion.json": (RevokedAssertion, ()),
    "signed-assertion.jws-claims.json": (Assertion, ()),
}
ASSET_MODELS: dict[str, type[OB2Node]] = {
    "BadgeClass": BadgeClass,
    "Issuer": Profile,
    "CryptographicKey": CryptographicKey,
    "RevocationList": RevocationList,
}
NOT_OB_DOCUMENTS = {"signed-assertion.jws-header.json"}  # a JOSE header, checked below


def _load(path: Path) -> Any:
    # badgeclass.json and criteria-embedded.json hold raw line breaks inside strings, as
    # in the spec's source; strict=False reads them.
    return json.loads(path.read_text(encoding="utf-8"), strict=False)


def _minimal_assertion(**overrides: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "@context": "https://w3id.org/openbadges/v2",
        "type": "Assertion",
        "id": "https://example.org/a/1",
        "recipient": {"type": "email", "hashed": False, "identity": "a@example.org"},
        "badge": "https://example.org/badge",
        "verification": {"type": "HostedBadge"},
        "issuedOn": "2020-01-01T00:00:00Z",
    }
    document.update(overrides)
    return document


def test_every_spec_example_is_classified() -> None:
    present = {p.name for p in SPEC_EXAMPLES.glob("*.json")}
    assert present == set(SPEC_EXAMPLE_MODELS) | NOT_OB_DOCUMENTS


@pytest.mark.parametrize("name", sorted(SPEC_EXAMPLE_MODELS))
def test_spec_example_parses_as_its_model(name: str) -> None:
    model, path = SPEC_EXAMPLE_MODELS[name]
    node = _load(SPEC_EXAMPLES / name)
    for key in path:
        node = node[key]
    parsed = model.model_validate(node)
    assert model.model_validate(parsed.model_dump(mode="json", by_alias=True)) == parsed


def test_spec_example_jws_header_names_rs256() -> None:
    assert _load(SPEC_EXAMPLES / "signed-assertion.jws-header.json") == {"alg": "RS256"}


def test_strict_json_rejects_the_spec_badgeclass_but_lenient_reading_keeps_the_text() -> None:
    path = SPEC_EXAMPLES / "badgeclass.json"
    with pytest.raises(json.JSONDecodeError):
        json.loads(path.read_text(encoding="utf-8"))
    badge = BadgeClass.model_validate(_load(path))
    assert isinstance(badge.alignment, list)
    assert "carrying out experiments" in (badge.alignment[0].target_description or "")
    assert badge.tags == ["robots", "awesome"]


@pytest.mark.parametrize(
    "name",
    sorted(p.name for p in (VALIDATOR / "assets").glob("*.json") if p.name != "badgecriteria.json"),
)
def test_validator_assets_parse_as_models(name: str) -> None:
    document = _load(VALIDATOR / "assets" / name)
    model = ASSET_MODELS[document["type"]]
    assert model.model_validate(document).to_document() == document


def test_criteria_without_id_parses() -> None:
    criteria = Criteria.model_validate(_load(VALIDATOR / "assets" / "badgecriteria.json"))
    assert criteria.narrative == "Do the important things."
    assert criteria.id is None


def test_verify_is_read_as_verification_and_written_back_as_verification() -> None:
    document = _minimal_assertion()
    document["verify"] = document.pop("verification")
    assertion = Assertion.model_validate(document)
    assert assertion.verification.type == "HostedBadge"
    dumped = assertion.to_document()
    assert "verify" not in dumped
    assert dumped["verification"] == {"type": "HostedBadge"}


def test_type_may_be_a_string_or_an_array() -> None:
    as_array = Assertion.model_validate(_minimal_assertion(type=["Assertion", "Extension"]))
    assert as_array.types == ("Assertion", "Extension")
    assert Assertion.model_validate(_minimal_assertion()).types == ("Assertion",)


def test_assertion_without_assertion_type_is_rejected() -> None:
    with pytest.raises(ValidationError, match="type must include Assertion"):
        Assertion.model_validate(_minimal_assertion(type="BadgeClass"))


def test_unknown_verification_type_is_rejected() -> None:
    with pytest.raises(ValidationError, match="HostedBadge or SignedBadge"):
        Assertion.model_validate(_minimal_assertion(verification={"type": "Mystery"}))


def test_badge_and_issuer_may_be_embedded() -> None:
    badge = {
        "id": "https://example.org/badge",
        "type": "BadgeClass",
        "name": "B",
        "description": "D",
        "image": {"id": "https://example.org/b.png", "caption": "a badge"},
        "criteria": {"narrative": "Do it."},
        "issuer": {"id": "https://example.org/issuer", "type": "Profile", "name": "I"},
        "alignment": {"targetName": "T", "targetUrl": "https://example.org/t"},
    }
    assertion = Assertion.model_validate(_minimal_assertion(badge=badge))
    assert isinstance(assertion.badge, BadgeClass)
    assert assertion.badge_id == "https://example.org/badge"
    assert assertion.badge.issuer_id == "https://example.org/issuer"
    assert isinstance(assertion.badge.image, Image)
    assert isinstance(assertion.badge.alignment, AlignmentObject)


def test_evidence_may_be_single_or_an_array_of_iris_and_objects() -> None:
    single = Assertion.model_validate(_minimal_assertion(evidence="https://example.org/e"))
    assert single.evidence == "https://example.org/e"
    many = Assertion.model_validate(
        _minimal_assertion(evidence=["https://example.org/e", {"narrative": "did it"}])
    )
    assert isinstance(many.evidence, list)
    assert isinstance(many.evidence[1], Evidence)


@pytest.mark.parametrize(
    "issued_on", ["2020-01-01T00:00:00", "2020-01-01", 1577836800, "last tuesday"]
)
def test_issued_on_needs_an_iso_8601_string_with_a_zone(issued_on: object) -> None:
    with pytest.raises(ValidationError):
        Assertion.model_validate(_minimal_assertion(issuedOn=issued_on))


def test_issued_on_with_offset_parses_to_an_aware_datetime() -> None:
    assertion = Assertion.model_validate(_minimal_assertion(issuedOn="2020-01-01T09:00:00+09:00"))
    assert assertion.issued_on == datetime(2020, 1, 1, tzinfo=UTC)


def test_hashed_must_be_a_real_boolean() -> None:
    recipient = {"type": "email", "hashed": "true", "identity": "a@example.org"}
    with pytest.raises(ValidationError):
        Assertion.model_validate(_minimal_assertion(recipient=recipient))


def test_unknown_properties_survive_a_round_trip() -> None:
    extension = {"@context": "https://example.org/ext", "type": "Extension", "level": 3}
    assertion = Assertion.model_validate(_minimal_assertion(**{"extensions:level": extension}))
    assert assertion.to_document()["extensions:level"] == extension


def test_revocation_list_entries_may_be_strings_or_objects_with_id_or_uid() -> None:
    listing = RevocationList.model_validate(_load(SPEC_EXAMPLES / "revocationlist.json"))
    bare = listing.entry_for("urn:uuid:3c574c87-b96f-4f06-8eb5-68a29335b60e")
    assert bare is not None and bare.is_revoked and bare.revocation_reason is None
    with_reason = listing.entry_for("urn:uuid:e79a6c18-787e-4868-8e65-e6a4530fb418")
    assert with_reason is not None and with_reason.revocation_reason == "Honor code violation"
    legacy = listing.entry_for("urn:uuid:unlisted", uid="abc123")
    assert legacy is not None and legacy.revocation_reason == "Issued in error."
    assert listing.entry_for("urn:uuid:unlisted") is None


def test_entry_with_revoked_false_does_not_revoke() -> None:
    entry = RevokedAssertion.model_validate({"id": "urn:uuid:x", "revoked": False})
    assert not entry.is_revoked


def test_revocation_entry_needs_an_id_or_uid() -> None:
    with pytest.raises(ValidationError, match="id or a uid"):
        RevokedAssertion.model_validate({"revocationReason": "why"})


def test_profile_public_keys_reads_a_string_or_a_list() -> None:
    one = Profile.model_validate({"id": "https://i", "type": "Issuer", "publicKey": "https://k"})
    many = Profile.model_validate(
        {"id": "https://i", "type": "Issuer", "publicKey": ["https://k1", "https://k2"]}
    )
    assert one.public_keys == ("https://k",)
    assert many.public_keys == ("https://k1", "https://k2")


def test_profile_may_embed_its_keys() -> None:
    key = {
        "id": "https://i#k",
        "type": "CryptographicKey",
        "publicKeyPem": "PEM",
        "owner": "https://i",
    }
    profile = Profile.model_validate(
        {"id": "https://i", "type": "Issuer", "publicKey": ["https://k", key]}
    )
    assert profile.public_keys == ("https://k", "https://i#k")
    embedded = profile.embedded_key("https://i#k")
    assert embedded is not None and embedded.public_key_pem == "PEM"
    assert profile.embedded_key("https://k") is None


def test_endorsement_parses_with_its_claim() -> None:
    endorsement = Endorsement.model_validate(
        {
            "@context": "https://w3id.org/openbadges/v2",
            "id": "https://example.org/endorsement/1",
            "type": "Endorsement",
            "claim": {"id": "https://example.org/badge", "endorsementComment": "Good."},
            "issuer": "https://example.org/endorser",
            "issuedOn": "2020-01-01T00:00:00Z",
            "verification": {"type": "HostedBadge"},
        }
    )
    assert endorsement.claim["endorsementComment"] == "Good."


def test_models_are_frozen() -> None:
    assertion = Assertion.model_validate(_minimal_assertion())
    with pytest.raises(ValidationError):
        assertion.id = "https://elsewhere"  # type: ignore[misc]


_texts = st.text(st.characters(codec="utf-8"), max_size=30)


@given(
    narrative=_texts,
    salt=_texts,
    evidence=st.lists(st.one_of(_texts, st.builds(lambda n: {"narrative": n}, _texts)), max_size=3),
    issued=st.datetimes(timezones=st.just(UTC)),
    signed=st.booleans(),
)
def test_parse_dump_parse_is_stable(
    narrative: str, salt: str, evidence: list[Any], issued: datetime, signed: bool
) -> None:
    document = _minimal_assertion(
        narrative=narrative,
        recipient={"type": "email", "hashed": True, "salt": salt, "identity": "sha256$00"},
        evidence=evidence,
        issuedOn=issued.isoformat(),
        verify={"type": "signed", "creator": "https://k"} if signed else {"type": "hosted"},
    )
    del document["verification"]
    first = Assertion.model_validate(document)
    second = Assertion.model_validate(first.to_document())
    assert second == first
    assert second.to_document() == first.to_document()
