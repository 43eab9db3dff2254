"""Request and response models of the achievement API.

Texts are stored and signed exactly as given, so what would not survive signing is refused
here, with the field named: control characters (their canonical N-Quads form differs between
RDFC-1.0 implementations) and lone surrogates (not encodable as UTF-8). Enumerations and
patterns follow OB 3.0 "Achievement" (https://www.imsglobal.org/spec/ob/v3p0/#achievement),
anchored where the official schema is not.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic.alias_generators import to_camel

from app.issuers.schemas import SLUG_PATTERN
from app.validation import plain_text

# OB 3.0 Achievement.inLanguage (the official schema's pattern).
LANGUAGE_PATTERN = r"^[a-z]{2,4}(-[A-Z][a-z]{3})?(-([A-Z]{2}|[0-9]{3}))?$"

ACHIEVEMENT_TYPES = frozenset(
    {
        "Achievement",
        "ApprenticeshipCertificate",
        "Assessment",
        "Assignment",
        "AssociateDegree",
        "Award",
        "Badge",
        "BachelorDegree",
        "Certificate",
        "CertificateOfCompletion",
        "Certification",
        "CommunityService",
        "Competency",
        "Course",
        "CoCurricular",
        "Degree",
        "Diploma",
        "DoctoralDegree",
        "Fieldwork",
        "GeneralEducationDevelopment",
        "JourneymanCertificate",
        "LearningProgram",
        "License",
        "Membership",
        "ProfessionalDoctorate",
        "QualityAssuranceCredential",
        "MasterCertificate",
        "MasterDegree",
        "MicroCredential",
        "ResearchDoctorate",
        "SecondarySchoolDiploma",
    }
)
ALIGNMENT_TARGET_TYPES = frozenset(
    {
        "ceasn:Competency",
        "ceterms:Credential",
        "CFItem",
        "CFRubric",
        "CFRubricCriterion",
        "CFRubricCriterionLevel",
        "CTDL",
    }
)
# The schema's extension pattern, `(ext:)[a-z|A-Z|0-9|.|-|_]+`, is unanchored; ours is not.
_EXTENSION = re.compile(r"ext:[A-Za-z0-9._-]+")
MAX_URL_LENGTH = 500


_plain = plain_text


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value


def _url(value: str, schemes: tuple[str, ...]) -> str:
    if len(value) > MAX_URL_LENGTH:
        raise ValueError(f"must be at most {MAX_URL_LENGTH} characters")
    if any(c.isspace() for c in value):
        raise ValueError("must not contain spaces")
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - reading it validates the port
    except ValueError:
        raise ValueError("is not a valid URL") from None
    if parts.scheme not in schemes or not parts.hostname:
        raise ValueError(f"must be an absolute {' or '.join(schemes)} URL")
    return value


def _https_url(value: str) -> str:
    return _url(value, ("https",))


def _web_url(value: str) -> str:
    return _url(value, ("https", "http"))


def _achievement_type(value: str) -> str:
    if value not in ACHIEVEMENT_TYPES and not _EXTENSION.fullmatch(value):
        raise ValueError("must be an OB 3.0 achievement type (e.g. Certification) or ext:Name")
    return value


def _target_type(value: str) -> str:
    if value not in ALIGNMENT_TARGET_TYPES and not _EXTENSION.fullmatch(value):
        raise ValueError("must be an OB 3.0 alignment target type (e.g. CFItem) or ext:Name")
    return value


LanguageTag = Annotated[str, StringConstraints(pattern=LANGUAGE_PATTERN)]
Markdown = Annotated[
    str, StringConstraints(min_length=1, max_length=20_000), AfterValidator(_plain)
]
HttpsUrl = Annotated[str, AfterValidator(_plain), AfterValidator(_https_url)]
WebUrl = Annotated[str, AfterValidator(_plain), AfterValidator(_web_url)]
AchievementType = Annotated[
    str,
    StringConstraints(max_length=100),
    AfterValidator(_achievement_type),
    Field(description="An OB 3.0 AchievementType (Certification, Badge, …) or `ext:Name`."),
]
_Name = Annotated[
    str,
    StringConstraints(min_length=1, max_length=200),
    AfterValidator(_plain),
    AfterValidator(_not_blank),
]
_Description = Annotated[
    str,
    StringConstraints(min_length=1, max_length=5000),
    AfterValidator(_plain),
    AfterValidator(_not_blank),
]
_Short = Annotated[str, StringConstraints(min_length=1, max_length=500), AfterValidator(_plain)]
_Text = Annotated[str, StringConstraints(min_length=1, max_length=5000), AfterValidator(_plain)]
Tag = Annotated[str, StringConstraints(min_length=1, max_length=100), AfterValidator(_plain)]
Names = Annotated[
    dict[LanguageTag, _Name],
    Field(min_length=1, max_length=20, description="Texts by language tag: {'ja': …, 'en': …}."),
]
Descriptions = Annotated[
    dict[LanguageTag, _Description],
    Field(min_length=1, max_length=20, description="Texts by language tag: {'ja': …, 'en': …}."),
]
Language = Annotated[
    LanguageTag,
    Field(description="The primary language (BCP 47, OB inLanguage pattern): signed texts use it."),
]


class Criteria(BaseModel):
    """What a recipient must do: a Markdown narrative, a page describing it, or both."""

    model_config = ConfigDict(extra="forbid")

    narrative: Markdown | None = Field(default=None, description="Markdown.")
    url: HttpsUrl | None = Field(default=None, description="An https page with the criteria.")

    @model_validator(mode="after")
    def _narrative_or_url(self) -> Criteria:
        if self.narrative is None and self.url is None:
            raise ValueError("criteria need a narrative, a url, or both")
        return self


class Alignment(BaseModel):
    """A node of an educational framework the achievement aligns with (OB 3.0 Alignment)."""

    model_config = ConfigDict(
        extra="forbid", alias_generator=to_camel, validate_by_alias=True, serialize_by_alias=True
    )

    target_name: _Short
    target_url: WebUrl
    target_description: _Text | None = None
    target_framework: _Short | None = None
    target_code: _Short | None = None
    target_type: (
        Annotated[str, StringConstraints(max_length=100), AfterValidator(_target_type)] | None
    ) = Field(default=None, description="An OB 3.0 AlignmentTargetType (CFItem, …) or `ext:Name`.")


def _primary_language_present(value: dict[str, str] | None, info: ValidationInfo) -> None:
    language = info.data.get("language")
    if value is not None and language is not None and language not in value:
        raise ValueError(f"must include the primary language {language!r}")


class AchievementCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    issuer: str | None = Field(
        default=None,
        pattern=SLUG_PATTERN,
        description="The issuer's slug; keys of an issuer's staff may leave it out.",
    )
    language: Language = "ja"
    name: Names
    description: Descriptions
    criteria: Criteria
    achievement_type: AchievementType | None = None
    alignments: list[Alignment] = Field(default_factory=list, max_length=50)
    tags: list[Tag] = Field(default_factory=list, max_length=50)

    @field_validator("name", "description")
    @classmethod
    def _has_primary_language(cls, value: dict[str, str], info: ValidationInfo) -> dict[str, str]:
        _primary_language_present(value, info)
        return value


class AchievementUpdate(BaseModel):
    """Fields to change; a field left out stays as it is (``achievement_type`` may be null)."""

    model_config = ConfigDict(extra="forbid")

    language: Language | None = None
    name: Names | None = Field(default=None, description="Replaces every language's name.")
    description: Descriptions | None = Field(
        default=None, description="Replaces every language's description."
    )
    criteria: Criteria | None = Field(default=None, description="Replaces the criteria.")
    achievement_type: AchievementType | None = None
    alignments: list[Alignment] | None = Field(default=None, max_length=50)
    tags: list[Tag] | None = Field(default=None, max_length=50)

    @field_validator("language", "name", "description", "criteria", "alignments", "tags")
    @classmethod
    def _not_null(cls, value: object, info: ValidationInfo) -> object:
        if value is None:
            raise ValueError(f"{info.field_name} cannot be removed (null)")
        return value

    @field_validator("name", "description")
    @classmethod
    def _has_primary_language(
        cls, value: dict[str, str] | None, info: ValidationInfo
    ) -> dict[str, str] | None:
        _primary_language_present(value, info)
        return value


class CriteriaRead(BaseModel):
    narrative: str | None
    url: str | None


class AlignmentRead(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_camel, validate_by_alias=True, serialize_by_alias=True
    )

    target_name: str
    target_url: str
    target_description: str | None = None
    target_framework: str | None = None
    target_code: str | None = None
    target_type: str | None = None


class AchievementRead(BaseModel):
    id: uuid.UUID
    issuer: str = Field(description="The issuer's slug.")
    language: str
    name: dict[str, str]
    description: dict[str, str]
    criteria: CriteriaRead
    achievement_type: str | None
    alignments: list[AlignmentRead]
    tags: list[str]
    image_url: str | None
    public_url: str = Field(description="Where the OB 3.0 Achievement is published.")
    created_at: datetime
    updated_at: datetime


class AchievementList(BaseModel):
    items: list[AchievementRead]
    total: int
