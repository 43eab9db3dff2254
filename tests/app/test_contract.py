"""The published contract matches what the service answers (the fast part; see
test_schemathesis.py for the fuzzing of every operation)."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("TRACE", "/healthz", "GET"),
        ("DELETE", "/api/v1/issuers", "GET, POST"),
        ("PUT", "/verify", "GET, POST"),
        ("DELETE", "/issuers/ai-exam", "GET"),
        ("GET", "/api/v1/issuers/ai-exam/keys/rotate", "POST"),
        ("POST", "/api/v1/credentials/00000000-0000-0000-0000-000000000000", "GET, PATCH"),
    ],
)
def test_405_names_every_method_the_path_allows(
    client: TestClient, method: str, path: str, allow: str
) -> None:
    response = client.request(method, path)
    assert response.status_code == 405
    assert response.headers["allow"] == allow
    assert response.headers["content-type"] == "application/problem+json"


def test_errors_are_documented_as_problem_documents(client: TestClient) -> None:
    document = client.app.openapi()  # type: ignore[attr-defined]
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for code, response in operation["responses"].items():
                if code.startswith(("4", "5")):
                    content = response.get("content", {})
                    if path.startswith(("/ims/ob/v3p0/", "/oauth/", "/oid4vci/")) and code != "422":
                        # The Open Badges API, OAuth 2.0 and OpenID4VCI prescribe their own
                        # error formats.
                        schema = content["application/json"]["schema"]
                        expected = (
                            {"$ref": "#/components/schemas/ImsxStatusInfo"}
                            if path.startswith("/ims/")
                            else {"required": ["error"]}
                        )
                        assert expected.items() <= schema.items(), (method, path, code)
                        continue
                    assert "application/json" not in content, (method, path, code)
                    assert "application/problem+json" in content, (method, path, code)
            if "requestBody" in operation:
                assert "400" in operation["responses"], (method, path)
    assert "HTTPValidationError" not in document["components"]["schemas"]


def test_texts_keyed_by_language_refuse_other_keys(client: TestClient) -> None:
    schemas = client.app.openapi()["components"]["schemas"]  # type: ignore[attr-defined]
    keyed = [
        schemas["AchievementCreate"]["properties"]["name"],
        schemas["IssuerCreate"]["properties"]["name_translations"],
    ]
    for schema in keyed:
        assert "patternProperties" in json.dumps(schema)
        assert '"additionalProperties": false' in json.dumps(schema)
