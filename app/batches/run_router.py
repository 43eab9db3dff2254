"""Batch issuing API: start, cancel, retry, progress and results.csv of ``/api/v1/batches``."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime

from fastapi import APIRouter
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from app.batches import runs
from app.batches.models import Batch
from app.deps import NowDep, PrincipalDep, ResourcesDep, SessionDep
from app.responses import problems

router = APIRouter(prefix="/api/v1/batches", tags=["batches"])


class BatchProgress(BaseModel):
    id: uuid.UUID
    state: str = Field(
        description="preview, queued, running, done, cancelled or discarded.",
        examples=["running"],
    )
    started_at: datetime | None
    finished_at: datetime | None
    total: int = Field(description="Rows in the batch.")
    issued: int
    skipped: int = Field(description="Rows with errors, and examinees issued before (skip).")
    failed: int = Field(description="Rows that could not be issued; see results.csv.")
    pending: int = Field(description="Rows not yet issued (never, once cancelled).")
    rows_per_second: float | None = Field(description="Rows issued or failed a second so far.")
    eta_seconds: float | None = Field(description="Time left at that rate, while running.")


def _progress(session: SessionDep, batch: Batch, now: datetime) -> BatchProgress:
    figures = runs.progress(session, batch, now)
    return BatchProgress(
        id=batch.id,
        state=batch.state,
        started_at=batch.started_at,
        finished_at=batch.finished_at,
        total=figures.total,
        issued=figures.issued,
        skipped=figures.skipped,
        failed=figures.failed,
        pending=figures.pending,
        rows_per_second=figures.rows_per_second,
        eta_seconds=figures.eta_seconds,
    )


@router.get("/{batch_id}/progress", summary="A batch's progress", responses=problems(401, 404))
def get_progress(
    batch_id: uuid.UUID, session: SessionDep, principal: PrincipalDep, now: NowDep
) -> BatchProgress:
    """Rows issued, skipped, failed and pending, the rate and the time left."""
    return _progress(session, runs.get_batch_for(session, principal, batch_id), now)


@router.post(
    "/{batch_id}/start",
    status_code=202,
    summary="Issue a previewed batch",
    responses=problems(401, 404, 409),
)
def start(
    batch_id: uuid.UUID,
    session: SessionDep,
    resources: ResourcesDep,
    principal: PrincipalDep,
    now: NowDep,
) -> BatchProgress:
    """Issue the valid rows of a preview in the background (409 if not a preview)."""
    batch = runs.get_batch_for(session, principal, batch_id)
    batch = runs.start(
        session, resources.jobs, principal, batch, now, resources.settings.batch_chunk_rows
    )
    return _progress(session, batch, now)


@router.post(
    "/{batch_id}/cancel", summary="Stop issuing a batch", responses=problems(401, 404, 409)
)
def cancel(
    batch_id: uuid.UUID, session: SessionDep, principal: PrincipalDep, now: NowDep
) -> BatchProgress:
    """Leave the pending rows unissued; rows issued already stay issued."""
    batch = runs.cancel(session, principal, runs.get_batch_for(session, principal, batch_id), now)
    return _progress(session, batch, now)


@router.post(
    "/{batch_id}/retry",
    status_code=202,
    summary="Retry a batch's failed rows",
    responses=problems(401, 404, 409),
)
def retry(
    batch_id: uuid.UUID,
    session: SessionDep,
    resources: ResourcesDep,
    principal: PrincipalDep,
    now: NowDep,
) -> BatchProgress:
    """Issue the failed rows again (409 if none failed)."""
    batch = runs.get_batch_for(session, principal, batch_id)
    batch = runs.retry(
        session, resources.jobs, principal, batch, now, resources.settings.batch_chunk_rows
    )
    return _progress(session, batch, now)


@router.get(
    "/{batch_id}/results.csv",
    summary="A batch's results, one line per row",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {}}}, **problems(401, 404)},
)
def results(
    batch_id: uuid.UUID, resources: ResourcesDep, principal: PrincipalDep
) -> StreamingResponse:
    """Row number, external id, state, credential id and URL, or the error (UTF-8, BOM)."""
    session = resources.sessions()
    try:
        batch = runs.get_batch_for(session, principal, batch_id)
    except Exception:
        session.close()
        raise

    def body() -> Iterator[str]:
        try:
            yield from runs.results_csv(session, resources.urls, batch)
        finally:
            session.close()

    return StreamingResponse(
        body(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="batch-{batch_id}-results.csv"'},
    )
