"""The verify API (``POST /api/v1/verify``, ``…/batch``) and the verify page (``/verify``).

Both are public and guarded before any body is read (:mod:`app.verification.guards`: rate
limit, body cap). Verification runs in plain ``def`` routes, in the threadpool, never on the
event loop; the routes only read the request, call the :class:`Verifier` and shape the answer.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, ValidationError
from starlette.datastructures import UploadFile

from app.deps import NowDep, Resources, ResourcesDep
from app.errors import (
    PayloadTooLargeError,
    ServiceBusyError,
    UnprocessableError,
    UnsupportedMediaTypeError,
    problem,
)
from app.responses import problems
from app.verification import page as pages
from app.verification.guards import (
    ENVELOPE_BYTES,
    LANG_COOKIE,
    GuardedRoute,
    PageRoute,
    client_of,
    html_response,
    lang_of,
    limiter_for,
    megabytes,
    rate_limited,
)
from app.verification.local import LocalDocuments
from app.verification.page import render_error, render_page, render_report
from app.verification.schemas import (
    VerifyBatchRequest,
    VerifyBatchResponse,
    VerifyReport,
    VerifyRequest,
)
from app.verification.service import NotABadgeError, Subject, Verifier, verifier_config
from app.verification.texts import ui
from badges import baking
from badges.identity import Recipient

router = APIRouter(prefix="/api/v1/verify", tags=["verification"], route_class=GuardedRoute)
page = APIRouter(tags=["pages"], route_class=PageRoute)

_M = TypeVar("_M", bound=BaseModel)


# --- reading requests --------------------------------------------------------------------


@dataclass(frozen=True)
class _Upload:
    data: bytes
    email: str | None


def _field(value: str | UploadFile | None, name: str) -> str | None:
    if isinstance(value, UploadFile):
        raise UnprocessableError(f"{name} is a text field, not a file")
    if not value:
        return None
    return value.strip() or None


async def _read_file(upload: str | UploadFile | None, limit: int) -> bytes | None:
    """An uploaded file's content (``None`` when no file was chosen), never past ``limit``."""
    if not isinstance(upload, UploadFile):
        if upload:
            raise UnprocessableError("file must be a file upload")
        return None
    data = await upload.read(limit + 1)
    if len(data) > limit:
        raise PayloadTooLargeError(f"The file is larger than {megabytes(limit)}.")
    return data or None


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";", 1)[0].strip().lower()


async def _api_input(request: Request) -> bytes | _Upload:
    """The raw JSON body, or the uploaded file and e-mail of a multipart form."""
    media = _media_type(request)
    if media == "application/json" or media.endswith("+json"):
        return await request.body()
    if media != "multipart/form-data":
        raise UnsupportedMediaTypeError(
            "send application/json, or multipart/form-data with a file field"
        )
    limit = request.app.state.resources.settings.max_upload_bytes
    async with request.form(max_files=1, max_fields=4, max_part_size=ENVELOPE_BYTES) as form:
        upload = await _read_file(form.get("file"), limit)
        email = _field(form.get("email"), "email")
    if upload is None:
        raise UnprocessableError("the form needs a non-empty file field")
    return _Upload(upload, email)


def _parse(body: bytes, model: type[_M]) -> _M:
    """Validate a JSON body the way FastAPI does, with the same 422 problem shapes."""
    if not body.strip():
        raise RequestValidationError(
            [{"type": "missing", "loc": ("body",), "msg": "Field required", "input": None}]
        )
    try:
        data = json.loads(body)
    except (ValueError, RecursionError) as error:
        position = error.pos if isinstance(error, json.JSONDecodeError) else 0
        raise RequestValidationError(
            [
                {
                    "type": "json_invalid",
                    "loc": ("body", position),
                    "msg": "JSON decode error",
                    "input": {},
                }
            ]
        ) from None
    try:
        return model.model_validate(data)
    except ValidationError as error:
        errors = [{**e, "loc": ("body", *e["loc"])} for e in error.errors(include_url=False)]
        raise RequestValidationError(errors) from None


def _verifier(resources: Resources) -> Verifier:
    return Verifier(
        fetcher=resources.fetcher,
        config=verifier_config(resources.settings.http_did_web_hosts),
        local=LocalDocuments(resources.sessions, resources.keyring, resources.urls),
    )


def _json(model: BaseModel) -> JSONResponse:
    return JSONResponse(model.model_dump(mode="json"))


# --- the API -----------------------------------------------------------------------------

_UPLOAD_SCHEMA = {
    "type": "object",
    "required": ["file"],
    "properties": {
        "file": {
            "type": "string",
            "format": "binary",
            "description": "A baked PNG or SVG image, or a JSON or JWT file (5 MB at most).",
        },
        "email": {"type": "string", "maxLength": 320, "description": "The recipient to check."},
    },
}
_VERIFY_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/VerifyRequest"}},
            "multipart/form-data": {"schema": _UPLOAD_SCHEMA},
        },
    }
}


@router.post(
    "",
    summary="Verify a badge",
    response_model=VerifyReport,
    responses=problems(400, 413, 415, 422, 429, 503),
    openapi_extra=_VERIFY_BODY,
)
def verify_badge(
    body: Annotated[bytes | _Upload, Depends(_api_input)], resources: ResourcesDep, now: NowDep
) -> Response:
    """Verify one badge: a credential or URL as JSON, or an uploaded image, JSON or JWT."""
    verifier = _verifier(resources)
    if isinstance(body, _Upload):
        recipient = Recipient("email", body.email) if body.email else None
        subject = Subject(body.data)
    else:
        request = _parse(body, VerifyRequest)
        recipient = request.recipient.to_recipient() if request.recipient else None
        subject = Subject.from_request(request)
    with _slot(resources):
        verification = verifier.verify(subject, now=now, recipient=recipient)
    return _json(verification.require_badge().read())


