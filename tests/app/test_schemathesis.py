"""Property-based fuzzing of the whole contract with schemathesis.

Every operation of the application's own OpenAPI document is called over real HTTP, on the
service under uvicorn on loopback, with an administrator's key where the API needs one, and
every answer must keep the contract: no 5xx, only documented status codes, content types,
headers and bodies, and 405 with an ``Allow`` header for a method a path does not have. The
watches are called with an HR system's key, the role they are for. The
service runs on the test database: SQLite, or PostgreSQL when SHOMEI_TEST_DATABASE_URL names
one (CI runs both). Generated URLs are fetched by the real SafeFetcher, but names resolve
nowhere and every connect outside loopback is refused and recorded, so nothing generated
here reaches the network.
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
from schemathesis import checks

from app.apikeys.service import create_api_key
from app.fetching import FetchConfig, SafeFetcher
from app.main import create_app
from app.settings import Settings
from tests.browser.support import LiveServer, serve
from tests.database import empty_tables

EXAMPLES = 50
VERIFY = "/api/v1/verify"
WATCHES = "/api/v1/watches"


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
def live(database_url: str, outside_connects: list[Any]) -> Iterator[LiveServer]:
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
    empty_tables(database_url)


@pytest.fixture(scope="module")
def ob_api(live: LiveServer, http: requests.Session) -> dict[str, dict[str, str]]:
    """Credentials for the Open Badges API's operations: a passer's access token with every
    scope (for ``/ims/ob/v3p0``) and a registered client's Basic credentials (for ``/oauth``),
    so fuzzed input reaches the operations rather than stopping at a 401."""
    from datetime import UTC, datetime, timedelta

    from app.obapi.models import OAuthClient, OAuthToken
    from app.obapi.scopes import SUPPORTED
    from app.obapi.server import digest
    from app.passers.models import PasserAccount, PasserAddress
    from tests.ob_api_support import registration

    registered = http.post(f"{live.url}/oauth/register", json=registration(), timeout=20).json()
    access = "fuzzing-access-token-" + "x" * 24
    now = datetime.now(UTC)
    with live.app.state.resources.sessions() as session:
        account = PasserAccount(created_at=now)
        session.add(account)
        session.flush()
        session.add(
            PasserAddress(account_id=account.id, email_lower="fuzz@example.jp", confirmed_at=now)
        )
        client = session.query(OAuthClient).filter_by(client_id=registered["client_id"]).one()
        session.add(
            OAuthToken(
                access_token_hash=digest(access),
                client_id=client.id,
                account_id=account.id,
                scope=" ".join(SUPPORTED),
                issued_at=now,
                expires_at=now + timedelta(days=1),
            )
        )
        session.commit()
    basic = requests.auth._basic_auth_str(registered["client_id"], registered["client_secret"])
    return {
        "/ims/ob/v3p0/": {"Authorization": f"Bearer {access}"},
        "/oauth/": {"Authorization": basic},
    }


@pytest.fixture(scope="module")
def admin(live: LiveServer) -> dict[str, str]:
    with live.app.state.resources.sessions() as session:
        return {"Authorization": f"Bearer {create_api_key(session, issuer_id=None, is_admin=True)}"}


def _schema() -> Any:
    # Read from the application itself (no server needed for that), at collection time.
    app = create_app(Settings(_env_file=None, development=True))
    return schemathesis.openapi.from_dict(copy.deepcopy(app.openapi()))


@pytest.fixture(scope="module")
def hr(live: LiveServer) -> dict[str, str]:
    with live.app.state.resources.sessions() as session:
        key = create_api_key(session, issuer_id=None, is_admin=False, is_hr=True)
        return {"Authorization": f"Bearer {key}"}


@pytest.fixture(scope="module")
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        session.trust_env = False  # no proxies from the environment
        yield session


schema = _schema()


@pytest.mark.slow
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_keeps_the_contract(
    case: Any,
    live: LiveServer,
    admin: dict[str, str],
    ob_api: dict[str, dict[str, str]],
    hr: dict[str, str],
    http: requests.Session,
    outside_connects: list[Any],
) -> None:
    headers = admin if case.path.startswith("/api/") and not case.path.startswith(VERIFY) else {}
    for prefix, credentials in ob_api.items():
        if case.path.startswith(prefix) and case.path != "/oauth/register":
            headers = credentials
    if case.path.startswith(WATCHES):
        headers = hr
    # Unknown query parameters are ignored, as on most of the web, where schemathesis
    # expects them refused. And the request models check what JSON Schema cannot say
    # (controls in signed text, the OB vocabularies, a URL's length once normalised, a
    # credential that is no badge on the page), so schema-valid input may still be a 422.
    excluded = [checks.negative_data_rejection, checks.positive_data_acceptance]
    response = case.call_and_validate(
        base_url=live.url, session=http, headers=headers, excluded_checks=excluded, timeout=20
    )
    if case.path.startswith("/api/v1/verify") and response.status_code == 200:
        assert "checks" in response.text
