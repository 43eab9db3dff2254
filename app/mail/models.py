"""The outbox: one row per mail, written in the transaction that makes the mail due.

A row moves ``queued`` → ``sending`` (claimed by one sender, under a lease) → ``sent`` or
``failed``; a temporary failure, or a lease that runs out because its sender died, puts it
back to ``queued``. The message is composed when it is sent, off the issuing path; the one
thing that cannot be composed then is the claim link's token, of which the claim keeps only
a hash: the row holds it until the mail is sent or given up, and then erases it.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime

STATES = ("queued", "sending", "sent", "failed")
# The badge is issued; a lost link is asked for again; the badge is still unclaimed; a passer
# signs in to their account (no credential: ``claim_token`` holds the sign-in link's token).
KINDS = ("notification", "claim_link", "claim_reminder", "sign_in")


class OutboxMessage(Base):
    __tablename__ = "outbox_message"
    __table_args__ = (
        # The sender's question: which queued mails are due, oldest first.
        Index("ix_outbox_message_due", "state", "next_attempt_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    credential_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("issued_credential.id"), index=True
    )
    kind: Mapped[str] = mapped_column(String(32))
    recipient: Mapped[str] = mapped_column(String(254))
    language: Mapped[str] = mapped_column(String(8))
    # <uuid@host>, made when queued: a retry or a resend after a crash carries the same one.
    message_id: Mapped[str] = mapped_column(String(300), unique=True)
    claim_token: Mapped[str | None] = mapped_column(String(64))  # in clear until sent
    state: Mapped[str] = mapped_column(String(10), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # The server's reply to the last attempt: its acceptance, or why it refused.
    last_error: Mapped[str | None] = mapped_column(String(1000))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
