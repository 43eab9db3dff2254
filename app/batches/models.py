"""The batch tables: one ``batch`` per uploaded session, one ``batch_row`` per passer.

The rows are the truth about a batch's progress; counts kept on ``batch`` are those fixed
when the preview was checked (how many rows were ok, warnings or errors), never progress.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime, utcnow

BATCH_FORMATS = ("ob3", "ob3-jwt", "ob2")
ON_DUPLICATE = ("skip", "reissue")
# preview → queued → running → done; a preview may be discarded, a queued or running batch
# cancelled.
BATCH_STATES = ("preview", "queued", "running", "done", "cancelled", "discarded")
ROW_CHECKS = ("ok", "warning", "error")
ROW_STATES = ("pending", "issued", "skipped", "failed")


class Batch(Base):
    __tablename__ = "batch"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    issuer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("issuer.id"), index=True)
    achievement_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("achievement.id"), index=True)
    format: Mapped[str] = mapped_column(String(10))
    # The session's name as the body uses it, e.g. "2026#6".
    label: Mapped[str | None] = mapped_column(String(100))
    exam_date: Mapped[date | None] = mapped_column(Date)
    # What a row whose external id was issued before gets: skipped, or the same credential
    # re-issued (same id, new validFrom).
    on_duplicate: Mapped[str] = mapped_column(String(10), default="skip")
    # Whether passers are told by e-mail once their credential is issued.
    notify: Mapped[bool] = mapped_column(Boolean, default=True)
    state: Mapped[str] = mapped_column(String(10), default="preview", index=True)
    # Fixed when the preview is checked.
    total_rows: Mapped[int] = mapped_column(Integer, default=0)
    ok_rows: Mapped[int] = mapped_column(Integer, default=0)
    warning_rows: Mapped[int] = mapped_column(Integer, default=0)
    error_rows: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The API key that uploaded it; None from the command line. No foreign key, as in the
    # audit log: a key's history must not block its removal.
    created_by_key_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    source_filename: Mapped[str | None] = mapped_column(String(255))
    # "utf-8", "utf-8-sig", "cp932", or "json" for a JSON body.
    source_encoding: Mapped[str | None] = mapped_column(String(16))


class BatchRow(Base):
    __tablename__ = "batch_row"
    __table_args__ = (Index("ix_batch_row_batch_id_state", "batch_id", "state"),)

    batch_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("batch.id", ondelete="CASCADE"), primary_key=True
    )
    # The line's place in the file: 1 is the first row after the header.
    row_number: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    # As given, cut to the column's length on rows whose check is an error (the problem
    # says what was wrong); rows that may be issued hold exactly what will be issued.
    external_id: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    name: Mapped[str | None] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    language: Mapped[str | None] = mapped_column(String(2))
    # A date in the file means the end of that day in Japan (23:59:59+09:00).
    valid_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A score or grade, written as an OB 3.0 Result's value.
    result: Mapped[str | None] = mapped_column(String(200))
    evidence_url: Mapped[str | None] = mapped_column(String(2000))
    narrative: Mapped[str | None] = mapped_column(Text)
    # JIS X 0401 code 1..47; None is overseas or unknown. For statistics only: it is never
    # written into a credential.
    prefecture: Mapped[int | None] = mapped_column(SmallInteger)
    check: Mapped[str] = mapped_column(String(8))
    # [{"column", "code", "message_ja", "message_en"}, ...]
    problems: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # The credential already issued for this external id, found when the preview was checked.
    duplicate_of: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("issued_credential.id"))
    state: Mapped[str] = mapped_column(String(8), default="pending")
    credential_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("issued_credential.id"))
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
