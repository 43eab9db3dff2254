"""Several ``shomei serve`` processes behind one PostgreSQL and one Redis.

Two real servers on loopback share the database and the rate limits, as replicas behind a
load balancer do; the schema is migrated as a step of its own, never by the servers.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis
from fastapi import FastAPI
from sqlalchemy import select, text

from app.credentials.models import IssuedCredential
from app.db import make_engine
from app.migrate import schema_state
from app.settings import Settings
from tests.app.conftest import TEST_PASSPHRASE
from tests.app.processes import Server, serve, shomei
from tests.app.test_credentials import make_achievement

REDIS_URL = "redis://127.0.0.1:6379/5"
PUBLIC_URL = "http://shomei.test"  # the load balancer's address, the same for every replica


@pytest.fixture
def postgresql(settings: Settings) -> str:
    if not settings.database_url.startswith("postgresql"):
        pytest.skip("needs PostgreSQL: set SHOMEI_TEST_DATABASE_URL")
    return settings.database_url


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


def _env(database_url: str) -> dict[str, str]:
    return {
        "SHOMEI_DATABASE_URL": database_url,
        "SHOMEI_KEY_PASSPHRASE": TEST_PASSPHRASE,
        "SHOMEI_BASE_URL": PUBLIC_URL,
        "SHOMEI_REDIS_URL": REDIS_URL,
        "SHOMEI_VERIFY_RATE_PER_MINUTE": "4",
        "SHOMEI_KEY_RATE_PER_MINUTE": "100000",
    }


@pytest.fixture
def servers(
    postgresql: str, shared_redis: redis.Redis, tmp_path: Path
) -> Iterator[tuple[Server, Server]]:
    env = _env(postgresql)
    with serve(env, tmp_path) as one, serve(env, tmp_path) as two:
        yield one, two


@pytest.mark.slow
def test_two_servers_share_the_rate_limit_and_issue_without_duplicates(
    servers: tuple[Server, Server],
    app: FastAPI,
    make_issuer: Any,
) -> None:
    one, two = servers
    issuer, staff = make_issuer("ai-exam")
    achievement_id = make_achievement(app, issuer["id"])

    # (1) One address, four verifications a minute, counted across both servers.
    body = {"credential": {"type": ["x"]}}
    answers = [httpx.post(f"{s.url}/api/v1/verify", json=body) for s in (one, two, one, two)]
    assert [a.status_code for a in answers] == [200] * 4
    assert answers[3].headers["ratelimit"].startswith('"per-address";r=0;')
    for server in (one, two):
        refused = httpx.post(f"{server.url}/api/v1/verify", json=body)
        assert refused.status_code == 429
        assert int(refused.headers["retry-after"]) >= 1

    # (2) Issuing through both at once: one credential per external id, no shared position.
    def post(n: int) -> httpx.Response:
        server = (one, two)[n % 2]
        external_id = "exam-2026-0001" if n < 16 else f"exam-2026-{n:04d}"
        credential = {
            "achievement_id": achievement_id,
            "recipient": {"email": f"passer{n}@example.jp"},
            "external_id": external_id,
        }
        return httpx.post(
            f"{server.url}/api/v1/credentials", json=credential, headers=staff, timeout=60
        )

    # Each server issues once first: concurrent first requests on a fresh process are a
    # separate matter (the JSON Schema cache built on first use), not what is shown here.
    for n, server in enumerate((one, two), start=100):
        warm = {"achievement_id": achievement_id, "recipient": {"email": f"w{n}@example.jp"}}
        response = httpx.post(f"{server.url}/api/v1/credentials", json=warm, headers=staff)
        assert response.status_code == 201, response.text
    with ThreadPoolExecutor(16) as pool:
        responses = list(pool.map(post, range(48)))
    assert {r.status_code for r in responses} <= {200, 201}, [r.text for r in responses]
    same = {r.json()["id"] for r in responses[:16]}
    assert len(same) == 1, "one external id issued more than once"
    others = [r.json()["id"] for r in responses[16:]]
    assert len(set(others)) == 32
    with app.state.resources.sessions() as session:
        rows = session.scalars(select(IssuedCredential)).all()
    assert len(rows) == 2 + 1 + 32
    positions = Counter((row.status_list_id, row.status_index) for row in rows)
    assert positions.most_common(1)[0][1] == 1
    # Both servers answer for every credential: one database behind them.
    for credential_id in (*same, others[0]):
        for server in (one, two):
            assert (
                httpx.get(
                    f"{server.url}/api/v1/credentials/{credential_id}", headers=staff
                ).status_code
                == 200
            )


@pytest.mark.slow
def test_serve_does_not_migrate_unless_asked(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    env = _env(url) | {"SHOMEI_REDIS_URL": ""}
    refused = shomei("serve", "--port", "9", env=env)
    assert refused.returncode == 2
    assert refused.stderr.strip() == (
        "shomei: the database schema has migrations pending: "
        "run `shomei migrate` first (or serve --migrate)"
    )
    assert schema_state(url) == "behind"  # serve touched nothing
    with serve(env, tmp_path, "--migrate") as server:
        assert httpx.get(f"{server.url}/healthz").status_code == 200
    assert schema_state(url) == "current"


@pytest.mark.slow
def test_migrations_started_at_once_run_one_after_the_other(postgresql: str) -> None:
    schema = f"migrate_{uuid.uuid4().hex[:8]}"
    url = _in_schema(postgresql, schema)
    try:
        with ThreadPoolExecutor(3) as pool:
            runs = list(pool.map(lambda _: shomei("migrate", env=_env(url)), range(3)))
        assert [r.returncode for r in runs] == [0, 0, 0], [r.stderr for r in runs]
        assert schema_state(url) == "current"
    finally:
        _drop_schema(postgresql, schema)


def _in_schema(database_url: str, schema: str) -> str:
    """The database URL with its own, empty schema first on the search path."""
    engine = make_engine(database_url)
    with engine.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    return f"{database_url}?options=-csearch_path%3D{schema}"


def _drop_schema(database_url: str, schema: str) -> None:
    engine = make_engine(database_url)
    with engine.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()
