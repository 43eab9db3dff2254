"""Validation against the official OB 3.0 JSON Schemas, tolerated forms and extra rules."""

from __future__ import annotations

import copy
import json
import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft201909Validator

from badges.schema import (
    ACHIEVEMENT_CREDENTIAL_SCHEMA_URL,
    ENDORSEMENT_CREDENTIAL_SCHEMA_URL,
    PROFILE_SCHEMA_URL,
    VCDM1_CONTEXT,
    SchemaIssue,
    _schemas,
    check_schema,
    parse_datetime_stamp,
    validate_credential,
    validate_profile,
)
from tests.strategies import credentials

VECTORS = Path(__file__).resolve().parents[1] / "vectors"
OB3 = VECTORS / "ob3-1edtech-validator"


def _load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((OB3 / name).read_text(encoding="utf-8"))
    return data


def _errors(issues: list[SchemaIssue]) -> list[SchemaIssue]:
    return [i for i in issues if i.level == "error"]


def _messages(issues: list[SchemaIssue]) -> list[str]:
    return [i.message for i in issues]


# -- the official vectors --------------------------------------------------------------


@pytest.mark.parametrize("name", ["complete.json", "simple.json", "endorsement-valid.json"])
def test_valid_vector_passes_the_official_schema(name: str) -> None:
    doc = _load(name)
    assert validate_credential(doc) == []
    check = check_schema(doc)
    assert (check.id, check.status) == ("schema", "passed")


def test_wrong_type_and_missing_achievement_fail_with_readable_messages() -> None:
    issues = validate_credential(_load("simple-err-type.json"))
    errors = _errors(issues)
    assert (
        SchemaIssue(
            "credentialSubject.achievement", "credentialSubject.achievement is required", "error"
        )
        in errors
    )
    assert any(
        i.path == "type"
        and "OpenBadgeCredential" in i.message
        and "AchievementCredential" in i.message
        for i in errors
    )
    check = check_schema(_load("simple-err-type.json"))
    assert check.status == "failed"
    assert "credentialSubject.achievement is required" in check.message


def test_single_object_proof_is_a_warning_not_an_error() -> None:
    doc = json.loads(
        (VECTORS / "ob3-impl-guide-eddsa-rdfc-2022" / "signed-credential.json").read_text()
    )
    assert isinstance(doc["proof"], dict)
    issues = validate_credential(doc)
    assert issues == [
        SchemaIssue(
            "proof", "proof is a single value; OB 3.0 expects an array", "warning", "compacted"
        )
    ]
    assert check_schema(doc).status == "warning"


def test_single_proof_with_its_own_error_still_fails() -> None:
    doc = _load("simple.json")
    doc["proof"] = {"created": "2010-01-01T19:23:24Z"}
    issues = validate_credential(doc)
    assert [i.level for i in issues] == ["warning", "error"]
    assert issues[1].message == "proof[0].type is required"


def test_validation_does_not_modify_the_document() -> None:
    doc = _load("simple-err-type.json")
    before = copy.deepcopy(doc)
    validate_credential(doc)
    assert doc == before


# -- VCDM 1.1 --------------------------------------------------------------------------


def test_vcdm11_credential_passes_the_vcdm11_variant() -> None:
    doc = _load("simple_v1.json")
    assert doc["@context"][0] == VCDM1_CONTEXT
    assert validate_credential(doc) == []
    assert check_schema(doc).status == "passed"


def test_vcdm11_variant_requires_issuance_date_and_name() -> None:
    doc = _load("simple_v1.json")
    del doc["issuanceDate"], doc["name"]
    doc["validFrom"] = "2010-01-01T00:00:00Z"
    assert _messages(_errors(validate_credential(doc))) == [
        "issuanceDate is required",
        "name is required",
    ]


def test_vcdm11_dates_follow_the_same_rules() -> None:
    doc = _load("simple_v1.json")
    doc["expirationDate"] = "2009-01-01T00:00:00Z"
    assert _messages(validate_credential(doc)) == [
        "expirationDate (2009-01-01T00:00:00Z) is earlier than issuanceDate (2010-01-01T00:00:00Z)"
    ]


def test_vcdm2_credential_with_issuance_date_only_fails() -> None:
    doc = _load("simple.json")
    doc["issuanceDate"] = doc.pop("validFrom")
    assert _messages(validate_credential(doc)) == ["validFrom is required"]


