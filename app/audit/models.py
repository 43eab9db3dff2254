"""The audit log table: append-only, one row per state change."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime


class AuditEntry(Base):
    __tablename__ = "audit_entry"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    action: Mapped[str] = mapped_column(String(64), index=True)
    # "api_key" (api_key_id says which) or "command_line" (an operator on the server).
    actor: Mapped[str] = mapped_column(String(16))
    # No foreign keys: the log outlives what it names and never blocks a change.
    api_key_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True)
    issuer_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True)
    subject_type: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[str] = mapped_column(String(64), index=True)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    request_id: Mapped[str | None] = mapped_column(String(128))
