"""The passers' pages: sign in by e-mail link, the account page, disconnecting applications.

Pages, not API: refusals are pages in the reader's language. The sign-in form answers the
same whether or not the address has badges or an account, and is rate-limited per client
address and per e-mail address like the lost-link form. A link opens a confirmation page and
only its POST signs in, so a mail scanner that fetches links does not use one up.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from app.console.web import same_origin
from app.deps import NowDep, Resources, ResourcesDep
from app.mail import outbox
from app.mail import tasks as mail_tasks
from app.middleware.ratelimit import mail_form_refusal
from app.obapi import service as api_service
from app.passers import service, web
from app.texts import Lang, account_text
from app.verification.guards import lang_of

router = APIRouter(prefix="/account", include_in_schema=False)
_MAX_EMAIL = 254


def _plausible(email: str) -> bool:
    local, at, domain = email.rpartition("@")
    return bool(at and local and "." in domain) and len(email) <= _MAX_EMAIL and email.isprintable()


def _to_sign_in(next_path: str | None, lang: Lang) -> RedirectResponse:
    from urllib.parse import urlencode

    query = {"lang": lang} | ({"next": next_path} if next_path else {})
    return RedirectResponse(f"/account/sign-in?{urlencode(query)}", status_code=303)


@router.get("/sign-in")
def sign_in_form(request: Request, next: str | None = None) -> HTMLResponse:
    return web.page(request, "sign_in.html", next=service.safe_next(next), message="")


async def _over_limit(request: Request, resources: Resources, email: str) -> dict[str, str] | None:
    """The refusal's headers when this address or this e-mail has asked too often."""
    settings = resources.settings
    return await mail_form_refusal(
        request,
        email,
        per_minute=settings.claim_lost_rate_per_minute,
        per_hour=settings.claim_lost_per_email_per_hour,
        form="sign-in",
    )


def _queue(
    resources: Resources,
    email: str,
    lang: Lang,
    next_path: str | None,
    account_id: uuid.UUID | None,
    now: datetime,
) -> None:
    with resources.sessions() as session:
        _, token = service.request_link(
            session, email, now=now, next_path=next_path, account_id=account_id
        )
        outbox.queue_sign_in(session, email, token, settings=resources.settings, now=now, lang=lang)
        session.commit()
    mail_tasks.kick(resources.jobs, resources.settings)


@router.post("/sign-in")
async def sign_in(request: Request, resources: ResourcesDep, now: NowDep) -> Response:
    """Mail a one-time sign-in link; the same answer whatever the address."""
    lang = lang_of(request)
    if not same_origin(request, resources):
        return web.message(request, 403, "forbidden", account_text("forbidden", lang))
    form = await request.form(max_files=0, max_fields=5)
    email, next_path = form.get("email"), form.get("next")
    next_path = service.safe_next(next_path if isinstance(next_path, str) else None)
    signed = await web.signed_in(request, resources, now)
    if signed is not None and not service.tokens_match(signed.csrf_token, form.get("csrf")):
        return web.message(request, 403, "forbidden", account_text("forbidden", lang))
    if not isinstance(email, str) or not _plausible(email.strip()):
        return web.page(
            request,
            "sign_in.html",
            status=422,
            next=next_path,
            message=account_text("invalid_email", lang),
        )
    email = email.strip()
    refusal = await _over_limit(request, resources, email)
    if refusal is not None:
        response = web.page(
            request,
            "sign_in.html",
            status=429,
            next=next_path,
            message=account_text("too_many", lang),
        )
        response.headers.update(refusal)
        return response
    account_id = signed.account_id if signed else None
    await run_in_threadpool(_queue, resources, email, lang, next_path, account_id, now)
    return web.page(
        request, "sign_in.html", next=next_path, message=account_text("link_sent", lang)
    )


def _pending_email(resources: Resources, token: str, now: datetime) -> str | None:
    with resources.sessions() as session:
        link = service.pending_link(session, token, now=now)
        return link.email if link else None


@router.get("/sign-in/{token}")
async def confirm_page(
    token: str, request: Request, resources: ResourcesDep, now: NowDep
) -> HTMLResponse:
    email = await run_in_threadpool(_pending_email, resources, token, now)
    if email is None:
        lang = lang_of(request)
        return web.message(
            request, 410, "confirm_heading", account_text("link_gone", lang), "/account/sign-in"
        )
    return web.page(request, "confirm.html", email=email, token=token)