def test_vcdm11_credential_may_embed_endorsements_of_either_model() -> None:
    doc = _load("simple_v1.json")
    v2 = _load("endorsement-valid.json")
    v1 = copy.deepcopy(v2)
    v1["@context"] = [VCDM1_CONTEXT, "https://purl.imsglobal.org/spec/ob/v3p0/context.json"]
    v1["issuanceDate"] = v1.pop("validFrom")
    v1["expirationDate"] = v1.pop("validUntil")
    doc["endorsement"] = [v1, v2]
    assert validate_credential(doc) == []
    del v1["issuanceDate"]
    assert _messages(validate_credential(doc)) == ["endorsement[0].issuanceDate is required"]


def test_every_compiled_schema_is_a_valid_draft_2019_09_schema() -> None:
    schemas = _schemas()
    for validator in [*schemas.official.values(), *schemas.vcdm11.values()]:
        Draft201909Validator.check_schema(validator.schema)


def test_vcdm11_variant_is_derived_from_the_official_schema() -> None:
    schemas = _schemas()
    for url in (ACHIEVEMENT_CREDENTIAL_SCHEMA_URL, ENDORSEMENT_CREDENTIAL_SCHEMA_URL):
        official, variant = schemas.official[url].schema, schemas.vcdm11[url].schema
        assert isinstance(official, dict) and isinstance(variant, dict)
        assert "issuanceDate" in variant["required"] and "validFrom" not in variant["required"]
        assert "validFrom" not in variant["properties"]
        assert variant["properties"]["@context"]["items"][0] == {"enum": [VCDM1_CONTEXT]}
        assert (
            variant["properties"]["@context"]["items"][1]
            == (official["properties"]["@context"]["items"][1])
        )
        assert not variant["$id"].startswith("https://purl.imsglobal.org/")


# -- tolerated compacted forms ---------------------------------------------------------


def test_single_string_types_are_warnings() -> None:
    doc = _load("simple.json")
    doc["credentialSubject"]["type"] = "AchievementSubject"
    doc["issuer"]["type"] = "Profile"
    doc["credentialSubject"]["achievement"]["type"] = "Achievement"
    issues = validate_credential(doc)
    assert {i.path for i in issues} == {
        "credentialSubject.type",
        "issuer.type",
        "credentialSubject.achievement.type",
    }
    assert {i.level for i in issues} == {"warning"}


def test_single_value_that_is_also_wrong_is_still_an_error() -> None:
    doc = _load("simple.json")
    doc["type"] = "OpenBadgeCredential"
    issues = validate_credential(doc)
    assert [(i.path, i.level) for i in issues] == [("type", "warning"), ("type", "error")]
    assert issues[1].message == "type must include VerifiableCredential"


def test_bare_image_url_is_a_warning() -> None:
    doc = _load("simple.json")
    doc["credentialSubject"]["achievement"]["image"] = "https://example.com/badge.png"
    assert validate_credential(doc) == [
        SchemaIssue(
            "credentialSubject.achievement.image",
            "credentialSubject.achievement.image is a bare URL; OB 3.0 expects an Image object",
            "warning",
            "compacted",
        )
    ]


def test_single_object_credential_schema_and_terms_of_use_are_warnings() -> None:
    doc = _load("simple.json")
    doc["credentialSchema"] = {
        "id": ACHIEVEMENT_CREDENTIAL_SCHEMA_URL,
        "type": "1EdTechJsonSchemaValidator2019",
    }
    doc["termsOfUse"] = {"type": "TrustFrameworkPolicy"}
    issues = validate_credential(doc)
    assert {(i.path, i.level) for i in issues} == {
        ("credentialSchema", "warning"),
        ("termsOfUse", "warning"),
    }


def test_single_string_context_is_not_treated_as_compaction() -> None:
    doc = _load("simple.json")
    doc["@context"] = "https://www.w3.org/ns/credentials/v2"
    assert _messages(validate_credential(doc)) == [
        '@context must be an array (found the string "https://www.w3.org/ns/credentials/v2")'
    ]


# -- rules the schema cannot express -----------------------------------------------------


def test_subject_without_id_or_identifier_fails() -> None:
    doc = _load("simple.json")
    del doc["credentialSubject"]["id"]
    assert validate_credential(doc) == [
        SchemaIssue(
            "credentialSubject",
            "credentialSubject needs an id or at least one identifier",
            "error",
        )
    ]
    doc["credentialSubject"]["identifier"] = []
    assert len(_errors(validate_credential(doc))) == 1


