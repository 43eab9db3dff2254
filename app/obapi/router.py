"""The Open Badges 3.0 API (https://www.imsglobal.org/spec/ob/v3p0/#api) and its OAuth 2.0
endpoints (https://www.imsglobal.org/spec/ob/v3p0/#api-security).

The OAuth endpoints answer in RFC 6749 / RFC 7591 JSON, through authlib
(:mod:`app.obapi.server`); the resource endpoints under ``/ims/ob/v3p0`` answer errors as
``Imsx_StatusInfo``. Query parameters and bodies are read by hand rather than by FastAPI's
validation, whose errors would be problem documents.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import cache
from importlib import resources as package_files
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import jsonschema
from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6749.errors import InsecureTransportError
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy import select, update
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.deps import NowDep, Resources, ResourcesDep
from app.errors import AppError
from app.fetching import SafeFetcher, fetch_config
from app.middleware.clients import TrustedProxies
from app.middleware.ratelimit import RateLimits, client_of
from app.obapi import discovery, imsx, logos, scopes
from app.obapi import service as api
from app.obapi.errors import oauth_error as _oauth_error
from app.obapi.models import OAuthClient
from app.obapi.server import (
    REQUIRED_METADATA,
    Client,
    Incoming,
    OAuthServer,
    Passer,
    record_consent,
)
from app.passers import web
from app.passers.service import tokens_match
from app.responses import oauth_errors
from app.texts import account_text
from app.verification.fairness import FairSlots
from app.verification.guards import lang_of
from app.verification.local import LocalDocuments
from app.verification.service import Subject, Verifier, verifier_config

oauth = APIRouter(prefix="/oauth", tags=["oauth"])
api_router = APIRouter(prefix="/ims/ob/v3p0", tags=["open badges api"])

DEFAULT_LIMIT = 50
MAX_LIMIT = 500
_JSON_TYPES = ("application/json", "application/vc+ld+json", "application/ld+json")


def _oauth_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    description = "An OAuth 2.0 error (RFC 6749 §5.2, RFC 7591 §3.2.2)."
    found = oauth_errors(*[code for code in codes if code != 413], description=description)
    if 413 in codes:
        too_large = "The body is larger than the limit (invalid_request, RFC 6749 §5.2)."
        found |= oauth_errors(413, description=too_large)
    return found


def _media(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


def _url(request: Request, resources: Resources) -> str:
    query = request.url.query
    return resources.settings.base_url + request.url.path + (f"?{query}" if query else "")


# --- OAuth 2.0: registration, authorization, token, revocation ------------------------------


def _register(resources: Resources, incoming: Incoming, now: datetime) -> Response:
    with resources.sessions() as session:
        server = OAuthServer(session, now)
        response: Response = server.create_endpoint_response("client_registration", incoming)
        return response


@oauth.post(
    "/register",
    summary="Register a client (RFC 7591)",
    status_code=201,
    responses={
        201: {
            "description": "The client's metadata, with its client_id and client_secret.",
            "content": {"application/json": {"schema": {"type": "object"}}},
        },
        **_oauth_responses(400, 413),
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "required": list(REQUIRED_METADATA),
                        "properties": {
                            "client_name": {"type": "string"},
                            "client_uri": {"type": "string", "format": "uri"},
                            "logo_uri": {"type": "string", "format": "uri"},
                            "tos_uri": {"type": "string", "format": "uri"},
                            "policy_uri": {"type": "string", "format": "uri"},
                            "software_id": {"type": "string"},
                            "software_version": {"type": "string"},
                            "redirect_uris": {
                                "type": "array",
                                "items": {"type": "string", "format": "uri"},
                            },
                            "scope": {"type": "string"},
                            "token_endpoint_auth_method": {"type": "string"},
                            "grant_types": {"type": "array", "items": {"type": "string"}},
                            "response_types": {"type": "array", "items": {"type": "string"}},
                            "contacts": {"type": "array", "items": {"type": "string"}},
                        },
                    }
                }
            },
        }
    },
)
async def register(request: Request, resources: ResourcesDep, now: NowDep) -> Response:
    """Dynamic client registration: no initial access token; the spec's fields required."""
    if _media(request) not in _JSON_TYPES:
        return _oauth_error(400, "invalid_client_metadata", "Content-Type must be application/json")
    try:
        data = json.loads(await request.body())
    except (ValueError, UnicodeDecodeError):
        data = None
    if not isinstance(data, dict):
        return _oauth_error(400, "invalid_client_metadata", "the body must be a JSON object")
    incoming = Incoming("POST", _url(request, resources), request.headers, json=data)
    try:
        response = await run_in_threadpool(_register, resources, incoming, now)
    except InsecureTransportError:
        return _oauth_error(400, "invalid_request", "OAuth 2.0 requires HTTPS")
    if response.status_code == 201 and await _may_fetch(request):
        registered = json.loads(bytes(response.body))
        await run_in_threadpool(
            _keep_logo, resources, registered["client_id"], str(data["logo_uri"])
        )
    return response


