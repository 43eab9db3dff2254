"""Batch API (``/api/v1/batches``): upload a session's passers as a preview, read its report,
discard it; and the template CSV of an achievement."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, Literal, cast

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import StreamingResponse
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from app.apikeys.service import Principal
from app.batches import runs, service
from app.batches.checking import CheckedRow
from app.batches.models import Batch, BatchRow
from app.batches.reading import Source, read_csv, read_json_rows
from app.batches.schemas import (
    BatchCounts,
    BatchCreate,
    BatchList,
    BatchPreview,
    BatchRead,
    BatchRowList,
    BatchRowRead,
    BatchSettings,
    BatchState,
    RowCheck,
    RowState,
)
from app.bodies import parse_json, read_body
from app.deps import NowDep, PrincipalDep, ResourcesDep, SessionDep, UrlsDep
from app.errors import PayloadTooLargeError, UnprocessableError, UnsupportedMediaTypeError
from app.middleware import BATCHES_PATH
from app.middleware.body import ENVELOPE_BYTES, megabytes
from app.responses import MAX_OFFSET, problems
from app.urls import Urls

router = APIRouter(prefix=BATCHES_PATH, tags=["batches"])
templates = APIRouter(prefix="/api/v1/achievements", tags=["batches"])

_REPORT_LIMIT = 1000
_FORM_FIELDS = ("achievement_id", "format", "label", "exam_date", "on_duplicate", "notify")


# --- reading the upload ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Upload:
    """What came in, not yet parsed: a JSON body, or a form's settings and CSV file."""

    json: bytes | None = None
    settings: BatchSettings | None = None
    csv: bytes | None = None
    filename: str | None = None


def _form_settings(values: dict[str, Any]) -> BatchSettings:
    try:
        return BatchSettings.model_validate(values)
    except ValidationError as error:
        errors = [{**e, "loc": ("body", *e["loc"])} for e in error.errors(include_url=False)]
        raise RequestValidationError(errors) from None


async def _upload(request: Request, resources: ResourcesDep) -> _Upload:
    """The batch as a JSON body or a multipart form with a CSV file, never past the cap."""
    limit = resources.settings.max_batch_bytes
    media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media == "application/json":
        # Parsed in the route, on a worker thread: megabytes of JSON would hold the loop.
        return _Upload(json=await read_body(request, limit))
    if media != "multipart/form-data":
        raise UnsupportedMediaTypeError(
            "send application/json, or multipart/form-data with a CSV file in a `file` field"
        )
    # The middleware cuts the stream at the same cap; the file part has its own below.
    async with request.form(
        max_files=1, max_fields=len(_FORM_FIELDS) + 1, max_part_size=ENVELOPE_BYTES
    ) as form:
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise UnprocessableError("the form needs the CSV file in a `file` field")
        data = await upload.read(limit + 1)
        if len(data) > limit:
            raise PayloadTooLargeError(f"the file is larger than {megabytes(limit)}")
        values: dict[str, Any] = {}
        for name in _FORM_FIELDS:
            value = form.get(name)
            if isinstance(value, UploadFile):
                raise UnprocessableError(f"{name} is a text field, not a file")
            if value is not None and value.strip():
                values[name] = value.strip()
        filename = (upload.filename or "")[:255] or None
    return _Upload(settings=_form_settings(values), csv=data, filename=filename)


def _parsed(upload: _Upload, max_rows: int) -> tuple[BatchSettings, Source]:
    if upload.json is not None:
        body = parse_json(upload.json, BatchCreate)
        settings = BatchSettings.model_validate(body.model_dump(exclude={"rows"}))
        return settings, read_json_rows(body.rows, max_rows=max_rows)
    if upload.csv is None or upload.settings is None:  # pragma: no cover - _upload gives both
        raise UnprocessableError("the form needs the CSV file in a `file` field")
    return upload.settings, read_csv(upload.csv, max_rows=max_rows, filename=upload.filename)


# --- responses ----------------------------------------------------------------------------


