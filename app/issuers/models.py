"""Tables of issuers and their signing keys."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, String, Text, Uuid, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UTCDateTime, utcnow

DEFAULT_TIME_ZONE = "Asia/Tokyo"


class Issuer(Base):
    __tablename__ = "issuer"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_translations: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    url: Mapped[str] = mapped_column(String(500))
    email: Mapped[str] = mapped_column(String(254))
    description: Mapped[str | None] = mapped_column(Text)
    image_url: Mapped[str | None] = mapped_column(String(500))
    # The IANA zone in which the issuer's dates are shown (public page, LinkedIn month).
    time_zone: Mapped[str] = mapped_column(
        String(64), default=DEFAULT_TIME_ZONE, server_default=DEFAULT_TIME_ZONE
    )
    # The issuer's LinkedIn company page id: "add to profile" then links to that page.
    linkedin_organization_id: Mapped[str | None] = mapped_column(String(20))
    # Whether credentials carry the recipient's name in plain text (an OB 3.0 identifier).
    recipient_name_in_credential: Mapped[bool] = mapped_column(
        Boolean, default=True, server_default=true()
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    keys: Mapped[list[IssuerKey]] = relationship(
        back_populates="issuer", order_by="IssuerKey.created_at", lazy="selectin"
    )


class IssuerKey(Base):
    """One signing key; retired keys stay published so old credentials keep verifying."""

    __tablename__ = "issuer_key"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    issuer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("issuer.id"), index=True)
    fragment: Mapped[str] = mapped_column(String(100))
    key_type: Mapped[str] = mapped_column(String(20))
    algorithm: Mapped[str] = mapped_column(String(10))
    public_jwk: Mapped[dict[str, Any]] = mapped_column(JSON)
    encrypted_private_key: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    issuer: Mapped[Issuer] = relationship(back_populates="keys")

    @property
    def active(self) -> bool:
        return self.retired_at is None
