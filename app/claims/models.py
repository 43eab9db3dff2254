"""The claim table: one row per claim link mailed to a passer.

The token itself is never stored, only its SHA-256 hash: a copy of the database does not
let anyone claim a badge. A credential may have several links (a fresh one for a lost mail);
``claimed_at`` records the acceptance made through one of them.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime


class Claim(Base):
    __tablename__ = "claim"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    credential_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("issued_credential.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # SHA-256, hex
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ClaimReminder(Base):
    """A reminder mailed for an unclaimed badge: at most one of each number per credential."""

    __tablename__ = "claim_reminder"
    __table_args__ = (UniqueConstraint("credential_id", "number"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    credential_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("issued_credential.id"))
    number: Mapped[int] = mapped_column(Integer)  # 1 for the first delay, 2 for the second…
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime)
