"""This service's own documents are read from the database once, and again when they change."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import event

from app.checkpoints import in_checkpoint_thread
from app.main import create_app
from app.published import (
    STATUS,
    LocalInvalidation,
    PublishedCache,
    configure_published_cache,
    published_cache,
)
from app.settings import Settings
from tests.app.test_credentials import issue, make_achievement

MakeIssuer = Callable[..., tuple[dict[str, Any], dict[str, str]]]


def _verify(client: TestClient, credential: dict[str, Any]) -> tuple[bool, dict[str, str]]:
    response = client.post("/api/v1/verify", json={"credential": credential["document"]})
    assert response.status_code == 200, response.text
    report = response.json()
    return report["ok"], {c["id"]: c["status"] for c in report["checks"]}


class _Statements:
    """Counts the SQL statements an engine runs while ``counting`` is on."""

    def __init__(self) -> None:
        self.seen: list[str] = []
        self.counting = False

    def __call__(self, *args: Any) -> None:
        # SQLite's checkpoint thread shares the engine; its PRAGMAs are not the request's.
        if self.counting and not in_checkpoint_thread():
            self.seen.append(args[2])


@pytest.fixture
def statements(client: TestClient, app: FastAPI) -> Iterator[_Statements]:
    engine = app.state.resources.sessions.kw["bind"]
    spy = _Statements()
    event.listen(engine, "before_cursor_execute", spy)
    yield spy
    event.remove(engine, "before_cursor_execute", spy)


@pytest.fixture
def credential(client: TestClient, app: FastAPI, make_issuer: MakeIssuer) -> dict[str, Any]:
    issuer, staff = make_issuer("ai-exam")
    return issue(client, staff, make_achievement(app, issuer["id"]))


def test_verifying_our_own_credential_again_asks_the_database_nothing(
    client: TestClient, credential: dict[str, Any], statements: _Statements
) -> None:
    assert _verify(client, credential)[0]  # reads the DID document and both status lists
    statements.counting = True
    for _ in range(3):
        assert _verify(client, credential)[0]
    assert statements.seen == []


def test_status_changes_through_this_process_are_seen_at_once(
    client: TestClient, app: FastAPI, make_issuer: MakeIssuer
) -> None:
    issuer, staff = make_issuer("ai-exam")
    credential = issue(client, staff, make_achievement(app, issuer["id"]))
    base = f"/api/v1/credentials/{credential['id']}"
    assert _verify(client, credential)[0]

    assert client.post(f"{base}/suspend", headers=staff).status_code == 200
    ok, checks = _verify(client, credential)
    assert not ok and checks["status.suspension"] == "failed"

    assert client.post(f"{base}/unsuspend", headers=staff).status_code == 200
    assert _verify(client, credential)[0]

    revoked = client.post(f"{base}/revoke", json={"reason": "exam misconduct"}, headers=staff)
    assert revoked.status_code == 200, revoked.text
    ok, checks = _verify(client, credential)
    assert not ok and checks["status.revocation"] == "failed"


def test_a_key_rotation_through_this_process_is_seen_at_once(
    client: TestClient, app: FastAPI, make_issuer: MakeIssuer, admin_headers: dict[str, str]
) -> None:
    issuer, staff = make_issuer("ai-exam")
    achievement_id = make_achievement(app, issuer["id"])
    before = issue(client, staff, achievement_id)
    assert _verify(client, before)[0]  # the DID document is now kept
    rotated = client.post(
        "/api/v1/issuers/ai-exam/keys/rotate", json={"algorithm": "EdDSA"}, headers=admin_headers
    )
    assert rotated.status_code == 201, rotated.text
    after = issue(client, staff, achievement_id)  # signed by the new key
    ok, checks = _verify(client, after)
    assert ok, checks
    assert _verify(client, before)[0]  # the retired key still verifies what it signed


def test_another_process_sees_a_change_within_the_ttl(
    client: TestClient, app: FastAPI, settings: Settings, make_issuer: MakeIssuer
) -> None:
    issuer, staff = make_issuer("ai-exam")
    credential = issue(client, staff, make_achievement(app, issuer["id"]))
    now = [1000.0]
    cache = configure_published_cache(app.state.resources.sessions, ttl=5.0)
    cache._clock = lambda: now[0]
    assert _verify(client, credential)[0]
    with TestClient(create_app(settings)) as other:  # a second server on the same database
        base = f"/api/v1/credentials/{credential['id']}"
        assert other.post(f"{base}/suspend", headers=staff).status_code == 200
    assert _verify(client, credential)[0]  # this process still holds the list
    now[0] += 5.0
    ok, checks = _verify(client, credential)
    assert not ok and checks["status.suspension"] == "failed"


def test_a_shared_invalidation_makes_a_change_visible_everywhere_at_once(
    client: TestClient, app: FastAPI, settings: Settings, make_issuer: MakeIssuer
) -> None:
    issuer, staff = make_issuer("ai-exam")
    credential = issue(client, staff, make_achievement(app, issuer["id"]))
    shared = LocalInvalidation()  # what a Redis-backed invalidation would share
    configure_published_cache(app.state.resources.sessions, ttl=3600, invalidation=shared)
    assert _verify(client, credential)[0]
    other_app = create_app(settings)
    with TestClient(other_app) as other:
        configure_published_cache(other_app.state.resources.sessions, invalidation=shared)
        base = f"/api/v1/credentials/{credential['id']}"
        assert other.post(f"{base}/suspend", headers=staff).status_code == 200
    ok, checks = _verify(client, credential)
    assert not ok and checks["status.suspension"] == "failed"


def test_a_ttl_of_zero_turns_the_cache_off(
    client: TestClient, app: FastAPI, credential: dict[str, Any], statements: _Statements
) -> None:
    configure_published_cache(app.state.resources.sessions, ttl=0)
    assert _verify(client, credential)[0]
    statements.counting = True
    assert _verify(client, credential)[0]
    assert statements.seen != []


# --- the cache itself ------------------------------------------------------------------


def test_an_entry_is_made_again_after_its_scope_changed_or_it_expired() -> None:
    now = [0.0]
    made: list[int] = []

    def make() -> dict[str, Any]:
        made.append(1)
        return {"n": len(made)}

    cache = PublishedCache(ttl=10, clock=lambda: now[0])
    assert cache.get(STATUS, ("list", "1"), make) == {"n": 1}
    assert cache.get(STATUS, ("list", "1"), make) == {"n": 1}
    cache.changed("issuers")  # another scope: no effect
    assert cache.get(STATUS, ("list", "1"), make) == {"n": 1}
    cache.changed(STATUS)
    assert cache.get(STATUS, ("list", "1"), make) == {"n": 2}
    now[0] = 10.0
    assert cache.get(STATUS, ("list", "1"), make) == {"n": 3}


def test_callers_cannot_change_a_kept_document() -> None:
    cache = PublishedCache()
    first = cache.get(STATUS, ("k",), lambda: {"a": [1]})
    first["a"].append(2)
    assert cache.get(STATUS, ("k",), lambda: {"a": [9]}) == {"a": [1]}


def test_each_database_setup_has_its_own_cache(app: FastAPI, client: TestClient) -> None:
    sessions = app.state.resources.sessions
    assert published_cache(sessions) is published_cache(sessions)
    other = create_app(app.state.resources.settings)
    with TestClient(other):
        assert published_cache(other.state.resources.sessions) is not published_cache(sessions)