def read(session: Session, urls: Urls, batch: Batch) -> BatchRead:
    """The batch as the API shows it, counts and pace included."""
    states = service.counts_of(session, [batch.id])[batch.id]
    return _read(urls, batch, service.issuer_slugs(session, [batch])[batch.issuer_id], states)


def _read(urls: Urls, batch: Batch, slug: str, states: dict[str, int]) -> BatchRead:
    url = urls.batch(batch.id)
    pace = runs.pace(batch, states, datetime.now(UTC))
    return BatchRead(
        id=batch.id,
        issuer=slug,
        achievement_id=batch.achievement_id,
        format=cast(Any, batch.format),
        label=batch.label,
        exam_date=batch.exam_date,
        on_duplicate=cast(Any, batch.on_duplicate),
        notify=batch.notify,
        state=cast(BatchState, batch.state),
        counts=BatchCounts.model_validate(service.counts(batch, states)),
        created_at=batch.created_at,
        started_at=batch.started_at,
        finished_at=batch.finished_at,
        created_by_key_id=batch.created_by_key_id,
        source_filename=batch.source_filename,
        source_encoding=batch.source_encoding,
        rows_per_second=pace.rows_per_second,
        eta_seconds=pace.eta_seconds,
        rows_url=f"{url}/rows",
        report_url=f"{url}/report.csv",
        results_url=f"{url}/results.csv",
    )


def _row(row: BatchRow) -> BatchRowRead:
    return BatchRowRead.model_validate(row, from_attributes=True)


def _checked_row(row: CheckedRow) -> BatchRowRead:
    return BatchRowRead.model_validate(
        {
            "row_number": row.number,
            **row.values,
            "check": row.check,
            "problems": row.problems,
            "duplicate_of": row.duplicate_of,
            "state": "pending",
            "credential_id": None,
            "error": None,
            "attempts": 0,
        }
    )


_BATCH_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/BatchCreate"}},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file", "achievement_id"],
                    "properties": {
                        "file": {
                            "type": "string",
                            "format": "binary",
                            "description": "The CSV file: UTF-8 (with or without a BOM) or "
                            "Shift_JIS (CP932), a header line with English or Japanese "
                            "column names, then one passer a row.",
                        },
                        "achievement_id": {"type": "string", "format": "uuid"},
                        "format": {"type": "string", "enum": ["ob3", "ob3-jwt", "ob2"]},
                        "label": {"type": "string", "maxLength": 100},
                        "exam_date": {"type": "string", "format": "date"},
                        "on_duplicate": {"type": "string", "enum": ["skip", "reissue"]},
                        "notify": {"type": "boolean"},
                    },
                }
            },
        },
    }
}


# --- routes --------------------------------------------------------------------------------


@router.post(
    "",
    status_code=201,
    summary="Upload a batch as a preview",
    response_model=BatchPreview,
    responses=problems(400, 401, 413, 415, 422),
    openapi_extra=_BATCH_BODY,
)
def create_batch(
    upload: Annotated[_Upload, Depends(_upload)],
    session: SessionDep,
    principal: PrincipalDep,
    resources: ResourcesDep,
    urls: UrlsDep,
    now: NowDep,
) -> BatchPreview:
    """Check every row of a CSV file or JSON array and store the batch as a preview."""
    settings, source = _parsed(upload, resources.settings.max_batch_rows)
    options = service.BatchOptions(**settings.model_dump())
    batch, checked = service.create_batch(session, principal, options, source, now)
    states = service.counts_of(session, [batch.id])[batch.id]
    report = checked.report()
    return BatchPreview(
        **_read(urls, batch, checked.achievement.issuer.slug, states).model_dump(),
        ignored_columns=list(source.ignored_columns),
        report=[_checked_row(row) for row in report[:_REPORT_LIMIT]],
        report_truncated=len(report) > _REPORT_LIMIT,
    )


def _one(session: SessionDep, principal: Principal, batch_id: str) -> Batch:
    return service.get_batch_for(session, principal, service.parse_id(batch_id))


