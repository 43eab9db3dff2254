"""What runs before a verify route reads anything: the rate limit and the body cap.

The verify endpoints are public. :class:`GuardedRoute` charges the client's token bucket
before the body is read, refuses a declared ``Content-Length`` over the cap at once, and
wraps ``receive`` so a body without one is cut off as soon as it grows past the cap (a
50 MB upload is refused after about 5 MB, never buffered). Refusals are problem documents,
or for the page (:class:`PageRoute`) the page itself with the message in its language.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Message, Receive

from app.deps import Resources
from app.errors import AppError, PayloadTooLargeError, problem
from app.verification.page import CSP, choose_language, render_error, render_page
from app.verification.ratelimit import RateLimiter
from app.verification.texts import Lang, ui

__all__ = [
    "ENVELOPE_BYTES",
    "LANG_COOKIE",
    "GuardedRoute",
    "PageRoute",
    "client_of",
    "html_response",
    "lang_of",
    "limiter_for",
    "megabytes",
    "rate_limited",
]

ENVELOPE_BYTES = 64 * 1024  # multipart boundaries, headers and small fields around a file
LANG_COOKIE = "shomei_lang"
_LIMITER_LOCK = threading.Lock()


class _BodyTooLarge(StarletteHTTPException):
    """Raised from ``receive`` as soon as the body grows past the cap."""

    def __init__(self, upload_limit: int) -> None:
        detail = f"The request is larger than the upload limit of {megabytes(upload_limit)}."
        super().__init__(413, detail)


def megabytes(count: int) -> str:
    return f"{count / (1024 * 1024):g} MB"


def limiter_for(request: Request, resources: Resources) -> RateLimiter:
    """The app's rate limiter, made on first use from its settings."""
    state = request.app.state
    limiter: RateLimiter | None = getattr(state, "verify_limiter", None)
    if limiter is None:
        with _LIMITER_LOCK:
            limiter = getattr(state, "verify_limiter", None)
            if limiter is None:
                limiter = RateLimiter(resources.settings.verify_rate_per_minute)
                state.verify_limiter = limiter
    return limiter


def client_of(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _capped(receive: Receive, upload_limit: int) -> Receive:
    """``receive``, raising once the body outgrows an upload and its form envelope."""
    received = 0

    async def capped() -> Message:
        nonlocal received
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > upload_limit + ENVELOPE_BYTES:
                raise _BodyTooLarge(upload_limit)
        return message

    return capped


def _too_large(exc: BaseException) -> _BodyTooLarge | None:
    """The cap's exception, also when a body parser re-raised it as its own."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, _BodyTooLarge):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


class GuardedRoute(APIRoute):
    """Rate-limits POSTs and caps the body; errors become problem documents or the page."""

    html = False

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        html = self.html

        async def guarded(request: Request) -> Response:
            resources: Resources = request.app.state.resources
            limit = resources.settings.max_upload_bytes
            try:
                if request.method == "POST":
                    wait = limiter_for(request, resources).take(client_of(request))
                    if wait is not None:
                        return rate_limited(request, wait, html=html)
                declared = request.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > limit + ENVELOPE_BYTES:
                    raise _BodyTooLarge(limit)
                return await handler(Request(request.scope, _capped(request.receive, limit)))
            except Exception as exc:
                too_large = _too_large(exc)
                if too_large is not None:
                    if html:
                        return _html_error(request, 413, ui("error_too_large", lang_of(request)))
                    return problem(413, PayloadTooLargeError.code, str(too_large.detail))
                if html and isinstance(exc, AppError | StarletteHTTPException):
                    status = exc.status_code
                    detail = str(exc) if isinstance(exc, AppError) else str(exc.detail)
                    if status == 413:
                        detail = ui("error_too_large", lang_of(request))
                    return _html_error(request, status, detail)
                raise

        return guarded


class PageRoute(GuardedRoute):
    """A guarded route of the HTML page: refusals are shown on the page."""

    html = True


def rate_limited(request: Request, wait: float, *, html: bool) -> Response:
    """The 429 answer, with ``Retry-After``."""
    headers = {"Retry-After": RateLimiter.retry_after(wait)}
    response: Response
    if html:
        response = _html_error(request, 429, ui("error_rate", lang_of(request)))
    else:
        response = problem(
            429,
            "too_many_requests",
            f"Too many verifications from this address; retry in {headers['Retry-After']} s.",
        )
    response.headers.update(headers)
    return response


def lang_of(request: Request, form_lang: str | None = None) -> Lang:
    """The page language: form or query, then the cookie, then ``Accept-Language``."""
    return choose_language(
        form_lang or request.query_params.get("lang"),
        request.cookies.get(LANG_COOKIE),
        request.headers.get("accept-language"),
    )


def html_response(body: str, status: int = 200) -> HTMLResponse:
    """A page of the verifier, with its strict Content-Security-Policy."""
    return HTMLResponse(
        body,
        status_code=status,
        headers={
            "Content-Security-Policy": CSP,
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
            "Cache-Control": "no-store",  # a result names a person
            "Vary": "Accept-Language, Cookie",
        },
    )


def _html_error(request: Request, status: int, detail: str) -> HTMLResponse:
    lang = lang_of(request)
    return html_response(render_page(lang, result=render_error(lang, detail)), status)
