"""The verify API (``POST /api/v1/verify``, ``…/batch``) and the verify page (``/verify``).

Both are public; bodies are capped and requests counted before any route reads them
(:mod:`app.middleware`). Each verification holds a fair slot (:mod:`app.verification.fairness`)
and its fetches from other hosts are charged to its caller. Verification runs in plain ``def``
routes, in the threadpool, never on the event loop; the routes only read the request, call the
:class:`Verifier` and shape the answer.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel
from starlette.datastructures import UploadFile

from app.bodies import parse_json
from app.deps import MaybePrincipalDep, NowDep, Resources, ResourcesDep, principal_of
from app.errors import (
    PayloadTooLargeError,
    UnprocessableError,
    UnsupportedMediaTypeError,
    problem,
)
from app.middleware.body import megabytes
from app.middleware.ratelimit import charge, client_of
from app.responses import problems
from app.spreadsheets import write_rows
from app.texts import ui
from app.verification import page as pages
from app.verification.fairness import FairSlots, Lease
from app.verification.guards import (
    ENVELOPE_BYTES,
    LANG_COOKIE,
    PageRoute,
    html_response,
    lang_of,
)
from app.verification.local import LocalDocuments
from app.verification.page import render_error, render_page, render_report
from app.verification.schemas import (
    VerifyBatchItem,
    VerifyBatchRequest,
    VerifyBatchResponse,
    VerifyReport,
    VerifyRequest,
)
from app.verification.service import NotABadgeError, Subject, Verifier, verifier_config
from badges import baking
from badges.identity import Recipient

_bearer = HTTPBearer(auto_error=False, description="An API key: `shm_…`")
# Anyone may verify; a caller with an API key is counted against the key's higher limit.
_KEY_OPTIONAL: dict[str, Any] = {"security": [{}]}  # added to the bearer scheme: optional


async def _caller(
    request: Request,
    resources: ResourcesDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    """Check an API key if one is given: verifications are then counted against it."""
    if credentials is not None:
        await principal_of(resources, credentials)


router = APIRouter(prefix="/api/v1/verify", tags=["verification"], dependencies=[Depends(_caller)])
page = APIRouter(tags=["pages"], route_class=PageRoute)

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


def _verifier(resources: Resources, lease: Lease) -> Verifier:
    return Verifier(
        fetcher=lease.fetcher(resources.fetcher),
        config=verifier_config(resources.settings.http_did_web_hosts),
        local=LocalDocuments(resources.sessions, resources.keyring, resources.urls),
        budget=resources.settings.verify_request_budget_s,
        batch_budget=resources.settings.verify_batch_budget_s,
        batch_work=resources.settings.verify_batch_work,
    )


def _json(model: BaseModel) -> Response:
    # Serialized once, by pydantic, rather than dumped to Python objects and then to JSON.
    return Response(model.model_dump_json(), media_type="application/json")


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
    responses=problems(400, 401, 413, 415, 422, 429, 503, hr_refused=False),
    openapi_extra=_VERIFY_BODY | _KEY_OPTIONAL,
)
def verify_badge(
    body: Annotated[bytes | _Upload, Depends(_api_input)],
    http: Request,
    resources: ResourcesDep,
    now: NowDep,
) -> Response:
    """Verify one badge: a credential or URL as JSON, or an uploaded image, JSON or JWT."""
    if isinstance(body, _Upload):
        recipient = Recipient("email", body.email) if body.email else None
        subject = Subject(body.data)
    else:
        request = parse_json(body, VerifyRequest)
        recipient = request.recipient.to_recipient() if request.recipient else None
        subject = Subject.from_request(request)
    with _lease(http, resources) as lease:
        verification = _verifier(resources, lease).verify(subject, now=now, recipient=recipient)
    return _json(verification.require_badge().read())


def fair_slots(request: Request) -> FairSlots:
    """The process's verification slots, made in the lifespan from its settings."""
    slots: FairSlots = request.app.state.verify_slots
    return slots


def _lease(request: Request, resources: Resources) -> Lease:
    """A verification slot for this request's client, or 503 at once."""
    return fair_slots(request).enter(client_of(request.scope))


async def _charge_batch(
    body: VerifyBatchRequest, request: Request, resources: ResourcesDep, caller: MaybePrincipalDep
) -> VerifyBatchRequest:
    """Bound the batch by its caller, then charge it: one verification per item.

    The rate limit counted the request as one verification, against the API key when the
    caller names one (whose limit and batch size are higher), else against the address.
    """
    settings = resources.settings
    limit = settings.verify_batch_max_items_with_key if caller else settings.verify_batch_max_items
    if len(body.items) > limit:
        more = "" if caller else " (callers with an API key may send more)"
        raise UnprocessableError(f"a batch holds at most {limit} items{more}")
    await charge(request, len(body.items) - 1)
    return body


_CSV_COLUMNS = (
    "index",
    "credential_id",
    "issuer",
    "achievement",
    "recipient_match",
    "issued",
    "valid_until",
    "status",
    "ok",
    "error",
)


@router.post(
    "/batch",
    summary="Verify many badges",
    response_model=VerifyBatchResponse,
    responses={
        200: {
            "content": {
                "text/csv": {
                    "schema": {"type": "string"},
                    "example": ",".join(_CSV_COLUMNS) + "\r\n",
                }
            },
            "description": "One report per item, in order; with `Accept: text/csv`, one line "
            "per item: " + ", ".join(_CSV_COLUMNS) + ".",
        },
        **problems(401, 413, 422, 429, 503, hr_refused=False),
    },
    openapi_extra=_KEY_OPTIONAL,
)
def verify_batch(
    body: Annotated[VerifyBatchRequest, Depends(_charge_batch)],
    request: Request,
    resources: ResourcesDep,
    now: NowDep,
) -> Response:
    """Verify badges given as JSON (100, or 1,000 with an API key); one report each, in order.

    ``Accept: text/csv`` answers a spreadsheet for HR imports instead: one line per item.
    """
    with _lease(request, resources) as lease:
        reports = _verifier(resources, lease).verify_items(body.items, now=now)
    if _wants_csv(request):
        return Response(
            "".join(write_rows([_CSV_COLUMNS, *map(_csv_line, reports)])),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="verification.csv"'},
        )
    return _json(VerifyBatchResponse(reports=reports))


def _wants_csv(request: Request) -> bool:
    """Whether the caller prefers CSV to JSON (a plain ``Accept`` match; JSON is the default)."""
    accept = request.headers.get("accept", "")
    kinds = [part.split(";")[0].strip().lower() for part in accept.split(",")]
    return "text/csv" in kinds and "application/json" not in kinds


def _csv_line(item: VerifyBatchItem) -> list[object]:
    summary = item.summary
    matched = summary.recipient.matched
    return [
        item.index,
        item.credential_id or "",
        summary.issuer.name or summary.issuer.id or "",
        summary.achievement.name or "",
        "" if matched is None else ("yes" if matched else "no"),
        summary.issued or summary.valid_from or "",
        summary.valid_until or "",
        summary.status or "",
        "true" if item.ok else "false",
        item.error.detail if item.error else "",
    ]


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
    with _lease(request, resources) as lease:
        verification = _verifier(resources, lease).verify(subject, now=now, recipient=recipient)
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
