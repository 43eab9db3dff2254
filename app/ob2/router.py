"""Public OB 2.0 documents under ``/ob2``: assertions, badges, issuers, keys, revocations."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.achievements import service as achievement_service
from app.achievements.documents import badge_class_document
from app.credentials import service as credential_service
from app.deps import SessionDep, UrlsDep
from app.issuers import service as issuer_service
from app.ob2 import documents
from app.responses import json_document, problems

public = APIRouter(prefix="/ob2", tags=["public documents"])

_LD_JSON = {200: {"content": {"application/ld+json": {}}}, **problems(404)}


def _served(request: Request, document: dict[str, Any], max_age: int) -> Response:
    # OB 2.0 hosts serve application/ld+json, or application/json to clients asking for it.
    accept = request.headers.get("accept", "")
    media = (
        "application/json"
        if "application/json" in accept and "ld+json" not in accept
        else "application/ld+json"
    )
    return json_document(document, media, **{"Cache-Control": f"max-age={max_age}"})


@public.get("/assertions/{credential_id}", summary="OB 2.0 hosted assertion", responses=_LD_JSON)
def assertion(credential_id: str, request: Request, session: SessionDep) -> Response:
    """The hosted assertion; a revoked one says ``revoked: true`` with the reason."""
    credential = credential_service.get_credential(
        session, credential_service.parse_id(credential_id)
    )
    return _served(request, documents.assertion_document(credential), 60)


@public.get("/badges/{achievement_id}", summary="OB 2.0 BadgeClass", responses=_LD_JSON)
def badge_class(
    achievement_id: str, request: Request, session: SessionDep, urls: UrlsDep
) -> Response:
    """The BadgeClass of an achievement."""
    achievement = achievement_service.get_published_achievement(session, achievement_id)
    return _served(request, badge_class_document(urls, achievement), 300)


@public.get("/issuers/{slug}", summary="OB 2.0 issuer profile", responses=_LD_JSON)
def issuer(slug: str, request: Request, session: SessionDep, urls: UrlsDep) -> Response:
    """The issuer's OB 2.0 Profile, with its public keys and revocation list."""
    found = issuer_service.get_issuer(session, slug)
    return _served(request, documents.issuer_profile(urls, found), 300)


@public.get("/keys/{key_id}", summary="OB 2.0 CryptographicKey", responses=_LD_JSON)
def key(key_id: str, request: Request, session: SessionDep, urls: UrlsDep) -> Response:
    """A public key that signs the issuer's OB 2.0 assertions."""
    return _served(request, documents.key_document(session, urls, key_id), 300)


@public.get("/revocations/{slug}", summary="OB 2.0 revocation list", responses=_LD_JSON)
def revocations(slug: str, request: Request, session: SessionDep, urls: UrlsDep) -> Response:
    """The issuer's RevocationList of OB 2.0 assertions."""
    found = issuer_service.get_issuer(session, slug)
    return _served(request, documents.revocation_list(session, urls, found), 60)
