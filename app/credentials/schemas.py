"""Request and response models of the credential API."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    HttpUrl,
    StrictBool,
    field_validator,
    model_validator,
)

from app.validation import NoControls, StoredText, Timestamp

CredentialFormat = Literal["ob3", "ob3-jwt", "ob2"]
CredentialStatus = Literal["active", "revoked", "suspended"]
# OB 3.0 ResultStatusType.
ResultStatus = Literal[
    "Completed", "Enrolled", "Failed", "InProgress", "OnHold", "Provisional", "Withdrew"
]


class RecipientIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: EmailStr = Field(description="Written into the credential only as a salted hash.")
    name: StoredText | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        description="Shown on the credential's public page and in the mail and, unless the "
        "issuer turns it off, written unhashed into OB 3.0 credentials as an identifier of type "
        "'name'.",
    )
    language: Literal["ja", "en"] | None = Field(
        default=None,
        description="The language of the passer's mail (default: the achievement's).",
    )


class EvidenceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: Annotated[HttpUrl, NoControls] | None = Field(
        default=None, description="Where the evidence can be seen."
    )
    name: StoredText | None = Field(default=None, min_length=1, max_length=200)
    narrative: StoredText | None = Field(default=None, min_length=1, max_length=5000)
    description: StoredText | None = Field(default=None, min_length=1, max_length=2000)

    @model_validator(mode="after")
    def _not_empty(self) -> Self:
        if not (self.id or self.name or self.narrative or self.description):
            raise ValueError("evidence needs at least one of id, name, narrative, description")
        return self


class ResultIn(BaseModel):
    """A recipient's result, written as an OB 3.0 ``Result`` (OB 2.0 has none)."""

    model_config = ConfigDict(extra="forbid")

    value: StoredText | None = Field(
        default=None, min_length=1, max_length=200, description="A score or grade, e.g. '87'."
    )
    status: ResultStatus | None = None

    @model_validator(mode="after")
    def _not_empty(self) -> Self:
        if self.value is None and self.status is None:
            raise ValueError("a result needs a value or a status")
        return self


class CredentialCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    achievement_id: uuid.UUID
    recipient: RecipientIn
    format: CredentialFormat = Field(
        default="ob3",
        description="ob3: Data Integrity eddsa-rdfc-2022; ob3-jwt: VC-JWT; "
        "ob2: an OB 2.0 hosted assertion and its signed (RS256) twin.",
    )
    jwt_algorithm: Literal["ES256", "RS256"] = Field(
        default="ES256", description="The VC-JWT signature algorithm (ob3-jwt only)."
    )
    valid_until: Timestamp | None = Field(
        default=None, description="When the credential expires; must be in the future."
    )

    @field_validator("valid_until")
    @classmethod
    def _representable(cls, value: datetime | None) -> datetime | None:
        # Any zone must still be a date in UTC (year 9999 at -14:00 is not).
        if value is not None and value.year >= 9999:
            raise ValueError("valid_until must be before the year 9999")
        return value

    notify: bool = Field(
        default=True,
        description="Mail the passer a notification with a claim link (queued with the "
        "credential, sent afterwards); false to tell them yourself.",
    )
    evidence: list[EvidenceIn] = Field(default_factory=list, max_length=20)
    result: list[ResultIn] = Field(default_factory=list, max_length=20)
    external_id: StoredText | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        description="Your reference: issuing the same achievement with the same external_id "
        "again returns the existing credential.",
    )


class RevokeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: StoredText = Field(min_length=1, max_length=500)
    reason_public: StrictBool = Field(
        default=False,
        description="Show the reason on the credential's public page (else only staff see it).",
    )


class SuspendRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: StoredText | None = Field(
        default=None,
        min_length=1,
        max_length=500,
        description="Why, for the staff: kept in the audit log, never shown publicly.",
    )


class CredentialUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    listed: StrictBool | None = Field(
        default=None,
        description="Whether the passer lets search engines index the credential's public page. "
        "The page is reachable by its link either way; unlisted pages say noindex.",
    )
    recipient_email: EmailStr | None = Field(
        default=None,
        description="A corrected address, while the passer has not accepted the badge (409 "
        "once claimed): the credential is signed again with the same id and a new validFrom, "
        "and the notification is mailed to the new address; links mailed to the old one "
        "stop working.",
    )

    @model_validator(mode="after")
    def _something(self) -> Self:
        if self.listed is None and self.recipient_email is None:
            raise ValueError("give listed, recipient_email, or both")
        return self


class NotificationRead(BaseModel):
    """The passer's notification mail: its latest state, as the mail server answered."""

    state: Literal["queued", "sending", "sent", "failed"] = Field(
        description="queued (waiting, or retried after a temporary failure), sending, sent "
        "(the server accepted it), failed (refused for good, or too old to retry)."
    )
    language: Literal["ja", "en"]
    attempts: int
    queued_at: datetime
    next_attempt_at: datetime | None = Field(description="When it is tried next (queued).")
    sent_at: datetime | None
    last_error: str | None = Field(
        description="The mail server's reply to the last attempt (its acceptance once sent)."
    )


class CredentialRead(BaseModel):
    id: uuid.UUID
    issuer: str = Field(description="The issuer's slug.")
    achievement_id: uuid.UUID
    format: CredentialFormat
    status: CredentialStatus
    recipient_email: str
    recipient_name: str | None
    issued_at: datetime
    valid_until: datetime | None
    external_id: str | None
    revocation_reason: str | None
    revocation_reason_public: bool
    listed: bool
    public_url: str
    json_url: str
    jwt_url: str | None
    png_url: str
    svg_url: str
    document: dict[str, Any] | str = Field(
        description="The credential exactly as issued: a JSON object (ob3, the OB 2.0 hosted "
        "assertion) or a compact JWS (ob3-jwt)."
    )
    notification: NotificationRead | None = Field(
        default=None, description="The passer's notification mail; null when none was sent."
    )
    claimed_at: datetime | None = Field(
        default=None,
        description="When the passer accepted the badge on the claim page; null until then.",
    )


class CredentialList(BaseModel):
    items: list[CredentialRead]
    total: int
