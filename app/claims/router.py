"""The passer's pages: the claim page a link opens, its forms, and the lost-link form.

Pages, not API: refusals are pages in the reader's language. A link that does not open
(``404`` unknown or forged, ``410`` expired) shows the lost-link form and says nothing of
any credential. The lost-link form answers the same page, with the same status, whether
or not the address has badges, and is rate-limited per client address and per e-mail
address, whatever the answer.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from app.claims import page, service
from app.console.web import same_origin
from app.credentials import public as credential_public
from app.credentials import service as credential_service
from app.deps import NowDep, Resources, ResourcesDep, SessionDep, UrlsDep
from app.mail import outbox
from app.mail import tasks as mail_tasks
from app.middleware.ratelimit import mail_form_refusal
from app.oid4vci import delivery as oid4vci_delivery
from app.oid4vci import page as oid4vci_page
from app.oid4vci import service as oid4vci_service
from app.texts import PUBLIC, Lang
from app.verification.page import choose_language
from app.wallets import offers as wallet_offers
from app.wallets.links import lcw_links

router = APIRouter(prefix="/claim", include_in_schema=False)

_LangQuery = Annotated[str | None, Query()]
_HEADERS = {
    "Cache-Control": "no-store",
    # The link's token must not leak to linked sites; "no-referrer" would also make browsers
    # send "Origin: null" with the page's own forms, which the origin check refuses.
    "Referrer-Policy": "same-origin",
    "X-Robots-Tag": "noindex, nofollow",
    "X-Content-Type-Options": "nosniff",
}
_MAX_EMAIL = 254


def _lang(request: Request, asked: str | None) -> Lang:
    return choose_language(asked, None, request.headers.get("accept-language"))


def _html(body: str, status: int, lang: Lang) -> HTMLResponse:
    return HTMLResponse(body, status_code=status, headers={**_HEADERS, "Content-Language": lang})


def _not_found(lang: Lang, reason: str) -> HTMLResponse:
    if reason == "expired":
        body = page.render_lost(
            lang, heading_key="claim_expired_title", explanation_key="claim_expired"
        )
        return _html(body, 410, lang)
    body = page.render_lost(
        lang, heading_key="claim_unknown_title", explanation_key="claim_unknown"
    )
    return _html(body, 404, lang)


def _forbidden(lang: Lang) -> HTMLResponse:
    body = page.render_lost(
        lang, heading_key="claim_forbidden_title", explanation_key="claim_forbidden"
    )
    return _html(body, 403, lang)


def _words(key: str, lang: Lang) -> str:
    ja, en = PUBLIC[key]
    return ja if lang == "ja" else en


# --- the lost-link form (declared first: /claim/lost is not a token) ----------------------


@router.get("/lost")
def lost_form(request: Request, lang: _LangQuery = None) -> HTMLResponse:
    chosen = _lang(request, lang)
    return _html(page.render_lost(chosen), 200, chosen)


def _queue_links(resources: Resources, email: str, now_value: datetime) -> None:
    with resources.sessions() as session:
        queued = outbox.queue_claim_links(
            session, email, settings=resources.settings, now=now_value
        )
    if queued:
        mail_tasks.kick(resources.jobs, resources.settings)


async def _over_limit(request: Request, resources: Resources, email: str) -> dict[str, str] | None:
    """The refusal's headers when this address or this e-mail has asked too often."""
    settings = resources.settings
    return await mail_form_refusal(
        request,
        email,
        per_minute=settings.claim_lost_rate_per_minute,
        per_hour=settings.claim_lost_per_email_per_hour,
        form="lost",
    )


@router.post("/lost")
async def lost_submit(
    request: Request, resources: ResourcesDep, now: NowDep, lang: _LangQuery = None
) -> HTMLResponse:
    """Mail fresh links to an address's badges; the same answer whether it has any."""
    chosen = _lang(request, lang)
    if not same_origin(request, resources):
        return _forbidden(chosen)
    form = await request.form(max_files=0, max_fields=5)
    email = form.get("email")
    if not isinstance(email, str) or not _plausible(email.strip()):
        body = page.render_lost(chosen, message=_words("lost_invalid", chosen))
        return _html(body, 422, chosen)
    email = email.strip()
    refusal = await _over_limit(request, resources, email)
    if refusal is not None:
        body = page.render_lost(chosen, message=_words("lost_too_many", chosen))
        response = _html(body, 429, chosen)
        response.headers.update(refusal)
        return response
    await run_in_threadpool(_queue_links, resources, email, now)
    return _html(page.render_lost(chosen, message=_words("lost_done", chosen)), 200, chosen)


