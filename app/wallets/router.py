"""Wallet delivery over HTTP: the VC-API exchange and the interaction URL.

Not API-key routes: the exchange URL itself is the capability (a secret of 192 bits, single
use, minutes long), handed only to the passer on their claim page.
"""

from __future__ import annotations

import json
from typing import Any, Final

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from app.bodies import read_body
from app.deps import NowDep, Resources, ResourcesDep
from app.responses import problems
from app.templating import render
from app.texts import PUBLIC
from app.verification.page import choose_language
from app.wallets import vcapi

router = APIRouter(prefix="/wallets", tags=["wallets"])

# A DID Authentication presentation is a few kilobytes; nothing larger is read.
MAX_EXCHANGE_BYTES: Final = 64 * 1024
_HEADERS: Final = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex, nofollow"}
_MESSAGE: Final = {
    "requestBody": {
        "required": False,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "description": '`{}` to start; then `{"verifiablePresentation": …}`, the '
                    "DID Authentication presentation signed by the wallet (or, from older "
                    "Learner Credential Wallet builds, that presentation alone).",
                }
            }
        },
    }
}


def _exchange(resources: Resources, token: str, message: Any, now: Any) -> dict[str, Any]:
    with resources.sessions() as session:
        return vcapi.exchange(session, resources.keyring, resources.urls, token, message, now)


@router.post(
    "/vcapi/exchanges/{token}",
    summary="Take part in a VC-API exchange (deliver a badge into a wallet)",
    responses=problems(400, 404, 409, 410, 413),
    openapi_extra=_MESSAGE,
)
async def participate(
    token: str, request: Request, resources: ResourcesDep, now: NowDep
) -> JSONResponse:
    """VC-API "Participate in an Exchange" (https://w3c-ccg.github.io/vc-api/#exchanges).

    An empty body or `{}` answers a `verifiablePresentationRequest` for DID Authentication;
    a `verifiablePresentation` signed by the holder's `did:key` answers a presentation with
    the badge bound to that DID. The exchange works once, for the minutes its offer lasts.
    """
    body = await read_body(request, MAX_EXCHANGE_BYTES)
    try:
        message = json.loads(body) if body.strip() else {}
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise vcapi.BadPresentationError("the body is not JSON", reason="malformed") from None
    answer = await run_in_threadpool(_exchange, resources, token, message, now)
    return JSONResponse(answer, headers=_HEADERS)


def _interaction(resources: Resources, token: str, now: Any) -> dict[str, Any]:
    with resources.sessions() as session:
        return vcapi.interaction(session, resources.urls, token, now)


@router.get(
    "/interactions/{token}",
    summary="An interaction URL: the protocols a wallet may use for one offer",
    responses={
        **problems(404, 409, 410),
        200: {"content": {"application/json": {}, "text/html": {}}},
    },
    response_model=None,
)
async def interact(token: str, request: Request, resources: ResourcesDep, now: NowDep) -> Response:
    """VC-API "Initiating Interactions": `{"protocols": {"vcapi": …}}` for a wallet (asking
    for JSON); for a browser, a page saying to open the link in a wallet app."""
    protocols = await run_in_threadpool(_interaction, resources, token, now)
    if "application/json" in request.headers.get("accept", ""):
        return JSONResponse(protocols, headers=_HEADERS)
    lang = choose_language(None, None, request.headers.get("accept-language"))
    body = render(
        "wallet_interaction.html",
        lang=lang,
        t=lambda key: PUBLIC[key][0 if lang == "ja" else 1],
        title=PUBLIC["wallet_interaction_title"][0 if lang == "ja" else 1],
    )
    return HTMLResponse(body, headers={**_HEADERS, "Content-Language": lang})
