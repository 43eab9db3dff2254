"""The issuing route's trips to the database: one unit of work, nothing read back after it.

The answer to ``POST /api/v1/credentials`` is made from what the request wrote: a new
credential is unclaimed and its notification is the one just queued, so a query after the
commit would only cost time (and, on SQLite, a second trip through the write-ahead log).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import event

from app.checkpoints import in_checkpoint_thread


class _Trips:
    """The statements an engine runs, and where its commits fall among them."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def statement(self, *args: Any) -> None:
        if not in_checkpoint_thread():
            self.seen.append(str(args[2]).split(None, 1)[0].upper())

    def commit(self, *args: Any) -> None:
        if not in_checkpoint_thread():
            self.seen.append("COMMIT")


@pytest.fixture
def trips(client: TestClient, app: FastAPI) -> Iterator[_Trips]:
    engine = app.state.resources.sessions.kw["bind"]
    spy = _Trips()
    event.listen(engine, "before_cursor_execute", spy.statement)
    event.listen(engine, "commit", spy.commit)
    yield spy
    event.remove(engine, "before_cursor_execute", spy.statement)
    event.remove(engine, "commit", spy.commit)


def _issue(client: TestClient, staff: dict[str, str], achievement_id: str, **extra: Any) -> Any:
    body = {"achievement_id": achievement_id, "recipient": {"email": "passer@example.com"}}
    response = client.post("/api/v1/credentials", json=body | extra, headers=staff)
    assert response.status_code == 201, response.text
    return response.json()


@pytest.mark.parametrize("notify", [False, True])
def test_an_issuance_reads_nothing_after_its_commit(
    client: TestClient, staff: dict[str, str], achievement_id: str, trips: _Trips, notify: bool
) -> None:
    _issue(client, staff, achievement_id)  # the issuer's first key is made on the first one
    trips.seen.clear()
    issued = _issue(client, staff, achievement_id, notify=notify)
    assert trips.seen.count("COMMIT") == 1
    assert trips.seen[-1] == "COMMIT", trips.seen
    # The key, the target, the status position; the list's counter and the check that no
    # wallet delivery took the position since the draw; the credential, its audit entry;
    # with a mail, its claim and outbox rows.
    assert len(trips.seen) == (10 if notify else 8), trips.seen
    assert (issued["notification"] is not None) is notify


@pytest.mark.parametrize("language", [None, "en"])
def test_the_answer_names_the_mail_as_it_is_read_back(
    client: TestClient, staff: dict[str, str], achievement_id: str, language: str | None
) -> None:
    recipient = {"email": "passer@example.com"} | ({"language": language} if language else {})
    # The first issuance of an issuer makes its key (through ORM objects), the second is the
    # usual path from a kept context: both answer with the mail they queued.
    for _ in range(2):
        issued = _issue(client, staff, achievement_id, recipient=recipient)
        read = client.get(f"/api/v1/credentials/{issued['id']}", headers=staff).json()
        assert issued["notification"] == read["notification"]
        assert issued["notification"]["language"] == (language or "ja")
        assert issued == read
