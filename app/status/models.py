"""The status list table: one row per issuer and list number.

A list number names two published lists, ``revocation`` and ``suspension``, that share one
index space: a credential holds the same position on both (see ``app/status/service.py``).
Which bits are set is not stored here; it follows from the credentials' own status.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime, utcnow


class StatusList(Base):
    __tablename__ = "status_list"
    __table_args__ = (UniqueConstraint("issuer_id", "number", name="uq_status_list_number"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    issuer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("issuer.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    capacity: Mapped[int] = mapped_column(Integer)
    allocated: Mapped[int] = mapped_column(Integer, default=0)
    # Bumped with every change of a bit, so a cached signed list is known to be stale.
    revocation_version: Mapped[int] = mapped_column(Integer, default=0)
    suspension_version: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
