"""The OpenAPI document says what the service really answers.

FastAPI documents a few things its own way, not this service's: every error is an RFC 9457
``application/problem+json`` document (https://www.rfc-editor.org/rfc/rfc9457#section-3), but
a ``responses`` entry with a model is filed under ``application/json``, and the automatic 422
describes FastAPI's ``{"detail": [...]}`` body, which the service never sends. A request body
that cannot be read at all is a 400 on every operation that takes one. And a dict keyed by a
pattern (language tags) is published as ``patternProperties`` without saying that other keys
are refused. :func:`install_contract` corrects the document once, when it is first built.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

PROBLEM_JSON = "application/problem+json"
_PROBLEM = {"$ref": "#/components/schemas/Problem"}
_VALIDATION_PROBLEM = {"$ref": "#/components/schemas/ValidationProblem"}
_SCHEMAS: dict[str, Any] = {
    "Problem": {
        "type": "object",
        "title": "Problem",
        "description": "An RFC 9457 problem document.",
        "properties": {
            "type": {"type": "string", "title": "Type", "default": "about:blank"},
            "title": {"type": "string", "title": "Title"},
            "status": {"type": "integer", "title": "Status"},
            "detail": {"type": "string", "title": "Detail"},
        },
        "required": ["title", "status", "detail"],
    },
    "ValidationProblem": {
        "type": "object",
        "title": "ValidationProblem",
        "description": "An RFC 9457 problem document naming each invalid part of the request.",
        "properties": {
            "type": {"type": "string", "title": "Type", "default": "about:blank"},
            "title": {"type": "string", "title": "Title"},
            "status": {"type": "integer", "title": "Status"},
            "detail": {"type": "string", "title": "Detail"},
            "errors": {
                "type": "array",
                "title": "Errors",
                "items": {
                    "type": "object",
                    "properties": {
                        "loc": {
                            "type": "array",
                            "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
                        },
                        "msg": {"type": "string"},
                    },
                    "required": ["loc", "msg"],
                },
            },
        },
        "required": ["title", "status", "detail"],
    },
}


def install_contract(app: FastAPI) -> None:
    """Correct ``app``'s OpenAPI document as described in the module docs."""
    build: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = corrected(build())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def corrected(document: dict[str, Any]) -> dict[str, Any]:
    """``document`` with problem responses, 400s and keyed dicts as the service has them."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas.update(_SCHEMAS)
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            _correct_responses(operation)
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    _refuse_other_keys(document)
    return document


def _correct_responses(operation: dict[str, Any]) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    for code, response in responses.items():
        content = response.get("content", {})
        if code == "422":
            kept = {media: c for media, c in content.items() if "json" not in media}
            response.setdefault("description", "The request is not valid.")
            response["content"] = {PROBLEM_JSON: {"schema": _VALIDATION_PROBLEM}, **kept}
        elif PROBLEM_JSON in content:
            content.pop("application/json", None)
            content[PROBLEM_JSON] = {"schema": _PROBLEM}
    if "requestBody" in operation and "400" not in responses:
        responses["400"] = {
            "description": "The request body cannot be read.",
            "content": {PROBLEM_JSON: {"schema": _PROBLEM}},
        }
    operation["responses"] = dict(sorted(responses.items()))


def _refuse_other_keys(node: Any) -> None:
    # pydantic refuses a key that matches none of the patterns; JSON Schema allows it
    # unless additionalProperties says otherwise.
    if isinstance(node, dict):
        if "patternProperties" in node and "additionalProperties" not in node:
            node["additionalProperties"] = False
        for value in node.values():
            _refuse_other_keys(value)
    elif isinstance(node, list):
        for value in node:
            _refuse_other_keys(value)
