"""What the passers' pages share: the session cookie, the language, rendering.

The session cookie is ``Secure`` when the service is reached over HTTPS, ``HttpOnly``, and
``SameSite=Lax``: an application sends the passer here by a top-level link from its own
site (the authorization request), and a ``Strict`` cookie would not come along with it.
Forms are protected by the session's synchronizer token and an origin check instead.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from app.deps import Resources
from app.obapi.scopes import text_key
from app.passers import service
from app.templating import render
from app.texts import Lang, account_text
from app.verification.guards import lang_of

COOKIE = "shomei_passer"
CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
    "form-action 'self'{extra}; base-uri 'none'; frame-ancestors 'none'"
)
HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "same-origin",
    "X-Robots-Tag": "noindex, nofollow",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",  # the consent page must not be framed (clickjacking)
    "Content-Security-Policy": CSP.format(extra=""),
}


def page(
    request: Request,
    template: str,
    *,
    status: int = 200,
    form_redirects_to: str = "",
    **context: Any,
) -> HTMLResponse:
    """A passer's page. ``form_redirects_to``: an origin the page's form answer may redirect
    to (the consent page's, to the client), which ``form-action`` must allow."""
    lang: Lang = lang_of(request)
    here = request.url.path + (f"?{_without_lang(request)}" if _without_lang(request) else "")
    body = render(
        f"account/{template}",
        lang=lang,
        t=lambda key, **values: account_text(key, lang, **values),
        scope_key=text_key,
        here=here,
        **context,
    )
    headers = {**HEADERS, "Content-Language": lang}
    if form_redirects_to:
        headers["Content-Security-Policy"] = CSP.format(extra=f" {form_redirects_to}")
    return HTMLResponse(body, status_code=status, headers=headers)


def _without_lang(request: Request) -> str:
    from urllib.parse import urlencode

    return urlencode([(k, v) for k, v in request.query_params.multi_items() if k != "lang"])


def message(request: Request, status: int, heading: str, text: str, link: str = "") -> HTMLResponse:
    lang = lang_of(request)
    return page(
        request,
        "message.html",
        status=status,
        title=account_text(heading, lang),
        heading=account_text(heading, lang),
        text=text,
        link=link,
    )


def set_cookie(response: Response, resources: Resources, value: str) -> None:
    response.set_cookie(
        COOKIE,
        value,
        max_age=service.SESSION_HOURS * 3600,
        path="/",
        samesite="lax",
        secure=resources.settings.base_url.startswith("https://"),
        httponly=True,
    )


def _look_up(resources: Resources, cookie: str | None, now: datetime) -> service.SignedIn | None:
    with resources.sessions() as session:
        return service.signed_in(session, cookie, now=now)


async def signed_in(
    request: Request, resources: Resources, now: datetime
) -> service.SignedIn | None:
    """The passer signed in on this request, if any (looked up on every request)."""
    cookie = request.cookies.get(COOKIE)
    if not cookie:
        return None
    return await run_in_threadpool(_look_up, resources, cookie, now)
