"""API key API (``/api/v1/apikeys``): list, create, read and revoke keys.

An administrator manages every key; an issuer's staff manage their own issuer's keys (never an
administrator's nor an HR system's). A key is shown in full once, in the answer that creates it.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.apikeys import service
from app.apikeys.models import ApiKey
from app.apikeys.schemas import ApiKeyCreate, ApiKeyCreated, ApiKeyList, ApiKeyRead
from app.deps import NowDep, PrincipalDep, SessionDep
from app.errors import NotFoundError, UnprocessableError
from app.issuers import service as issuer_service
from app.issuers.models import Issuer
from app.responses import MAX_OFFSET, problems

router = APIRouter(prefix="/api/v1/apikeys", tags=["api keys"])


def _slugs(session: Session, rows: list[ApiKey]) -> dict[uuid.UUID, str]:
    ids = {row.issuer_id for row in rows if row.issuer_id is not None}
    if not ids:
        return {}
    found = session.execute(select(Issuer.id, Issuer.slug).where(Issuer.id.in_(ids)))
    return {issuer_id: slug for issuer_id, slug in found}


def _read(row: ApiKey, slugs: dict[uuid.UUID, str], now: datetime) -> ApiKeyRead:
    return ApiKeyRead(
        id=row.id,
        name=row.name,
        prefix=row.prefix,
        scope=row.role,
        issuer=slugs.get(row.issuer_id) if row.issuer_id else None,
        status=row.state(now),
        created_at=row.created_at,
        created_by_key_id=row.created_by_key_id,
        expires_at=row.expires_at,
        revoked_at=row.revoked_at,
    )


def _issuer_id(session: Session, principal: service.Principal, slug: str | None) -> uuid.UUID:
    if slug is None:
        if principal.issuer_id is None:
            raise UnprocessableError("name the issuer whose staff use the key, or ask for admin")
        return principal.issuer_id
    try:
        return issuer_service.get_issuer_for(session, principal, slug).id
    except NotFoundError as error:
        # A reference in the body that names nothing makes the request invalid, not the URL.
        raise UnprocessableError(str(error)) from None


@router.get("", summary="List API keys", responses=problems(401, 404, 422))
def list_api_keys(
    session: SessionDep,
    principal: PrincipalDep,
    now: NowDep,
    issuer: Annotated[str | None, Query(description="Only this issuer's keys.")] = None,
    include_revoked: bool = True,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> ApiKeyList:
    """List the keys this key may manage, newest first (never their secrets)."""
    issuer_id = None
    if issuer is not None:
        issuer_id = issuer_service.get_issuer_for(session, principal, issuer).id
    rows, total = service.list_api_keys(
        session,
        principal,
        issuer_id=issuer_id,
        include_revoked=include_revoked,
        limit=limit,
        offset=offset,
    )
    slugs = _slugs(session, rows)
    return ApiKeyList(items=[_read(row, slugs, now) for row in rows], total=total)


@router.post("", status_code=201, summary="Create an API key", responses=problems(401, 403, 422))
def create_api_key(
    body: ApiKeyCreate, session: SessionDep, principal: PrincipalDep, now: NowDep
) -> ApiKeyCreated:
    """Make a key for an issuer's staff (or, by an administrator, an administrator's key or an
    HR system's key)."""
    if [body.admin, body.hr, body.issuer is not None].count(True) > 1:
        raise UnprocessableError("a key is an administrator's, an HR system's or one issuer's")
    issuer_id = None if body.admin or body.hr else _issuer_id(session, principal, body.issuer)
    made = service.new_api_key(
        session,
        issuer_id=issuer_id,
        is_admin=body.admin,
        is_hr=body.hr,
        name=body.name,
        expires_at=body.expires_at,
        actor=principal,
        now=now,
    )
    read = _read(made.row, _slugs(session, [made.row]), now)
    return ApiKeyCreated(**read.model_dump(), key=made.token)


@router.get("/{key_id}", summary="Get an API key", responses=problems(401, 404))
def get_api_key(
    key_id: uuid.UUID, session: SessionDep, principal: PrincipalDep, now: NowDep
) -> ApiKeyRead:
    """Get one key (never its secret)."""
    row = service.get_api_key_for(session, principal, key_id)
    return _read(row, _slugs(session, [row]), now)


@router.post("/{key_id}/revoke", summary="Revoke an API key", responses=problems(401, 404, 409))
def revoke_api_key(
    key_id: uuid.UUID, session: SessionDep, principal: PrincipalDep, now: NowDep
) -> ApiKeyRead:
    """Revoke a key for good: its next call is refused, on every server."""
    row = service.get_api_key_for(session, principal, key_id)
    row = service.revoke_api_key(session, row, actor=principal, now=now)
    return _read(row, _slugs(session, [row]), now)
