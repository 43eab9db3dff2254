"""Caches that must not outlive a change made through another server are invalidated
through Redis: an API key revoked through one server stops working on every server at once."""

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
from app.settings import Settings
from app.sharing import Generations

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


def _revoke_all(app: Any) -> None:
    with app.state.resources.sessions() as session:
        session.execute(update(ApiKey).values(revoked_at=datetime.now(UTC)))
        session.commit()


def test_a_key_revoked_through_one_server_stops_working_on_the_other(
    settings: Settings, shared_redis: redis.Redis, make_issuer: Any
) -> None:
    _, staff = make_issuer("ai-exam")
    shared = settings.model_copy(update={"redis_url": REDIS_URL})
    with TestClient(create_app(shared)) as one, TestClient(create_app(shared)) as two:
        assert one.get("/api/v1/credentials", headers=staff).status_code == 200
        _revoke_all(two.app)
        assert one.get("/api/v1/credentials", headers=staff).status_code == 401


def test_without_redis_the_generations_are_this_process_s() -> None:
    generations = Generations()
    assert not generations.shared
    assert generations.current("topic") == 0
    generations.bump("topic")
    assert generations.current("topic") == 1


def test_an_unreachable_redis_trusts_no_cached_key(settings: Settings, make_issuer: Any) -> None:
    _, staff = make_issuer("ai-exam")
    down = settings.model_copy(update={"redis_url": "redis://127.0.0.1:1/0"})
    with TestClient(create_app(down)) as client:
        assert client.get("/api/v1/credentials", headers=staff).status_code == 200
