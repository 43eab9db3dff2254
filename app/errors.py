"""Errors the service raises, and the handlers that turn them into RFC 9457 problem documents.

Every problem document names its kind by a stable ``type`` URI, ``{SHOMEI_BASE_URL}/problems/
{code}`` (https://www.rfc-editor.org/rfc/rfc9457#section-3.1.1), that page documents it, and a
human ``title`` says the same in words; ``detail`` says what went wrong this time. The codes
are :data:`PROBLEMS`; clients branch on ``type`` (or its last segment), never on ``detail``.
"""

from __future__ import annotations

import math
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from badges.errors import DocumentError

PROBLEM_JSON = "application/problem+json"

# code -> (title, what it means and what to do). The README lists the same table.
PROBLEMS: dict[str, tuple[str, str]] = {
    "invalid_request": (
        "Invalid request",
        "The request body, path or query is not valid; `errors` lists each problem.",
    ),
    "invalid_document": (
        "Invalid document",
        "The document sent is not a readable Open Badge or credential.",
    ),
    "not_a_badge": (
        "Not an Open Badge",
        "The input could be read, but it is not an Open Badge in any supported form.",
    ),
    "unauthorized": (
        "API key required",
        "Send a valid, unexpired, unrevoked API key: `Authorization: Bearer shm_…`.",
    ),
    "forbidden": ("Not allowed", "The API key may not do this (an administrator's key may)."),
    "not_found": ("Not found", "Nothing exists at this address, or this API key may not see it."),
    "method_not_allowed": (
        "Method not allowed",
        "The address exists but does not answer this HTTP method; see the `Allow` header.",
    ),
    "not_acceptable": ("Not acceptable", "No representation matches the `Accept` header."),
    "conflict": (
        "Conflict",
        "The change conflicts with the current state (already revoked, slug taken, …).",
    ),
    "payload_too_large": ("Payload too large", "The request body is larger than the limit."),
    "unsupported_media_type": (
        "Unsupported media type",
        "The body's media type is not one this route reads.",
    ),
    "too_many_requests": (
        "Too many requests",
        "A rate limit was reached; retry after the seconds in `Retry-After`.",
    ),
    "busy": (
        "Service busy",
        "Too much work of this kind is under way; retry after the seconds in `Retry-After`.",
    ),
    "internal_error": (
        "Internal error",
        "An unexpected error; report it with the `request_id` of the answer.",
    ),
    "http_error": ("HTTP error", "An HTTP error without a more specific code."),
}

_STATUS_CODES = {
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "invalid_request",
    429: "too_many_requests",
    500: "internal_error",
    503: "busy",
}


class AppError(Exception):
    """A failure a client can act on; ``str(error)`` is the problem's detail."""

    status_code = 500
    code = "internal_error"

    def members(self) -> dict[str, Any]:
        """Extension members of the problem document (RFC 9457 §3.2), if any."""
        return {}


class NotFoundError(AppError):
    status_code = 404
    code = "not_found"


class ConflictError(AppError):
    status_code = 409
    code = "conflict"


class GoneError(AppError):
    status_code = 410
    code = "gone"


class ForbiddenError(AppError):
    status_code = 403
    code = "forbidden"


class UnauthorizedError(AppError):
    status_code = 401
    code = "unauthorized"


class UnprocessableError(AppError):
    status_code = 422
    code = "invalid_request"


class ServiceBusyError(AppError):
    """Too much of one kind of work at once; the client should retry shortly."""

    status_code = 503
    code = "busy"


class RateLimitedError(AppError):
    """A rate limit was reached; ``retry_after`` is the seconds until it would not be."""

    status_code = 429
    code = "too_many_requests"

    def __init__(self, message: str, *, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class UnsupportedMediaTypeError(AppError):
    status_code = 415
    code = "unsupported_media_type"


class PayloadTooLargeError(AppError):
    status_code = 413
    code = "payload_too_large"


def problem_type(code: str) -> str:
    """The ``type`` URI of ``code``: its page under the base URL of the current request."""
    from app.logs import current_context

    base = current_context().base_url
    return f"{base}/problems/{code}" if base else f"/problems/{code}"


def problem(status: int, code: str, detail: str, **extra: Any) -> JSONResponse:
    """An ``application/problem+json`` response for the problem ``code``."""
    title = PROBLEMS[code][0] if code in PROBLEMS else _reason(status)
    body = {
        "type": problem_type(code),
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
        **extra,
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def _protocol(request: Request, status: int, detail: str) -> JSONResponse | None:
    """The Open Badges API's own error format on its paths (Imsx_StatusInfo, RFC 6749)."""
    from app.obapi.errors import for_path

    return for_path(request, status, detail)  # type: ignore[return-value]


def install_error_handlers(app: FastAPI) -> None:
    """Map every client-facing error to a problem document (or, on the Open Badges API's
    paths, to the format its protocol prescribes)."""

    @app.exception_handler(AppError)
    def _app_error(request: Request, exc: AppError) -> JSONResponse:
        response = _protocol(request, exc.status_code, str(exc)) or problem(
            exc.status_code, exc.code, str(exc), **exc.members()
        )
        if isinstance(exc, UnauthorizedError):
            response.headers["WWW-Authenticate"] = "Bearer"
        if isinstance(exc, ServiceBusyError):
            response.headers["Retry-After"] = "1"
        if isinstance(exc, RateLimitedError):
            response.headers["Retry-After"] = str(max(1, math.ceil(exc.retry_after)))
        return response

    @app.exception_handler(DocumentError)
    def _document_error(request: Request, exc: DocumentError) -> JSONResponse:
        return _protocol(request, 422, str(exc)) or problem(422, "invalid_document", str(exc))

    @app.exception_handler(RequestValidationError)
    def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"loc": list(e.get("loc", ())), "msg": str(e.get("msg", ""))} for e in exc.errors()
        ]
        found = _protocol(request, 400, "; ".join(f"{e['loc']}: {e['msg']}" for e in errors))
        return found or problem(422, "invalid_request", "The request is not valid.", errors=errors)

    @app.exception_handler(StarletteHTTPException)
    def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _STATUS_CODES.get(exc.status_code, "http_error")
        response = _protocol(request, exc.status_code, str(exc.detail)) or problem(
            exc.status_code, code, str(exc.detail)
        )
        if exc.headers:
            response.headers.update(exc.headers)
        return response
