"""What every console page shares: the signed-in session, CSRF checks, rendering, refusals.

A console request is signed in when its ``shomei_console`` cookie names a live session
(:mod:`app.console.sessions`); otherwise a page redirects to the sign-in form. Every POST
carries the session's synchronizer token in a ``csrf`` field and must come from this site:
a request whose ``Origin`` (or, without one, ``Sec-Fetch-Site``) says another site is
refused before its token is even compared
(https://cheatsheetseries.owasp.org/cheatsheets/Cross-Site_Request_Forgery_Prevention_Cheat_Sheet.html#verifying-origin-with-standard-headers).
The sign-in form, before there is a session, uses a double-submit cookie instead.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from functools import cache
from importlib import resources as package_files
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import Depends, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.console import sessions
from app.deps import Resources, ResourcesDep
from app.errors import AppError, ForbiddenError
from app.templating import render
from app.texts import Lang, console_text
from app.verification.guards import lang_of

__all__ = [
    "CSP",
    "PRE_SESSION_COOKIE",
    "SESSION_COOKIE",
    "ConsoleRoute",
    "SignInRequiredError",
    "SignedDep",
    "asset",
    "check_csrf",
    "page",
    "same_origin",
]

SESSION_COOKIE = "shomei_console"
PRE_SESSION_COOKIE = "shomei_console_signin"
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
ASSETS = {"console.css": "text/css; charset=utf-8", "console.js": "text/javascript; charset=utf-8"}


class SignInRequiredError(Exception):
    """The request has no live session: the page sends the browser to the sign-in form."""


@cache
def asset(name: str) -> tuple[bytes, str, str]:
    """A static file of the console: (content, media type, short content hash).

    Raises:
        KeyError: not one of the console's assets.
    """
    media_type = ASSETS[name]
    content = package_files.files("app.console").joinpath("static", name).read_bytes()
    return content, media_type, hashlib.sha256(content).hexdigest()[:12]


def asset_url(name: str) -> str:
    return f"/console/assets/{name}?v={asset(name)[2]}"


def secure_cookies(resources: Resources) -> bool:
    return resources.settings.base_url.startswith("https://")


def page(
    request: Request,
    template: str,
    *,
    signed: sessions.Signed | None,
    status: int = 200,
    **context: Any,
) -> HTMLResponse:
    """A console page in the request's language, with the console's strict headers."""
    lang = lang_of(request)
    body = render(
        f"console/{template}",
        lang=lang,
        t=lambda key, **values: console_text(key, lang, **values),
        css=asset_url("console.css"),
        js=asset_url("console.js"),
        signed=signed,
        path=request.url.path,
        query=request.url.query,
        **context,
    )
    response = HTMLResponse(
        body,
        status_code=status,
        headers={
            "Content-Security-Policy": CSP,
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "same-origin",
            "Cache-Control": "no-store",  # pages name passers
            "Vary": "Accept-Language, Cookie",
        },
    )
    lang_cookie(response, request, lang, request.app.state.resources)
    return response


def _look_up(resources: Resources, cookie: str | None) -> sessions.Signed | None:
    with resources.sessions() as session:
        return sessions.signed_in(session, cookie, datetime.now(UTC))


async def _signed(request: Request, resources: ResourcesDep) -> sessions.Signed:
    cookie = request.cookies.get(SESSION_COOKIE)
    signed = await run_in_threadpool(_look_up, resources, cookie) if cookie else None
    if signed is None:
        raise SignInRequiredError
    return signed


SignedDep = Annotated[sessions.Signed, Depends(_signed)]


def same_origin(request: Request, resources: Resources) -> bool:
    """Whether a POST comes from this site's own pages, as far as the browser tells."""
    origin = request.headers.get("origin")
    if origin is not None:
        base = urlsplit(resources.settings.base_url)
        return origin == f"{base.scheme}://{base.netloc}"
    # Browsers that send no Origin still send Sec-Fetch-Site; other clients send neither.
    return request.headers.get("sec-fetch-site", "same-origin") in ("same-origin", "none")


async def check_csrf(request: Request, resources: Resources, expected: str) -> dict[str, Any]:
    """The posted form, once it came from this site and carries the expected token.

    Raises:
        ForbiddenError: another site's request, or a missing or wrong token.
    """
    if not same_origin(request, resources):
        raise ForbiddenError(console_text("csrf_failed", lang_of(request)))
    form = await request.form(max_files=1, max_fields=50)
    given = form.get("csrf")
    if not isinstance(given, str) or not sessions.tokens_match(expected, given):
        raise ForbiddenError(console_text("csrf_failed", lang_of(request)))
    return dict(form)


def _error(request: Request, status: int, detail: str) -> HTMLResponse:
    return page(request, "error.html", signed=None, status=status, detail=detail, code=status)


class ConsoleRoute(APIRoute):
    """A console route: refusals are pages in the console's language, never JSON."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def as_page(request: Request) -> Response:
            try:
                return await handler(request)
            except SignInRequiredError:
                return RedirectResponse("/console/sign-in", status_code=303)
            except (AppError, StarletteHTTPException) as exc:
                detail = str(exc) if isinstance(exc, AppError) else str(exc.detail)
                return _error(request, exc.status_code, detail)
            except RequestValidationError as exc:
                fields = ", ".join(str(e["loc"][-1]) for e in exc.errors() if e.get("loc"))
                return _error(request, 422, f"not valid: {fields}")

        return as_page


def lang_cookie(response: Response, request: Request, lang: Lang, resources: Resources) -> None:
    """Remember a language chosen with ``?lang=`` (the verify page reads the same cookie)."""
    from app.verification.guards import LANG_COOKIE

    if request.query_params.get("lang") == lang:
        response.set_cookie(
            LANG_COOKIE,
            lang,
            max_age=365 * 86400,
            path="/",
            samesite="lax",
            secure=secure_cookies(resources),
            httponly=True,
        )
