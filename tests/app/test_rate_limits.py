"""Rate limits: per API key for callers with one, per address otherwise, shared through Redis."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from fastapi.testclient import TestClient

from app.main import create_app
from app.middleware.clients import TrustedProxies
from app.settings import Settings

API = "/api/v1/verify"
REDIS_URL = "redis://127.0.0.1:6379/5"
NOT_A_BADGE = {"credential": {"type": ["x"]}}  # a report with ok false


def _limited(settings: Settings, **overrides: Any) -> Settings:
    return settings.model_copy(
        update={"verify_rate_per_minute": 3, "key_rate_per_minute": 6} | overrides
    )


@pytest.fixture
def limited(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(_limited(settings))) as client:
        yield client


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


def _fields(response: Any) -> tuple[str, str]:
    return response.headers["ratelimit-policy"], response.headers["ratelimit"]


def test_anonymous_verifications_are_counted_per_address_with_ratelimit_fields(
    limited: TestClient,
) -> None:
    answers = [limited.post(API, json=NOT_A_BADGE) for _ in range(3)]
    assert [a.status_code for a in answers] == [200] * 3
    assert _fields(answers[0]) == ('"per-address";q=3;w=60', '"per-address";r=2;t=60')
    assert re.fullmatch(r'"per-address";r=0;t=\d+', _fields(answers[2])[1])
    refused = limited.post(API, json=NOT_A_BADGE)
    assert refused.status_code == 429
    assert refused.headers["content-type"] == "application/problem+json"
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert _fields(refused)[0] == '"per-address";q=3;w=60'
    assert "ratelimit" not in limited.get("/healthz").headers  # only API calls are counted


def test_a_forwarded_address_from_an_untrusted_peer_is_ignored(limited: TestClient) -> None:
    for n in range(3):
        forwarded = {"X-Forwarded-For": f"203.0.113.{n}"}
        assert limited.post(API, json=NOT_A_BADGE, headers=forwarded).status_code == 200
    rotated = limited.post(API, json=NOT_A_BADGE, headers={"X-Forwarded-For": "198.51.100.1"})
    assert rotated.status_code == 429


def test_the_client_address_is_read_through_trusted_proxies_only() -> None:
    proxies = TrustedProxies.parse(["10.0.0.0/8", "127.0.0.1"])

    def scope(peer: str, forwarded: str | None) -> dict[str, Any]:
        headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded else []
        return {"client": (peer, 1234), "headers": headers}

    assert proxies.client_address(scope("10.1.2.3", "198.51.100.7")) == "198.51.100.7"
    # A client may send its own X-Forwarded-For: only what the proxies appended counts.
    spoofed = scope("10.1.2.3", "1.2.3.4, 198.51.100.7, 10.9.9.9")
    assert proxies.client_address(spoofed) == "198.51.100.7"
    assert proxies.client_address(scope("203.0.113.5", "1.2.3.4")) == "203.0.113.5"
    assert proxies.client_address(scope("10.1.2.3", "not an address")) == "10.1.2.3"
    assert TrustedProxies().client_address(scope("127.0.0.1", "1.2.3.4")) == "127.0.0.1"
    with pytest.raises(ValueError, match="does not appear to be an IPv4 or IPv6"):
        TrustedProxies.parse(["proxy.example"])


def test_an_api_key_gets_its_own_higher_limit(settings: Settings, make_issuer: Any) -> None:
    _, staff = make_issuer("ai-exam")
    with TestClient(create_app(_limited(settings))) as client:
        answers = [client.get("/api/v1/credentials", headers=staff) for _ in range(6)]
        assert [a.status_code for a in answers] == [200] * 6
        assert _fields(answers[0]) == ('"per-key";q=6;w=60', '"per-key";r=5;t=60')
        assert client.get("/api/v1/credentials", headers=staff).status_code == 429
        # The address's own anonymous quota is untouched by the key's requests.
        assert client.post(API, json=NOT_A_BADGE).status_code == 200
        # A key seen to be valid is counted as the key on the public verify API too.
        assert client.post(API, json=NOT_A_BADGE, headers=staff).status_code == 429


def test_trying_keys_is_counted_against_the_address(limited: TestClient) -> None:
    for n in range(3):
        bogus = {"Authorization": f"Bearer shm_bogus{n}"}
        assert limited.get("/api/v1/credentials", headers=bogus).status_code == 401
    fresh = {"Authorization": "Bearer shm_another"}
    refused = limited.get("/api/v1/credentials", headers=fresh)
    assert refused.status_code == 429
    assert "retry-after" in refused.headers
    # A bogus key on the public verify API buys nothing either: it is a 401.
    assert limited.post(API, json=NOT_A_BADGE, headers=fresh).status_code in (401, 429)


def test_a_batch_costs_one_per_item(limited: TestClient) -> None:
    items = [NOT_A_BADGE] * 3
    first = limited.post(f"{API}/batch", json={"items": items})
    assert first.status_code == 200
    assert _fields(first)[1].startswith('"per-address";r=0;')
    refused = limited.post(f"{API}/batch", json={"items": items[:1]})
    assert refused.status_code == 429
    assert "retry-after" in refused.headers


def test_limits_are_shared_through_redis(settings: Settings, shared_redis: redis.Redis) -> None:
    shared = _limited(settings, redis_url=REDIS_URL)
    with (
        TestClient(create_app(shared)) as one,
        TestClient(create_app(shared)) as two,
    ):
        assert [c.post(API, json=NOT_A_BADGE).status_code for c in (one, two, one)] == [200] * 3
        assert two.post(API, json=NOT_A_BADGE).status_code == 429
    assert shared_redis.keys("*shomei*")  # the counts live in Redis


def test_a_redis_that_is_down_does_not_take_the_service_down(settings: Settings) -> None:
    down = _limited(settings, redis_url="redis://127.0.0.1:1/0")
    with TestClient(create_app(down)) as client:
        assert client.post(API, json=NOT_A_BADGE).status_code == 200


def test_settings_refuse_a_bad_proxy_or_redis_url(settings: Settings) -> None:
    with pytest.raises(ValueError, match="SHOMEI_REDIS_URL"):
        Settings(**{**settings.model_dump(), "redis_url": "http://cache"})
    with pytest.raises(ValueError, match=r"proxy\.example"):
        Settings(**{**settings.model_dump(), "trusted_proxies": "10.0.0.1,proxy.example"})


def test_every_api_operation_documents_the_refusals_before_routing(settings: Settings) -> None:
    document = create_app(settings).openapi()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            documented = set(operation["responses"])
            if path.startswith("/api/"):
                assert {"413", "429"} <= documented, (method, path)