def _plausible(email: str) -> bool:
    local, at, domain = email.rpartition("@")
    return bool(at and local and "." in domain) and len(email) <= _MAX_EMAIL and email.isprintable()


# --- the claim page -------------------------------------------------------------------------


@router.get("/{token}")
def claim_page(
    token: str,
    request: Request,
    session: SessionDep,
    urls: UrlsDep,
    resources: ResourcesDep,
    now: NowDep,
    lang: _LangQuery = None,
) -> HTMLResponse:
    """The badge, accept, downloads, sharing, listing and wallets, for the passer the link
    was sent to."""
    chosen = _lang(request, lang)
    found = service.look_up(session, token, now=now)
    if found.claim is None:
        return _not_found(chosen, found.reason)
    claim = found.claim
    credential = credential_service.get_credential(session, claim.credential_id)
    view, _ = credential_public.page_view(session, urls, credential, request, chosen)
    claimed_at = service.claimed_at(session, credential.id)
    minutes = resources.settings.wallet_offer_minutes
    wallet = None
    if credential.status == "active":
        # A fresh single-use offer for this visit only: never made in bulk, never mailed.
        offered = wallet_offers.create_offer(session, credential, "vcapi", now, minutes=minutes)
        wallet = lcw_links(
            urls, offered.token, offered.offer.challenge, qr_title=_words("wallet_qr_title", chosen)
        )
    oid4vci = None
    if oid4vci_delivery.deliverable(credential.format, credential.status):
        drawn = oid4vci_service.create_offer(
            session,
            credential,
            minutes=minutes,
            tx_code=resources.settings.oid4vci_tx_code,
            now=now,
        )
        oid4vci = oid4vci_page.offer_view(urls, drawn, chosen, minutes)
    body = page.render_claim(
        view,
        now,
        claim_url=urls.claim(token),
        claim_token=token,
        expires_at=claim.expires_at,
        claimed_at=claimed_at,
        wallet=wallet,
        wallet_minutes=minutes,
        oid4vci=oid4vci,
    )
    return _html(body, 200, chosen)


async def _checked_form(
    request: Request, resources: Resources, token: str
) -> dict[str, object] | None:
    """The posted form, if it came from the claim page of this very link."""
    if not same_origin(request, resources):
        return None
    form = await request.form(max_files=0, max_fields=5)
    given = form.get("csrf")
    if not isinstance(given, str) or not page.tokens_match(token, given):
        return None
    return dict(form)


def _back(urls_claim: str, lang: Lang) -> RedirectResponse:
    return RedirectResponse(f"{urls_claim}?lang={lang}", status_code=303, headers=_HEADERS)


def _accept(resources: Resources, token: str, now_value: datetime) -> str:
    with resources.sessions() as session:
        found = service.look_up(session, token, now=now_value)
        if found.claim is None:
            return found.reason
        credential = credential_service.get_credential(session, found.claim.credential_id)
        if credential.status != "active":
            return "ok"  # the page says why nothing can be accepted
        service.accept(session, found.claim, credential.issuer_id, now=now_value)
        return "ok"


@router.post("/{token}/accept")
async def accept(
    token: str,
    request: Request,
    resources: ResourcesDep,
    urls: UrlsDep,
    now: NowDep,
    lang: _LangQuery = None,
) -> Response:
    """Record the acceptance (once, whatever the number of posts) and show the page again."""
    chosen = _lang(request, lang)
    if await _checked_form(request, resources, token) is None:
        return _forbidden(chosen)
    outcome = await run_in_threadpool(_accept, resources, token, now)
    if outcome != "ok":
        return _not_found(chosen, outcome)
    return _back(urls.claim(token), chosen)


def _list(resources: Resources, token: str, listed: bool, now_value: datetime) -> str:
    with resources.sessions() as session:
        found = service.look_up(session, token, now=now_value)
        if found.claim is None:
            return found.reason
        credential = credential_service.get_credential(session, found.claim.credential_id)
        credential_service.set_listed(session, credential, listed, now_value, actor=None)
        return "ok"


@router.post("/{token}/listing")
async def listing(
    token: str,
    request: Request,
    resources: ResourcesDep,
    urls: UrlsDep,
    now: NowDep,
    lang: _LangQuery = None,
) -> Response:
    """The passer's choice: may search engines list the badge's public page?"""
    chosen = _lang(request, lang)
    form = await _checked_form(request, resources, token)
    if form is None:
        return _forbidden(chosen)
    listed = form.get("listed")
    if listed not in ("true", "false"):
        return _html(page.render_lost(chosen), 422, chosen)
    outcome = await run_in_threadpool(_list, resources, token, listed == "true", now)
    if outcome != "ok":
        return _not_found(chosen, outcome)
    return _back(urls.claim(token), chosen)
