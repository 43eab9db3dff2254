"""Property-based fuzzing of the public surface with schemathesis: no answer may be a 5xx.

The operations are read from the application's own OpenAPI document: the verify endpoints
(API and page) and every public GET (those outside ``/api/``). Requests go over real HTTP to
the service under uvicorn on loopback. Generated URLs are fetched by the real SafeFetcher,
but names resolve nowhere and every connect outside loopback is refused and recorded, so
nothing generated here reaches the network.
"""

from __future__ import annotations

import copy
import ipaddress
import socket
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, settings
from pydantic import SecretStr

from app.fetching import FetchConfig, SafeFetcher
from app.main import create_app
from app.migrate import upgrade
from app.settings import Settings
from tests.browser.support import LiveServer, serve

EXAMPLES = 50


def _no_dns(host: str) -> list[str]:
    raise socket.gaierror(socket.EAI_NONAME, f"no name resolution in this test ({host})")


@pytest.fixture(scope="module")
def outside_connects() -> Iterator[list[Any]]:
    """Refuse and record every connect that is not to loopback, for the whole module."""
    attempted: list[Any] = []
    real_connect = socket.socket.connect

    def guarded(sock: socket.socket, address: Any) -> None:
        if isinstance(address, tuple) and not ipaddress.ip_address(address[0]).is_loopback:
            attempted.append(address)
            raise OSError(f"no connects outside loopback in this test ({address[0]})")
        real_connect(sock, address)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket.socket, "connect", guarded)
        yield attempted


@pytest.fixture(scope="module")
def live(
    tmp_path_factory: pytest.TempPathFactory, outside_connects: list[Any]
) -> Iterator[LiveServer]:
    database_url = f"sqlite:///{tmp_path_factory.mktemp('fuzz-db') / 'shomei.db'}"
    upgrade(database_url)

    def make_app(base_url: str) -> FastAPI:
        return create_app(
            Settings(
                _env_file=None,
                database_url=database_url,
                base_url=base_url,
                key_passphrase=SecretStr("fuzzing, not a secret"),
                fetch_allow="",
                verify_rate_per_minute=1_000_000,
            )
        )

    with (
        serve(make_app) as server,
        SafeFetcher.create(FetchConfig(timeout=2.0), resolver=_no_dns) as fetcher,
    ):
        server.app.state.resources.fetcher = fetcher
        yield server


def _public(ctx: Any) -> bool:
    """The verify endpoints, and every GET that needs no API key."""
    operation = ctx.operation
    if operation.path.startswith("/api/v1/verify") or operation.path == "/verify":
        return True
    return bool(operation.method.upper() == "GET" and not operation.path.startswith("/api/"))


def _public_schema() -> Any:
    # Read from the application itself (no server needed for that), at collection time.
    app = create_app(Settings(_env_file=None, development=True))
    return schemathesis.openapi.from_dict(copy.deepcopy(app.openapi())).include(_public)


@pytest.fixture(scope="module")
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        session.trust_env = False  # no proxies from the environment
        yield session


schema = _public_schema()


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_no_public_operation_answers_a_server_error(
    case: Any, live: LiveServer, http: requests.Session, outside_connects: list[Any]
) -> None:
    response = case.call(base_url=live.url, session=http, timeout=20)
    assert response.status_code < 500, (
        f"{case.method} {case.formatted_path} answered {response.status_code}: "
        f"{response.text[:500]}"
    )
    if case.path.startswith("/api/v1/verify") and response.status_code == 200:
        assert "checks" in response.text
