"""Errors the service raises, and the handlers that turn them into RFC 9457 problem documents."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from badges.errors import DocumentError

PROBLEM_JSON = "application/problem+json"


class AppError(Exception):
    """A failure a client can act on; ``str(error)`` is the problem's detail."""

    status_code = 500
    code = "internal_error"


class NotFoundError(AppError):
    status_code = 404
    code = "not_found"


class ConflictError(AppError):
    status_code = 409
    code = "conflict"


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


class UnsupportedMediaTypeError(AppError):
    status_code = 415
    code = "unsupported_media_type"


class PayloadTooLargeError(AppError):
    status_code = 413
    code = "payload_too_large"


def problem(status: int, title: str, detail: str, **extra: Any) -> JSONResponse:
    """An ``application/problem+json`` response."""
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


def install_error_handlers(app: FastAPI) -> None:
    """Map every client-facing error to a problem document."""

    @app.exception_handler(AppError)
    def _app_error(request: Request, exc: AppError) -> JSONResponse:
        response = problem(exc.status_code, exc.code, str(exc))
        if isinstance(exc, UnauthorizedError):
            response.headers["WWW-Authenticate"] = "Bearer"
        if isinstance(exc, ServiceBusyError):
            response.headers["Retry-After"] = "1"
        return response

    @app.exception_handler(DocumentError)
    def _document_error(request: Request, exc: DocumentError) -> JSONResponse:
        return problem(422, "invalid_document", str(exc))

    @app.exception_handler(RequestValidationError)
    def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"loc": list(e.get("loc", ())), "msg": str(e.get("msg", ""))} for e in exc.errors()
        ]
        return problem(422, "invalid_request", "The request is not valid.", errors=errors)

    @app.exception_handler(StarletteHTTPException)
    def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return problem(exc.status_code, "http_error", str(exc.detail))