def test_subject_with_identifier_only_passes() -> None:
    doc = _load("simple.json")
    del doc["credentialSubject"]["id"]
    doc["credentialSubject"]["identifier"] = [
        {
            "type": "IdentityObject",
            "hashed": True,
            "identityHash": "sha256$"
            "b5809d8a92f8858436d7e6b87c12ebc0ae1eac4baecc2c0b913aee2c922ef399",
            "identityType": "emailAddress",
            "salt": "Kosher",
        }
    ]
    assert validate_credential(doc) == []


@pytest.mark.parametrize(
    "value",
    ["2010-01-01", "2010-01-01T00:00:00", "2010-01-01 00:00:00Z", "2010-13-01T00:00:00Z", "soon"],
)
def test_valid_from_without_zone_or_invalid_fails(value: str) -> None:
    doc = _load("simple.json")
    doc["validFrom"] = value
    assert _messages(validate_credential(doc)) == [
        "validFrom must be a date-time with a time zone, such as 2026-11-30T12:00:00Z "
        f"(found {json.dumps(value)})"
    ]


def test_valid_until_before_valid_from_fails_and_equal_passes() -> None:
    doc = _load("simple.json")
    doc["validUntil"] = "2009-12-31T23:59:59Z"
    assert _messages(validate_credential(doc)) == [
        "validUntil (2009-12-31T23:59:59Z) is earlier than validFrom (2010-01-01T00:00:00Z)"
    ]
    doc["validUntil"] = "2010-01-01T09:00:00+09:00"  # the same instant
    assert validate_credential(doc) == []


def test_awarded_date_must_have_a_zone() -> None:
    doc = _load("simple.json")
    doc["awardedDate"] = "2010-01-01T00:00:00"
    assert [i.path for i in validate_credential(doc)] == ["awardedDate"]


# -- messages ------------------------------------------------------------------------------


def test_invalid_achievement_type_message_lists_the_choices() -> None:
    doc = _load("simple.json")
    doc["credentialSubject"]["achievement"]["achievementType"] = "NotAType"
    (issue,) = validate_credential(doc)
    assert issue.path == "credentialSubject.achievement.achievementType"
    assert issue.message.startswith(
        "credentialSubject.achievement.achievementType must be one of Achievement, "
    )
    assert issue.message.endswith('or an extension term such as ext:MyTerm (found "NotAType")')


def test_issuer_profile_errors_are_explained_from_the_profile_branch() -> None:
    doc = _load("simple.json")
    del doc["issuer"]["id"]
    assert _messages(validate_credential(doc)) == ["issuer.id is required"]
    doc["issuer"] = 42
    assert _messages(validate_credential(doc)) == ["issuer must be a string or an object"]


def test_identity_object_rejects_unknown_properties_and_wrong_types() -> None:
    doc = _load("simple.json")
    doc["credentialSubject"]["identifier"] = [
        {
            "type": "IdentityObject",
            "hashed": "yes",
            "identityHash": "x",
            "identityType": "emailAddress",
            "note": "n",
        }
    ]
    assert _messages(validate_credential(doc)) == [
        'credentialSubject.identifier[0].hashed must be true or false (found the string "yes")',
        "credentialSubject.identifier[0] has properties the schema does not allow: note",
    ]


def test_context_errors_name_the_expected_urls() -> None:
    messages = _messages(validate_credential(_load("simple-err-context.json")))
    assert "@context must have at least 2 entries" in messages
    assert (
        "@context[0] must be https://www.w3.org/ns/credentials/v2 (found "
        '"https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json")'
    ) in messages


def test_not_an_object_is_an_error() -> None:
    assert validate_credential([]) == [  # type: ignore[arg-type]
        SchemaIssue("", "the credential must be a JSON object", "error")
    ]


def test_check_schema_summarises_many_errors() -> None:
    doc = _load("simple.json")
    for key in ("id", "issuer", "validFrom", "credentialSubject", "@context", "type"):
        del doc[key]
    check = check_schema(doc)
    assert check.status == "failed"
    assert check.message.endswith("(and 1 more).")


# -- profiles ------------------------------------------------------------------------------


