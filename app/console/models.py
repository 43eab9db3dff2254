"""The console's sign-in sessions: one row per signed-in browser."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime


class ConsoleSession(Base):
    __tablename__ = "console_session"

    # SHA-256 of the cookie's random value: a copy of the table signs nobody in.
    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    # The key used to sign in; it is checked on every request, so revoking it ends the session.
    api_key_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("api_key.id", ondelete="CASCADE"), index=True
    )
    # The synchronizer token every form of this session carries.
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