@router.get(
    "",
    summary="List batches",
    response_model=BatchList,
    responses=problems(401, 422),
)
def list_batches(
    session: SessionDep,
    principal: PrincipalDep,
    urls: UrlsDep,
    achievement_id: uuid.UUID | None = None,
    state: BatchState | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> BatchList:
    """The batches this key may see, newest first."""
    batches, total = service.list_batches(
        session, principal, achievement_id=achievement_id, state=state, limit=limit, offset=offset
    )
    slugs = service.issuer_slugs(session, batches)
    states = service.counts_of(session, [batch.id for batch in batches])
    return BatchList(
        items=[_read(urls, b, slugs[b.issuer_id], states[b.id]) for b in batches], total=total
    )


@router.get(
    "/{batch_id}",
    summary="Get a batch and its counts",
    response_model=BatchRead,
    responses=problems(401, 404),
)
def get_batch(
    batch_id: str, session: SessionDep, principal: PrincipalDep, urls: UrlsDep
) -> BatchRead:
    """The batch with its counts: rows checked ok, warnings, errors; pending, issued, …"""
    batch = _one(session, principal, batch_id)
    states = service.counts_of(session, [batch.id])[batch.id]
    return _read(urls, batch, service.issuer_slugs(session, [batch])[batch.issuer_id], states)


@router.get(
    "/{batch_id}/rows",
    summary="List a batch's rows",
    response_model=BatchRowList,
    responses=problems(401, 404, 422),
)
def list_rows(
    batch_id: str,
    session: SessionDep,
    principal: PrincipalDep,
    check: RowCheck | None = None,
    state: RowState | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> BatchRowList:
    """The rows in row order, each with its check, problems and state (``?check=error``)."""
    batch = _one(session, principal, batch_id)
    rows, total = service.list_rows(
        session, batch, check=check, state=state, limit=limit, offset=offset
    )
    return BatchRowList(items=[_row(row) for row in rows], total=total)


_CSV: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {}}, "description": "CSV, UTF-8 with a BOM."}
}


def _csv(chunks: Any, filename: str) -> StreamingResponse:
    return StreamingResponse(
        chunks,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get(
    "/{batch_id}/report.csv",
    summary="Download a batch's check report",
    response_class=StreamingResponse,
    responses=_CSV | problems(401, 404, 422),
)
def report_csv(
    batch_id: str,
    session: SessionDep,
    principal: PrincipalDep,
    check: RowCheck | None = None,
    lang: Literal["ja", "en"] = "en",
) -> StreamingResponse:
    """The check of every row (or of ``?check=error`` rows) as CSV, in Japanese or English."""
    batch = _one(session, principal, batch_id)
    return _csv(
        service.report_csv(session, batch, check=check, lang=lang), f"batch-{batch.id}-report.csv"
    )


@router.delete(
    "/{batch_id}",
    status_code=204,
    summary="Discard a preview",
    response_class=Response,
    responses=problems(401, 404, 409),
)
def discard_batch(
    batch_id: str, session: SessionDep, principal: PrincipalDep, now: NowDep
) -> Response:
    """Discard a batch that is still a preview: its rows are deleted, nothing was issued."""
    batch = _one(session, principal, batch_id)
    service.discard(session, principal, batch, now)
    return Response(status_code=204)


@templates.get(
    "/{achievement_id}/batch-template.csv",
    summary="Download the batch template",
    response_class=StreamingResponse,
    responses=_CSV | problems(401, 404, 422),
)
def batch_template(
    achievement_id: uuid.UUID,
    session: SessionDep,
    principal: PrincipalDep,
    lang: Literal["ja", "en"] = "en",
) -> StreamingResponse:
    """A CSV file with the batch columns' header line (``?lang=ja``: the Japanese names)."""
    chunks = service.template_csv(session, principal, achievement_id, lang)
    return _csv(chunks, f"batch-template-{lang}.csv")