def test_profile_validation() -> None:
    profile = {"id": "https://example.jp/issuers/1", "type": ["Profile"], "name": "協会"}
    assert validate_profile(profile) == []
    assert _messages(validate_profile({"type": ["Profile"]})) == ["id is required"]
    assert [i.level for i in validate_profile({**profile, "type": "Profile"})] == ["warning"]


def test_schemas_are_registered_under_the_purl_urls() -> None:
    registry = _schemas().registry
    for url in (
        ACHIEVEMENT_CREDENTIAL_SCHEMA_URL,
        ENDORSEMENT_CREDENTIAL_SCHEMA_URL,
        PROFILE_SCHEMA_URL,
    ):
        assert registry.contents(url)["$schema"].startswith(
            "https://json-schema.org/draft/2019-09/"
        )


# -- dates -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-30T12:00:00Z", datetime(2026, 11, 30, 12, tzinfo=UTC)),
        ("2026-11-30T21:00:00+09:00", datetime(2026, 11, 30, 12, tzinfo=UTC)),
        (
            "2026-11-30T12:00:00.1234567-00:30",
            datetime(2026, 11, 30, 12, 30, 0, 123456, tzinfo=UTC),
        ),
    ],
)
def test_parse_datetime_stamp_reads_zones_and_fractions(text: str, expected: datetime) -> None:
    parsed = parse_datetime_stamp(text)
    assert parsed == expected
    assert parsed.utcoffset() is not None


def test_parse_datetime_stamp_keeps_the_given_offset() -> None:
    parsed = parse_datetime_stamp("2026-11-30T21:00:00+09:00")
    assert parsed.tzinfo == timezone(timedelta(hours=9))


@pytest.mark.parametrize(
    "text",
    [
        "2026-11-30T12:00:00",
        "2026-11-30t12:00:00z",
        "2026-11-30T12:00Z",
        "2026-02-30T12:00:00Z",
        "2026-11-30T12:00:00+15:00",
    ],
)
def test_parse_datetime_stamp_rejects_non_stamps(text: str) -> None:
    with pytest.raises(ValueError):
        parse_datetime_stamp(text)


# -- format assertions (warnings) --------------------------------------------------------------


def _with_subject(**extra: Any) -> dict[str, Any]:
    doc = _load("simple.json")
    doc["credentialSubject"].update(extra)
    return doc


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("2024-11-09T00:00:00Z", True),
        ("2024-11-09t00:00:00.5+09:00", True),  # RFC 3339 allows lower case and fractions
        ("2016-12-31T23:59:60Z", True),  # a leap second
        ("2024-11-09", False),
        ("2024-11-09T00:00:00", False),
        ("2024-02-30T00:00:00Z", False),
        ("2024-11-09T24:00:00Z", False),
        ("2024-11-09 00:00:00Z", False),
        ("\uff12\uff10\uff12\uff14-11-09T00:00:00Z", False),  # fullwidth digits are not digits
    ],
)
def test_a_date_time_format_violation_is_a_warning(value: str, valid: bool) -> None:
    issues = validate_credential(_with_subject(activityEndDate=value))
    if valid:
        assert issues == []
        return
    assert issues == [
        SchemaIssue(
            "credentialSubject.activityEndDate",
            f"credentialSubject.activityEndDate is {json.dumps(value, ensure_ascii=False)}, "
            "not a date-time with a time zone (RFC 3339)",
            "warning",
            "format",
        )
    ]
    check = check_schema(_with_subject(activityEndDate=value))
    assert check.status == "warning"
    assert "do not have the format the schema names" in check.message
    assert "activityEndDate" in check.message


def test_a_date_format_violation_in_a_profile_is_a_warning() -> None:
    doc = _load("simple.json")
    issuer = doc["issuer"]
    issuer["dateOfBirth"] = "1990/01/31"
    issues = validate_credential(doc)
    assert [(i.path, i.level, i.rule) for i in issues] == [
        ("issuer.dateOfBirth", "warning", "format")
    ]
    issuer["dateOfBirth"] = "1990-01-31"
    assert validate_credential(doc) == []


def test_a_format_and_a_compaction_warning_are_both_reported() -> None:
    doc = _with_subject(activityStartDate="yesterday")
    doc["proof"] = doc["proof"][0]
    check = check_schema(doc)
    assert check.status == "warning"
    assert "once compacted values are read" in check.message
    assert "activityStartDate" in check.message


