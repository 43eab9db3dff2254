"""Request ids, the access log, log formats, and what an unexpected error looks like."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.logs import JsonFormatter, PlainFormatter, RequestContextFilter, logging_config
from app.settings import Settings

MakeIssuer = Callable[..., tuple[dict[str, Any], dict[str, str]]]


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []
        self.addFilter(RequestContextFilter())

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def records() -> Iterator[list[logging.LogRecord]]:
    handler = _Records()
    logger = logging.getLogger("shomei")
    previous = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield handler.records
    logger.removeHandler(handler)
    logger.setLevel(previous)


def test_every_response_carries_a_request_id(client: TestClient) -> None:
    first = client.get("/healthz").headers["X-Request-ID"]
    second = client.get("/healthz").headers["X-Request-ID"]
    assert len(first) == 32 and first != second


def test_a_sane_incoming_request_id_is_kept_and_a_forged_one_replaced(
    client: TestClient,
) -> None:
    kept = client.get("/healthz", headers={"X-Request-ID": "lb-7f3a.42"})
    assert kept.headers["X-Request-ID"] == "lb-7f3a.42"
    for bad in ("x" * 300, "a b", "id\x7f", "-starts-with-a-dash"):
        replaced = client.get("/healthz", headers={"X-Request-ID": bad})
        assert replaced.headers["X-Request-ID"] != bad
        assert len(replaced.headers["X-Request-ID"]) == 32


def test_the_access_log_never_prints_a_recipient_address(
    client: TestClient, staff: dict[str, str], records: list[logging.LogRecord]
) -> None:
    client.get(
        "/api/v1/credentials?recipient_email=passer%40example.jp&limit=5&status=active",
        headers={**staff, "X-Request-ID": "find-1"},
    )
    access = [r for r in records if r.name == "shomei.access"]
    assert len(access) == 1
    line = PlainFormatter().format(access[0])
    assert "passer" not in line and "example.jp" not in line
    assert "/api/v1/credentials?recipient_email=…&limit=5&status=active 200" in line
    assert "[find-1]" in line
    assert access[0].api_key_id  # type: ignore[attr-defined]


def test_an_unexpected_error_is_a_500_problem_logged_with_its_request_id(
    app: FastAPI, records: list[logging.LogRecord]
) -> None:
    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("the secret internals")

    with TestClient(app) as client:
        response = client.get("/boom", headers={"X-Request-ID": "boom-1"})
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["X-Request-ID"] == "boom-1"
    problem = response.json()
    assert problem["type"] == "http://testserver/problems/internal_error"
    assert problem["title"] == "Internal error"
    assert problem["request_id"] == "boom-1"
    assert "secret internals" not in response.text and "Traceback" not in response.text
    errors = [r for r in records if r.name == "shomei.error"]
    assert len(errors) == 1
    assert errors[0].request_id == "boom-1"  # type: ignore[attr-defined]
    assert errors[0].exc_info is not None


def test_problem_documents_carry_a_stable_type_and_a_human_title(client: TestClient) -> None:
    problem = client.get("/api/v1/issuers").json()
    assert problem == {
        "type": "http://testserver/problems/unauthorized",
        "title": "API key required",
        "status": 401,
        "detail": "an API key is required: Authorization: Bearer shm_…",
        "code": "unauthorized",
    }
    missing = client.get("/no/such/page").json()
    assert (missing["type"], missing["title"]) == (
        "http://testserver/problems/not_found",
        "Not found",
    )
    page = client.get("/problems/unauthorized")
    assert page.status_code == 200 and "API key required" in page.text
    assert client.get("/problems/no_such_code").status_code == 404
    index = client.get("/problems").text
    assert 'href="problems/internal_error"' in index and "Too many requests" in index


def test_every_problem_code_in_use_is_documented_in_the_readme() -> None:
    from pathlib import Path

    from app.errors import PROBLEMS

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    assert [code for code in PROBLEMS if f"| `{code}` |" not in readme] == []


def test_json_lines_carry_the_request_id_and_extras() -> None:
    record = logging.LogRecord("shomei.access", logging.INFO, "", 0, "GET %s", ("/x",), None)
    record.request_id = "r-1"
    record.status = 200
    entry = json.loads(JsonFormatter().format(record))
    assert entry["message"] == "GET /x"
    assert entry["request_id"] == "r-1" and entry["status"] == 200
    assert entry["level"] == "INFO" and entry["logger"] == "shomei.access"


def test_the_log_format_is_a_setting(settings: Settings) -> None:
    plain = logging_config(settings)
    assert plain["handlers"]["default"]["formatter"] == "plain"
    as_json = logging_config(settings.model_copy(update={"log_format": "json"}))
    assert as_json["handlers"]["default"]["formatter"] == "json"
    # The service's access log replaces uvicorn's, which would print query strings verbatim.
    assert as_json["loggers"]["uvicorn.access"]["handlers"] == []


def test_each_committed_change_is_logged_with_its_request_id(
    client: TestClient,
    staff: dict[str, str],
    achievement_id: str,
    records: list[logging.LogRecord],
) -> None:
    issued = client.post(
        "/api/v1/credentials",
        json={"achievement_id": achievement_id, "recipient": {"email": "hanako@example.jp"}},
        headers={**staff, "X-Request-ID": "issue-1"},
    ).json()
    changes = [r for r in records if r.name == "shomei.audit"]
    assert [r.getMessage() for r in changes] == [f"credential.issue credential {issued['id']}"]
    assert changes[0].request_id == "issue-1"  # type: ignore[attr-defined]
    assert all("hanako" not in PlainFormatter().format(r) for r in records)
    records.clear()
    revoke = f"/api/v1/credentials/{issued['id']}/revoke"
    client.post(revoke, json={"reason": "x"}, headers=staff)
    assert client.post(revoke, json={"reason": "x"}, headers=staff).status_code == 409
    # The second revocation rolled back: only the first is logged.
    assert [r.getMessage() for r in records if r.name == "shomei.audit"] == [
        f"credential.revoke credential {issued['id']}"
    ]
