"""ASGI middleware that runs before any route reads a request: body caps and rate limits."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import FastAPI

from app.middleware.body import ENVELOPE_BYTES, BodyCaps, BodyLimitMiddleware, ErrorPage
from app.middleware.clients import TrustedProxies
from app.middleware.ratelimit import RateLimitMiddleware, RateLimits

if TYPE_CHECKING:
    from app.settings import Settings

__all__ = ["BATCHES_PATH", "CONSOLE_BATCHES_PATH", "install_middleware"]

BATCHES_PATH = "/api/v1/batches"
# The console's upload form posts the same CSV files.
CONSOLE_BATCHES_PATH = "/console/batches"


def install_middleware(app: FastAPI, settings: Settings, *, error_page: ErrorPage) -> None:
    """Rate limits first (a refused request costs nothing), then the body cap."""
    upload = max(settings.max_upload_bytes, settings.max_image_bytes) + ENVELOPE_BYTES
    app.add_middleware(
        BodyLimitMiddleware,
        caps=BodyCaps(
            json=settings.max_json_bytes,
            upload=upload,
            # The batch route reads its body itself, to the same cap, as it streams in.
            paths={
                BATCHES_PATH: settings.max_batch_bytes + ENVELOPE_BYTES,
                CONSOLE_BATCHES_PATH: settings.max_batch_bytes + ENVELOPE_BYTES,
            },
        ),
        error_page=error_page,
    )
    limits = RateLimits(
        address_per_minute=settings.verify_rate_per_minute,
        key_per_minute=settings.key_rate_per_minute,
        redis_url=settings.redis_url,
    )
    proxies = TrustedProxies.parse(settings.trusted_proxies)
    app.add_middleware(RateLimitMiddleware, limits=limits, proxies=proxies, error_page=error_page)
    # The console's sign-in form counts failed keys against the same per-address budget.
    app.state.rate_limits = limits
    app.state.trusted_proxies = proxies
    _document(app)


_ANSWERS = {
    "413": "The request body is larger than the limit.",
    "429": "Too many requests: retry after the seconds in Retry-After.",
}


def _document(app: FastAPI) -> None:
    """Add the middleware's own answers (413, 429) to every API operation's responses."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = build()
            for path, operations in schema.get("paths", {}).items():
                if not path.startswith("/api/"):
                    continue
                for operation in operations.values():
                    responses = operation.setdefault("responses", {})
                    for status, description in _ANSWERS.items():
                        responses.setdefault(
                            status,
                            {
                                "description": description,
                                "content": {
                                    "application/problem+json": {},
                                    "application/json": {
                                        "schema": {"$ref": "#/components/schemas/Problem"}
                                    },
                                },
                            },
                        )
                    operation["responses"] = dict(sorted(responses.items()))
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
