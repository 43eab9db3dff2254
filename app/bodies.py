"""Reading request bodies that routes read themselves: bounded, and validated as FastAPI would.

Routes that take a JSON body or an upload on one operation read the raw body; these helpers
give them FastAPI's own 422 problem shapes and a size cap enforced while the body streams in.
"""

from __future__ import annotations

import json
from typing import TypeVar

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError

from app.errors import PayloadTooLargeError
from app.middleware.body import megabytes

__all__ = ["parse_json", "read_body"]

_M = TypeVar("_M", bound=BaseModel)


async def read_body(request: Request, limit: int) -> bytes:
    """The whole body, refused with 413 as soon as it is known to pass ``limit`` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise PayloadTooLargeError(f"the request body is larger than {megabytes(limit)}")
    received = bytearray()
    async for chunk in request.stream():
        received += chunk
        if len(received) > limit:
            raise PayloadTooLargeError(f"the request body is larger than {megabytes(limit)}")
    return bytes(received)


def parse_json(body: bytes, model: type[_M]) -> _M:
    """Validate a JSON body the way FastAPI does, with the same 422 problem shapes."""
    if not body.strip():
        raise RequestValidationError(
            [{"type": "missing", "loc": ("body",), "msg": "Field required", "input": None}]
        )
    try:
        data = json.loads(body)
    except (ValueError, RecursionError) as error:
        position = error.pos if isinstance(error, json.JSONDecodeError) else 0
        raise RequestValidationError(
            [
                {
                    "type": "json_invalid",
                    "loc": ("body", position),
                    "msg": "JSON decode error",
                    "input": {},
                }
            ]
        ) from None
    try:
        return model.model_validate(data)
    except ValidationError as error:
        errors = [{**e, "loc": ("body", *e["loc"])} for e in error.errors(include_url=False)]
        raise RequestValidationError(errors) from None
