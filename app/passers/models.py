"""Passer accounts, their confirmed addresses, sign-in links and browser sessions.

No secret is stored in clear: a sign-in link's token and a session's cookie are kept as their
SHA-256 hashes, so a copy of these tables signs nobody in.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime


class PasserAccount(Base):
    __tablename__ = "passer_account"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The Open Badges Profile a host's client last put (JSON text), if any.
    profile: Mapped[str | None] = mapped_column(Text)


class PasserAddress(Base):
    """An e-mail address the passer proved to hold by following a link sent to it."""

    __tablename__ = "passer_address"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("passer_account.id", ondelete="CASCADE"), index=True
    )
    # Lower-cased, as issued credentials keep it for lookups (one account per address).
    email_lower: Mapped[str] = mapped_column(String(254), unique=True)
    confirmed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PasserSignIn(Base):
    """A one-time sign-in link: its token's hash, for whom, until when, used or not."""

    __tablename__ = "passer_sign_in"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str] = mapped_column(String(254))
    # Set when a signed-in passer adds this address to their account.
    account_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("passer_account.id", ondelete="CASCADE")
    )
    # Where to go once signed in (a local path: the consent page that sent the passer here).
    next_path: Mapped[str | None] = mapped_column(String(2000))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PasserSession(Base):
    __tablename__ = "passer_session"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("passer_account.id", ondelete="CASCADE"), index=True
    )
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
