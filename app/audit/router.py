"""Audit API (``/api/v1/audit``): read and export who changed what, and when.

An administrator reads every entry; an issuer's staff read the entries of their own issuer.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from app.audit import service
from app.audit.models import AuditEntry
from app.audit.schemas import AuditEntryRead, AuditList
from app.deps import PrincipalDep, ResourcesDep, SessionDep
from app.issuers import service as issuer_service
from app.responses import MAX_OFFSET, problems
from app.validation import NO_CONTROLS, Timestamp

router = APIRouter(prefix="/api/v1/audit", tags=["audit"])

ActionQuery = Annotated[
    str | None,
    Query(
        max_length=64,
        pattern=NO_CONTROLS,
        description="An action (`credential.revoke`) or a family of them (`credential`).",
    ),
]
IssuerQuery = Annotated[
    str | None, Query(max_length=64, pattern=NO_CONTROLS, description="An issuer's slug.")
]
SubjectQuery = Annotated[
    str | None, Query(max_length=64, pattern=NO_CONTROLS, description="What was changed.")
]


def _read(entry: AuditEntry) -> AuditEntryRead:
    return AuditEntryRead.model_validate(entry, from_attributes=True)


def _filter(
    session: SessionDep,
    principal: PrincipalDep,
    action: str | None,
    issuer: str | None,
    api_key_id: uuid.UUID | None,
    subject_id: str | None,
    after: Timestamp | None,
    before: Timestamp | None,
) -> service.AuditFilter:
    issuer_id = None
    if issuer is not None:
        issuer_id = issuer_service.get_issuer_for(session, principal, issuer).id
    return service.AuditFilter(
        action=action,
        issuer_id=issuer_id,
        api_key_id=api_key_id,
        subject_id=subject_id,
        after=after,
        before=before,
    )


@router.get("", summary="Read the audit log", responses=problems(401, 404, 422))
def list_audit_entries(
    session: SessionDep,
    principal: PrincipalDep,
    action: ActionQuery = None,
    issuer: IssuerQuery = None,
    api_key_id: uuid.UUID | None = None,
    subject_id: SubjectQuery = None,
    after: Timestamp | None = None,
    before: Timestamp | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> AuditList:
    """List the changes this key may see, newest first."""
    filters = _filter(session, principal, action, issuer, api_key_id, subject_id, after, before)
    rows, total = service.list_entries(session, principal, filters, limit=limit, offset=offset)
    return AuditList(items=[_read(row) for row in rows], total=total)


@router.get(
    "/export",
    summary="Export the audit log",
    response_class=StreamingResponse,
    responses={
        200: {"content": {"text/csv": {}, "application/jsonl": {}}},
        **problems(401, 404, 422),
    },
)
def export_audit_entries(
    session: SessionDep,
    principal: PrincipalDep,
    resources: ResourcesDep,
    format: Annotated[Literal["csv", "jsonl"], Query(description="CSV or JSON Lines.")] = "jsonl",
    action: ActionQuery = None,
    issuer: IssuerQuery = None,
    api_key_id: uuid.UUID | None = None,
    subject_id: SubjectQuery = None,
    after: Timestamp | None = None,
    before: Timestamp | None = None,
) -> StreamingResponse:
    """Every entry this key may see that matches, oldest first, as CSV or JSON Lines."""
    filters = _filter(session, principal, action, issuer, api_key_id, subject_id, after, before)
    export = service.export_csv if format == "csv" else service.export_jsonl

    # Streamed after this function returns, so in its own session, not the request's. The
    # first page is read here: an error it raises is a problem answer, not a 200 cut short.
    own = resources.sessions()
    try:
        chunks = export(own, principal, filters)
    except BaseException:
        own.close()
        raise

    def lines() -> Iterator[str]:
        try:
            yield from chunks
        finally:
            own.close()

    media = "text/csv; charset=utf-8" if format == "csv" else "application/jsonl"
    filename = f"shomei-audit.{format}"
    return StreamingResponse(
        lines(),
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
