"""The issuing route reads its arguments by hand: it must answer exactly as FastAPI would.

A twin of the route, declared the usual way (FastAPI's dependency solving) with the same
endpoint, is added to the same app; every malformed request gets the same answer from both.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.credentials import service
from app.credentials.router import issue_credential

TWIN = "/api/v1/credentials-twin"


@pytest.fixture
def twin(app: FastAPI) -> FastAPI:
    app.router.add_api_route(TWIN, issue_credential, methods=["POST"], status_code=201)
    app.router.routes.insert(0, app.router.routes.pop())  # before any catch-all
    return app


def _answer(client: TestClient, path: str, content: bytes | None, headers: dict[str, str]) -> Any:
    response = client.post(path, content=content, headers=headers)
    document = response.json()
    document.pop("instance", None)
    return response.status_code, response.headers["content-type"], document


@pytest.mark.parametrize(
    ("content", "media_type", "authorized"),
    [
        (None, "application/json", True),  # no body
        (b"null", "application/json", True),
        (b"{not json", "application/json", True),
        (b"{not json", "application/json", False),  # unreadable first, then the key
        (b'{"achievement_id": 1}', "application/json", False),
        (b'{"achievement_id": 1}', "text/plain", True),  # not JSON: the bytes fail
        (b'{"achievement_id": 1}', "", True),
        (b'{"achievement_id": 1}', "application/vnd.api+json", True),
        (b'{"achievement_id": "x", "recipient": {"email": "no"}}', "application/json", True),
        (b'{"achievement_id": "x", "format": "ob4"}', "application/json; charset=utf-8", True),
        (b"[]", "application/json", True),
        (b'"\xff"', "application/json", True),
    ],
)
def test_a_bad_request_gets_the_answer_fastapi_would_give(
    client: TestClient,
    twin: FastAPI,
    staff: dict[str, str],
    content: bytes | None,
    media_type: str,
    authorized: bool,
) -> None:
    headers = {"Content-Type": media_type} | (staff if authorized else {})
    by_hand = _answer(client, "/api/v1/credentials", content, headers)
    usual = _answer(client, TWIN, content, headers)
    assert by_hand == usual
    assert by_hand[0] in (400, 401, 422)


@pytest.mark.parametrize(
    "authorization", ["", "Bearer", "Bearer ", "Basic abc", "bearer shm_x_y", "Token shm_x_y"]
)
def test_a_missing_or_foreign_key_is_answered_alike(
    client: TestClient, twin: FastAPI, achievement_id: str, authorization: str
) -> None:
    content = json.dumps(
        {"achievement_id": achievement_id, "recipient": {"email": "a@example.com"}}
    ).encode()
    headers = {"Content-Type": "application/json", "Authorization": authorization}
    by_hand = _answer(client, "/api/v1/credentials", content, headers)
    assert by_hand == _answer(client, TWIN, content, headers)
    assert by_hand[0] == 401


def test_both_issue_the_same_way(
    client: TestClient, twin: FastAPI, staff: dict[str, str], achievement_id: str
) -> None:
    answers = []
    for path in ("/api/v1/credentials", TWIN):
        body = {"achievement_id": achievement_id, "recipient": {"email": f"{path[-4:]}@x.jp"}}
        response = client.post(path, json=body, headers=staff)
        assert response.status_code == 201, response.text
        answers.append(sorted(response.json()))
    assert answers[0] == answers[1]


def test_issuances_of_one_process_run_one_at_a_time_on_sqlite(
    app: FastAPI,
    client: TestClient,
    staff: dict[str, str],
    achievement_id: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # On SQLite a second issuing thread only lengthens the write lock's holds (app.deps).
    if not app.state.resources.settings.database_url.startswith("sqlite"):
        pytest.skip("PostgreSQL runs a few at once")
    running, most = 0, 0
    guard = threading.Lock()
    issue = service.issue_credential

    def counted(*args: Any, **kwargs: Any) -> Any:
        nonlocal running, most
        with guard:
            running += 1
            most = max(most, running)
        time.sleep(0.02)  # long enough for the others to arrive
        try:
            return issue(*args, **kwargs)
        finally:
            with guard:
                running -= 1

    monkeypatch.setattr(service, "issue_credential", counted)

    def body(number: int) -> dict[str, Any]:
        return {"achievement_id": achievement_id, "recipient": {"email": f"{number}@x.jp"}}

    async def burst() -> list[int]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            answers = await asyncio.gather(
                *(http.post("/api/v1/credentials", json=body(n), headers=staff) for n in range(6))
            )
        return [answer.status_code for answer in answers]

    assert asyncio.run(burst()) == [201] * 6
    assert most == 1
