"""How the verify routes answer refusals: problem documents, or the page for the page.

The body cap and the rate limit run before any route (:mod:`app.middleware`); this module
gives the page's refusals (413, 429, 503, 4xx) the page itself, with the message in its
language, and turns a too-large upload found while reading a form into a 413.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Scope

from app.errors import AppError
from app.middleware.body import ENVELOPE_BYTES
from app.texts import Lang, ui
from app.verification.page import CSP, choose_language, render_error, render_page

__all__ = [
    "ENVELOPE_BYTES",
    "LANG_COOKIE",
    "PageRoute",
    "error_page",
    "html_response",
    "lang_of",
]

LANG_COOKIE = "shomei_lang"
PAGE_PATH = "/verify"
_PAGE_MESSAGES = {413: "error_too_large", 429: "error_rate"}


class PageRoute(APIRoute):
    """A route of the HTML page: refusals are shown on the page, not as JSON."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def on_the_page(request: Request) -> Response:
            try:
                return await handler(request)
            except (AppError, StarletteHTTPException) as exc:
                status = exc.status_code
                detail = str(exc) if isinstance(exc, AppError) else str(exc.detail)
                if status in _PAGE_MESSAGES:
                    detail = ui(_PAGE_MESSAGES[status], lang_of(request))
                response = _html_error(request, status, detail)
                if status == 503:
                    response.headers["Retry-After"] = "1"
                return response

        return on_the_page


def error_page(scope: Scope, status: int, detail: str) -> Response | None:
    """The page's answer to a refusal made before routing (body cap, rate limit)."""
    if scope.get("path") != PAGE_PATH:
        return None
    request = Request(scope)
    message = _PAGE_MESSAGES.get(status)
    return _html_error(request, status, ui(message, lang_of(request)) if message else detail)


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