def _use(
    resources: Resources, token: str, now: datetime
) -> tuple[service.SignedIn, str | None] | None:
    with resources.sessions() as session:
        return service.use_link(session, token, now=now)


@router.post("/sign-in/{token}")
async def use_link(token: str, request: Request, resources: ResourcesDep, now: NowDep) -> Response:
    """Sign in (once per link) and go where the passer was going, or to the account."""
    lang = lang_of(request)
    if not same_origin(request, resources):
        return web.message(request, 403, "forbidden", account_text("forbidden", lang))
    used = await run_in_threadpool(_use, resources, token, now)
    if used is None:
        return web.message(
            request, 410, "confirm_heading", account_text("link_gone", lang), "/account/sign-in"
        )
    signed, next_path = used
    response = RedirectResponse(next_path or f"/account?lang={lang}", status_code=303)
    web.set_cookie(response, resources, signed.cookie)
    return response


@dataclass(frozen=True)
class _View:
    addresses: list[str]
    credentials: list[service.Listed]
    hosted: list[api_service.Hosted]
    applications: list[api_service.Application]


def _account_view(resources: Resources, account_id: uuid.UUID, lang: Lang, now: datetime) -> _View:
    with resources.sessions() as session:
        return _View(
            service.addresses(session, account_id),
            service.credentials(session, account_id, lang, resources.urls.credential),
            api_service.hosted(
                session,
                account_id,
                own=api_service.own_issuer_prefixes(resources.urls),
                now=now,
            ),
            api_service.applications(session, account_id),
        )


@router.get("")
async def account(request: Request, resources: ResourcesDep, now: NowDep) -> Response:
    lang = lang_of(request)
    signed = await web.signed_in(request, resources, now)
    if signed is None:
        return _to_sign_in("/account", lang)
    view = await run_in_threadpool(_account_view, resources, signed.account_id, lang, now)
    done = request.query_params.get("done") == "revoked"
    return web.page(
        request,
        "home.html",
        csrf=signed.csrf_token,
        addresses=view.addresses,
        credentials=view.credentials,
        hosted=view.hosted,
        applications=view.applications,
        message=account_text("revoked_done", lang) if done else "",
    )


async def _checked(
    request: Request, resources: ResourcesDep, now: datetime
) -> service.SignedIn | None:
    """The signed-in passer of a form posted from their own page, else ``None``."""
    if not same_origin(request, resources):
        return None
    signed = await web.signed_in(request, resources, now)
    if signed is None:
        return None
    form = await request.form(max_files=0, max_fields=5)
    return signed if service.tokens_match(signed.csrf_token, form.get("csrf")) else None


def _revoke(
    resources: Resources, account_id: uuid.UUID, grant_id: uuid.UUID, now: datetime
) -> bool:
    with resources.sessions() as session:
        return api_service.revoke_application(session, account_id, grant_id, now=now)


@router.post("/applications/{grant_id}/revoke")
async def revoke_application(
    grant_id: uuid.UUID, request: Request, resources: ResourcesDep, now: NowDep
) -> Response:
    """Disconnect an application: its consent goes, and every token it holds is revoked."""
    lang = lang_of(request)
    signed = await _checked(request, resources, now)
    if signed is None:
        return web.message(request, 403, "forbidden", account_text("forbidden", lang))
    await run_in_threadpool(_revoke, resources, signed.account_id, grant_id, now)
    return RedirectResponse(f"/account?lang={lang}&done=revoked", status_code=303)


def _sign_out(resources: Resources, cookie: str) -> None:
    with resources.sessions() as session:
        service.sign_out(session, cookie)


@router.post("/sign-out")
async def sign_out(request: Request, resources: ResourcesDep, now: NowDep) -> Response:
    lang = lang_of(request)
    signed = await _checked(request, resources, now)
    if signed is None:
        return web.message(request, 403, "forbidden", account_text("forbidden", lang))
    await run_in_threadpool(_sign_out, resources, request.cookies.get(web.COOKIE, ""))
    response = RedirectResponse(f"/account/sign-in?lang={lang}", status_code=303)
    response.delete_cookie(web.COOKIE, path="/")
    return response
