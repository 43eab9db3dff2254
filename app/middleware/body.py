"""A cap on every request body, enforced before anything parses or authenticates it.

A body is refused with 413 ``application/problem+json`` as soon as it is known to be too
large: at once when ``Content-Length`` says so (not one byte is read), and for a chunked body
as soon as the bytes received pass the cap. Nothing upstream ever buffers more than the cap,
so a 500 MB body sent without an API key costs the server no more memory than a small one.

The cap depends on what the body claims to be: uploads (multipart forms, raw images, the
verify page's form) get the upload cap; everything else, JSON above all, the JSON cap. A few
paths take larger bodies of any kind (a batch of an exam session's passers, as CSV or JSON)
and have a cap of their own. Routes keep their own, narrower caps (an achievement image, one
form field).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import PayloadTooLargeError, problem

__all__ = ["ENVELOPE_BYTES", "BodyCaps", "BodyLimitMiddleware", "ErrorPage", "megabytes"]

ENVELOPE_BYTES = 64 * 1024  # multipart boundaries, headers and small fields around a file

# What a refusal looks like for a path: ``None`` means a problem document.
ErrorPage = Callable[[Scope, int, str], Response | None]

_UPLOAD_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")
_UPLOAD_PREFIXES = ("image/",)


def megabytes(count: int) -> str:
    """``count`` bytes for a person to read: ``5 MB``, ``64 KB`` or ``1000 bytes``."""
    if count >= 1024 * 1024:
        return f"{count / (1024 * 1024):g} MB"
    if count >= 1024:
        return f"{count / 1024:g} KB"
    return f"{count} bytes"


@dataclass(frozen=True)
class BodyCaps:
    """The largest body accepted: ``upload`` for forms and images, ``json`` for the rest,
    and ``paths`` for exact paths that take more, whatever the media type."""

    json: int
    upload: int
    paths: Mapping[str, int] = field(default_factory=dict)

    def for_media_type(self, media_type: str) -> int:
        if media_type in _UPLOAD_TYPES or media_type.startswith(_UPLOAD_PREFIXES):
            return self.upload
        return self.json

    def for_request(self, path: str, media_type: str) -> int:
        return self.paths.get(path) or self.for_media_type(media_type)


class _TooLarge(Exception):
    """Raised from ``receive`` once the body has grown past the cap."""


class BodyLimitMiddleware:
    """Refuses bodies over their cap with 413, before the app reads them."""

    def __init__(self, app: ASGIApp, caps: BodyCaps, error_page: ErrorPage | None = None) -> None:
        self.app = app
        self.caps = caps
        self.error_page = error_page

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        media_type = headers.get(b"content-type", b"").split(b";", 1)[0].strip().lower()
        cap = self.caps.for_request(scope["path"], media_type.decode("latin-1"))
        declared = headers.get(b"content-length", b"")
        if declared.isdigit() and int(declared) > cap:
            await self._refuse(scope, send, cap)
            return

        received = 0
        exceeded = False
        started = False

        async def counted() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > cap:
                    exceeded = True
                    raise _TooLarge
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            if exceeded and not started:
                return  # the app answered the cut-off body its own way: ours goes out instead
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except Exception:
            if not (exceeded and not started):
                raise
        if exceeded and not started:
            await self._refuse(scope, send, cap)

    async def _refuse(self, scope: Scope, send: Send, cap: int) -> None:
        detail = f"The request body is larger than the limit of {megabytes(cap)}."
        response = self.error_page(scope, 413, detail) if self.error_page else None
        if response is None:
            response = problem(413, PayloadTooLargeError.code, detail)
        # The rest of the body is never read: the connection cannot carry another request.
        response.headers["Connection"] = "close"

        async def nothing() -> Message:
            return {"type": "http.disconnect"}

        await response(scope, nothing, send)
