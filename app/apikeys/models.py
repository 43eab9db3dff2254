"""The API key table: only a hash of each key is stored."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from sqlalchemy import Boolean, ForeignKey, String, Uuid, false
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime, utcnow

Role = Literal["admin", "issuer", "hr"]


class ApiKey(Base):
    __tablename__ = "api_key"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    issuer_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("issuer.id"), index=True)
    is_admin: Mapped[bool] = mapped_column(default=False)
    # An HR system's key: it watches credentials for changes and verifies, nothing else.
    is_hr: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    name: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The key that made this one (None: made on the command line).
    created_by_key_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def role(self) -> Role:
        """``admin``, ``issuer`` (one issuer's staff) or ``hr`` (an HR system)."""
        return "admin" if self.is_admin else "hr" if self.is_hr else "issuer"

    def state(self, now: datetime) -> Literal["active", "expired", "revoked"]:
        """``active``, ``expired`` or ``revoked``."""
        return self.state_of(self.revoked_at, self.expires_at, now)

    @staticmethod
    def state_of(
        revoked_at: datetime | None, expires_at: datetime | None, now: datetime
    ) -> Literal["active", "expired", "revoked"]:
        """The state of a key revoked and expiring at these times (``None``: not)."""
        if revoked_at is not None:
            return "revoked"
        if expires_at is not None and expires_at <= now:
            return "expired"
        return "active"
