"""Request and response models of the API key API."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field

from app.issuers.schemas import SLUG_PATTERN
from app.validation import plain_text

KeyName = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(plain_text)]


class ApiKeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: KeyName = Field(description="What the key is for, e.g. 'exam results import'.")
    issuer: str | None = Field(
        default=None,
        pattern=SLUG_PATTERN,
        description="The issuer whose staff use the key; an issuer's key may omit its own.",
    )
    admin: bool = Field(default=False, description="An administrator's key (administrators only).")
    hr: bool = Field(
        default=False,
        description=(
            "An HR system's key (administrators only): it may manage its own watches "
            "(`/api/v1/watches`) and verify badges, nothing else."
        ),
    )
    expires_at: AwareDatetime | None = Field(
        default=None, description="When the key stops working; none: until revoked."
    )


class ApiKeyRead(BaseModel):
    id: uuid.UUID
    name: str | None
    prefix: str = Field(description="The key's public part, `shm_<prefix>_…`, to tell keys apart.")
    scope: Literal["admin", "issuer", "hr"]
    issuer: str | None = Field(description="The issuer's slug, for an issuer's key.")
    status: Literal["active", "expired", "revoked"]
    created_at: datetime
    created_by_key_id: uuid.UUID | None = Field(
        description="The key that made this one; none when made on the command line."
    )
    expires_at: datetime | None
    revoked_at: datetime | None


class ApiKeyCreated(ApiKeyRead):
    key: str = Field(description="The key in full. Shown once: only its hash is stored.")


class ApiKeyList(BaseModel):
    items: list[ApiKeyRead]
    total: int
