"""The claim table: one row per claim link mailed to a passer.

The token itself is never stored, only its SHA-256 hash: a copy of the database does not
let anyone claim a badge. A credential may have several links (a fresh one for a lost mail);
``claimed_at`` records the acceptance made through one of them, and a partial unique index
lets at most one of a credential's links carry it: two links accepted at the same moment
cannot both record a claim, whatever each transaction could see of the other.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime

# At most one claimed link per credential (SQLite and PostgreSQL both have partial indexes).
_CLAIMED = text("claimed_at IS NOT NULL")


class Claim(Base):
    __tablename__ = "claim"
    __table_args__ = (
        Index(
            "uq_claim_claimed_credential",
            "credential_id",
            unique=True,
            sqlite_where=_CLAIMED,
            postgresql_where=_CLAIMED,
        ),
    )

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
