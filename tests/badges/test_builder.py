"""The builder of unsigned OB 3.0 credentials: canonical output that passes the schema."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from badges._jsonld import undefined_terms
from badges.errors import DocumentError
from badges.ob3.builder import build_credential, format_datetime_stamp
from badges.ob3.models import (
    Achievement,
    Criteria,
    Evidence,
    Image,
    OpenBadgeCredential,
    Profile,
    Result,
)
from badges.schema import validate_credential

JST = timezone(timedelta(hours=9))
NAME_JA = "生成AI活用検定 ジェネラリスト"
DESCRIPTION_JA = "生成AIを業務で安全に活用するための知識を証明します。"
ISSUER_JA = "一般社団法人 生成AI活用普及協会"
EMAIL = "taro.yamada@example.jp"


def make_issuer(**overrides: Any) -> Profile:
    fields: dict[str, Any] = {
        "id": "https://badges.example.jp/issuers/1",
        "type": ["Profile"],
        "name": ISSUER_JA,
    }
    fields.update(overrides)
    return Profile(**fields)


def make_achievement(**overrides: Any) -> Achievement:
    fields: dict[str, Any] = {
        "id": "https://badges.example.jp/achievements/genai-generalist",
        "type": ["Achievement"],
        "name": NAME_JA,
        "description": DESCRIPTION_JA,
        "criteria": Criteria(narrative="認定試験に合格すること。"),
        "achievement_type": "Certificate",
    }
    fields.update(overrides)
    return Achievement(**fields)


def build(**overrides: Any) -> dict[str, Any]:
    arguments: dict[str, Any] = {
        "credential_id": "urn:uuid:3f1c2a4e-9b7d-4c8e-8f6a-1d2e3c4b5a69",
        "issuer": make_issuer(),
        "achievement": make_achievement(),
        "recipient_email": EMAIL,
        "valid_from": datetime(2026, 11, 30, 21, 0, tzinfo=JST),
    }
    arguments.update(overrides)
    return build_credential(**arguments)


def test_email_recipient_gets_a_salted_sha256_identity_object() -> None:
    doc = build()
    (identity,) = doc["credentialSubject"]["identifier"]
    salt = identity["salt"]
    expected = hashlib.sha256((EMAIL + salt).encode("utf-8")).hexdigest()
    assert identity == {
        "type": "IdentityObject",
        "hashed": True,
        "identityHash": "sha256$" + expected,
        "identityType": "emailAddress",
        "salt": salt,
    }
    assert len(bytes.fromhex(salt)) * 8 >= 128
    assert "id" not in doc["credentialSubject"]
    assert EMAIL not in json.dumps(doc)


def test_each_credential_gets_a_fresh_salt() -> None:
    first = build()["credentialSubject"]["identifier"][0]
    second = build()["credentialSubject"]["identifier"][0]
    assert first["salt"] != second["salt"]
    assert first["identityHash"] != second["identityHash"]


def test_a_given_salt_is_used() -> None:
    (identity,) = build(recipient_email="a@example.com", salt="Kosher")["credentialSubject"][
        "identifier"
    ]
    # The OB 3.0 spec's own IdentityHash example.
    assert identity["identityHash"] == (
        "sha256$b5809d8a92f8858436d7e6b87c12ebc0ae1eac4baecc2c0b913aee2c922ef399"
    )
    assert identity["salt"] == "Kosher"


def test_output_passes_the_official_schema_and_reads_as_a_credential() -> None:
    doc = build()
    assert validate_credential(doc) == []
    model = OpenBadgeCredential.from_wire(doc)
    assert model.to_wire() == doc


def test_context_type_and_credential_schema_are_canonical() -> None:
    doc = build()
    assert doc["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json",
    ]
    assert doc["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert doc["credentialSchema"] == [
        {
            "id": "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/"
            "ob_v3p0_achievementcredential_schema.json",
            "type": "1EdTechJsonSchemaValidator2019",
        }
    ]
    assert doc["credentialSubject"]["type"] == ["AchievementSubject"]
    assert "proof" not in doc


def test_japanese_text_is_written_untouched() -> None:
    doc = build(name=NAME_JA, description=DESCRIPTION_JA)
    achievement = doc["credentialSubject"]["achievement"]
    assert achievement["name"] == NAME_JA
    assert achievement["description"] == DESCRIPTION_JA
    assert doc["issuer"]["name"] == ISSUER_JA
    assert doc["name"] == NAME_JA
    text = OpenBadgeCredential.from_wire(doc).to_json()
    assert NAME_JA.encode("utf-8") in text.encode("utf-8")
    assert "\\u" not in text


def test_dates_are_utc_stamps_without_microseconds() -> None:
    doc = build(
        valid_from=datetime(2026, 11, 30, 21, 0, 0, 987654, tzinfo=JST),
        valid_until=datetime(2029, 11, 30, 12, 0, tzinfo=UTC),
        awarded_date=datetime(2026, 11, 1, 9, 30, tzinfo=JST),
    )
    assert doc["validFrom"] == "2026-11-30T12:00:00Z"
    assert doc["validUntil"] == "2029-11-30T12:00:00Z"
    assert doc["awardedDate"] == "2026-11-01T00:30:00Z"


def test_format_datetime_stamp_pads_early_years() -> None:
    assert format_datetime_stamp(datetime(999, 1, 2, 3, 4, 5, tzinfo=UTC)) == (
        "0999-01-02T03:04:05Z"
    )


@pytest.mark.parametrize("field", ["valid_from", "valid_until", "awarded_date"])
def test_naive_datetimes_are_rejected(field: str) -> None:
    with pytest.raises(DocumentError, match=f"{field} must be timezone-aware"):
        build(**{field: datetime(2026, 11, 30, 12, 0)})


def test_valid_until_before_valid_from_is_rejected() -> None:
    with pytest.raises(DocumentError, match=r"validUntil .* is earlier than validFrom"):
        build(valid_until=datetime(2026, 11, 30, 11, 59, tzinfo=UTC))


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x08", "\x0b", "\x0c", "\x0e", "\x1f", "\x7f"])
def test_control_characters_are_rejected_naming_the_field(char: str) -> None:
    with pytest.raises(DocumentError) as caught:
        build(achievement=make_achievement(name=f"検定{char}名"))
    message = str(caught.value)
    assert "credentialSubject.achievement.name" in message
    assert f"U+{ord(char):04X}" in message


def test_control_characters_in_nested_lists_and_keys_are_rejected() -> None:
    with pytest.raises(DocumentError, match=r"evidence\[1\]\.narrative contains"):
        build(
            evidence=[
                Evidence(type=["Evidence"], narrative="ok"),
                Evidence(type=["Evidence"], narrative="bad\x1b[0m"),
            ]
        )
    with pytest.raises(DocumentError, match=r"issuer\.ext:a\\x01b contains .* in its name"):
        build(issuer=make_issuer(**{"ext:a\x01b": "value"}))


def test_tab_newline_and_carriage_return_are_allowed() -> None:
    narrative = "一行目\n\t二行目\r\n"
    doc = build(achievement=make_achievement(criteria=Criteria(narrative=narrative)))
    assert doc["credentialSubject"]["achievement"]["criteria"]["narrative"] == narrative


def test_invalid_achievement_type_is_rejected() -> None:
    with pytest.raises(DocumentError, match="achievementType must be one of"):
        build(achievement=make_achievement(achievement_type="Qualification"))


def test_extension_achievement_type_is_accepted() -> None:
    doc = build(achievement=make_achievement(achievement_type="ext:NationalExam"))
    assert doc["credentialSubject"]["achievement"]["achievementType"] == "ext:NationalExam"


def test_a_recipient_is_required() -> None:
    with pytest.raises(DocumentError, match="needs a recipient"):
        build(recipient_email=None)


def test_recipient_id_becomes_the_subject_id() -> None:
    doc = build(recipient_email=None, recipient_id="did:example:ebfeb1f712ebc6f1c276e12ec21")
    assert doc["credentialSubject"]["id"] == "did:example:ebfeb1f712ebc6f1c276e12ec21"
    assert "identifier" not in doc["credentialSubject"]
    both = build(recipient_id="did:example:ebfeb1f712ebc6f1c276e12ec21")
    assert {"id", "identifier"} <= set(both["credentialSubject"])


def test_recipient_name_is_an_unhashed_name_identifier() -> None:
    doc = build(recipient_name="山田 太郎")
    subject = doc["credentialSubject"]
    assert "name" not in subject
    email, name = subject["identifier"]
    assert email["identityType"] == "emailAddress" and email["hashed"] is True
    assert name == {
        "type": "IdentityObject",
        "hashed": False,
        "identityHash": "山田 太郎",
        "identityType": "name",
    }
    assert undefined_terms(doc) == []


def test_a_name_alone_is_no_recipient() -> None:
    with pytest.raises(DocumentError, match="needs a recipient"):
        build(recipient_email=None, recipient_name="山田 太郎")
    with pytest.raises(DocumentError, match="recipient_name is empty"):
        build(recipient_name=" ")


def test_without_a_name_only_the_email_identifier_is_written() -> None:
    doc = build()
    assert [i["identityType"] for i in doc["credentialSubject"]["identifier"]] == ["emailAddress"]


@pytest.mark.parametrize(
    ("field", "value"),
    [("credential_id", "3f1c2a4e-9b7d"), ("credential_id", ""), ("recipient_id", "taro")],
)
def test_ids_must_be_absolute_uris(field: str, value: str) -> None:
    with pytest.raises(DocumentError, match=f"{field} must be an absolute URI"):
        build(**{field: value})


@pytest.mark.parametrize(("field", "value"), [("recipient_email", ""), ("salt", "")])
def test_empty_email_or_salt_is_rejected(field: str, value: str) -> None:
    with pytest.raises(DocumentError, match="empty"):
        build(**{field: value})


def test_tolerated_input_forms_are_emitted_canonically() -> None:
    achievement = make_achievement(
        type="Achievement", image="https://badges.example.jp/genai.png", tag="AI"
    )
    doc = build(
        achievement=achievement,
        issuer=make_issuer(type="Profile"),
        image=Image(id="https://badges.example.jp/c.png", type="Image", caption="証明書"),
    )
    subject_achievement = doc["credentialSubject"]["achievement"]
    assert subject_achievement["type"] == ["Achievement"]
    assert subject_achievement["image"] == {
        "id": "https://badges.example.jp/genai.png",
        "type": "Image",
    }
    assert subject_achievement["tag"] == ["AI"]
    assert doc["issuer"]["type"] == ["Profile"]
    assert doc["image"] == {
        "id": "https://badges.example.jp/c.png",
        "type": "Image",
        "caption": "証明書",
    }


def test_evidence_results_and_status_are_written() -> None:
    status = {
        "id": "https://badges.example.jp/status/1#94567",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "94567",
        "statusListCredential": "https://badges.example.jp/status/1",
    }
    doc = build(
        evidence=[Evidence(type=["Evidence"], id="https://badges.example.jp/e/1", name="答案")],
        results=[Result(type=["Result"], value="合格")],
        credential_status=status,
    )
    assert doc["evidence"] == [
        {"type": ["Evidence"], "id": "https://badges.example.jp/e/1", "name": "答案"}
    ]
    assert doc["credentialSubject"]["result"] == [{"type": ["Result"], "value": "合格"}]
    assert doc["credentialStatus"] == status
    status["statusListIndex"] = "1"
    assert doc["credentialStatus"]["statusListIndex"] == "94567"


def test_empty_optional_parts_are_left_out() -> None:
    doc = build()
    for key in ("evidence", "credentialStatus", "validUntil", "awardedDate", "name", "image"):
        assert key not in doc
    assert "result" not in doc["credentialSubject"]


def test_schema_failure_lists_every_issue() -> None:
    bad_issuer = make_issuer(type=["Organization"])
    bad_achievement = make_achievement(in_language="Japanese")
    with pytest.raises(DocumentError) as caught:
        build(issuer=bad_issuer, achievement=bad_achievement)
    message = str(caught.value)
    assert "issuer.type must include Profile" in message
    assert "credentialSubject.achievement.inLanguage must be a language code" in message


@pytest.mark.parametrize(
    ("value", "message"),
    [(1e-7, "too small"), (-5e-10, "too small"), (2**53, "too large"), (-(2**60), "too large")],
)
def test_numbers_other_verifiers_would_read_differently_are_refused(
    value: float, message: str
) -> None:
    """jsonld.js writes 1e-7 as 0; JavaScript cannot hold integers beyond 2^53 - 1."""
    with pytest.raises(DocumentError, match=message):
        build(achievement=make_achievement(credits_available=value))


@pytest.mark.parametrize("value", [0, 0.0, 1e-6, 2.5, 2**53 - 1, 120])
def test_ordinary_numbers_pass(value: float) -> None:
    doc = build(achievement=make_achievement(credits_available=value))
    assert doc["credentialSubject"]["achievement"]["creditsAvailable"] == value
