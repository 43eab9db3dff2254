"""Every error of the Open Badges API's paths in the format its protocol prescribes.

The resource endpoints under ``/ims/ob/v3p0/`` answer ``Imsx_StatusInfo``
(https://www.imsglobal.org/spec/ob/v3p0/#imsx_statusinfo); the OAuth 2.0 endpoints answer
RFC 6749 JSON (``error``, ``error_description``: https://www.rfc-editor.org/rfc/rfc6749#section-5.2),
as do OpenID4VCI's endpoints under ``/oid4vci/``;
the consent page, which a browser shows, answers a page. This holds on every path an error
can take: the routes, the exception handlers (404, 405, validation, 500) and the middleware
that refuses a request before routing (the body cap's 413, the rate limit's 429).
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import JSONResponse, Response
from starlette.types import Scope

from app.obapi.imsx import CodeMinor, status_info

API_PREFIX = "/ims/ob/v3p0/"
OAUTH_PREFIX = "/oauth/"
# OpenID4VCI's token, nonce and credential endpoints answer RFC 6749 error objects too
# (https://openid.net/specs/openid-4-verifiable-credential-issuance-1_0.html#section-6.3).
OID4VCI_PREFIX = "/oid4vci/"
CONSENT_PATH = "/oauth/authorize"

_MINOR: dict[int, CodeMinor] = {
    400: "invalid_data",
    401: "unauthorizedrequest",
    403: "forbidden",
    404: "not_found",
    405: "not_allowed",
    406: "not_acceptable",
    413: "invalid_data",
    415: "invalid_data",
    422: "invalid_data",
    429: "server_busy",
    500: "internal_server_error",
    503: "server_busy",
}

# RFC 6749 §5.2 and §4.1.2.1 codes: a request the server could not read is invalid_request.
_OAUTH: dict[int, str] = {
    401: "invalid_client",
    429: "temporarily_unavailable",
    500: "server_error",
    503: "temporarily_unavailable",
}


def oauth_error(status: int, error: str, description: str) -> JSONResponse:
    """An RFC 6749 error document; never cached (RFC 6749 §5.1)."""
    return JSONResponse(
        {"error": error, "error_description": description},
        status_code=status,
        headers={"Cache-Control": "no-store", "Pragma": "no-cache"},
    )


def for_path(request: Request, status: int, detail: str) -> Response | None:
    """The protocol's answer to an error on ``request``'s path, or ``None`` off its paths."""
    path = request.url.path
    if path.startswith(API_PREFIX):
        return status_info(status, _MINOR.get(status, "unknown"), detail)
    if path == CONSENT_PATH:
        from app.passers import web
        from app.texts import account_text
        from app.verification.guards import lang_of

        text = account_text("oauth_error", lang_of(request), error=detail)
        return web.message(request, status, "oauth_error_title", text)
    if path.startswith((OAUTH_PREFIX, OID4VCI_PREFIX)):
        return oauth_error(status, _OAUTH.get(status, "invalid_request"), detail)
    return None


def error_page(scope: Scope, status: int, detail: str) -> Response | None:
    """The same, for refusals made by middleware before routing (an ``ErrorPage``)."""
    return for_path(Request(scope), status, detail)