async def _may_fetch(request: Request) -> bool:
    """Whether the caller's address has room for an outbound fetch: registration needs no
    credentials, so its logo fetches count against the budget verifications share."""
    limits: RateLimits | None = getattr(request.app.state, "rate_limits", None)
    if limits is None:
        return True
    proxies: TrustedProxies = getattr(request.app.state, "trusted_proxies", TrustedProxies())
    bucket = limits.bucket_for_address(proxies.client_address(request.scope))
    return bucket is None or (await limits.hit(bucket)).allowed


def _keep_logo(resources: Resources, client_id: str, logo_uri: str) -> None:
    """Fetch the registered logo and keep it, re-encoded, to serve from this origin."""
    # A fetcher of its own, so that no more than a logo's cap is ever downloaded.
    config = replace(fetch_config(resources.settings), max_bytes=logos.MAX_BYTES)
    with SafeFetcher.create(config, cache=False) as fetcher:
        logo = logos.fetch(fetcher, logo_uri)
    if logo is None:
        return
    with resources.sessions() as session:
        session.execute(
            update(OAuthClient).where(OAuthClient.client_id == client_id).values(logo_png=logo)
        )
        session.commit()


def _logo(resources: Resources, client_id: str) -> bytes | None:
    with resources.sessions() as session:
        logo: bytes | None = session.scalar(
            select(OAuthClient.logo_png).where(OAuthClient.client_id == client_id)
        )
        return logo


@oauth.get("/clients/{client_id}/logo.png", include_in_schema=False)
async def client_logo(client_id: str, resources: ResourcesDep) -> Response:
    """A client's logo, as kept at registration (a PNG this service encoded itself)."""
    logo = await run_in_threadpool(_logo, resources, client_id[:64])
    if logo is None:
        return _oauth_error(404, "invalid_request", "this client has no logo")
    return Response(
        logo,
        media_type="image/png",
        headers={
            "Cache-Control": "public, max-age=86400",
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox",
        },
    )


@dataclass(frozen=True)
class _Consent:
    client: dict[str, Any]
    scopes: list[str]
    redirect_uri: str
    logo: str  # the path of the logo this service serves, or ""


def _validate_authorization(
    resources: Resources, incoming: Incoming, now: datetime
) -> _Consent | Response | str:
    """What to ask the passer, or the error redirect, or (no safe redirect) the error text."""
    with resources.sessions() as session:
        server = OAuthServer(session, now)
        try:
            grant = server.get_consent_grant(incoming, end_user=None)
        except OAuth2Error as error:
            if error.redirect_uri:
                response: Response = server.handle_error_response(None, error)
                return response
            return f"{error.error}: {error.description or ''}".strip(": ")
        client: Client = grant.client
        logo = ""
        if client.row.logo_png is not None:
            logo = f"/oauth/clients/{quote(client.row.client_id, safe='')}/logo.png"
        return _Consent(
            client.metadata, grant.request.scope.split(), grant.request.payload.redirect_uri, logo
        )


