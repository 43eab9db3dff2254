"""Achievement API (``/api/v1/achievements``) and the achievement's public documents."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser

from app.achievements import documents, service
from app.achievements.images import MEDIA_TYPES, PNG, SVG
from app.achievements.models import Achievement
from app.achievements.schemas import (
    AchievementCreate,
    AchievementList,
    AchievementRead,
    AchievementUpdate,
    AlignmentRead,
    CriteriaRead,
)
from app.deps import NowDep, PrincipalDep, ResourcesDep, SessionDep, UrlsDep
from app.errors import (
    NotFoundError,
    PayloadTooLargeError,
    UnprocessableError,
    UnsupportedMediaTypeError,
)
from app.issuers.schemas import SLUG_PATTERN
from app.responses import MAX_OFFSET, json_document, problems, wants_html
from app.urls import Urls

router = APIRouter(prefix="/api/v1/achievements", tags=["achievements"])
public = APIRouter(tags=["public documents"])

# Room for the multipart boundaries and part headers around the image itself.
MULTIPART_OVERHEAD = 16 * 1024
IMAGE_CACHE = "public, max-age=86400"
# An SVG opened on its own is a document of our origin: nothing may load or run in it.
SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'"


def _read(urls: Urls, achievement: Achievement) -> AchievementRead:
    return AchievementRead(
        id=achievement.id,
        issuer=achievement.issuer.slug,
        language=achievement.language,
        name=achievement.name,
        description=achievement.description,
        criteria=CriteriaRead(
            narrative=achievement.criteria_narrative, url=achievement.criteria_url
        ),
        achievement_type=achievement.achievement_type,
        alignments=[AlignmentRead.model_validate(a) for a in achievement.alignments],
        tags=achievement.tags,
        image_url=documents.image_url(urls, achievement),
        public_url=urls.achievement(achievement.id),
        created_at=achievement.created_at,
        updated_at=achievement.updated_at,
    )


# -- reading an image upload ----------------------------------------------------------------


@dataclass(frozen=True)
class ImageUpload:
    """The uploaded bytes, the media type the client gave them, and the size limit."""

    media_type: str | None
    data: bytes
    max_bytes: int


def _media_type(content_type: str | None) -> str:
    return (content_type or "").partition(";")[0].strip().lower()


async def _body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise PayloadTooLargeError(f"the upload is larger than {limit} bytes")
    received = bytearray()
    async for chunk in request.stream():
        received += chunk
        if len(received) > limit:
            raise PayloadTooLargeError(f"the upload is larger than {limit} bytes")
    return bytes(received)


async def _form_file(request: Request, limit: int) -> ImageUpload:
    body = await _body(request, limit + MULTIPART_OVERHEAD)

    async def replay() -> AsyncGenerator[bytes, None]:
        yield body

    parser = MultiPartParser(request.headers, replay(), max_files=1, max_fields=8)
    try:
        form = await parser.parse()
    except MultiPartException as exc:
        raise UnprocessableError(f"the multipart body cannot be read: {exc.message}") from None
    try:
        file = form.get("file")
        if not isinstance(file, UploadFile):
            raise UnprocessableError("a multipart upload carries the image in a `file` field")
        data = await file.read()
        declared = _media_type(file.content_type) or None
    finally:
        await form.close()
    return ImageUpload(declared, data, limit)


async def _image_upload(request: Request, resources: ResourcesDep) -> ImageUpload:
    """Read the image from the raw body or a multipart form, never past the size limit."""
    limit = resources.settings.max_image_bytes
    media_type = _media_type(request.headers.get("content-type"))
    if media_type in MEDIA_TYPES:
        return ImageUpload(media_type, await _body(request, limit), limit)
    if media_type == "multipart/form-data":
        return await _form_file(request, limit)
    raise UnsupportedMediaTypeError(
        "send the image as image/png or image/svg+xml, or as multipart/form-data with a "
        f"`file` field, not {media_type or 'no Content-Type'}"
    )


ImageUploadDep = Annotated[ImageUpload, Depends(_image_upload)]

_BINARY = {"schema": {"type": "string", "format": "binary"}}
_IMAGE_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "The badge image: PNG (at most 2048 by 2048 pixels) or SVG.",
        "content": {
            PNG: _BINARY,
            SVG: _BINARY,
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": {"type": "string", "format": "binary"}},
                    "required": ["file"],
                }
            },
        },
    }
}


# -- the API ----------------------------------------------------------------------------------


@router.post(
    "", status_code=201, summary="Create an achievement", responses=problems(401, 404, 422)
)
def create_achievement(
    body: AchievementCreate,
    session: SessionDep,
    principal: PrincipalDep,
    urls: UrlsDep,
    now: NowDep,
) -> AchievementRead:
    """Create an achievement (what a badge certifies) for an issuer."""
    return _read(urls, service.create_achievement(session, principal, body, urls, now))


@router.get("", summary="List achievements", responses=problems(401, 404, 422))
def list_achievements(
    session: SessionDep,
    principal: PrincipalDep,
    urls: UrlsDep,
    issuer: Annotated[
        str | None, Query(description="Only this issuer's (slug).", pattern=SLUG_PATTERN)
    ] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> AchievementList:
    """List the achievements this key may see, newest first."""
    rows, total = service.list_achievements(
        session, principal, issuer_slug=issuer, limit=limit, offset=offset
    )
    return AchievementList(items=[_read(urls, r) for r in rows], total=total)


@router.get("/{achievement_id}", summary="Get an achievement", responses=problems(401, 404, 422))
def get_achievement(
    achievement_id: uuid.UUID, session: SessionDep, principal: PrincipalDep, urls: UrlsDep
) -> AchievementRead:
    """Get one achievement."""
    return _read(urls, service.get_achievement_for(session, principal, achievement_id))


@router.patch(
    "/{achievement_id}", summary="Update an achievement", responses=problems(401, 404, 422)
)
def update_achievement(
    achievement_id: uuid.UUID,
    body: AchievementUpdate,
    session: SessionDep,
    principal: PrincipalDep,
    urls: UrlsDep,
    now: NowDep,
) -> AchievementRead:
    """Change an achievement; credentials already issued keep the text they were signed with."""
    achievement = service.get_achievement_for(session, principal, achievement_id)
    updated = service.update_achievement(session, achievement, body, urls, now, actor=principal)
    return _read(urls, updated)


@router.put(
    "/{achievement_id}/image",
    summary="Set the badge image",
    responses=problems(401, 404, 413, 415, 422),
    openapi_extra=_IMAGE_BODY,
)
def put_image(
    achievement_id: uuid.UUID,
    session: SessionDep,
    principal: PrincipalDep,
    upload: ImageUploadDep,
    urls: UrlsDep,
    now: NowDep,
) -> AchievementRead:
    """Upload the badge image (PNG or SVG); a badge already baked into it is removed."""
    achievement = service.get_achievement_for(session, principal, achievement_id)
    updated = service.set_image(
        session,
        achievement,
        media_type=upload.media_type,
        data=upload.data,
        max_bytes=upload.max_bytes,
        now=now,
        actor=principal,
    )
    return _read(urls, updated)


# -- public documents ---------------------------------------------------------------------


@public.get(
    "/achievements/{achievement_id}",
    summary="Achievement",
    responses={
        200: {"content": {"application/ld+json": {}, "text/html": {}}},
        **problems(404),
    },
)
def public_achievement(
    achievement_id: str,
    request: Request,
    session: SessionDep,
    urls: UrlsDep,
    lang: Annotated[str | None, Query(max_length=35)] = None,
) -> Response:
    """The OB 3.0 Achievement (JSON-LD; ``?lang=`` its edition in that language), or its page."""
    achievement = service.get_published_achievement(session, achievement_id)
    if wants_html(request):
        return HTMLResponse(
            documents.achievement_page(urls, achievement), headers={"Vary": "Accept"}
        )
    accept = request.headers.get("accept", "")
    media = "application/ld+json" if "ld+json" in accept else "application/json"
    return json_document(
        documents.public_document(urls, achievement, lang),
        media,
        **{"Cache-Control": "max-age=300", "Vary": "Accept"},
    )


def _image(request: Request, urls: Urls, achievement: Achievement, media_type: str) -> Response:
    if achievement.image is None or achievement.image_media_type is None:
        raise NotFoundError(f"achievement {achievement.id} has no image")
    if achievement.image_media_type != media_type:
        # Credentials keep the image URL they were signed with; after a PNG was replaced by
        # an SVG (or the reverse) that URL leads on to the current image.
        current = documents.image_url(urls, achievement)
        return RedirectResponse(current or urls.achievement(achievement.id), status_code=307)
    etag = '"' + hashlib.sha256(achievement.image).hexdigest()[:32] + '"'
    headers = {"Cache-Control": IMAGE_CACHE, "ETag": etag, "X-Content-Type-Options": "nosniff"}
    if media_type == SVG:
        headers["Content-Security-Policy"] = SVG_POLICY
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    return Response(achievement.image, media_type=media_type, headers=headers)


_IMAGE_RESPONSES: dict[int | str, dict[str, Any]] = {
    307: {"description": "The image is now in the other format; follow the Location."},
    304: {"description": "Not modified (If-None-Match)."},
    **problems(404),
}


@public.get(
    "/achievements/{achievement_id}/image.png",
    summary="Achievement image (PNG)",
    response_class=Response,
    responses={200: {"content": {PNG: {}}}, **_IMAGE_RESPONSES},
)
def achievement_image_png(
    achievement_id: str, request: Request, session: SessionDep, urls: UrlsDep
) -> Response:
    """The achievement's badge image, as uploaded (unbaked)."""
    return _image(request, urls, service.get_published_achievement(session, achievement_id), PNG)


@public.get(
    "/achievements/{achievement_id}/image.svg",
    summary="Achievement image (SVG)",
    response_class=Response,
    responses={200: {"content": {SVG: {}}}, **_IMAGE_RESPONSES},
)
def achievement_image_svg(
    achievement_id: str, request: Request, session: SessionDep, urls: UrlsDep
) -> Response:
    """The achievement's badge image, as uploaded (unbaked), under a no-script policy."""
    return _image(request, urls, service.get_published_achievement(session, achievement_id), SVG)
