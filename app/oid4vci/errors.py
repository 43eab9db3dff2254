"""OpenID4VCI and OAuth 2.0 errors in their own JSON shape, not problem documents.

Token endpoint: RFC 6749 §5.2 (https://www.rfc-editor.org/rfc/rfc6749#section-5.2), as
OpenID4VCI 1.0 §6.3 extends it. Credential endpoint: OpenID4VCI 1.0 §8.3.1.2
(https://openid.net/specs/openid-4-verifiable-credential-issuance-1_0.html#section-8.3.1.2) and
the Bearer token errors of RFC 6750 §3.1. Draft-13 wallets learn a fresh ``c_nonce`` from an
``invalid_proof`` error (draft 13 §7.3.2), so such an error may carry one.
"""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse

__all__ = ["NO_STORE", "OAuthError", "error_response"]

# RFC 6749 §5.1 and OpenID4VCI 1.0 §7.2: token and nonce responses MUST NOT be cached.
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


class OAuthError(Exception):
    """An error answered as ``{"error": …, "error_description": …}``."""

    def __init__(
        self,
        error: str,
        description: str,
        *,
        status: int = 400,
        extra: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status
        self.extra = extra or {}
        self.headers = headers or {}


def _description(text: str) -> str:
    # RFC 6749 §5.2: error_description is %x20-21 / %x23-5B / %x5D-7E only.
    return "".join(c if 0x20 <= ord(c) <= 0x7E and c not in '"\\' else "?" for c in text)[:300]


def error_response(error: OAuthError) -> JSONResponse:
    body = {"error": error.error, "error_description": _description(error.description)}
    return JSONResponse(
        {**body, **error.extra}, status_code=error.status, headers={**NO_STORE, **error.headers}
    )
