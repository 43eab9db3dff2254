"""Running a batch: start, cancel, retry, progress and the results, per row.

State changes are conditional UPDATEs (``… WHERE state = 'preview'``), so two requests (or a
request and a worker) cannot both win. Issuing itself is :mod:`app.batches.worker`'s.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from app.apikeys.service import Principal
from app.audit import service as audit
from app.batches import worker
from app.batches.models import Batch, BatchRow
from app.errors import ConflictError, NotFoundError
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
# A cell a spreadsheet would read as a formula (OWASP, "CSV Injection") is written as text.
_FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")


def get_batch_for(session: Session, principal: Principal, batch_id: uuid.UUID) -> Batch:
    """The batch, if ``principal`` may see it (else 404, revealing nothing)."""
    batch = session.get(Batch, batch_id)
    if batch is None or not principal.may_act_for(batch.issuer_id):
        raise NotFoundError(f"batch {batch_id} does not exist")
    return batch


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
class Progress:
    total: int
    issued: int
    skipped: int
    failed: int
    pending: int
    rows_per_second: float | None
    eta_seconds: float | None


def progress(session: Session, batch: Batch, now: datetime) -> Progress:
    """Counts by row state, the rate since the batch started, and the time left at that rate."""
    counts = worker.progress_counts(session, batch.id)
    total = sum(counts.values())
    rate = None
    eta = None
    if batch.started_at is not None:
        end = batch.finished_at or now
        elapsed = (end - batch.started_at).total_seconds()
        done = counts["issued"] + counts["failed"]
        if elapsed > 0 and done:
            rate = round(done / elapsed, 1)
            if batch.state in worker.ACTIVE:
                eta = round(counts["pending"] / rate, 1)
    return Progress(total=total, rows_per_second=rate, eta_seconds=eta, **counts)


def _cell(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def results_csv(session: Session, urls: Urls, batch: Batch) -> Iterator[str]:
    """results.csv, one line per row, streamed a thousand rows at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(RESULT_COLUMNS)
    yield "\ufeff" + flush()  # Excel opens UTF-8 with a byte order mark as UTF-8
    rows = session.execute(
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
    )
    pending_state = "cancelled" if batch.state == "cancelled" else "pending"
    for count, (number, external_id, state, credential_id, error) in enumerate(rows, 1):
        writer.writerow(
            (
                number,
                _cell(external_id or ""),
                pending_state if state == "pending" else state,
                str(credential_id) if credential_id else "",
                urls.credential(credential_id) if credential_id else "",
                _cell(error or ""),
            )
        )
        if count % 1000 == 0:
            yield flush()
    yield flush()
