"""The console's batch pages: upload a session's CSV, read the preview, start or discard it,
watch its progress, download its report and results.

Every step calls the batch service the API calls (:mod:`app.batches.service`), with the
signed-in key as the actor; the upload is read by the same reader as the API's
(:func:`app.batches.reading.read_csv`), to the same caps.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import (
    HTMLResponse,
    JSONResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from app.achievements import service as achievement_service
from app.batches import runs
from app.batches import service as batch_service
from app.batches.models import Batch
from app.batches.reading import read_csv
from app.batches.schemas import BatchSettings
from app.console.sessions import Signed
from app.console.web import ConsoleRoute, SignedDep, check_csrf, page
from app.deps import ResourcesDep, SessionDep
from app.errors import NotFoundError, PayloadTooLargeError, UnprocessableError
from app.middleware import CONSOLE_BATCHES_PATH
from app.middleware.body import megabytes
from app.texts import console_text
from app.verification.guards import lang_of

router = APIRouter(prefix=CONSOLE_BATCHES_PATH, route_class=ConsoleRoute, include_in_schema=False)

PAGE_ROWS = 50
_FIELDS = ("achievement_id", "format", "label", "exam_date", "on_duplicate", "notify")
_RUNNING = ("queued", "running")


@router.get("/new")
def new_batch(
    request: Request,
    session: SessionDep,
    signed: SignedDep,
    achievement_id: uuid.UUID,
) -> HTMLResponse:
    achievement = achievement_service.get_achievement_for(session, signed.principal, achievement_id)
    return page(
        request,
        "batch_new.html",
        signed=signed,
        achievement=achievement,
        max_size=megabytes(request.app.state.resources.settings.max_batch_bytes),
    )


@router.get("/template.csv")
def batch_template(
    request: Request, session: SessionDep, signed: SignedDep, achievement_id: uuid.UUID
) -> StreamingResponse:
    """The header line a session's CSV needs, with the column names in the page's language."""
    lang = lang_of(request)
    chunks = batch_service.template_csv(session, signed.principal, achievement_id, lang)
    return StreamingResponse(
        chunks,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="batch-template-{lang}.csv"'},
    )


def _settings(form: dict[str, Any]) -> BatchSettings:
    values: dict[str, Any] = {}
    for name in _FIELDS:
        value = form.get(name)
        if isinstance(value, str) and value.strip():
            values[name] = value.strip()
    # An unticked checkbox sends nothing: no notification.
    values["notify"] = form.get("notify") == "yes"
    try:
        return BatchSettings.model_validate(values)
    except ValidationError as error:
        fields = ", ".join(str(e["loc"][0]) for e in error.errors() if e["loc"])
        raise UnprocessableError(f"not valid: {fields}") from None


@router.post("")
async def upload_batch(request: Request, resources: ResourcesDep, signed: SignedDep) -> Response:
    """Read the form's CSV, check it and store the preview; then show it."""
    form = await check_csrf(request, resources, signed.csrf_token)
    settings = _settings(form)
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise UnprocessableError(console_text("choose_file", lang_of(request)))
    limit = resources.settings.max_batch_bytes
    data = await upload.read(limit + 1)
    if len(data) > limit:
        raise PayloadTooLargeError(f"the file is larger than {megabytes(limit)}")
    filename = (upload.filename or "")[:255] or None

    def create() -> uuid.UUID:
        source = read_csv(data, max_rows=resources.settings.max_batch_rows, filename=filename)
        options = batch_service.BatchOptions(**settings.model_dump())
        with resources.sessions() as session:
            batch, _ = batch_service.create_batch(
                session, signed.principal, options, source, datetime.now(UTC)
            )
            return batch.id

    batch_id = await run_in_threadpool(create)
    return RedirectResponse(f"/console/batches/{batch_id}", status_code=303)


def _report_page(session: SessionDep, batch: Batch, number: int) -> tuple[list[Any], int]:
    """A page of the preview's report: errors first, then warnings, each in row order."""
    offset = (number - 1) * PAGE_ROWS
    errors, error_total = batch_service.list_rows(
        session, batch, check="error", state=None, limit=PAGE_ROWS, offset=min(offset, 10**9)
    )
    rows = list(errors)
    if len(rows) < PAGE_ROWS:
        warnings, _ = batch_service.list_rows(
            session,
            batch,
            check="warning",
            state=None,
            limit=PAGE_ROWS - len(rows),
            offset=max(0, offset - error_total),
        )
        rows.extend(warnings)
    return rows, error_total + batch.warning_rows