def _authorize(
    resources: Resources, incoming: Incoming, account_id: uuid.UUID, allow: bool, now: datetime
) -> Response | str:
    with resources.sessions() as session:
        server = OAuthServer(session, now)
        passer = Passer(account_id)
        try:
            grant = server.get_consent_grant(incoming, end_user=passer)
        except OAuth2Error as error:
            if error.redirect_uri:
                response: Response = server.handle_error_response(None, error)
                return response
            return f"{error.error}: {error.description or ''}".strip(": ")
        if allow:
            record_consent(session, grant.client, account_id, grant.request.scope, now)
        answer: Response = server.create_authorization_response(
            grant.request, grant_user=passer if allow else None, grant=grant
        )
        return answer


def _error_page(request: Request, text: str) -> Response:
    lang = lang_of(request)
    return web.message(
        request, 400, "oauth_error_title", account_text("oauth_error", lang, error=text)
    )


@oauth.get("/authorize", include_in_schema=False)
async def authorize(request: Request, resources: ResourcesDep, now: NowDep) -> Response:
    """The consent page; a passer not signed in signs in first and comes back here."""
    incoming = Incoming("GET", _url(request, resources), request.headers, query=_query(request))
    try:
        found = await run_in_threadpool(_validate_authorization, resources, incoming, now)
    except InsecureTransportError:
        return _error_page(request, "OAuth 2.0 requires HTTPS")
    if isinstance(found, Response):
        return found
    if isinstance(found, str):
        return _error_page(request, found)
    signed = await web.signed_in(request, resources, now)
    path = request.url.path + "?" + urlencode(_query(request))
    if signed is None:
        lang = lang_of(request)
        return RedirectResponse(
            "/account/sign-in?" + urlencode({"lang": lang, "next": path}), status_code=303
        )
    with resources.sessions() as session:
        email = ", ".join(_addresses(session, signed.account_id))
    client = found.client
    return web.page(
        request,
        "consent.html",
        client_name=client.get("client_name", ""),
        logo=found.logo,
        client_uri=client.get("client_uri", ""),
        tos_uri=client.get("tos_uri", ""),
        policy_uri=client.get("policy_uri", ""),
        redirect_uri=found.redirect_uri,
        form_redirects_to=_origin(found.redirect_uri),
        scopes=found.scopes,
        email=email,
        csrf=signed.csrf_token,
        action=path,
    )


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _addresses(session: Any, account_id: uuid.UUID) -> list[str]:
    from app.passers.service import addresses

    return addresses(session, account_id)


def _query(request: Request) -> list[tuple[str, str]]:
    return [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]


@oauth.post("/authorize", include_in_schema=False)
async def decide(request: Request, resources: ResourcesDep, now: NowDep) -> Response:
    """The passer's answer on the consent page: a code for the client, or access_denied."""
    from app.console.web import same_origin

    signed = await web.signed_in(request, resources, now)
    form = await request.form(max_files=0, max_fields=5)
    if (
        signed is None
        or not same_origin(request, resources)
        or not tokens_match(signed.csrf_token, form.get("csrf"))
    ):
        lang = lang_of(request)
        return web.message(request, 403, "forbidden", account_text("forbidden", lang))
    incoming = Incoming("GET", _url(request, resources), request.headers, query=_query(request))
    allow = form.get("decision") == "allow"
    try:
        answer = await run_in_threadpool(
            _authorize, resources, incoming, signed.account_id, allow, now
        )
    except InsecureTransportError:
        return _error_page(request, "OAuth 2.0 requires HTTPS")
    if isinstance(answer, str):
        return _error_page(request, answer)
    # A 303 so the browser follows with a GET.
    answer.status_code = 303 if answer.status_code == 302 else answer.status_code
    return answer


def _token(resources: Resources, incoming: Incoming, now: datetime, revoke: bool) -> Response:
    with resources.sessions() as session:
        server = OAuthServer(session, now)
        if revoke:
            response: Response = server.create_endpoint_response("revocation", incoming)
        else:
            response = server.create_token_response(incoming)
        return response


