"""Response models of the audit API."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field


class AuditEntryRead(BaseModel):
    id: uuid.UUID
    at: datetime
    action: str = Field(examples=["credential.revoke"])
    actor: Literal["api_key", "command_line", "service"]
    api_key_id: uuid.UUID | None = Field(description="The key that made the change.")
    issuer_id: uuid.UUID | None
    subject_type: str = Field(examples=["credential"])
    subject_id: str
    request_id: str | None = Field(description="The X-Request-ID of the change's request.")
    details: dict[str, Any]


class AuditList(BaseModel):
    items: list[AuditEntryRead]
    total: int
