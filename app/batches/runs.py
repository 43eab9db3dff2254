"""Running a batch: start, cancel, retry, progress and the results, per row.

State changes are conditional UPDATEs (``… WHERE state = 'preview'``), so two requests (or a
request and a worker) cannot both win. Issuing itself is :mod:`app.batches.worker`'s.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from app import spreadsheets
from app.apikeys.service import Principal
from app.audit import service as audit
from app.batches import worker
from app.batches.models import Batch, BatchRow
from app.errors import ConflictError
from app.jobs.base import Jobs
from app.urls import Urls

RESULT_COLUMNS: Final = (
    "row_number",
    "external_id",
    "state",
    "credential_id",
    "credential_url",
    "error",
)


def _changed(session: Session, batch_id: uuid.UUID, states: tuple[str, ...], **values: Any) -> bool:
    result = session.execute(
        update(Batch)
        .where(Batch.id == batch_id, Batch.state.in_(states))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return cast(CursorResult[Any], result).rowcount == 1


def _audit(
    session: Session,
    action: audit.Action,
    batch: Batch,
    actor: Principal,
    now: datetime,
    **details: Any,
) -> None:
    audit.record(
        session,
        action,
        actor=actor,
        subject_type="batch",
        subject_id=batch.id,
        issuer_id=batch.issuer_id,
        details=details,
        at=now,
    )


def _enqueue(session: Session, jobs: Jobs, batch: Batch, chunk_rows: int) -> None:
    numbers = session.scalars(
        select(BatchRow.row_number)
        .where(BatchRow.batch_id == batch.id, BatchRow.state == "pending")
        .order_by(BatchRow.row_number)
        .execution_options(yield_per=1000)
    )
    worker.enqueue_chunks(jobs, batch.id, numbers, chunk_rows)


def start(
    session: Session, jobs: Jobs, principal: Principal, batch: Batch, now: datetime, chunk_rows: int
) -> Batch:
    """Queue a preview's valid rows for issuing.

    Raises:
        ConflictError: not a preview, or no row may be issued.
    """
    valid = session.scalar(
        select(BatchRow.row_number)
        .where(BatchRow.batch_id == batch.id, BatchRow.check != "error")
        .limit(1)
    )
    if batch.state != "preview" or valid is None:
        raise ConflictError(
            f"batch {batch.id} is {batch.state}, not a preview"
            if batch.state != "preview"
            else f"batch {batch.id} has no row that may be issued"
        )
    if not _changed(session, batch.id, ("preview",), state="queued", started_at=now):
        session.rollback()
        raise ConflictError(f"batch {batch.id} was started already")
    _audit(session, "batch.start", batch, principal, now)
    session.commit()
    # After the commit: a job must find the batch queued. Jobs lost here (a crash) are
    # enqueued again by the periodic batches.resume.
    _enqueue(session, jobs, batch, chunk_rows)
    session.refresh(batch)
    return batch


def cancel(session: Session, principal: Principal, batch: Batch, now: datetime) -> Batch:
    """Stop issuing: pending rows stay pending and are not issued; issued rows stay issued.

    Raises:
        ConflictError: the batch is not queued or running.
    """
    if not _changed(session, batch.id, worker.ACTIVE, state="cancelled", finished_at=now):
        session.rollback()
        raise ConflictError(f"batch {batch.id} is {batch.state}, not queued or running")
    _audit(session, "batch.cancel", batch, principal, now)
    session.commit()
    session.refresh(batch)
    return batch


def retry(
    session: Session, jobs: Jobs, principal: Principal, batch: Batch, now: datetime, chunk_rows: int
) -> Batch:
    """Put the failed rows back to pending and issue them again.

    Raises:
        ConflictError: the batch is not running or done, or no row failed.
    """
    if batch.state not in ("running", "done"):
        raise ConflictError(f"batch {batch.id} is {batch.state}: only a started batch is retried")
    result = session.execute(
        update(BatchRow)
        .where(BatchRow.batch_id == batch.id, BatchRow.state == "failed")
        .values(state="pending", error=None, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    again = cast(CursorResult[Any], result).rowcount
    if again == 0:
        session.rollback()
        raise ConflictError(f"batch {batch.id} has no failed row")
    if not _changed(session, batch.id, ("running", "done"), state="running", finished_at=None):
        session.rollback()
        raise ConflictError(f"batch {batch.id} changed meanwhile")
    _audit(session, "batch.retry", batch, principal, now, rows=again)
    session.commit()
    _enqueue(session, jobs, batch, chunk_rows)
    session.refresh(batch)
    return batch


@dataclass(frozen=True)
class Pace:
    rows_per_second: float | None
    eta_seconds: float | None


def pace(batch: Batch, states: dict[str, int], now: datetime) -> Pace:
    """Rows issued or failed a second since the batch started; the time left at that rate."""
    if batch.started_at is None:
        return Pace(None, None)
    elapsed = ((batch.finished_at or now) - batch.started_at).total_seconds()
    done = states.get("issued", 0) + states.get("failed", 0)
    if elapsed <= 0 or not done:
        return Pace(None, None)
    rate = done / elapsed
    eta = states.get("pending", 0) / rate if batch.state in worker.ACTIVE else None
    return Pace(round(rate, 1), None if eta is None else round(eta, 1))


def results_csv(session: Session, urls: Urls, batch: Batch) -> Iterator[str]:
    """results.csv, one line per row in row order, streamed (the shared writer neutralises
    formulas)."""

    def lines() -> Iterator[Sequence[object]]:
        yield RESULT_COLUMNS
        pending = "cancelled" if batch.state == "cancelled" else "pending"
        for number, external_id, state, credential_id, error in session.execute(
            select(
                BatchRow.row_number,
                BatchRow.external_id,
                BatchRow.state,
                BatchRow.credential_id,
                BatchRow.error,
            )
            .where(BatchRow.batch_id == batch.id)
            .order_by(BatchRow.row_number)
            .execution_options(yield_per=1000)
        ):
            yield (
                number,
                external_id,
                pending if state == "pending" else state,
                credential_id,
                urls.credential(credential_id) if credential_id else None,
                error,
            )

    return spreadsheets.write_rows(lines())