_FORM = {
    "requestBody": {
        "required": True,
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "grant_type": {"type": "string"},
                        "code": {"type": "string"},
                        "redirect_uri": {"type": "string"},
                        "scope": {"type": "string"},
                        "code_verifier": {"type": "string"},
                        "refresh_token": {"type": "string"},
                        "token": {"type": "string"},
                        "token_type_hint": {"type": "string"},
                    },
                }
            }
        },
    },
    "security": [{"clientBasic": []}],
}


class _BadForm(Exception):
    """A form the parser refused (too many fields): RFC 6749 §5.2 ``invalid_request``."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.answer = _oauth_error(400, "invalid_request", detail)


async def _form_request(request: Request, resources: Resources) -> Incoming:
    if _media(request) != "application/x-www-form-urlencoded":
        # RFC 6749 §3.2: the token endpoint reads application/x-www-form-urlencoded only.
        raise _BadForm("Content-Type must be application/x-www-form-urlencoded")
    try:
        form = await request.form(max_files=0, max_fields=20)
    except StarletteHTTPException as refused:
        raise _BadForm(str(refused.detail)) from None
    items = [(k, v) for k, v in form.multi_items() if isinstance(v, str)]
    return Incoming("POST", _url(request, resources), request.headers, form=items)


@oauth.post(
    "/token",
    summary="Token endpoint (RFC 6749 §3.2)",
    responses={
        200: {
            "description": "An access token (and a refresh token with offline_access).",
            "content": {"application/json": {"schema": {"type": "object"}}},
        },
        **_oauth_responses(400, 401, 413),
    },
    openapi_extra=_FORM,
)
async def token(request: Request, resources: ResourcesDep, now: NowDep) -> Response:
    """Exchange a code (with its PKCE verifier) or a refresh token; client_secret_basic."""
    return await _token_endpoint(request, resources, now, revoke=False)


@oauth.post(
    "/revoke",
    summary="Revoke a token (RFC 7009)",
    responses={
        200: {
            "description": "Revoked, or the token was not valid anyway.",
            "content": {"application/json": {"schema": {"type": "object"}}},
        },
        **_oauth_responses(400, 401, 413),
    },
    openapi_extra=_FORM,
)
async def revoke(request: Request, resources: ResourcesDep, now: NowDep) -> Response:
    """Revoke an access or refresh token of the authenticated client."""
    return await _token_endpoint(request, resources, now, revoke=True)


async def _token_endpoint(
    request: Request, resources: Resources, now: datetime, *, revoke: bool
) -> Response:
    """The token or revocation endpoint's answer to a form request."""
    try:
        incoming = await _form_request(request, resources)
    except _BadForm as bad:
        return bad.answer
    try:
        return await run_in_threadpool(_token, resources, incoming, now, revoke)
    except InsecureTransportError:
        return _oauth_error(400, "invalid_request", "OAuth 2.0 requires HTTPS")


# --- the resource endpoints ---------------------------------------------------------------


@api_router.get(
    "/discovery",
    summary="Service description document (getServiceDescription)",
    operation_id="getServiceDescription",
    responses={
        200: {
            "description": "The profiled OpenAPI document of this host.",
            "content": {"application/json": {"schema": {"type": "object"}}},
        },
        **imsx.responses(405),
    },
)
async def get_service_description(resources: ResourcesDep) -> Response:
    """Unprotected, as the spec requires."""
    settings = resources.settings
    home = settings.base_url + "/"
    body = discovery.document(
        settings.base_url, settings.ob_api_terms_url or home, settings.ob_api_privacy_url or home
    )
    return Response(
        body, media_type="application/json", headers={"Cache-Control": "public, max-age=300"}
    )


class _Refusal(Exception):
    def __init__(self, response: Response) -> None:
        self.response = response


def _unauthorized(description: str) -> _Refusal:
    return _Refusal(
        imsx.status_info(
            401,
            "unauthorizedrequest",
            description,
            {"WWW-Authenticate": 'Bearer error="invalid_token"'},
        )
    )


