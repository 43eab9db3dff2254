"""Request and response models of the watch API."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from app.validation import NO_CONTROLS, plain_text

MAX_CREDENTIALS = 1000
CredentialReference = Annotated[
    str,
    Field(
        min_length=1,
        max_length=2000,
        pattern=NO_CONTROLS,
        description="A credential's id (a UUID) or URL on this service (its `id`).",
    ),
]


class WatchCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    credentials: list[CredentialReference] = Field(
        min_length=1,
        max_length=MAX_CREDENTIALS,
        description="The credentials to watch: ids or URLs of credentials of this service.",
    )
    callback_url: str = Field(
        min_length=1,
        max_length=2000,
        pattern=NO_CONTROLS,
        description=(
            "Where events are POSTed: an http(s) URL that the service's fetcher may reach "
            "(private and loopback addresses are refused unless the operator allows them)."
        ),
    )
    description: (
        Annotated[str, Field(min_length=1, max_length=200), AfterValidator(plain_text)] | None
    ) = Field(default=None, description="What the watch is for.")


class WatchedCredentialRead(BaseModel):
    credential_id: uuid.UUID
    credential: str = Field(description="The credential's URL (its `id`).")
    status: Literal["active", "revoked", "suspended"]
    valid_until: datetime | None
    expired: bool


class DeliveryRead(BaseModel):
    event_id: uuid.UUID = Field(description="The `webhook-id` the receiver saw, on every attempt.")
    type: Literal[
        "credential.revoked",
        "credential.suspended",
        "credential.unsuspended",
        "credential.expired",
    ]
    credential_id: uuid.UUID
    occurred_at: datetime
    state: Literal["pending", "sending", "delivered", "failed"]
    attempts: int
    last_attempt_at: datetime | None
    last_status: int | None = Field(description="The receiver's HTTP status on the last attempt.")
    last_error: str | None
    next_attempt_at: datetime | None = Field(description="When it is tried again, if pending.")
    delivered_at: datetime | None


class DeliveryCounts(BaseModel):
    pending: int
    delivered: int
    failed: int


class WatchSummary(BaseModel):
    id: uuid.UUID
    callback_url: str
    description: str | None
    created_at: datetime
    credential_count: int
    deliveries: DeliveryCounts
    last_delivery: DeliveryRead | None


class WatchRead(WatchSummary):
    credentials: list[WatchedCredentialRead]
    recent_deliveries: list[DeliveryRead] = Field(description="The latest events, newest first.")


class WatchCreated(WatchRead):
    secret: str = Field(
        description=(
            "The key of the events' signatures (`whsec_…`, Standard Webhooks). Shown once."
        )
    )


class WatchList(BaseModel):
    items: list[WatchSummary]
    total: int


class DeliveryList(BaseModel):
    items: list[DeliveryRead]
    total: int
