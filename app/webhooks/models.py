"""The watch tables: who watches which credentials, and every event owed to a watcher.

An event row moves ``pending`` → ``sending`` (claimed by one worker, under a lease) →
``delivered`` or ``failed`` (given up after a day); a failed attempt, or a lease that runs out
because its worker died, puts it back to ``pending``. Its id is the event id the receiver sees
in the ``webhook-id`` header and the body, the same on every attempt, for de-duplication.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, SmallInteger, String, Uuid, false
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime

EVENT_TYPES = (
    "credential.revoked",
    "credential.suspended",
    "credential.unsuspended",
    "credential.expired",
)
STATES = ("pending", "sending", "delivered", "failed")


class Watch(Base):
    __tablename__ = "watch"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    # The key that made it: only that key (or an administrator's) sees and deletes it.
    api_key_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("api_key.id"), index=True)
    callback_url: Mapped[str] = mapped_column(String(2000))
    # ``whsec_`` and base64 of 32 random bytes (Standard Webhooks): kept to sign every event,
    # shown to the watcher once.
    secret: Mapped[str] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class WatchedCredential(Base):
    __tablename__ = "watched_credential"

    watch_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("watch.id"), primary_key=True)
    # Status changes look watchers up by the credential.
    credential_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("issued_credential.id"), primary_key=True, index=True
    )
    # Its expiry has been told (or it had expired already when it was watched): once only.
    expiry_told: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class WebhookEvent(Base):
    __tablename__ = "webhook_event"
    __table_args__ = (
        # The workers' question: which pending events are due, oldest first.
        Index("ix_webhook_event_due", "state", "next_attempt_at"),
        # A watch's recent deliveries, newest first.
        Index("ix_webhook_event_watch", "watch_id", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    watch_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("watch.id"))
    credential_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("issued_credential.id"))
    type: Mapped[str] = mapped_column(String(32))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    state: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The receiver's HTTP status on the last attempt (none: no answer, see last_error).
    last_status: Mapped[int | None] = mapped_column(SmallInteger)
    last_error: Mapped[str | None] = mapped_column(String(500))
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
