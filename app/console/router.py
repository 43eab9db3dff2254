"""The staff console's pages: sign in and out, badges, finding a passer, a credential, statistics.

Pages call the same service functions as the API, with the signed-in API key as the
principal, so the console can do nothing the key could not do through the API, and the
audit log names that key for every change. Batch pages are in :mod:`app.console.batches`.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from app.achievements import service as achievement_service
from app.batches import service as batch_service
from app.claims import service as claims
from app.console import sessions
from app.console.web import (
    PRE_SESSION_COOKIE,
    SESSION_COOKIE,
    ConsoleRoute,
    SignedDep,
    asset,
    check_csrf,
    page,
    secure_cookies,
)
from app.credentials import service as credential_service
from app.credentials import unclaimed
from app.credentials.schemas import CredentialUpdate, RevokeRequest
from app.deps import NowDep, Resources, ResourcesDep, SessionDep, UrlsDep
from app.errors import ConflictError, NotFoundError, UnprocessableError
from app.issuers import service as issuer_service
from app.mail import outbox
from app.mail import tasks as mail_tasks
from app.middleware.clients import TrustedProxies
from app.middleware.ratelimit import RateLimits
from app.statistics import service as statistics_service
from app.statistics.chart import bar_chart
from app.statistics.export import statistics_csv
from app.texts import console_text
from app.verification.guards import lang_of
from app.webhooks import tasks as webhook_tasks

router = APIRouter(prefix="/console", route_class=ConsoleRoute, include_in_schema=False)

_SEARCH_LIMIT = 50


# --- signing in and out ------------------------------------------------------------------


@router.get("")
def console_home() -> RedirectResponse:
    return RedirectResponse("/console/achievements", status_code=303)


def _sign_in_page(
    request: Request, resources: Resources, *, status: int = 200, message: str = ""
) -> HTMLResponse:
    token = sessions.new_token()
    response = page(
        request,
        "sign_in.html",
        signed=None,
        status=status,
        csrf=token,
        message=message,
        hours=resources.settings.console_session_minutes // 60 or 1,
    )
    response.set_cookie(
        PRE_SESSION_COOKIE,
        token,
        max_age=3600,
        path="/console/sign-in",
        samesite="strict",
        secure=secure_cookies(resources),
        httponly=True,
    )
    return response


@router.get("/sign-in")
def sign_in_form(request: Request, resources: ResourcesDep) -> HTMLResponse:
    message = ""
    if request.query_params.get("signed_out") == "1":
        message = console_text("signed_out", lang_of(request))
    return _sign_in_page(request, resources, message=message)


def _limits(request: Request) -> tuple[RateLimits | None, str]:
    limits: RateLimits | None = getattr(request.app.state, "rate_limits", None)
    proxies: TrustedProxies = getattr(request.app.state, "trusted_proxies", TrustedProxies())
    return limits, proxies.client_address(request.scope)


@router.post("/sign-in")
async def sign_in(request: Request, resources: ResourcesDep) -> Response:
    """Open a session for an API key; failures count against the address, like bad keys."""
    lang = lang_of(request)
    # Before a session exists, the form's token must equal the cookie set with the form.
    expected = request.cookies.get(PRE_SESSION_COOKIE, "")
    form = await check_csrf(request, resources, expected)
    limits, address = _limits(request)
    failures = limits.bucket_for_failures(address) if limits else None
    if limits is not None and failures is not None:
        refusal = await limits.exhausted(failures)
        if refusal is not None:
            response = _sign_in_page(
                request, resources, status=429, message=console_text("sign_in_failed", lang)
            )
            response.headers.update(refusal.headers())
            return response
    key = form.get("api_key")
    signed = None
    if isinstance(key, str) and 0 < len(key) <= 200:
        ttl = timedelta(minutes=resources.settings.console_session_minutes)
        signed = await run_in_threadpool(_open, resources, key, ttl)
    if signed is None:
        if limits is not None and failures is not None:
            await limits.hit(failures)
        return _sign_in_page(
            request, resources, status=401, message=console_text("sign_in_failed", lang)
        )
    redirect = RedirectResponse("/console/achievements", status_code=303)
    redirect.set_cookie(
        SESSION_COOKIE,
        signed.cookie,
        max_age=resources.settings.console_session_minutes * 60,
        path="/console",
        samesite="strict",
        secure=secure_cookies(resources),
        httponly=True,
    )
    redirect.delete_cookie(PRE_SESSION_COOKIE, path="/console/sign-in")
    return redirect


def _open(resources: Resources, key: str, ttl: timedelta) -> sessions.Signed | None:
    with resources.sessions() as session:
        return sessions.sign_in(session, key, datetime.now(UTC), ttl)


@router.post("/sign-out")
async def sign_out(request: Request, resources: ResourcesDep, signed: SignedDep) -> Response:
    await check_csrf(request, resources, signed.csrf_token)
    cookie = request.cookies.get(SESSION_COOKIE, "")

    def close() -> None:
        with resources.sessions() as session:
            sessions.sign_out(session, cookie, signed, datetime.now(UTC))

    await run_in_threadpool(close)
    response = RedirectResponse("/console/sign-in?signed_out=1", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/console")
    return response


@router.get("/assets/{name}")
def console_asset(name: str) -> Response:
    try:
        content, media_type, _ = asset(name)
    except KeyError:
        raise NotFoundError(f"no asset {name!r}") from None
    return Response(
        content,
        media_type=media_type,
        headers={"Cache-Control": "public, max-age=86400", "X-Content-Type-Options": "nosniff"},
    )


# --- badges ------------------------------------------------------------------------------


def _issuer_choice(
    session: SessionDep, signed: sessions.Signed, issuer: str | None
) -> tuple[str | None, list[Any]]:
    """The issuer an administrator chose (and the ones to choose from); staff have theirs."""
    if not signed.principal.is_admin:
        return issuer or None, []  # their own, or a 404 for another's
    issuers, _ = issuer_service.list_issuers(session, signed.principal, limit=500, offset=0)
    return issuer or None, issuers


@router.get("/achievements")
def achievements(
    request: Request,
    session: SessionDep,
    resources: ResourcesDep,
    signed: SignedDep,
    issuer: Annotated[str | None, Query(max_length=64)] = None,
) -> HTMLResponse:
    chosen, issuers = _issuer_choice(session, signed, issuer)
    rows, _ = achievement_service.list_achievements(
        session, signed.principal, issuer_slug=chosen, limit=200, offset=0
    )
    counts = statistics_service.compute(
        session, signed.principal, statistics_service.Filters(issuer_slug=chosen)
    ).groups["achievement"]
    issued = {g.key: g.counts["issued"] for g in counts}
    batches, _ = batch_service.list_batches(
        session, signed.principal, achievement_id=None, state=None, limit=10, offset=0
    )
    if chosen is not None:
        batches = [b for b in batches if b.issuer_id in {a.issuer_id for a in rows}]
    return page(
        request,
        "achievements.html",
        signed=signed,
        achievements=rows,
        issued=issued,
        issuers=issuers,
        chosen=chosen,
        batches=batches,
        batch_counts=batch_service.counts_of(session, [b.id for b in batches]),
        names={a.id: a.name.get(lang_of(request)) or a.text(a.name) for a in rows},
    )


# --- finding a passer and changing a credential --------------------------------------------


@router.get("/search")
def search(
    request: Request,
    session: SessionDep,
    signed: SignedDep,
    q: Annotated[str, Query(max_length=254)] = "",
) -> HTMLResponse:
    q = q.strip()
    rows: list[Any] = []
    total = 0
    if q and "\x00" not in q:
        by_email = "@" in q
        filters = credential_service.CredentialFilter(
            recipient_email=q if by_email else None, external_id=None if by_email else q[:200]
        )
        rows, total = credential_service.list_credentials(
            session, signed.principal, filters, limit=_SEARCH_LIMIT, offset=0
        )
    names = _achievement_names(session, {r.achievement_id for r in rows})
    return page(request, "search.html", signed=signed, q=q, rows=rows, total=total, names=names)


def _achievement_names(session: SessionDep, ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    names = {}
    for achievement_id in ids:
        achievement = achievement_service.get_achievement(session, achievement_id)
        names[achievement_id] = achievement.text(achievement.name)
    return names


@router.get("/credentials/{credential_id}")
def credential_page(
    request: Request,
    credential_id: uuid.UUID,
    session: SessionDep,
    signed: SignedDep,
    urls: UrlsDep,
    done: Annotated[
        str | None, Query(pattern="^(revoke|suspend|unsuspend|resend|address)$")
    ] = None,
) -> HTMLResponse:
    credential = credential_service.get_credential_for(session, signed.principal, credential_id)
    achievement = credential_service.achievement_of(session, credential)
    return page(
        request,
        "credential.html",
        signed=signed,
        credential=credential,
        achievement_name=achievement.text(achievement.name),
        public_url=urls.credential(credential.id),
        done=done,
        claimed_at=claims.claimed_at(session, credential.id),
        mail=outbox.latest_mail(session, [credential.id]).get(credential.id),
    )


_ACTIONS = ("revoke", "suspend", "unsuspend", "resend", "address")


@router.post("/credentials/{credential_id}/{action}")
async def change_credential(
    request: Request,
    credential_id: uuid.UUID,
    action: str,
    resources: ResourcesDep,
    signed: SignedDep,
    urls: UrlsDep,
    now: NowDep,
) -> Response:
    """Revoke (with a reason), suspend or unsuspend; while the passer has not accepted the
    badge, mail the notification again or send it to a corrected address. The same service
    functions as the API, so the same refusals (409 once claimed or not active)."""
    if action not in _ACTIONS:
        raise NotFoundError(f"no action {action!r}")
    lang = lang_of(request)
    form = await check_csrf(request, resources, signed.csrf_token)
    reason = form.get("reason")
    if action == "revoke":
        try:
            reason = RevokeRequest(reason=reason if isinstance(reason, str) else "").reason
        except ValidationError:
            raise UnprocessableError(console_text("reason_label", lang) + ": 1-500") from None
    address = ""
    if action == "address":
        given = form.get("email")
        try:
            update = CredentialUpdate(recipient_email=given if isinstance(given, str) else "")
        except ValidationError:
            raise UnprocessableError(console_text("address_invalid", lang)) from None
        address = str(update.recipient_email)

    def change() -> None:
        principal = signed.principal
        with resources.sessions() as session:
            credential = credential_service.get_credential_for(session, principal, credential_id)
            if action == "revoke":
                assert isinstance(reason, str)  # noqa: S101 - checked above
                credential_service.revoke(session, credential, reason, now, actor=principal)
            elif action == "suspend":
                credential_service.suspend(session, credential, now, actor=principal)
            elif action == "unsuspend":
                credential_service.unsuspend(session, credential, now, actor=principal)
            elif action == "resend":
                unclaimed.resend_notification(
                    session, credential, now, settings=resources.settings, actor=principal
                )
            else:
                unclaimed.change_address(
                    session,
                    resources.keyring,
                    urls,
                    credential,
                    address,
                    now,
                    settings=resources.settings,
                    actor=principal,
                )
                # This process serves the signed-again document at once, as the API does.
                with resources.issued_documents_lock:
                    resources.issued_documents.pop(credential.id, None)

    try:
        await run_in_threadpool(change)
    except ConflictError:
        if action not in ("resend", "address"):
            raise
        raise ConflictError(console_text("mail_closed", lang)) from None
    if action in ("resend", "address"):
        mail_tasks.kick(resources.jobs, resources.settings)
    else:
        webhook_tasks.kick(resources.jobs, resources.settings)  # its watchers' events, now
    return RedirectResponse(f"/console/credentials/{credential_id}?done={action}", status_code=303)


# --- statistics --------------------------------------------------------------------------


def _statistics_filters(
    resources: Resources,
    issuer: str | None,
    achievement_id: str | None,
    date_from: str | None,
    date_to: str | None,
) -> statistics_service.Filters:
    def day(value: str | None) -> date | None:
        if not value:
            return None
        try:
            parsed = date.fromisoformat(value)
        except ValueError:
            raise UnprocessableError(f"not a date: {value!r}") from None
        if not 1900 <= parsed.year <= 2999:
            raise UnprocessableError(f"not a date: {value!r}")
        return parsed

    chosen_achievement = None
    if achievement_id:
        try:
            chosen_achievement = uuid.UUID(achievement_id)
        except ValueError:
            raise UnprocessableError(f"not an achievement: {achievement_id!r}") from None
    return statistics_service.Filters(
        issuer_slug=issuer or None,
        achievement_id=chosen_achievement,
        date_from=day(date_from),
        date_to=day(date_to),
        time_zone=resources.settings.statistics_time_zone,
    )


Text = Annotated[str | None, Query(max_length=64)]


@router.get("/statistics")
def statistics_page(
    request: Request,
    session: SessionDep,
    resources: ResourcesDep,
    signed: SignedDep,
    issuer: Text = None,
    achievement_id: Text = None,
    date_from: Annotated[str | None, Query(alias="from", max_length=10)] = None,
    date_to: Annotated[str | None, Query(alias="to", max_length=10)] = None,
) -> HTMLResponse:
    lang = lang_of(request)
    chosen, issuers = _issuer_choice(session, signed, issuer)
    filters = _statistics_filters(resources, chosen, achievement_id, date_from, date_to)
    stats = statistics_service.compute(session, signed.principal, filters)
    achievements, _ = achievement_service.list_achievements(
        session, signed.principal, issuer_slug=chosen, limit=200, offset=0
    )
    index = 0 if lang == "ja" else 1
    chart = bar_chart(
        console_text("chart_title", lang),
        console_text("chart_desc", lang),
        [(g.label[index], g.counts["issued"]) for g in stats.groups["month"]],
    )
    return page(
        request,
        "statistics.html",
        signed=signed,
        stats=stats,
        chart=chart,
        index=index,
        issuers=issuers,
        chosen=chosen,
        achievements=achievements,
        date_from=date_from or "",
        date_to=date_to or "",
        achievement_id=achievement_id or "",
        prefecture_chart=bar_chart(
            console_text("prefecture_chart_title", lang),
            console_text("prefecture_chart_desc", lang),
            [
                (
                    g.label[index] if g.key else console_text("overseas_unknown", lang),
                    g.counts["issued"],
                )
                for g in stats.groups["prefecture"]
                if g.counts["issued"]
            ],
        ),
    )


@router.get("/statistics.csv")
def statistics_download(
    session: SessionDep,
    resources: ResourcesDep,
    signed: SignedDep,
    issuer: Text = None,
    achievement_id: Text = None,
    date_from: Annotated[str | None, Query(alias="from", max_length=10)] = None,
    date_to: Annotated[str | None, Query(alias="to", max_length=10)] = None,
) -> Response:
    filters = _statistics_filters(resources, issuer, achievement_id, date_from, date_to)
    stats = statistics_service.compute(session, signed.principal, filters)
    return Response(
        statistics_csv(stats),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": 'attachment; filename="statistics.csv"',
            "Cache-Control": "no-store",
        },
    )
