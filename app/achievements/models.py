"""The achievement table."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, LargeBinary, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UTCDateTime, utcnow
from app.issuers.models import Issuer


class Achievement(Base):
    __tablename__ = "achievement"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    issuer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("issuer.id"), index=True)
    # Names and descriptions by language tag; `language` names the primary one.
    language: Mapped[str] = mapped_column(String(16), default="ja")
    name: Mapped[dict[str, str]] = mapped_column(JSON)
    description: Mapped[dict[str, str]] = mapped_column(JSON)
    criteria_narrative: Mapped[str | None] = mapped_column(Text)
    criteria_url: Mapped[str | None] = mapped_column(String(500))
    achievement_type: Mapped[str | None] = mapped_column(String(100))
    alignments: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Loaded only when read: issuing needs the media type, not the bytes.
    image: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    image_media_type: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    issuer: Mapped[Issuer] = relationship(lazy="joined")

    def text(self, field: dict[str, str]) -> str:
        """The text in the primary language (or any, if that one is missing)."""
        return field.get(self.language) or next(iter(field.values()), "")
