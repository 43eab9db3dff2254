"""Fixtures of the service tests: the service on a real database, keys, an issuer, an achievement.

The service tests run on SQLite by default and on PostgreSQL when SHOMEI_TEST_DATABASE_URL
names one. The schema comes from the migrations; every test starts from empty tables.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr

from app.apikeys.service import create_api_key
from app.main import create_app
from app.settings import Settings
from tests.app.test_credentials import make_achievement
from tests.database import empty_tables, migrated_database

TEST_PASSPHRASE = "test passphrase, not a secret"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return migrated_database(tmp_path_factory.mktemp("db"))


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        _env_file=None,
        database_url=database_url,
        base_url="http://testserver",
        key_passphrase=SecretStr(TEST_PASSPHRASE),
        fetch_allow="127.0.0.1",
        did_web_http_hosts="testserver",
        mail_paused=True,  # tests send mail themselves, when and where they choose
    )


@pytest.fixture
def app(settings: Settings) -> Iterator[FastAPI]:
    yield create_app(settings)
    empty_tables(settings.database_url)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


def _key(app: FastAPI, **kwargs: Any) -> str:
    with app.state.resources.sessions() as session:
        return create_api_key(session, **kwargs)


@pytest.fixture
def admin_headers(client: TestClient, app: FastAPI) -> dict[str, str]:
    return {"Authorization": f"Bearer {_key(app, issuer_id=None, is_admin=True)}"}


@pytest.fixture
def make_issuer(
    client: TestClient, app: FastAPI, admin_headers: dict[str, str]
) -> Callable[..., tuple[dict[str, Any], dict[str, str]]]:
    """Create an issuer through the API; return it and headers with a key of its staff."""

    def make(slug: str = "ai-exam", **overrides: Any) -> tuple[dict[str, Any], dict[str, str]]:
        body = {
            "slug": slug,
            # Issuers' names may not look alike: each but the first carries its slug.
            "name": "一般社団法人 AIリテラシー検定協会" + ("" if slug == "ai-exam" else f" {slug}"),
            "name_translations": {
                "en": "AI Literacy Examination Association"
                + ("" if slug == "ai-exam" else f" {slug}")
            },
            "url": "https://ai-exam.example.jp/",
            "email": "badges@ai-exam.example.jp",
            "description": "AIリテラシー検定を実施しています。",
        } | overrides
        response = client.post("/api/v1/issuers", json=body, headers=admin_headers)
        assert response.status_code == 201, response.text
        issuer = response.json()
        key = _key(app, issuer_id=uuid.UUID(issuer["id"]), is_admin=False)
        return issuer, {"Authorization": f"Bearer {key}"}

    return make


@pytest.fixture
def issuer(make_issuer: Any) -> tuple[dict[str, Any], dict[str, str]]:
    issuer: tuple[dict[str, Any], dict[str, str]] = make_issuer("ai-exam")
    return issuer


@pytest.fixture
def staff(issuer: tuple[dict[str, Any], dict[str, str]]) -> dict[str, str]:
    return issuer[1]


@pytest.fixture
def achievement_id(app: FastAPI, issuer: tuple[dict[str, Any], dict[str, str]]) -> str:
    return make_achievement(app, issuer[0]["id"])