def test_a_date_that_breaks_a_rule_is_an_error_and_not_also_a_format_warning() -> None:
    doc = _load("simple.json")
    doc["validFrom"] = "2024-11-09"
    issues = validate_credential(doc)
    assert [i.level for i in issues if i.path == "validFrom"] == ["error"]


def test_our_own_credentials_pass_with_formats_asserted() -> None:
    from tests.interop import samples

    for credential in (samples.rich(), samples.signed(samples.WEB_SIGNER)):
        assert validate_credential(credential) == []
        assert check_schema(credential).status == "passed"


# -- speed -----------------------------------------------------------------------------------


def test_validators_are_compiled_once() -> None:
    assert _schemas() is _schemas()


def test_validating_a_typical_credential_is_fast() -> None:
    doc = _load("simple.json")
    validate_credential(doc)  # load and compile outside the measurement
    runs = 200
    start = time.perf_counter()
    for _ in range(runs):
        validate_credential(doc)
    per_call = (time.perf_counter() - start) / runs
    # Typically ~0.3 ms; the bound is loose so a busy machine does not fail the test, yet
    # tight enough to catch a validator rebuilt per call (loading takes ~10 ms).
    assert per_call < 0.005


def _both_validators() -> list[tuple[Any, Any]]:
    """(detailed validator asserting formats as the format pass does, its fast twin)."""
    from badges.schema import _FORMAT_CHECKER, _schemas

    schemas = _schemas()
    pairs = [*schemas.official.values(), *schemas.vcdm11.values()]
    return [(slow.evolve(format_checker=_FORMAT_CHECKER), schemas.fast[id(slow)]) for slow in pairs]


@pytest.mark.parametrize(
    "path",
    sorted(
        [
            *(VECTORS / "ob3-1edtech-validator").glob("*.json"),
            *(VECTORS / "bitstring-status-list").glob("*.json"),
            VECTORS / "ob3-impl-guide-eddsa-rdfc-2022" / "signed-credential.json",
        ]
    ),
    ids=lambda p: p.name,
)
def test_the_fast_validator_agrees_with_the_detailed_one(path: Path) -> None:
    document = json.loads(path.read_text(encoding="utf-8"))
    for slow, fast in _both_validators():
        assert fast.is_valid(document) is slow.is_valid(document), path.name


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(credentials(), st.sampled_from(["", "type", "name", "credentialSubject", "validFrom"]))
def test_the_fast_validator_agrees_on_generated_and_broken_credentials(
    credential: dict[str, Any], removed: str
) -> None:
    credential.pop(removed, None)
    for slow, fast in _both_validators():
        assert fast.is_valid(credential) is slow.is_valid(credential)


# -- formats in verification and issuance -------------------------------------------------------


def test_a_foreign_credential_with_a_date_for_a_date_time_verifies_with_a_schema_warning() -> None:
    from badges import DictFetcher, data_integrity, verify
    from tests.interop import samples
    from tests.support import FIXED_NOW

    signer = samples.did_key_signer(samples.ED_KEY)
    unsigned = data_integrity.unsecured(samples.signed(signer))
    unsigned["credentialSubject"]["activityEndDate"] = "2024-11-09"  # another issuer's tooling
    foreign = data_integrity.sign(unsigned, signer, created=FIXED_NOW)
    report = verify(foreign, fetcher=DictFetcher(), now=FIXED_NOW)
    check = report.check("schema")
    assert check is not None
    assert check.status == "warning"
    assert 'credentialSubject.activityEndDate is "2024-11-09"' in check.message
    assert report.ok is True


def test_issuing_refuses_a_value_out_of_its_format() -> None:
    from badges.errors import DocumentError
    from badges.ob3.builder import build_credential
    from badges.ob3.models import Profile
    from tests.interop import samples
    from tests.support import FIXED_NOW

    issuer = Profile.from_wire(
        {
            "id": "https://badges.example.jp/issuers/exam",
            "type": ["Profile"],
            "name": "日本資格試験センター",
            "dateOfBirth": "1990/01/31",
        }
    )
    with pytest.raises(DocumentError, match=r"issuer\.dateOfBirth"):
        build_credential(
            credential_id="urn:uuid:3c1d5e2a-7f4b-4a9c-8e6d-0b2f1a4c9d38",
            issuer=issuer,
            achievement=samples.achievement(),
            recipient_email="passer@example.jp",
            valid_from=FIXED_NOW,
        )
