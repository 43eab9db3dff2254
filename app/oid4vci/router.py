"""OpenID4VCI endpoints: metadata, the offer by reference, token, nonce and credential.

https://openid.net/specs/openid-4-verifiable-credential-issuance-1_0.html (1.0) and
https://openid.net/specs/openid-4-verifiable-credential-issuance-1_0-13.html (draft 13).
A credential request is answered in its own dialect: ``proofs`` or
``credential_configuration_id`` make a 1.0 request (``{"credentials": [...]}``); ``proof`` or
``format`` a draft-13 one (``{"credential": ..., "c_nonce": ...}``). Errors are the
specifications' JSON, never problem documents.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final, Literal
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from app.bodies import read_body
from app.deps import NowDep, Resources, ResourcesDep, UrlsDep
from app.errors import PayloadTooLargeError
from app.oid4vci import delivery, service
from app.oid4vci.errors import NO_STORE, OAuthError, error_response
from app.oid4vci.metadata import (
    CONFIGURATION_ID,
    PRE_AUTHORIZED_GRANT,
    authorization_server_metadata,
    issuer_metadata,
)
from app.responses import oauth_errors
from app.verification.page import choose_language
from badges import ob3
from badges.key_proof import KeyProofError, verify_key_proof

router = APIRouter(tags=["wallets"])

# Token requests are a few form fields; credential requests one proof of a few hundred bytes.
MAX_FORM_BYTES: Final = 8 * 1024
MAX_REQUEST_BYTES: Final = 64 * 1024
_NONCE_EXPIRES_IN: Final = int(service.NONCE_TTL.total_seconds())

Dialect = Literal["1.0", "draft13"]
_DESCRIPTION = "An OAuth 2.0 / OpenID4VCI error object (RFC 6749 §5.2, OpenID4VCI 1.0 §8.3.1.2)."
_ERRORS = oauth_errors(400, 413, description=_DESCRIPTION)


@router.get("/.well-known/openid-credential-issuer", summary="Credential Issuer metadata")
def credential_issuer_metadata(urls: UrlsDep) -> JSONResponse:
    return JSONResponse(issuer_metadata(urls), headers={"Cache-Control": "max-age=300"})


@router.get("/.well-known/oauth-authorization-server", summary="Authorization server metadata")
def oauth_authorization_server(urls: UrlsDep) -> JSONResponse:
    return JSONResponse(
        authorization_server_metadata(urls), headers={"Cache-Control": "max-age=300"}
    )


@router.get(
    "/oid4vci/offers/{reference}",
    summary="A credential offer, by reference",
    responses=oauth_errors(404, description="Unknown, expired or redeemed: invalid_request."),
)
async def credential_offer(
    reference: str, request: Request, resources: ResourcesDep, now: NowDep
) -> JSONResponse:
    lang = choose_language(None, None, request.headers.get("accept-language"))
    # One hop to a worker thread for the one read (a session dependency and a sync endpoint
    # would make three).
    offer = await run_in_threadpool(_offer_object, resources, reference, now, lang)
    if offer is None:
        return error_response(
            OAuthError("invalid_request", "no such offer, or it expired or was used", status=404)
        )
    return JSONResponse(offer, headers=NO_STORE)


def _offer_object(
    resources: Resources, reference: str, now: datetime, lang: str
) -> dict[str, Any] | None:
    with resources.sessions() as session:
        return service.offer_object(session, resources.urls, reference, now=now, lang=lang)


async def _bounded(request: Request, limit: int) -> bytes:
    try:
        return await read_body(request, limit)
    except PayloadTooLargeError:
        raise OAuthError("invalid_request", "the request body is too large", status=413) from None


def _single(form: dict[str, list[str]], name: str) -> str | None:
    values = form.get(name)
    if values is None:
        return None
    if len(values) != 1:  # RFC 6749 §3.2: parameters MUST NOT be included more than once
        raise OAuthError("invalid_request", f"{name} is given more than once")
    return values[0]


@router.post("/oid4vci/token", summary="Token endpoint (pre-authorized code)", responses=_ERRORS)
async def token(request: Request, resources: ResourcesDep, now: NowDep) -> Response:
    """RFC 6749 §4 with OpenID4VCI 1.0 §6: ``pre-authorized_code`` and ``tx_code``."""
    try:
        body = await _bounded(request, MAX_FORM_BYTES)
        if not request.headers.get("content-type", "").startswith(
            "application/x-www-form-urlencoded"
        ):
            raise OAuthError(
                "invalid_request", "the body must be application/x-www-form-urlencoded"
            )
        try:
            form = parse_qs(body.decode("ascii"), keep_blank_values=True, strict_parsing=False)
        except (UnicodeDecodeError, ValueError):
            raise OAuthError("invalid_request", "the form cannot be read") from None
        if _single(form, "grant_type") != PRE_AUTHORIZED_GRANT:
            raise OAuthError("unsupported_grant_type", "only the pre-authorized code grant")
        code = _single(form, "pre-authorized_code")
        if not code:
            raise OAuthError("invalid_request", "pre-authorized_code is missing")
        # Draft 11 named the transaction code user_pin; some wallets still send both.
        tx_code = _single(form, "tx_code")
        if tx_code is None:
            tx_code = _single(form, "user_pin")
        issued = await run_in_threadpool(_redeem, resources, code, tx_code, now)
    except OAuthError as error:
        return error_response(error)
    answer = {
        "access_token": issued.access_token,
        "token_type": "Bearer",
        "expires_in": issued.expires_in,
        # Draft 13 §6.2: its wallets take the first c_nonce from here; 1.0 wallets ignore it.
        "c_nonce": service.new_nonce(_secret(resources), now=now),
        "c_nonce_expires_in": _NONCE_EXPIRES_IN,
    }
    return JSONResponse(answer, headers=NO_STORE)


def _redeem(resources: Resources, code: str, tx_code: str | None, now: datetime) -> service.Token:
    with resources.sessions() as session:
        return service.redeem(session, code, tx_code, now=now)


@router.post(
    "/oid4vci/nonce",
    summary="Nonce endpoint",
    responses=oauth_errors(413, description=_DESCRIPTION),
)
async def nonce(resources: ResourcesDep, now: NowDep) -> JSONResponse:
    """OpenID4VCI 1.0 §7: a fresh ``c_nonce``, never cached."""
    # An HMAC, no I/O: answered on the event loop, without a worker thread.
    fresh = service.new_nonce(_secret(resources), now=now)
    return JSONResponse({"c_nonce": fresh}, headers=NO_STORE)


def _secret(resources: Resources) -> bytes:
    return service.nonce_secret(resources.settings.key_passphrase.get_secret_value())


@dataclass(frozen=True)
class _Request:
    dialect: Dialect
    proof: object


def _read_request(body: bytes) -> _Request:
    """The credential request's dialect and its one ``jwt`` proof (§8.2; draft 13 §7.2)."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        raise OAuthError("invalid_credential_request", "the body is not JSON") from None
    if not isinstance(data, dict):
        raise OAuthError("invalid_credential_request", "the body must be a JSON object")
    dialect: Dialect = (
        "1.0" if "proofs" in data or "credential_configuration_id" in data else "draft13"
    )
    if "proof" in data and "proofs" in data:
        raise OAuthError("invalid_credential_request", "send either proof or proofs, not both")
    if "credential_identifier" in data:
        code = "unknown_credential_identifier" if dialect == "1.0" else "invalid_credential_request"
        raise OAuthError(code, "this issuer hands out no credential identifiers")
    if dialect == "1.0":
        if data.get("credential_configuration_id") != CONFIGURATION_ID:
            raise OAuthError(
                "unknown_credential_configuration", f"the configuration is {CONFIGURATION_ID}"
            )
        proofs = data.get("proofs")
        if not isinstance(proofs, dict) or set(proofs) != {"jwt"}:
            raise OAuthError("invalid_proof", "proofs must hold one jwt proof")
        jwts = proofs["jwt"]
        if not isinstance(jwts, list) or len(jwts) != 1:
            raise OAuthError("invalid_proof", "proofs.jwt must be an array of one proof")
        return _Request(dialect, jwts[0])
    if data.get("format") != "ldp_vc":
        raise OAuthError("unsupported_credential_format", "the one format is ldp_vc")
    definition = data.get("credential_definition")
    types = definition.get("type") if isinstance(definition, dict) else None
    if not isinstance(types, list) or ob3.CREDENTIAL_TYPE[1] not in types:
        raise OAuthError("unsupported_credential_type", "the one type is OpenBadgeCredential")
    proof = data.get("proof")
    if not isinstance(proof, dict) or proof.get("proof_type") != "jwt":
        raise OAuthError("invalid_proof", "proof must be a jwt proof")
    return _Request(dialect, proof.get("jwt"))