def _progress(session: SessionDep, batch: Batch) -> dict[str, Any]:
    """The progress bar's figures: rows done of the rows that may be issued, and the pace."""
    done, to_do = batch_service.progress(session, batch)
    states = batch_service.counts_of(session, [batch.id])[batch.id]
    pace = runs.pace(batch, states, datetime.now(UTC))
    return {
        "state": batch.state,
        "total": to_do,
        "done": done,
        "finished": batch.state not in _RUNNING,
        "rate": pace.rows_per_second,
        "eta": pace.eta_seconds,
        "figures": {k: states[k] for k in ("pending", "issued", "skipped", "failed")},
    }


def _load(session: SessionDep, signed: Signed, batch_id: uuid.UUID) -> tuple[Batch, dict[str, int]]:
    batch = batch_service.get_batch_for(session, signed.principal, batch_id)
    states = batch_service.counts_of(session, [batch.id])[batch.id]
    return batch, batch_service.counts(batch, states)


@router.get("/{batch_id}")
def batch_page(
    request: Request,
    batch_id: uuid.UUID,
    session: SessionDep,
    signed: SignedDep,
    page_number: Annotated[int, Query(alias="page", ge=1, le=10_000)] = 1,
) -> HTMLResponse:
    batch, counts = _load(session, signed, batch_id)
    achievement = achievement_service.get_achievement(session, batch.achievement_id)
    rows: list[Any] = []
    flagged = 0
    if batch.state == "preview":
        rows, flagged = _report_page(session, batch, page_number)
    return page(
        request,
        "batch.html",
        signed=signed,
        batch=batch,
        counts=counts,
        achievement=achievement,
        rows=rows,
        flagged=flagged,
        page_number=page_number,
        pages=max(1, -(-flagged // PAGE_ROWS)),
        progress=_progress(session, batch),
        running=batch.state in _RUNNING,
    )


@router.get("/{batch_id}/progress.json")
def batch_progress(
    request: Request, batch_id: uuid.UUID, session: SessionDep, signed: SignedDep
) -> JSONResponse:
    """The progress bar's figures, for the page's script."""
    batch, _ = _load(session, signed, batch_id)
    progress = _progress(session, batch)
    progress["state_label"] = console_text(f"batch_state_{batch.state}", lang_of(request))
    return JSONResponse(progress, headers={"Cache-Control": "no-store"})


@router.post("/{batch_id}/{action}")
async def change_batch(
    request: Request,
    batch_id: uuid.UUID,
    action: str,
    resources: ResourcesDep,
    signed: SignedDep,
) -> Response:
    """Start, cancel, retry or discard, through the services the API calls."""
    if action not in ("start", "cancel", "retry", "discard"):
        raise NotFoundError(f"no action {action!r}")
    await check_csrf(request, resources, signed.csrf_token)
    principal = signed.principal

    def change() -> None:
        now = datetime.now(UTC)
        chunk = resources.settings.batch_chunk_rows
        with resources.sessions() as session:
            batch = batch_service.get_batch_for(session, principal, batch_id)
            if action == "start":
                runs.start(session, resources.jobs, principal, batch, now, chunk)
            elif action == "cancel":
                runs.cancel(session, principal, batch, now)
            elif action == "retry":
                runs.retry(session, resources.jobs, principal, batch, now, chunk)
            else:
                batch_service.discard(session, principal, batch, now)

    await run_in_threadpool(change)
    return RedirectResponse(f"/console/batches/{batch_id}", status_code=303)


@router.get("/{batch_id}/results.csv")
def batch_results(
    batch_id: uuid.UUID, resources: ResourcesDep, signed: SignedDep
) -> StreamingResponse:
    """One line per row with its credential's URL or its error (the API's results.csv)."""
    session = resources.sessions()
    try:
        batch = batch_service.get_batch_for(session, signed.principal, batch_id)
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
        headers={
            "Content-Disposition": f'attachment; filename="batch-{batch.id}-results.csv"',
            "Cache-Control": "no-store",
        },
    )


@router.get("/{batch_id}/report.csv")
def batch_report(
    request: Request, batch_id: uuid.UUID, session: SessionDep, signed: SignedDep
) -> StreamingResponse:
    batch = batch_service.get_batch_for(session, signed.principal, batch_id)
    lines = batch_service.report_csv(session, batch, check=None, lang=lang_of(request))
    return StreamingResponse(
        lines,
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="batch-{batch.id}-report.csv"',
            "Cache-Control": "no-store",
        },
    )
