"""Batch issuing API: start, cancel, retry and results.csv under ``/api/v1/batches``.

``GET /api/v1/batches/{id}`` (app/batches/router.py) shows the progress: counts by row state,
rows a second and the time left.
"""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from app.batches import runs, service
from app.batches.router import read
from app.batches.schemas import BatchRead
from app.deps import NowDep, PrincipalDep, ResourcesDep, SessionDep, UrlsDep
from app.responses import problems

router = APIRouter(prefix="/api/v1/batches", tags=["batches"])


@router.post(
    "/{batch_id}/start",
    status_code=202,
    summary="Issue a previewed batch",
    responses=problems(401, 404, 409),
)
def start(
    batch_id: str,
    session: SessionDep,
    resources: ResourcesDep,
    principal: PrincipalDep,
    now: NowDep,
) -> BatchRead:
    """Issue the valid rows of a preview in the background (409 if not a preview)."""
    batch = service.get_batch_for(session, principal, service.parse_id(batch_id))
    batch = runs.start(
        session, resources.jobs, principal, batch, now, resources.settings.batch_chunk_rows
    )
    return read(session, resources.urls, batch)


@router.post(
    "/{batch_id}/cancel", summary="Stop issuing a batch", responses=problems(401, 404, 409)
)
def cancel(
    batch_id: str, session: SessionDep, principal: PrincipalDep, urls: UrlsDep, now: NowDep
) -> BatchRead:
    """Leave the pending rows unissued; rows issued already stay issued."""
    batch = service.get_batch_for(session, principal, service.parse_id(batch_id))
    return read(session, urls, runs.cancel(session, principal, batch, now))


@router.post(
    "/{batch_id}/retry",
    status_code=202,
    summary="Retry a batch's failed rows",
    responses=problems(401, 404, 409),
)
def retry(
    batch_id: str,
    session: SessionDep,
    resources: ResourcesDep,
    principal: PrincipalDep,
    now: NowDep,
) -> BatchRead:
    """Issue the failed rows again (409 if none failed)."""
    batch = service.get_batch_for(session, principal, service.parse_id(batch_id))
    batch = runs.retry(
        session, resources.jobs, principal, batch, now, resources.settings.batch_chunk_rows
    )
    return read(session, resources.urls, batch)


@router.get(
    "/{batch_id}/results.csv",
    summary="Download a batch's results",
    response_class=StreamingResponse,
    responses={
        200: {"content": {"text/csv": {}}, "description": "CSV, UTF-8 with a BOM."},
        **problems(401, 404),
    },
)
def results(batch_id: str, resources: ResourcesDep, principal: PrincipalDep) -> StreamingResponse:
    """One line per row: row number, external id, state, credential id and URL, or the error."""
    session = resources.sessions()
    try:
        batch = service.get_batch_for(session, principal, service.parse_id(batch_id))
    except Exception:
        session.close()
        raise

    def body() -> Iterator[str]:
        # The session lives as long as the stream: rows are read a thousand at a time.
        try:
            yield from runs.results_csv(session, resources.urls, batch)
        finally:
            session.close()

    return StreamingResponse(
        body(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="batch-{batch.id}-results.csv"'},
    )