def _bearer(request: Request) -> str:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise service.invalid_token("a Bearer access token is required")
    return value.strip()


@router.post(
    "/oid4vci/credential",
    summary="Credential endpoint",
    responses={**_ERRORS, **oauth_errors(401, description="invalid_token (RFC 6750 §3.1).")},
)
async def credential(
    request: Request, resources: ResourcesDep, urls: UrlsDep, now: NowDep
) -> Response:
    dialect: Dialect = "1.0"
    try:
        access_token = _bearer(request)
        body = await _bounded(request, MAX_REQUEST_BYTES)
        asked = _read_request(body)
        dialect = asked.dialect
        issued = await run_in_threadpool(_deliver, resources, access_token, asked, now)
    except OAuthError as error:
        if dialect == "draft13" and error.error in ("invalid_proof", "invalid_nonce"):
            # Draft 13 has no invalid_nonce; its invalid_proof carries the next c_nonce.
            fresh = service.new_nonce(_secret(resources), now=now)
            error = OAuthError(
                "invalid_proof",
                error.description,
                extra={"c_nonce": fresh, "c_nonce_expires_in": _NONCE_EXPIRES_IN},
            )
        return error_response(error)
    if dialect == "draft13":
        fresh = service.new_nonce(_secret(resources), now=now)
        answer: dict[str, Any] = {
            "credential": issued,
            "c_nonce": fresh,
            "c_nonce_expires_in": _NONCE_EXPIRES_IN,
        }
    else:
        answer = {"credentials": [{"credential": issued}]}
    return JSONResponse(answer, headers=NO_STORE)


def _deliver(
    resources: Resources, access_token: str, asked: _Request, now: datetime
) -> dict[str, Any]:
    secret = _secret(resources)
    with resources.sessions() as session:
        offer, award = service.award_for_token(session, access_token, now=now)
        try:
            proof = verify_key_proof(asked.proof, audience=resources.urls.base, now=now)
        except KeyProofError as error:
            raise OAuthError("invalid_proof", str(error)) from None
        # Judged before signing; spent (once, in SQL) with the delivery's writes.
        if not service.nonce_is_fresh(secret, proof.nonce, now=now):
            raise OAuthError("invalid_nonce", "the nonce is missing, unknown, expired or used")
        return delivery.deliver(
            session, resources, offer, award, proof.holder, proof.nonce, secret=secret, now=now
        )
