"""Round trips and tolerated input forms of the OB 3.0 wire models."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from badges.errors import DocumentError
from badges.ob3.models import (
    Achievement,
    AchievementCredential,
    Criteria,
    EndorsementCredential,
    Image,
    OpenBadgeCredential,
    Profile,
    as_list,
)

VECTORS = Path(__file__).resolve().parents[1] / "vectors"
OB3_FILES = [
    *sorted((VECTORS / "ob3-1edtech-validator").glob("*.json")),
    VECTORS / "ob3-impl-guide-eddsa-rdfc-2022" / "signed-credential.json",
]
JAPANESE = "生成AI活用検定 ジェネラリスト"


def _load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _simple() -> dict[str, Any]:
    return _load(VECTORS / "ob3-1edtech-validator" / "simple.json")


def _achievement(**overrides: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": "https://example.jp/achievements/genai",
        "type": ["Achievement"],
        "name": JAPANESE,
        "description": "生成AIを業務で活用するための基礎知識",
        "criteria": {"narrative": "試験に合格すること"},
    }
    doc.update(overrides)
    return doc


def test_vectors_are_present() -> None:
    assert len(OB3_FILES) >= 10


@pytest.mark.parametrize("path", OB3_FILES, ids=lambda p: p.name)
def test_vector_parses_and_dumps_back_to_the_same_document(path: Path) -> None:
    original = _load(path)
    model_class = (
        EndorsementCredential
        if "EndorsementCredential" in original["type"]
        else OpenBadgeCredential
    )
    model = model_class.from_wire(original)
    assert model.to_wire() == original
    assert model_class.from_json(model.to_json()) == model


def test_vector_json_text_round_trip_keeps_every_value() -> None:
    path = VECTORS / "ob3-1edtech-validator" / "complete.json"
    text = path.read_text(encoding="utf-8")
    assert json.loads(OpenBadgeCredential.from_json(text).to_json()) == json.loads(text)


def test_extension_fields_survive_at_every_level() -> None:
    doc = _simple()
    doc["https://example.org/ns#batch"] = {"id": 7, "note": None}
    doc["issuer"]["ext:region"] = "関東"
    doc["credentialSubject"]["ext:seat"] = 12
    doc["credentialSubject"]["achievement"]["ext:level"] = [1, 2.5, "三"]
    doc["proof"][0]["jws"] = "legacy"
    assert OpenBadgeCredential.from_wire(doc).to_wire() == doc


def test_snake_case_key_stays_an_extension_not_a_known_property() -> None:
    doc = _simple()
    doc["valid_until"] = "2000-01-01T00:00:00Z"
    model = OpenBadgeCredential.from_wire(doc)
    assert model.valid_until is None
    assert model.to_wire()["valid_until"] == "2000-01-01T00:00:00Z"
    assert "validUntil" not in model.to_wire()


def test_numbers_keep_their_json_type() -> None:
    as_int = Achievement.from_wire(_achievement(creditsAvailable=3))
    as_float = Achievement.from_wire(_achievement(creditsAvailable=3.0))
    assert as_int.to_json().endswith('"creditsAvailable":3}')
    assert as_float.to_json().endswith('"creditsAvailable":3.0}')


@pytest.mark.parametrize("value", ["3", True, [3]])
def test_wrong_json_types_are_rejected_not_coerced(value: Any) -> None:
    with pytest.raises(DocumentError, match="creditsAvailable"):
        Achievement.from_wire(_achievement(creditsAvailable=value))


def test_boolean_strings_are_not_coerced_in_identity_objects() -> None:
    doc = _simple()
    doc["credentialSubject"]["identifier"] = [
        {
            "type": "IdentityObject",
            "hashed": "true",
            "identityHash": "sha256$00",
            "identityType": "emailAddress",
        }
    ]
    with pytest.raises(DocumentError, match=r"credentialSubject\.identifier\[0\]\.hashed"):
        OpenBadgeCredential.from_wire(doc)


def test_dates_stay_the_exact_strings_given() -> None:
    doc = _simple()
    doc["validFrom"] = "2010-01-01T09:00:00.000+09:00"
    doc["awardedDate"] = "2009-12-31T23:59:59.5Z"
    model = OpenBadgeCredential.from_wire(doc)
    assert model.valid_from == "2010-01-01T09:00:00.000+09:00"
    assert model.to_wire()["awardedDate"] == "2009-12-31T23:59:59.5Z"


def test_array_order_is_kept() -> None:
    doc = _simple()
    doc["type"] = ["OpenBadgeCredential", "VerifiableCredential"]
    doc["credentialSubject"]["achievement"]["tag"] = ["z", "a", "m"]
    assert OpenBadgeCredential.from_wire(doc).to_wire() == doc


def test_bare_image_string_and_single_type_are_read_and_kept() -> None:
    doc = _achievement(type="Achievement", image="https://example.jp/badge.png")
    model = Achievement.from_wire(doc)
    assert model.image == "https://example.jp/badge.png"
    assert model.type == "Achievement"
    assert model.to_wire() == doc


def test_canonical_form_has_arrays_and_image_objects() -> None:
    doc = _achievement(
        type="Achievement",
        image="https://example.jp/badge.png",
        tag="AI",
        alignment={"type": "Alignment", "targetName": "x", "targetUrl": "https://x"},
        creator={"id": "https://example.jp", "type": "Profile", "image": "https://x/i.png"},
    )
    wire = Achievement.from_wire(doc).canonical().to_wire()
    assert wire["type"] == ["Achievement"]
    assert wire["image"] == {"id": "https://example.jp/badge.png", "type": "Image"}
    assert wire["tag"] == ["AI"]
    assert wire["alignment"] == [
        {"type": ["Alignment"], "targetName": "x", "targetUrl": "https://x"}
    ]
    assert wire["creator"]["type"] == ["Profile"]
    assert wire["creator"]["image"] == {"id": "https://x/i.png", "type": "Image"}


def test_canonical_keeps_single_string_types_of_image_and_identity_objects() -> None:
    image = Image(id="https://x/i.png", type="Image")
    assert image.canonical().to_wire() == {"id": "https://x/i.png", "type": "Image"}


def test_canonical_does_not_touch_signed_endorsements() -> None:
    endorsement = _load(VECTORS / "ob3-1edtech-validator" / "endorsement-valid.json")
    endorsement["credentialSubject"]["type"] = "EndorsementSubject"
    endorsement["proof"] = endorsement["proof"][0]
    achievement = Achievement.from_wire(_achievement(endorsement=endorsement))
    wire = achievement.canonical().to_wire()
    assert wire["endorsement"] == [endorsement]


def test_canonical_returns_the_same_object_when_already_canonical() -> None:
    model = Achievement.from_wire(_achievement())
    assert model.canonical() is model


def test_japanese_text_round_trips_untouched_as_utf8() -> None:
    doc = _simple()
    doc["credentialSubject"]["achievement"]["name"] = JAPANESE
    doc["issuer"]["name"] = "一般社団法人 生成AI活用普及協会"
    text = OpenBadgeCredential.from_wire(doc).to_json()
    assert JAPANESE in text
    assert "\\u" not in text
    assert JAPANESE.encode("utf-8") in text.encode("utf-8")
    again = OpenBadgeCredential.from_json(text.encode("utf-8"))
    assert again.credential_subject.achievement is not None
    assert again.credential_subject.achievement.name == JAPANESE


def test_decomposed_unicode_is_not_normalised() -> None:
    decomposed = "ガ"  # KA + combining voiced mark; NFC would merge them
    model = Achievement.from_wire(_achievement(name=decomposed))
    assert model.to_wire()["name"] == decomposed
    assert json.loads(model.to_json())["name"] == decomposed


def test_achievement_credential_is_the_same_class_as_open_badge_credential() -> None:
    assert AchievementCredential is OpenBadgeCredential


def test_credential_helpers_read_either_form() -> None:
    doc = _simple()
    model = OpenBadgeCredential.from_wire(doc)
    assert model.types == ("VerifiableCredential", "OpenBadgeCredential")
    assert model.issuer_id == "https://example.com/issuers/876543"
    doc["issuer"] = "https://example.com/issuers/876543"
    doc["type"] = "OpenBadgeCredential"
    model = OpenBadgeCredential.from_wire(doc)
    assert model.issuer_id == "https://example.com/issuers/876543"
    assert model.types == ("OpenBadgeCredential",)


def test_as_list_normalises_one_or_many() -> None:
    assert as_list(None) == []
    assert as_list("a") == ["a"]
    assert as_list(["a", "b"]) == ["a", "b"]


def test_models_are_frozen() -> None:
    model = Achievement.from_wire(_achievement())
    with pytest.raises(ValidationError):
        model.name = "changed"  # type: ignore[misc]


def test_python_construction_uses_field_names() -> None:
    profile = Profile(id="https://example.jp", type=["Profile"], given_name="太郎")
    assert profile.to_wire() == {
        "id": "https://example.jp",
        "type": ["Profile"],
        "givenName": "太郎",
    }


def test_missing_required_nested_property_is_a_document_error() -> None:
    doc = _achievement()
    del doc["criteria"]
    with pytest.raises(DocumentError, match="criteria"):
        Achievement.from_wire(doc)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (b'{"id": 1, "id": 2}', "repeats the key"),
        (b'{"creditsAvailable": NaN}', "NaN"),
        (b'{"x": Infinity}', "Infinity"),
        (b"\xff\xfe{}", "not UTF-8"),
        (b"{not json", "not JSON"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    ],
)
def test_from_json_rejects_ambiguous_or_broken_json(text: bytes, problem: str) -> None:
    with pytest.raises(DocumentError, match=problem):
        OpenBadgeCredential.from_json(text)


def test_explicit_nulls_are_left_out_of_the_output() -> None:
    doc = _simple()
    doc["description"] = None
    assert "description" not in OpenBadgeCredential.from_wire(doc).to_wire()


_names = st.text(min_size=0, max_size=40)
_extension_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)


@settings(max_examples=150, deadline=None)
@given(
    name=_names,
    description=_names,
    narrative=_names,
    tags=st.lists(_names, max_size=3),
    credits=st.none() | st.integers() | st.floats(allow_nan=False, allow_infinity=False),
    extension=_extension_values,
)
def test_parse_dump_parse_is_stable_for_generated_achievements(
    name: str,
    description: str,
    narrative: str,
    tags: list[str],
    credits: int | float | None,
    extension: Any,
) -> None:
    doc = _achievement(name=name, description=description, criteria={"narrative": narrative})
    if tags:
        doc["tag"] = tags
    if credits is not None:
        doc["creditsAvailable"] = credits
    if extension is not None:
        doc["https://example.org/ns#extra"] = extension
    first = Achievement.from_wire(doc)
    assert first.to_wire() == doc
    second = Achievement.from_json(first.to_json())
    assert second == first
    assert second.to_wire() == doc
    assert second.name == name


def test_keyword_and_wire_construction_agree() -> None:
    built = Achievement(
        id="https://example.jp/achievements/genai",
        type=["Achievement"],
        name=JAPANESE,
        description="生成AIを業務で活用するための基礎知識",
        criteria=Criteria(narrative="試験に合格すること"),
    )
    assert built == Achievement.from_wire(_achievement())
