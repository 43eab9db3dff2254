"""Request and response models of the issuer API."""

from __future__ import annotations

import unicodedata
import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    HttpUrl,
    StrictBool,
    UrlConstraints,
)

from app.issuers.models import DEFAULT_TIME_ZONE
from app.issuers.names import invisible_character
from app.validation import NoControls, is_time_zone, plain_text

SLUG_PATTERN = r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$"
LanguageTag = Annotated[str, Field(pattern=r"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$")]
# Signed into every credential: control characters canonicalize differently between
# implementations, so the builder would refuse them and the issuer could issue nothing.
PlainText = Annotated[str, Field(max_length=5000), AfterValidator(plain_text)]
URL_MAX_LENGTH = 500  # the url and image_url columns


def _fits_column(url: HttpUrl) -> HttpUrl:
    # Normalising may lengthen a URL (percent-encoding), so the stored form is measured.
    if len(str(url)) > URL_MAX_LENGTH:
        raise ValueError(f"must be at most {URL_MAX_LENGTH} characters once normalised")
    return url


WebUrl = Annotated[
    HttpUrl,
    UrlConstraints(max_length=URL_MAX_LENGTH),
    NoControls,
    AfterValidator(_fits_column),
]


def _visible(value: str) -> str:
    char = invisible_character(value)
    if char is not None:
        raise ValueError(
            f"contains the invisible character U+{ord(char):04X} ({unicodedata.name(char, '')}); "
            "bidirectional and zero-width controls could make one issuer's name pass for another's"
        )
    return value


# An issuer's name, as verifiers show it: nothing invisible in it.
Name = Annotated[PlainText, AfterValidator(_visible)]


def _known_zone(value: str) -> str:
    if not is_time_zone(value):
        raise ValueError("must be an IANA time zone such as Asia/Tokyo")
    return value


TimeZone = Annotated[
    str,
    Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_+\-]+(/[A-Za-z0-9_+\-]+)*$"),
    AfterValidator(_known_zone),
]
# The number in the address of a LinkedIn company page's admin view.
LinkedInOrganizationId = Annotated[str, Field(pattern=r"^[0-9]{1,20}$")]
_TIME_ZONE_DOC = "IANA time zone of the dates on the public badge pages (default Asia/Tokyo)."
_LINKEDIN_DOC = (
    "The issuer's LinkedIn company page id: 'Add to profile' then links the entry to that "
    "page (with its logo); without it LinkedIn gets the issuer's name."
)
_NAME_DOC = (
    "Whether OB 3.0 credentials carry the recipient's name, unhashed, as an identifier of "
    "type 'name', so any verifier can show whose badge it is."
)


class IssuerCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    slug: str = Field(pattern=SLUG_PATTERN, description="Lower-case letters, digits and hyphens.")
    name: Name = Field(min_length=1, max_length=200)
    name_translations: dict[LanguageTag, Name] = Field(
        default_factory=dict,
        max_length=20,
        description="Names by language tag, e.g. {'en': '…'}.",
    )
    url: WebUrl
    email: EmailStr
    description: PlainText | None = Field(default=None, max_length=5000)
    image_url: WebUrl | None = None
    time_zone: TimeZone = Field(default=DEFAULT_TIME_ZONE, description=_TIME_ZONE_DOC)
    linkedin_organization_id: LinkedInOrganizationId | None = Field(
        default=None, description=_LINKEDIN_DOC
    )
    recipient_name_in_credential: StrictBool = Field(default=True, description=_NAME_DOC)


class IssuerUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name | None = Field(default=None, min_length=1, max_length=200)
    name_translations: dict[LanguageTag, Name] | None = Field(default=None, max_length=20)
    url: WebUrl | None = None
    email: EmailStr | None = None
    description: PlainText | None = Field(default=None, max_length=5000)
    image_url: WebUrl | None = None
    time_zone: TimeZone | None = Field(default=None, description=_TIME_ZONE_DOC)
    linkedin_organization_id: LinkedInOrganizationId | None = Field(
        default=None, description=_LINKEDIN_DOC
    )
    recipient_name_in_credential: StrictBool | None = Field(default=None, description=_NAME_DOC)


class KeyRead(BaseModel):
    id: uuid.UUID
    verification_method: str
    algorithm: str
    key_type: str
    status: Literal["active", "retired"]
    public_jwk: dict[str, str]
    created_at: datetime
    retired_at: datetime | None


class IssuerRead(BaseModel):
    id: uuid.UUID
    slug: str
    did: str
    name: str
    name_translations: dict[str, str]
    url: str
    email: str
    description: str | None
    image_url: str | None
    time_zone: str
    linkedin_organization_id: str | None
    recipient_name_in_credential: bool
    profile_url: str
    created_at: datetime
    updated_at: datetime


class IssuerList(BaseModel):
    items: list[IssuerRead]
    total: int


class KeyList(BaseModel):
    items: list[KeyRead]


class KeyRotate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    algorithm: Literal["EdDSA", "ES256", "RS256"] = Field(
        description="Which key to replace: EdDSA (Data Integrity), ES256 or RS256 (VC-JWT, OB 2.0)."
    )
