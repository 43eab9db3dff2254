"""Public status list credentials: ``/status/{slug}/{purpose}/{number}`` (Data Integrity) and
``/status/{slug}/{purpose}/{number}.jwt`` (the same list secured as a VC-JWT)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from app.deps import KeyringDep, NowDep, SessionDep, UrlsDep
from app.responses import problems
from app.status import service

public = APIRouter(tags=["public documents"])


@public.get(
    "/status/{slug}/{purpose}/{number}.jwt",
    summary="Status list credential as a VC-JWT",
    responses={
        200: {"content": {"application/vc+jwt": {}}},
        304: {"description": "Not modified since the ETag given in If-None-Match."},
        **problems(404, 422),
    },
)
def status_list_jwt(
    slug: str,
    purpose: str,
    number: Annotated[int, Path(ge=0, le=2**31 - 1)],
    request: Request,
    session: SessionDep,
    keyring: KeyringDep,
    urls: UrlsDep,
    now: NowDep,
) -> Response:
    """The same BitstringStatusListCredential secured as a VC-JWT (for VC-JWT credentials)."""
    signed = service.signed_status_list(
        session, keyring, urls, slug, purpose, number, now, securing="jwt"
    )
    return _answer(request, signed)


@public.get(
    "/status/{slug}/{purpose}/{number}",
    summary="Status list credential",
    responses={
        200: {"content": {"application/vc+ld+json": {}}},
        304: {"description": "Not modified since the ETag given in If-None-Match."},
        **problems(404, 422),
    },
)
def status_list_credential(
    slug: str,
    purpose: str,
    number: Annotated[int, Path(ge=0, le=2**31 - 1)],
    request: Request,
    session: SessionDep,
    keyring: KeyringDep,
    urls: UrlsDep,
    now: NowDep,
) -> Response:
    """A signed BitstringStatusListCredential (purpose: revocation or suspension)."""
    signed = service.signed_status_list(session, keyring, urls, slug, purpose, number, now)
    return _answer(request, signed)


def _answer(request: Request, signed: service.SignedList) -> Response:
    # Short-lived: a revocation must reach verifiers quickly (BSL `ttl` says the same).
    headers = {"Cache-Control": f"max-age={service.TTL_SECONDS}", "ETag": signed.etag}
    if _matches(request.headers.get("if-none-match"), signed.etag):
        return Response(status_code=304, headers=headers)
    return Response(signed.body, media_type=signed.media_type, headers=headers)


def _matches(if_none_match: str | None, etag: str) -> bool:
    # RFC 9110 §13.1.2: a list of entity tags, compared weakly, or "*".
    if not if_none_match:
        return False
    tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return "*" in tags or etag in tags
