"""Issuer API (``/api/v1/issuers``) and the issuer's public documents."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from app import pages
from app.deps import KeyringDep, NowDep, PrincipalDep, SessionDep, UrlsDep
from app.issuers import service
from app.issuers.models import Issuer, IssuerKey
from app.issuers.schemas import (
    IssuerCreate,
    IssuerList,
    IssuerRead,
    IssuerUpdate,
    KeyList,
    KeyRead,
    KeyRotate,
)
from app.responses import MAX_OFFSET, json_document, problems, wants_html
from app.urls import Urls

router = APIRouter(prefix="/api/v1/issuers", tags=["issuers"])
_VARY = {"Vary": "Accept"}  # one URL, a page for browsers and JSON for the rest
public = APIRouter(tags=["public documents"])


def _read(urls: Urls, issuer: Issuer) -> IssuerRead:
    return IssuerRead(
        id=issuer.id,
        slug=issuer.slug,
        did=urls.issuer_did(issuer.slug),
        name=issuer.name,
        name_translations=issuer.name_translations,
        url=issuer.url,
        email=issuer.email,
        description=issuer.description,
        image_url=issuer.image_url,
        time_zone=issuer.time_zone,
        linkedin_organization_id=issuer.linkedin_organization_id,
        recipient_name_in_credential=issuer.recipient_name_in_credential,
        profile_url=urls.issuer_profile(issuer.slug),
        created_at=issuer.created_at,
        updated_at=issuer.updated_at,
    )


def _key(urls: Urls, issuer: Issuer, key: IssuerKey) -> KeyRead:
    return KeyRead(
        id=key.id,
        verification_method=urls.verification_method(issuer.slug, key.fragment),
        algorithm=key.algorithm,
        key_type=key.key_type,
        status="active" if key.active else "retired",
        public_jwk=key.public_jwk,
        created_at=key.created_at,
        retired_at=key.retired_at,
    )


@router.post(
    "", status_code=201, summary="Create an issuer", responses=problems(401, 403, 409, 422, 503)
)
def create_issuer(
    body: IssuerCreate,
    session: SessionDep,
    principal: PrincipalDep,
    keyring: KeyringDep,
    urls: UrlsDep,
    now: NowDep,
) -> IssuerRead:
    """Create an issuer with an Ed25519 and a P-256 key (administrators only)."""
    service.require_admin(principal)
    return _read(urls, service.create_issuer(session, keyring, body, now, actor=principal))


@router.get("", summary="List issuers", responses=problems(401))
def list_issuers(
    session: SessionDep,
    principal: PrincipalDep,
    urls: UrlsDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> IssuerList:
    """List the issuers this key may act for."""
    rows, total = service.list_issuers(session, principal, limit=limit, offset=offset)
    return IssuerList(items=[_read(urls, r) for r in rows], total=total)


@router.get("/{slug}", summary="Get an issuer", responses=problems(401, 404))
def get_issuer(
    slug: str, session: SessionDep, principal: PrincipalDep, urls: UrlsDep
) -> IssuerRead:
    """Get one issuer."""
    return _read(urls, service.get_issuer_for(session, principal, slug))


@router.patch("/{slug}", summary="Update an issuer", responses=problems(401, 404, 409, 422))
def update_issuer(
    slug: str, body: IssuerUpdate, session: SessionDep, principal: PrincipalDep, urls: UrlsDep
) -> IssuerRead:
    """Change an issuer's name, URL, e-mail, description or image."""
    issuer = service.get_issuer_for(session, principal, slug)
    return _read(urls, service.update_issuer(session, issuer, body, actor=principal))


@router.get("/{slug}/keys", summary="List an issuer's keys", responses=problems(401, 404))
def list_keys(slug: str, session: SessionDep, principal: PrincipalDep, urls: UrlsDep) -> KeyList:
    """List active and retired keys (retired keys stay published for old credentials)."""
    issuer = service.get_issuer_for(session, principal, slug)
    return KeyList(items=[_key(urls, issuer, k) for k in issuer.keys])


@router.post(
    "/{slug}/keys/rotate",
    status_code=201,
    summary="Rotate a key",
    responses=problems(401, 404, 422, 503),
)
def rotate_key(
    slug: str,
    body: KeyRotate,
    session: SessionDep,
    principal: PrincipalDep,
    keyring: KeyringDep,
    urls: UrlsDep,
    now: NowDep,
) -> KeyRead:
    """Make a new key that signs from now on; the old one is retired but stays published."""
    issuer = service.get_issuer_for(session, principal, slug)
    key = service.rotate_key(session, keyring, issuer, body.algorithm, now, actor=principal)
    return _key(urls, issuer, key)


@public.get(
    "/issuers/{slug}",
    summary="Issuer profile",
    responses={200: {"content": {"application/ld+json": {}, "text/html": {}}}, **problems(404)},
)
def issuer_profile(slug: str, request: Request, session: SessionDep, urls: UrlsDep) -> Response:
    """The issuer's OB 3.0 Profile (JSON), or its page for browsers."""
    issuer = service.get_issuer(session, slug)
    profile = service.profile_of(urls, issuer)
    if wants_html(request):
        return HTMLResponse(pages.issuer(profile, issuer.name_translations), headers=_VARY)
    media = "application/ld+json" if "ld+json" in request.headers.get("accept", "") else None
    headers = {"Cache-Control": "max-age=300", **_VARY}
    return json_document(profile, media or "application/json", **headers)


@public.get(
    "/issuers/{slug}/did.json",
    summary="Issuer DID document",
    responses={
        200: {"content": {"application/did+json": {}}, "description": "The DID document."},
        **problems(404),
    },
)
def issuer_did_document(slug: str, session: SessionDep, urls: UrlsDep) -> Response:
    """The issuer's did:web DID document."""
    document = service.did_document_of(urls, service.get_issuer(session, slug))
    return json_document(document, "application/did+json", **{"Cache-Control": "max-age=300"})


@public.get(
    "/issuers/{slug}/jwks.json",
    summary="Issuer JWK Set",
    responses={
        200: {"content": {"application/jwk-set+json": {}}, "description": "The JWK Set."},
        **problems(404),
    },
)
def issuer_jwks(slug: str, session: SessionDep, urls: UrlsDep) -> Response:
    """The issuer's public keys as a JWK Set (VC-JWT and OB 2.0 verifiers)."""
    document = service.jwks_of(urls, service.get_issuer(session, slug))
    return json_document(document, "application/jwk-set+json", **{"Cache-Control": "max-age=300"})


@public.get(
    "/.well-known/jwks.json",
    summary="Host JWK Set",
    responses={200: {"content": {"application/jwk-set+json": {}}}, **problems(404)},
)
def host_jwks(session: SessionDep, urls: UrlsDep) -> Response:
    """Every issuer's public keys as one JWK Set (OB 3.0 key provenance for VC-JWT)."""
    document = service.host_jwks(session, urls)
    return json_document(document, "application/jwk-set+json", **{"Cache-Control": "max-age=300"})