@contextmanager
def _slot(resources: Resources) -> Iterator[None]:
    """Hold one of the process's verification slots, or answer 503 at once."""
    if not resources.verify_slots.acquire(blocking=False):
        raise ServiceBusyError("too many verifications at once; retry in a second")
    try:
        yield
    finally:
        resources.verify_slots.release()


@router.post(
    "/batch",
    summary="Verify up to 100 badges",
    response_model=VerifyBatchResponse,
    responses=problems(413, 422, 429, 503),
)
def verify_batch(
    body: VerifyBatchRequest, request: Request, resources: ResourcesDep, now: NowDep
) -> Response:
    """Verify up to 100 badges given as JSON; one report each, in order."""
    # The guard charged one verification; a batch costs one per item.
    wait = limiter_for(request, resources).take(client_of(request), len(body.items) - 1)
    if wait is not None and len(body.items) > 1:
        return rate_limited(request, wait, html=False)
    with _slot(resources):
        verifications = _verifier(resources).verify_many(body.items, now=now)
    reports = [v.read() for v in verifications]
    return _json(VerifyBatchResponse(reports=reports))


# --- the page ----------------------------------------------------------------------------


_HTML: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/html": {}}, "description": "The page."}
}


@page.get("/verify", summary="Verify page", response_class=HTMLResponse, responses=_HTML)
def verify_page(request: Request, url: str | None = None) -> HTMLResponse:
    """The page where anyone can verify a badge (``?url=`` pre-fills it; ``?lang=ja|en``)."""
    lang = lang_of(request)
    response = html_response(render_page(lang, prefill=(url or "")[:2048]))
    if request.query_params.get("lang") == lang:
        secure = request.url.scheme == "https"
        response.set_cookie(
            LANG_COOKIE,
            lang,
            max_age=365 * 86400,
            path="/",
            samesite="lax",
            secure=secure,
            httponly=True,
        )
    return response


@dataclass(frozen=True)
class _PageForm:
    text: str | None
    upload: bytes | None
    email: str | None
    lang: str | None


async def _page_input(request: Request) -> _PageForm:
    limit = request.app.state.resources.settings.max_upload_bytes
    media = _media_type(request)
    if media not in ("multipart/form-data", "application/x-www-form-urlencoded"):
        raise UnsupportedMediaTypeError("post the page's form")
    async with request.form(max_files=1, max_fields=6, max_part_size=limit) as form:
        return _PageForm(
            text=_field(form.get("text"), "text"),
            upload=await _read_file(form.get("file"), limit),
            email=_field(form.get("email"), "email"),
            lang=_field(form.get("lang"), "lang"),
        )


_PAGE_FORM = {
    "requestBody": {
        "required": True,
        "content": {
            media: {
                "schema": {
                    "type": "object",
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "text": {"type": "string"},
                        "email": {"type": "string"},
                        "lang": {"type": "string", "enum": ["ja", "en"]},
                    },
                }
            }
            for media in ("multipart/form-data", "application/x-www-form-urlencoded")
        },
    }
}


@page.post(
    "/verify",
    summary="Verify page (form post)",
    response_class=HTMLResponse,
    responses={
        **_HTML,
        **problems(400, 413, 415, 429, 503),
        422: {"content": {"text/html": {}}, "description": "The page, saying what is wrong."},
    },
    openapi_extra=_PAGE_FORM,
)
def verify_page_post(
    form: Annotated[_PageForm, Depends(_page_input)],
    request: Request,
    resources: ResourcesDep,
    now: NowDep,
) -> HTMLResponse:
    """The page's form, answered with the result (for browsers without JavaScript)."""
    lang = lang_of(request, form.lang if form.lang in ("ja", "en") else None)
    prefill = "" if form.upload else (form.text or "")
    if form.upload is None and form.text is None:
        result = render_error(lang, ui("error_empty", lang))
        return html_response(render_page(lang, email=form.email or "", result=result), 422)
    subject = Subject(form.upload) if form.upload else Subject.from_text(form.text or "")
    recipient = Recipient("email", form.email) if form.email else None
    with _slot(resources):
        verification = _verifier(resources).verify(subject, now=now, recipient=recipient)
    try:
        report = verification.require_badge().read()
    except NotABadgeError as error:
        detail = f"{ui('error_not_a_badge', lang)} ({error})"
        result = render_error(lang, detail)
        return html_response(
            render_page(lang, prefill=prefill, email=form.email or "", result=result), 422
        )
    image = _image_data_url(form.upload, resources) if form.upload else None
    result = render_report(report, lang, image=image, own_base=resources.urls.base)
    return html_response(render_page(lang, prefill=prefill, email=form.email or "", result=result))


def _image_data_url(data: bytes, resources: Resources) -> str | None:
    """The uploaded image, to show on the card (not when it is too big to inline)."""
    kind = baking.sniff(data)
    if kind is None or len(data) > resources.settings.max_image_bytes:
        return None
    media = "image/png" if kind == "PNG" else "image/svg+xml"
    return f"data:{media};base64,{base64.b64encode(data).decode()}"


@page.get("/verify/assets/{name}", include_in_schema=False)
def verify_asset(name: str) -> Response:
    """The page's stylesheet and script."""
    try:
        content, media_type, _ = pages.asset(name)
    except KeyError:
        return problem(404, "not_found", f"no asset {name!r}")
    return Response(
        content,
        media_type=media_type,
        headers={"Cache-Control": "public, max-age=86400", "X-Content-Type-Options": "nosniff"},
    )
