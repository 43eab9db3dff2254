"""Errors of the Open Badges API's resource endpoints: ``Imsx_StatusInfo`` documents
(https://www.imsglobal.org/spec/ob/v3p0/#imsx_statusinfo)."""

from __future__ import annotations

from typing import Literal

from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

CodeMinor = Literal[
    "forbidden",
    "fullsuccess",
    "internal_server_error",
    "invalid_data",
    "invalid_query_parameter",
    "misdirected_request",
    "not_acceptable",
    "not_allowed",
    "not_found",
    "not_modified",
    "server_busy",
    "unauthorizedrequest",
    "unknown",
]


class ImsxCodeMinorField(BaseModel):
    imsx_codeMinorFieldName: str
    imsx_codeMinorFieldValue: CodeMinor


class ImsxCodeMinor(BaseModel):
    imsx_codeMinorField: list[ImsxCodeMinorField] = Field(min_length=1)


class ImsxStatusInfo(BaseModel):
    """The spec's error document (Imsx_StatusInfo)."""

    imsx_codeMajor: Literal["failure", "processing", "success", "unsupported"]
    imsx_severity: Literal["error", "status", "warning"]
    imsx_description: str | None = None
    imsx_codeMinor: ImsxCodeMinor | None = None


def status_info(
    status: int, minor: CodeMinor, description: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    """An ``Imsx_StatusInfo`` answer; ``not_found`` is a ``status``, the others ``error``s."""
    body = {
        "imsx_codeMajor": "failure",
        "imsx_severity": "status" if minor == "not_found" else "error",
        "imsx_description": description,
        "imsx_codeMinor": {
            "imsx_codeMinorField": [
                {"imsx_codeMinorFieldName": "TargetEndSystem", "imsx_codeMinorFieldValue": minor}
            ]
        },
    }
    return JSONResponse(body, status_code=status, headers=headers)


def responses(*codes: int) -> dict[int | str, dict[str, object]]:
    """OpenAPI ``responses`` entries for these error codes."""
    return {code: {"model": ImsxStatusInfo, "description": _WHAT[code]} for code in codes}


_WHAT = {
    400: "The request is not valid (invalid_query_parameter or invalid_data).",
    401: "No valid access token (unauthorizedrequest).",
    403: "The token lacks the operation's scope (forbidden).",
    404: "Nothing to answer with (not_found).",
    405: "The method is not allowed (not_allowed).",
    413: "The body is too large (invalid_data).",
    503: "Too many verifications at once (server_busy).",
}
