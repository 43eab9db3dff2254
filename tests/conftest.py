"""Fixtures shared by every test: vectors, a fixed clock, and the service on a real database.

The service tests run on SQLite by default and on PostgreSQL when SHOMEI_TEST_DATABASE_URL
names one. The schema comes from the migrations; every test starts from empty tables.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import text

from app.apikeys.service import create_api_key
from app.db import Base, make_engine
from app.main import create_app
from app.migrate import upgrade
from app.settings import Settings
from tests.support import FIXED_NOW, VECTORS

TEST_PASSPHRASE = "test passphrase, not a secret"


@pytest.fixture
def vectors() -> Path:
    return VECTORS


@pytest.fixture
def now() -> datetime:
    return FIXED_NOW


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("SHOMEI_TEST_DATABASE_URL")
    if url:
        engine = make_engine(url)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'shomei.db'}"
    upgrade(url)
    return url


def _empty_tables(url: str) -> None:
    engine = make_engine(url)
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text(f"TRUNCATE {', '.join(tables)} CASCADE"))
        else:
            for table in tables:
                connection.execute(text(f"DELETE FROM {table}"))  # noqa: S608 - our table names
    engine.dispose()


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        _env_file=None,
        database_url=database_url,
        base_url="http://testserver",
        key_passphrase=SecretStr(TEST_PASSPHRASE),
        fetch_allow="127.0.0.1",
        did_web_http_hosts="testserver",
    )


@pytest.fixture
def app(settings: Settings) -> Iterator[FastAPI]:
    yield create_app(settings)
    _empty_tables(settings.database_url)


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
        import uuid

        key = _key(app, issuer_id=uuid.UUID(issuer["id"]), is_admin=False)
        return issuer, {"Authorization": f"Bearer {key}"}

    return make


@pytest.fixture(autouse=True, scope="session")
def _quick_key_wrapping() -> Iterator[None]:
    """Wrap keys at a low work factor: the real one costs seconds per service start, by design."""
    import app.keyring
    from keys import ScryptCost

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(app.keyring, "WRAP_COST", ScryptCost(ln=10, r=8, p=1))
        yield
