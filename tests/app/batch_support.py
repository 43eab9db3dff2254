"""Batches for the issuing tests, stored as a checked preview would store them."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert
from sqlalchemy.orm import Session

from app.batches.models import Batch, BatchRow


def make_batch(
    session: Session,
    *,
    issuer_id: str | uuid.UUID,
    achievement_id: str | uuid.UUID,
    rows: int,
    error_rows: Iterable[int] = (),
    on_duplicate: str = "skip",
    format: str = "ob3",
    external_ids: dict[int, str] | None = None,
    expired_rows: Iterable[int] = (),
    notify: bool = False,
    languages: dict[int, str] | None = None,
) -> uuid.UUID:
    """A preview of ``rows`` passers; ``error_rows`` fail the check, ``expired_rows`` carry a
    ``valid_until`` already past (they pass the check, then fail when issued)."""
    errors = set(error_rows)
    expired = set(expired_rows)
    batch = Batch(
        issuer_id=uuid.UUID(str(issuer_id)),
        achievement_id=uuid.UUID(str(achievement_id)),
        format=format,
        label="2026#6",
        on_duplicate=on_duplicate,
        notify=notify,
        state="preview",
        total_rows=rows,
        ok_rows=rows - len(errors),
        error_rows=len(errors),
    )
    session.add(batch)
    session.flush()
    now = datetime.now(UTC)
    values = [
        {
            "batch_id": batch.id,
            "row_number": number,
            "external_id": (external_ids or {}).get(number, f"E{number:06d}"),
            "email": f"passer{number}@example.jp",
            "name": f"合格者 {number}",
            "prefecture": number % 47 + 1,
            "language": (languages or {}).get(number),
            "result": "87",
            "valid_until": now - timedelta(days=1) if number in expired else None,
            "check": "error" if number in errors else "ok",
            "problems": [],
            "state": "pending",
            "attempts": 0,
            "updated_at": now,
        }
        for number in range(1, rows + 1)
    ]
    session.execute(insert(BatchRow), values)
    session.commit()
    return batch.id
