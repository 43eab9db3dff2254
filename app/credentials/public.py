"""Public documents of a credential (no authentication): the credential, its page, its images.

The credential is served exactly as stored. Revoked and suspended credentials stay
resolvable: their documents do not change (verifiers learn the status from the status
lists, or for OB 2.0 from the hosted assertion), and the page says so.
"""

from __future__ import annotations

import uuid
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from app.achievements.models import Achievement
from app.achievements.router import SVG_POLICY
from app.credentials import page, service, share_image
from app.credentials.models import IssuedCredential
from app.deps import NowDep, Resources, ResourcesDep, SessionDep, UrlsDep
from app.errors import NotFoundError
from app.issuers import service as issuer_service
from app.responses import problems, wants_html
from app.urls import Urls
from app.verification.page import choose_language
from badges import baking
from keys import b64url_decode

public = APIRouter(tags=["public documents"])

VC_LD_JSON = "application/vc+ld+json"
# A credential never changes once issued; its page and status do.
_IMMUTABLE = {"Cache-Control": "public, max-age=3600", "Vary": "Accept"}
_IMMUTABLE_FOREVER = "public, max-age=31536000, immutable"
_IMAGE_TYPES = {"png": "image/png", "svg": "image/svg+xml"}
# Anything but ja or en is ignored (the reader's Accept-Language decides), never refused.
_LangQuery = Annotated[
    str | None, Query(description="ja or en; otherwise Accept-Language decides.")
]


def _json_media(request: Request, preferred: str) -> str:
    """``preferred`` unless the client asks only for a plainer JSON type."""
    accept = request.headers.get("accept", "")
    if preferred in accept:
        return preferred
    for media in ("application/ld+json", "application/json"):
        if media in accept:
            return media
    return preferred


def _json_response(request: Request, credential_format: str, document: str) -> Response:
    if credential_format == "ob3-jwt":
        return Response(document, media_type="text/plain", headers=_IMMUTABLE)
    preferred = VC_LD_JSON if credential_format == "ob3" else "application/ld+json"
    return Response(
        document.encode(), media_type=_json_media(request, preferred), headers=_IMMUTABLE
    )


def _read_issued(resources: Resources, credential_id: uuid.UUID) -> tuple[str, str]:
    with resources.sessions() as session:
        credential = service.get_credential(session, credential_id)
        return credential.format, credential.document


async def _issued(resources: Resources, credential_id: str) -> tuple[str, str]:
    """(format, document) of a credential: from memory, or read once in the thread pool.

    The hot public GETs run on the event loop and touch the database only on a miss.
    """
    key = service.parse_id(credential_id)
    with resources.issued_documents_lock:
        found = resources.issued_documents.get(key)
    if found is None:
        found = await run_in_threadpool(_read_issued, resources, key)
        with resources.issued_documents_lock:
            resources.issued_documents[key] = found
    return found


def _load(session: Session, credential_id: str) -> IssuedCredential:
    return service.get_credential(session, service.parse_id(credential_id))


def _image(achievement: Achievement, extension: str) -> bytes:
    media_type = _IMAGE_TYPES[extension]
    if achievement.image is None or achievement.image_media_type != media_type:
        raise NotFoundError(f"the achievement has no {extension.upper()} image")
    return achievement.image


def _baked(session: Session, credential_id: str, extension: str) -> Response:
    credential = _load(session, credential_id)
    image = _image(service.achievement_of(session, credential), extension)
    if credential.format == "ob2":
        # OB 2.0 images carry the signed assertion: it verifies without the host.
        baked = baking.bake(image, credential.signed_document or credential.document, version="2.0")
    else:
        baked = baking.bake(image, credential.document, version="3.0")
    headers = dict(_IMMUTABLE)
    if extension == "svg":  # opened on our origin, an SVG may load nothing and run nothing
        headers |= {"Content-Security-Policy": SVG_POLICY, "X-Content-Type-Options": "nosniff"}
    return Response(baked, media_type=_IMAGE_TYPES[extension], headers=headers)


@public.get(
    "/credentials/{credential_id}.json",
    summary="Credential (JSON)",
    responses={200: {"content": {VC_LD_JSON: {}, "application/json": {}}}, **problems(404)},
)
async def credential_json(
    credential_id: str, request: Request, resources: ResourcesDep
) -> Response:
    """The credential exactly as issued; for a VC-JWT, the JWT's payload."""
    credential_format, document = await _issued(resources, credential_id)
    if credential_format == "ob3-jwt":
        body = b64url_decode(document.split(".")[1], "the JWT payload")
        return Response(body, media_type="application/json", headers=_IMMUTABLE)
    return _json_response(request, credential_format, document)


@public.get(
    "/credentials/{credential_id}.jwt",
    summary="Credential (VC-JWT)",
    responses={200: {"content": {"text/plain": {}}}, **problems(404)},
)
async def credential_jwt(credential_id: str, resources: ResourcesDep) -> Response:
    """The VC-JWT exactly as issued (VC-JWT credentials only)."""
    credential_format, document = await _issued(resources, credential_id)
    if credential_format != "ob3-jwt":
        raise NotFoundError(f"credential {credential_id} is not a VC-JWT")
    return Response(document, media_type="text/plain", headers=_IMMUTABLE)


