"""The outermost middleware: a request id, one access-log line, and a last-resort 500.

Every response carries ``X-Request-ID`` (the caller's, when it sent a sane one). The access
line logs the path and the *names* of query parameters, with values only for parameters that
cannot identify a person (paging, filters by status or format): ``?recipient_email=…`` would
put a recipient's address in every log. An exception nothing else handled is logged once,
with its request id and traceback, and answered as a 500 problem document naming the same
request id, so an operator can find the line a user quotes.
"""

from __future__ import annotations

import logging
import time
from urllib.parse import parse_qsl, quote

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import problem
from app.logs import (
    RequestContext,
    current_context,
    new_request_id,
    sane_request_id,
    start_request_context,
)
from app.obapi.errors import error_page as protocol_error_page

__all__ = ["AccessMiddleware", "redacted_query"]

access_log = logging.getLogger("shomei.access")
error_log = logging.getLogger("shomei.error")

# Query parameters whose values are logged as sent; any other value is logged as "…".
_SHOWN = frozenset(
    {
        "action",
        "achievement_id",
        "after",
        "api_key_id",
        "before",
        "format",
        "issued_after",
        "issued_before",
        "issuer",
        "lang",
        "limit",
        "offset",
        "status",
        "subject_id",
    }
)
REDACTED = "…"


def redacted_query(query: str) -> str:
    """``query`` with every value not in the shown set replaced by ``…``."""
    pairs = parse_qsl(query, keep_blank_values=True)
    return "&".join(
        f"{quote(name, safe='')}={quote(value, safe='') if name in _SHOWN else REDACTED}"
        for name, value in pairs
    )


class AccessMiddleware:
    """Request id, access log and the last-resort error answer (pure ASGI: no body copies)."""

    def __init__(self, app: ASGIApp, *, base_url: str) -> None:
        self.app = app
        self.base_url = base_url

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = None
        for name, value in scope.get("headers", ()):
            if name == b"x-request-id":
                incoming = sane_request_id(value.decode("latin-1"))
                break
        request_id = incoming or new_request_id()
        start_request_context(RequestContext(request_id=request_id, base_url=self.base_url))
        started = time.perf_counter()
        status = 0
        header = (b"x-request-id", request_id.encode("latin-1"))

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), header]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            error_log.exception("unhandled error in %s %s", scope.get("method"), scope.get("path"))
            if status:  # the response had begun: all we can do is end the connection
                raise
            detail = (
                f"An unexpected error occurred; quote request id {request_id} when you report it."
            )
            response = protocol_error_page(scope, 500, detail) or problem(
                500, "internal_error", detail, request_id=request_id
            )
            await response(scope, receive, send_with_id)
        finally:
            self._log(scope, status, started)

    @staticmethod
    def _log(scope: Scope, status: int, started: float) -> None:
        path = scope.get("path", "")
        query = scope.get("query_string", b"").decode("latin-1")
        target = f"{path}?{redacted_query(query)}" if query else path
        client = scope.get("client")
        elapsed_ms = round((time.perf_counter() - started) * 1000, 1)
        api_key_id = current_context().api_key_id
        access_log.info(
            "%s %s %s %.1fms client=%s key=%s",
            scope.get("method"),
            target,
            status,
            elapsed_ms,
            client[0] if client else "-",
            api_key_id or "-",
            extra={
                "method": scope.get("method"),
                "path": target,
                "status": status,
                "duration_ms": elapsed_ms,
                "client": client[0] if client else None,
                "api_key_id": api_key_id,
            },
        )
