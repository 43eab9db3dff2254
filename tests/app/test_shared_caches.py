"""Caches that must not outlive a change made through another server are invalidated through
Redis: a credential suspended through one server is suspended at once on every server, and a
revoked API key stops working everywhere (keys are never cached)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import redis
from fastapi.testclient import TestClient
from sqlalchemy import update

from app.apikeys.models import ApiKey
from app.main import create_app
from app.published import published_cache
from app.settings import Settings
from app.sharing import Generations, SharedInvalidation
from tests.app.test_credentials import issue, make_achievement

REDIS_URL = "redis://127.0.0.1:6379/5"


@pytest.fixture
def shared_redis() -> Iterator[redis.Redis]:
    connection = redis.Redis.from_url(REDIS_URL)
    try:
        connection.ping()
    except redis.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    connection.flushdb()
    yield connection
    connection.flushdb()
    connection.close()


def _checks(client: TestClient, credential: dict[str, Any]) -> dict[str, str]:
    response = client.post("/api/v1/verify", json={"credential": credential["document"]})
    assert response.status_code == 200, response.text
    return {c["id"]: c["status"] for c in response.json()["checks"]}


def test_a_suspension_through_one_server_is_seen_at_once_by_the_other(
    settings: Settings, shared_redis: redis.Redis, make_issuer: Any, client: TestClient
) -> None:
    issuer, staff = make_issuer("ai-exam")
    shared = settings.model_copy(update={"redis_url": REDIS_URL, "published_cache_ttl": 60.0})
    one_app, two_app = create_app(shared), create_app(shared)
    with TestClient(one_app) as one, TestClient(two_app) as two:
        credential = issue(one, staff, make_achievement(one_app, issuer["id"]))
        assert _checks(one, credential)["status.suspension"] == "passed"  # the list is now kept
        base = f"/api/v1/credentials/{credential['id']}"
        assert two.post(f"{base}/suspend", headers=staff).status_code == 200
        assert _checks(one, credential)["status.suspension"] == "failed"
    assert int(shared_redis.get("shomei:generation:status") or 0) >= 1


def test_a_key_revoked_through_one_server_stops_working_on_the_other(
    settings: Settings, shared_redis: redis.Redis, make_issuer: Any
) -> None:
    _, staff = make_issuer("ai-exam")
    shared = settings.model_copy(update={"redis_url": REDIS_URL})
    with TestClient(create_app(shared)) as one, TestClient(create_app(shared)) as two:
        assert one.get("/api/v1/credentials", headers=staff).status_code == 200
        with two.app.state.resources.sessions() as session:
            session.execute(update(ApiKey).values(revoked_at=datetime.now(UTC)))
            session.commit()
        assert one.get("/api/v1/credentials", headers=staff).status_code == 401


def test_without_redis_the_generations_are_this_process_s() -> None:
    generations = Generations()
    assert not generations.shared
    assert generations.current("topic") == 0
    generations.bump("topic")
    assert generations.current("topic") == 1


def test_an_unreachable_redis_serves_nothing_cached(
    settings: Settings, make_issuer: Any, client: TestClient
) -> None:
    issuer, staff = make_issuer("ai-exam")
    down = settings.model_copy(update={"redis_url": "redis://127.0.0.1:1/0"})
    app = create_app(down)
    with TestClient(app) as other:
        credential = issue(other, staff, make_achievement(app, issuer["id"]))
        assert _checks(other, credential)["status.revocation"] == "passed"
        cache = published_cache(app.state.resources.sessions)
        assert isinstance(cache.invalidation, SharedInvalidation)
        # Each read of the unreachable store is a generation no entry was made under.
        assert cache.invalidation.generation("status") != cache.invalidation.generation("status")