@public.get(
    "/credentials/{credential_id}.png",
    summary="Baked PNG badge",
    responses={200: {"content": {"image/png": {}}}, **problems(404)},
)
def credential_png(credential_id: str, session: SessionDep) -> Response:
    """The achievement's PNG image with the credential baked in."""
    return _baked(session, credential_id, "png")


@public.get(
    "/credentials/{credential_id}.svg",
    summary="Baked SVG badge",
    responses={200: {"content": {"image/svg+xml": {}}}, **problems(404)},
)
def credential_svg(credential_id: str, session: SessionDep) -> Response:
    """The achievement's SVG image with the credential baked in."""
    return _baked(session, credential_id, "svg")


@public.get(
    "/credentials/{credential_id}/share.png",
    summary="Share image",
    responses={
        200: {"content": {"image/png": {}}},
        304: {"description": "Not modified."},
        **problems(404),
    },
)
def credential_share_image(
    credential_id: str,
    request: Request,
    session: SessionDep,
    resources: ResourcesDep,
    urls: UrlsDep,
    now: NowDep,
    lang: _LangQuery = None,
    v: Annotated[str | None, Query(max_length=64)] = None,
) -> Response:
    """The 1200x627 preview image of the credential's page (``?lang=ja|en``)."""
    view, achievement = page_view(session, urls, _load(session, credential_id), request, lang)
    version = page.share_version(view, now, _image_stamp(achievement))
    etag = f'"{version}"'
    # The versioned URL the page names never changes; any other is revalidated.
    cache = _IMMUTABLE_FOREVER if v == version else "public, max-age=300"
    headers = {"ETag": etag, "Cache-Control": cache, "Vary": "Accept-Language"}
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    key = f"{view.credential_id}:{version}"
    with resources.share_images_lock:
        drawn = resources.share_images.get(key)
    if drawn is None:
        card = page.card(view, now, achievement.image, achievement.image_media_type)
        drawn = share_image.draw_share_card(card)
        with resources.share_images_lock:
            resources.share_images[key] = drawn
    return Response(drawn, media_type="image/png", headers=headers)


@public.get(
    "/credentials/{credential_id}",
    summary="Credential",
    responses={
        200: {"content": {VC_LD_JSON: {}, "text/html": {}, "text/plain": {}}},
        **problems(404),
    },
)
def credential_document(
    credential_id: str,
    request: Request,
    session: SessionDep,
    urls: UrlsDep,
    now: NowDep,
    lang: _LangQuery = None,
) -> Response:
    """The credential exactly as issued, or its page for browsers (``?lang=ja|en``)."""
    credential = _load(session, credential_id)
    if not wants_html(request):
        return _json_response(request, credential.format, credential.document)
    view, achievement = page_view(session, urls, credential, request, lang)
    version = page.share_version(view, now, _image_stamp(achievement))
    image = f"{view.share_image_url}?{urlencode({'lang': view.lang, 'v': version})}"
    headers = {
        "Cache-Control": "no-cache",
        "Vary": "Accept, Accept-Language",
        "Content-Language": view.lang,
        "Referrer-Policy": "strict-origin-when-cross-origin",
        "X-Content-Type-Options": "nosniff",
    }
    if not view.listed:
        headers["X-Robots-Tag"] = "noindex"
    return HTMLResponse(page.render(view, now, image), headers=headers)


def _image_stamp(achievement: Achievement) -> str:
    # The image changes only through an update of the achievement, which moves updated_at.
    return f"{achievement.image_media_type}:{achievement.updated_at.isoformat()}"


def page_view(
    session: Session,
    urls: Urls,
    credential: IssuedCredential,
    request: Request,
    asked: str | None,
) -> tuple[page.CredentialPage, Achievement]:
    achievement = service.achievement_of(session, credential)
    issuer = issuer_service.get_issuer_by_id(session, credential.issuer_id)
    lang = choose_language(asked, None, request.headers.get("accept-language"))
    public_url = urls.credential(credential.id)
    extension = {"image/png": "png", "image/svg+xml": "svg"}.get(achievement.image_media_type or "")

    def text(field: dict[str, str]) -> str:
        return field.get(lang) or achievement.text(field)

    view = page.CredentialPage(
        lang=lang,
        credential_id=str(credential.id),
        achievement_name=text(achievement.name),
        achievement_description=text(achievement.description),
        criteria_narrative=achievement.criteria_narrative,
        texts_lang=lang if lang in achievement.name else achievement.language,
        criteria_lang=achievement.language,
        issuer_name=issuer.name_translations.get(lang) or issuer.name,
        issuer_profile_url=urls.issuer_profile(issuer.slug),
        issuer_time_zone=issuer.time_zone,
        linkedin_organization_id=issuer.linkedin_organization_id,
        recipient_name=credential.recipient_name,
        issued_at=credential.issued_at,
        valid_until=credential.valid_until,
        status=credential.status,
        revocation_reason=(
            credential.revocation_reason if credential.revocation_reason_public else None
        ),
        listed=credential.listed,
        format=credential.format,
        external_id=credential.external_id,
        image_url=f"{public_url}.{extension}" if extension else None,
        public_url=public_url,
        verify_url=urls.verify_page(),
        share_image_url=f"{public_url}/share.png",
    )
    return view, achievement
