"""Reading request bodies that routes read themselves: bounded, and validated as FastAPI would.

Routes that take a JSON body or an upload on one operation read the raw body; these helpers
give them FastAPI's own 422 problem shapes and a size cap enforced while the body streams in.
"""

from __future__ import annotations

import json
from email.message import Message
from typing import Final, TypeVar

from fastapi import HTTPException, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError

from app.errors import PayloadTooLargeError
from app.middleware.body import megabytes

__all__ = ["json_body", "parse_json", "read_body", "validated_body"]

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
    return validated_body(_decoded(body) if body.strip() else NO_BODY, model)


NO_BODY: Final = object()


def json_body(media_type: str | None, body: bytes) -> object:
    """What FastAPI hands a JSON body parameter: the decoded body if its media type is JSON
    (``application/json`` or ``application/*+json``), else the bytes, which then fail
    validation; :data:`NO_BODY` for an empty body (a missing one)."""
    if not body:
        return NO_BODY
    if media_type:
        message = Message()
        message["content-type"] = media_type
        subtype = message.get_content_subtype()
        if message.get_content_maintype() == "application" and (
            subtype == "json" or subtype.endswith("+json")
        ):
            try:
                return json.loads(body)
            except json.JSONDecodeError as error:
                raise _json_invalid(error.pos) from None
            except (ValueError, RecursionError):  # not UTF-8, nested too deep
                raise HTTPException(400, "There was an error parsing the body") from None
    return body


def _decoded(body: bytes) -> object:
    try:
        return json.loads(body)
    except (ValueError, RecursionError) as error:
        raise _json_invalid(error.pos if isinstance(error, json.JSONDecodeError) else 0) from None


def _json_invalid(position: int) -> RequestValidationError:
    error = {"type": "json_invalid", "loc": ("body", position), "msg": "JSON decode error"}
    return RequestValidationError([error | {"input": {}}])


def validated_body(data: object, model: type[_M]) -> _M:
    """``data`` (from :func:`json_body`) as ``model``, or FastAPI's 422 for a body."""
    if data is NO_BODY:
        raise RequestValidationError(
            [{"type": "missing", "loc": ("body",), "msg": "Field required", "input": None}]
        )
    try:
        # As FastAPI validates a body parameter (its messages name no model).
        return model.model_validate(data, from_attributes=True)
    except ValidationError as error:
        errors = [{**e, "loc": ("body", *e["loc"])} for e in error.errors(include_url=False)]
        raise RequestValidationError(errors) from None
