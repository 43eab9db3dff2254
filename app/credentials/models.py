"""The issued credential table: each credential exactly as signed, plus columns for queries."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    Uuid,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime, utcnow

FORMATS = ("ob3", "ob3-jwt", "ob2")
STATUSES = ("active", "revoked", "suspended")


class IssuedCredential(Base):
    __tablename__ = "issued_credential"
    __table_args__ = (
        # Idempotent issuing: the same external id for the same award yields one credential.
        # An achievement belongs to one issuer, so this is also "one credential per external
        # id and achievement", which batches rely on. NULLs are distinct on both databases,
        # so credentials without one never collide.
        UniqueConstraint(
            "issuer_id", "achievement_id", "external_id", name="uq_issued_credential_external_id"
        ),
        # One credential per position of a status list (BSL: indexes are unique per list).
        UniqueConstraint(
            "status_list_id", "status_index", name="uq_issued_credential_status_position"
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    # Queries by issuer use the external id constraint's index, which starts with it.
    issuer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("issuer.id"))
    achievement_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("achievement.id"), index=True)
    format: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10), default="active")
    recipient_email: Mapped[str] = mapped_column(String(254))
    # Lower-cased, for lookups; the credential itself carries only a salted hash of it.
    recipient_email_lower: Mapped[str] = mapped_column(String(254), index=True)
    recipient_name: Mapped[str | None] = mapped_column(String(200))
    external_id: Mapped[str | None] = mapped_column(String(200))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True, default=utcnow)
    valid_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Byte for byte what was signed and is served: the JSON text (ob3, and the hosted OB 2.0
    # assertion) or the compact JWS (ob3-jwt). Never rebuilt from the other columns.
    document: Mapped[str] = mapped_column(Text)
    # OB 2.0 only: the signed assertion (JWS) of the same award, baked into its images.
    signed_document: Mapped[str | None] = mapped_column(Text)
    status_list_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("status_list.id"))
    status_index: Mapped[int | None] = mapped_column(Integer)
    status_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revocation_reason: Mapped[str | None] = mapped_column(String(500))
    # The batch that issued it, if any.
    batch_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("batch.id"), index=True)
    # JIS X 0401 code 1..47 (None: overseas or unknown), for statistics only: never written
    # into the credential.
    prefecture: Mapped[int | None] = mapped_column(SmallInteger)
    # Shown on the public page only when staff say so; verifiers' status lists carry no reason.
    revocation_reason_public: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    # Whether the passer lets search engines index the page (it is reachable by link anyway).
    listed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