def _bearer(request: Request) -> str:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise _Refusal(
            imsx.status_info(
                401,
                "unauthorizedrequest",
                "a bearer token is required",
                {"WWW-Authenticate": "Bearer"},
            )
        )
    return value.strip()


def _access(session: Any, bearer: str, scope: str, now: datetime) -> api.Access:
    access = api.access_of(session, bearer, now=now)
    if access is None:
        raise _unauthorized("the access token is not valid, or has expired or been revoked")
    if scope not in access.scopes:
        raise _Refusal(
            imsx.status_info(
                403,
                "forbidden",
                f"Access token lacks scope {scope}",
                {"WWW-Authenticate": f'Bearer error="insufficient_scope", scope="{scope}"'},
            )
        )
    return access


def _bad_query(description: str) -> _Refusal:
    return _Refusal(imsx.status_info(400, "invalid_query_parameter", description))


def _whole(request: Request, name: str, default: int, low: int, high: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or len(raw) > 9 or not low <= int(raw) <= high:
        raise _bad_query(f"'{name}' must be a whole number from {low} to {high}")
    return int(raw)


def _since(request: Request) -> datetime | None:
    raw = request.query_params.get("since")
    if raw is None:
        return None
    try:
        value = datetime.fromisoformat(raw.strip())
    except ValueError:
        raise _bad_query("'since' must be an ISO 8601 date and time") from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _links(base: str, limit: int, offset: int, total: int, since: str | None) -> str:
    def link(at: int, rel: str) -> str:
        query = {"limit": limit, "offset": at} | ({"since": since} if since else {})
        return f'<{base}?{urlencode(query)}>; rel="{rel}"'

    last = max(0, (total - 1) // limit * limit)
    links = []
    if offset + limit < total:
        links.append(link(offset + limit, "next"))
    links.append(link(last, "last"))
    links.append(link(0, "first"))
    if offset > 0:
        links.append(link(max(0, min(offset - limit, last)), "prev"))
    return ", ".join(links)


def _credentials(
    resources: Resources,
    bearer: str,
    limit: int,
    offset: int,
    since: datetime | None,
    now: datetime,
) -> api.Page:
    with resources.sessions() as session:
        access = _access(session, bearer, scopes.CREDENTIAL_READ, now)
        return api.credentials_page(
            session, access.account_id, limit=limit, offset=offset, since=since
        )


_CREDENTIALS_PARAMS = {
    "parameters": [
        {
            "name": "limit",
            "in": "query",
            "required": False,
            "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT},
            "description": f"Credentials per page (default {DEFAULT_LIMIT}).",
        },
        {
            "name": "offset",
            "in": "query",
            "required": False,
            "schema": {"type": "integer", "minimum": 0},
            "description": "The index of the first credential to return (zero indexed).",
        },
        {
            "name": "since",
            "in": "query",
            "required": False,
            "schema": {"type": "string", "format": "date-time"},
            "description": "Only credentials issued after this time (their validFrom).",
        },
    ],
    "security": [{"OAuth2ACG": [scopes.CREDENTIAL_READ]}],
}


@api_router.get(
    "/credentials",
    summary="A passer's credentials (getCredentials)",
    operation_id="getCredentials",
    responses={
        200: {
            "description": "A page of the passer's credentials (GetOpenBadgeCredentialsResponse).",
            "content": {"application/json": {"schema": {"type": "object"}}},
            "headers": {
                "X-Total-Count": {"schema": {"type": "integer"}},
                "Link": {"schema": {"type": "string"}},
            },
        },
        **imsx.responses(400, 401, 403, 405),
    },
    openapi_extra=_CREDENTIALS_PARAMS,
)
async def get_credentials(request: Request, resources: ResourcesDep, now: NowDep) -> Response:
    """Data Integrity credentials in ``credential``, VC-JWTs in ``compactJwsString``."""
    try:
        bearer = _bearer(request)
        limit = _whole(request, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
        offset = _whole(request, "offset", 0, 0, 10**9)
        since = _since(request)
        page = await run_in_threadpool(_credentials, resources, bearer, limit, offset, since, now)
    except _Refusal as refusal:
        return refusal.response
    base = resources.urls.ob_api("/credentials")
    headers = {
        "X-Total-Count": str(page.total),
        "Link": _links(base, limit, offset, page.total, request.query_params.get("since")),
        "Cache-Control": "no-store",
    }
    return Response(api.page_body(page), media_type="application/json", headers=headers)


def _verify(
    request: Request, resources: Resources, data: str | dict[str, Any], now: datetime
) -> tuple[bool, str, dict[str, Any] | None]:
    slots: FairSlots = request.app.state.verify_slots  # made in the lifespan
    with slots.enter(client_of(request.scope)) as lease:
        verifier = Verifier(
            fetcher=lease.fetcher(resources.fetcher),
            config=verifier_config(resources.settings.http_did_web_hosts),
            local=LocalDocuments(resources.sessions, resources.keyring, resources.urls),
            budget=resources.settings.verify_request_budget_s,
        )
        report = verifier.verify(Subject(data), now=now).report
    failed = [c.id for c in report.checks if c.status in ("failed", "indeterminate")]
    ok = report.ok and report.format in ("ob3-data-integrity", "ob3-jwt")
    why = "did not verify: " + ", ".join(failed) if failed else "not an Open Badges 3.0 credential"
    return ok, why, report.credential


def _id_of(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("id")
    return value if isinstance(value, str) and value.strip() else None


def _upsert(
    request: Request, resources: Resources, bearer: str, body: str, jwt: bool, now: datetime
) -> bool:
    with resources.sessions() as session:
        access = _access(session, bearer, scopes.CREDENTIAL_UPSERT, now)
    data: str | dict[str, Any] = body
    if not jwt:
        try:
            data = json.loads(body)
        except ValueError:
            raise _Refusal(imsx.status_info(400, "invalid_data", "the body is not JSON")) from None
        if not isinstance(data, dict):
            raise _Refusal(imsx.status_info(400, "invalid_data", "the body is not a credential"))
    ok, why, credential = _verify(request, resources, data, now)
    if not ok or credential is None:
        raise _Refusal(imsx.status_info(400, "invalid_data", f"The credential {why}."))
    issuer, credential_id = _id_of(credential.get("issuer")), _id_of(credential)
    if issuer is None or credential_id is None:
        raise _Refusal(
            imsx.status_info(400, "invalid_data", "the credential needs an id and an issuer id")
        )
    key = api.identity(issuer, credential_id)
    with resources.sessions() as session:
        return api.upsert(
            session,
            access.account_id,
            kind="ob3-jwt" if jwt else "ob3",
            document=body if jwt else json.dumps(data, ensure_ascii=False, separators=(",", ":")),
            key=key,
            issued_at=api.issued_time(credential, now),
            now=now,
        )


@api_router.post(
    "/credentials",
    summary="Add or replace a credential in the passer's account (upsertCredential)",
    operation_id="upsertCredential",
    responses={
        200: {
            "description": "Replaced: the credential sent.",
            "content": {
                "application/json": {"schema": {"type": "object"}},
                "text/plain": {"schema": {"type": "string"}},
            },
        },
        201: {
            "description": "Created: the credential sent.",
            "content": {
                "application/json": {"schema": {"type": "object"}},
                "text/plain": {"schema": {"type": "string"}},
            },
        },
        **imsx.responses(400, 401, 403, 405, 413, 503),
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {"type": "object"}},
                "text/plain": {"schema": {"type": "string"}},
            },
        },
        "security": [{"OAuth2ACG": [scopes.CREDENTIAL_UPSERT]}],
    },
)
async def upsert_credential(request: Request, resources: ResourcesDep, now: NowDep) -> Response:
    """Verify the credential with this service's verifier, then keep it; 201 new, 200 replaced."""
    media = _media(request)
    try:
        bearer = _bearer(request)
        if media not in (*_JSON_TYPES, "text/plain"):
            raise _Refusal(
                imsx.status_info(
                    400, "invalid_data", "Content-Type must be application/json or text/plain"
                )
            )
        raw = await request.body()
        try:
            body = raw.decode("utf-8").strip()
        except UnicodeDecodeError:
            raise _Refusal(imsx.status_info(400, "invalid_data", "the body is not UTF-8")) from None
        jwt = media == "text/plain"
        created = await run_in_threadpool(_upsert, request, resources, bearer, body, jwt, now)
    except _Refusal as refusal:
        return refusal.response
    except AppError as error:  # no verification slot free
        return imsx.status_info(error.status_code, "server_busy", str(error), {"Retry-After": "1"})
    return Response(
        body,
        status_code=201 if created else 200,
        media_type="text/plain" if jwt else "application/json",
    )


def _profile(resources: Resources, bearer: str, now: datetime) -> dict[str, Any] | None:
    with resources.sessions() as session:
        access = _access(session, bearer, scopes.PROFILE_READ, now)
        return api.profile(session, access.account_id)


_PROFILE_RESPONSE = {
    "description": "The passer's Profile.",
    "content": {"application/json": {"schema": {"type": "object"}}},
}


@api_router.get(
    "/profile",
    summary="The passer's profile (getProfile)",
    operation_id="getProfile",
    responses={200: _PROFILE_RESPONSE, **imsx.responses(400, 401, 403, 404, 405)},
    openapi_extra={"security": [{"OAuth2ACG": [scopes.PROFILE_READ]}]},
)
async def get_profile(request: Request, resources: ResourcesDep, now: NowDep) -> Response:
    try:
        found = await run_in_threadpool(_profile, resources, _bearer(request), now)
    except _Refusal as refusal:
        return refusal.response
    if found is None:
        return imsx.status_info(404, "not_found", "no profile")
    return JSONResponse(found, headers={"Cache-Control": "no-store"})


@cache
def _profile_schema() -> jsonschema.protocols.Validator:
    text = package_files.files("app.obapi").joinpath("schemas", "profile.json").read_text()
    return jsonschema.Draft201909Validator(json.loads(text))


def _put_profile(
    resources: Resources, bearer: str, document: dict[str, Any], now: datetime
) -> None:
    with resources.sessions() as session:
        access = _access(session, bearer, scopes.PROFILE_UPDATE, now)
        api.put_profile(session, access.account_id, document)


@api_router.put(
    "/profile",
    summary="Replace the passer's profile (putProfile)",
    operation_id="putProfile",
    responses={200: _PROFILE_RESPONSE, **imsx.responses(400, 401, 403, 405, 413)},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"type": "object"}}},
        },
        "security": [{"OAuth2ACG": [scopes.PROFILE_UPDATE]}],
    },
)
async def put_profile(request: Request, resources: ResourcesDep, now: NowDep) -> Response:
    """The entire Profile, checked against the spec's Profile schema."""
    try:
        bearer = _bearer(request)
        if _media(request) not in _JSON_TYPES:
            raise _Refusal(
                imsx.status_info(400, "invalid_data", "Content-Type must be application/json")
            )
        try:
            document = json.loads(await request.body())
        except (ValueError, UnicodeDecodeError):
            document = None
        if not isinstance(document, dict):
            raise _Refusal(imsx.status_info(400, "invalid_data", "the body must be a Profile"))
        error = jsonschema.exceptions.best_match(_profile_schema().iter_errors(document))
        if error is not None:
            where = "/".join(str(p) for p in error.absolute_path) or "the Profile"
            raise _Refusal(imsx.status_info(400, "invalid_data", f"{where}: {error.message}"[:500]))
        await run_in_threadpool(_put_profile, resources, bearer, document, now)
    except _Refusal as refusal:
        return refusal.response
    return JSONResponse(document, headers={"Cache-Control": "no-store"})
