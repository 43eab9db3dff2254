"""Request and response models of the verify API (``/api/v1/verify``)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from badges.identity import Recipient, RecipientKind
from badges.report import Status

MAX_BATCH_ITEMS = 100  # the default of SHOMEI_VERIFY_BATCH_MAX_ITEMS
MAX_BATCH_ITEMS_WITH_KEY = 1000  # the default of SHOMEI_VERIFY_BATCH_MAX_ITEMS_WITH_KEY
URL_PATTERN = r"^https?://[^\s]+$"

BadgeStatus = Literal["active", "revoked", "suspended", "unknown"]


class VerifyRecipient(BaseModel):
    """The person a badge should have been issued to: exactly one identifier."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "oneOf": [{"required": ["email"]}, {"required": ["url"]}, {"required": ["telephone"]}]
        },
    )

    email: str | None = Field(default=None, min_length=1, max_length=320)
    url: str | None = Field(default=None, min_length=1, max_length=2048)
    telephone: str | None = Field(default=None, min_length=1, max_length=64)

    @model_validator(mode="after")
    def _exactly_one(self) -> VerifyRecipient:
        given = [kind for kind in ("email", "url", "telephone") if getattr(self, kind) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of email, url or telephone")
        return self

    def to_recipient(self) -> Recipient:
        """The identifier as the library compares it."""
        pairs: tuple[tuple[RecipientKind, str | None], ...] = (
            ("email", self.email),
            ("url", self.url),
            ("telephone", self.telephone),
        )
        kind, value = next((k, v) for k, v in pairs if v is not None)
        return Recipient(kind, str(value).strip())


class VerifyRequest(BaseModel):
    """A badge to verify: the credential itself, or the URL it is hosted at."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"oneOf": [{"required": ["credential"]}, {"required": ["url"]}]},
    )

    credential: dict[str, Any] | str | None = Field(
        default=None,
        description="An OB 2.0 or 3.0 credential as a JSON object, or a compact JWS/JWT.",
    )
    url: str | None = Field(
        default=None,
        max_length=2048,
        pattern=URL_PATTERN,
        description="Where the badge is hosted (OB 2.0 hosted assertion, credential URL).",
    )
    recipient: VerifyRecipient | None = Field(
        default=None, description="Check that the badge was issued to this person."
    )

    @model_validator(mode="after")
    def _credential_or_url(self) -> VerifyRequest:
        if (self.credential is None) == (self.url is None):
            raise ValueError("give either credential or url, not both and not neither")
        if isinstance(self.credential, str) and not self.credential.strip():
            raise ValueError("credential is an empty string")
        return self


class VerifyBatchRequest(BaseModel):
    """Badges to verify, each as the single-badge JSON request.

    Each item is read on its own: one that cannot be read gets an error in its place in the
    answer, and the others are verified. At most 100 items (``SHOMEI_VERIFY_BATCH_MAX_ITEMS``),
    or 1,000 for callers with an API key (``SHOMEI_VERIFY_BATCH_MAX_ITEMS_WITH_KEY``).
    """

    model_config = ConfigDict(extra="forbid")

    # Any JSON value is accepted in place: an item that is not a VerifyRequest gets an error.
    items: list[VerifyRequest | Any] = Field(
        min_length=1, description="Each a VerifyRequest; others get an error in their place."
    )


class CheckResult(BaseModel):
    """One step of the verification and its outcome."""

    id: str = Field(description="Stable check id, e.g. proof.signature.")
    status: Status
    message: str


class IssuerSummary(BaseModel):
    name: str | None = None
    id: str | None = None
    url: str | None = None
    verified_id: str | None = Field(
        default=None,
        description="The identifier the signature was verified against: the issuer's DID, or "
        "the web domain of an HTTPS issuer; null when the key is not confirmed as the issuer's. "
        "A name is only what the issuer calls itself: this is who signed.",
    )


class EndorsementSummary(BaseModel):
    endorser: str = Field(description="The endorser's name (or id), as the endorsement states.")
    endorser_id: str | None = None
    verified: bool = Field(description="Whether the endorsement verified on its own.")
    message: str


class AchievementSummary(BaseModel):
    name: str | None = None
    description: str | None = None
    image: str | None = Field(default=None, description="The achievement's image URL.")


class RecipientSummary(BaseModel):
    type: str | None = Field(default=None, description="email, url, telephone, or id.")
    identity: str | None = Field(
        default=None, description="The identifier, when the badge carries it in plain text."
    )
    hashed: bool | None = None
    name: str | None = None
    matched: bool | None = Field(
        default=None, description="Whether the given recipient matched; null if none was given."
    )


class BadgeSummary(BaseModel):
    issuer: IssuerSummary = Field(default_factory=IssuerSummary)
    achievement: AchievementSummary = Field(default_factory=AchievementSummary)
    recipient: RecipientSummary = Field(default_factory=RecipientSummary)
    issued: str | None = None
    valid_from: str | None = None
    valid_until: str | None = None
    status: BadgeStatus | None = Field(
        default=None, description="Revocation and suspension; null when it has no status list."
    )
    endorsements: list[EndorsementSummary] = Field(
        default_factory=list,
        description="Endorsements embedded in the credential, its achievement or a profile, "
        "each verified on its own; they do not change ok.",
    )


class VerifyReport(BaseModel):
    """The verification report: ``ok`` only when no check failed or stayed undecided."""

    ok: bool
    format: str = Field(description="ob3-data-integrity, ob3-jwt, ob2-hosted, ob2-signed.")
    version: Literal["2.0", "3.0"] | None
    summary: BadgeSummary
    checks: list[CheckResult]


class BatchItemError(BaseModel):
    """Why one item of a batch has no report."""

    code: Literal["invalid_item", "not_a_badge"]
    detail: str


class VerifyBatchItem(VerifyReport):
    """One item's report, or its error, at the item's place in the batch."""

    index: int = Field(description="The item's position in the request, from 0.")
    credential_id: str | None = Field(
        default=None, description="The credential's id (or the URL it was fetched from)."
    )
    error: BatchItemError | None = Field(
        default=None, description="Set when the item could not be read or is not a badge."
    )


class VerifyBatchResponse(BaseModel):
    reports: list[VerifyBatchItem]
