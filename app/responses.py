"""Shared response shapes: problem documents for OpenAPI, JSON-LD and content negotiation."""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

# Larger offsets overflow the databases' integers (and no list is that long).
MAX_OFFSET = 2**31 - 1


class Problem(BaseModel):
    """An RFC 9457 problem document; ``type`` is ``{base URL}/problems/{code}``."""

    type: str = Field(examples=["https://badges.example.org/problems/not_found"])
    title: str = Field(examples=["Not found"])
    status: int
    detail: str
    code: str = Field(examples=["not_found"], description="The last segment of `type`.")
    request_id: str | None = Field(default=None, description="Only in 500 answers.")


def problems(*codes: int, hr_refused: bool = True) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries for error codes, all problem documents.

    A route that takes an API key (401) refuses an HR system's key with a 403, unless it is
    one of the few an HR system may call (``hr_refused=False``).
    """
    if hr_refused and 401 in codes and 403 not in codes:
        codes = (*codes, 403)
    descriptions = {
        400: "The request cannot be read.",
        401: "No valid API key.",
        403: "The API key may not do this.",
        404: "No such resource (or not one this key may see).",
        409: "Conflicts with the current state.",
        410: "Gone: expired.",
        413: "The upload is too large.",
        415: "Unsupported media type.",
        422: "The request is not valid.",
        429: "Too many requests.",
        503: "Busy: retry after the seconds in Retry-After.",
    }
    return {
        code: {
            "model": Problem,
            "description": descriptions[code],
            "content": {"application/problem+json": {}},
        }
        for code in codes
    }


# RFC 6749 §5.2 error object: the OAuth 2.0 endpoints' and OpenID4VCI's own error format.
OAUTH_ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["error"],
    "properties": {"error": {"type": "string"}, "error_description": {"type": "string"}},
}


def oauth_errors(*codes: int, description: str) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries for error codes answered as an RFC 6749 error object."""
    return {
        code: {
            "description": description,
            "content": {"application/json": {"schema": OAUTH_ERROR_SCHEMA}},
        }
        for code in codes
    }


def json_document(document: Any, media_type: str = "application/json", **headers: str) -> Response:
    """A JSON document, UTF-8, non-ASCII kept as is."""
    body = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
    return Response(body, media_type=media_type, headers=headers)


def wants_html(request: Request) -> bool:
    """Whether the client prefers an HTML page to JSON (browsers do; wallets and APIs don't)."""
    accept = request.headers.get("accept", "")
    if not accept or "json" in accept.split(",")[0]:
        return False
    return "text/html" in accept
