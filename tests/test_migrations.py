"""The migrations produce exactly the schema the models describe, on both databases."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

import app.models  # noqa: F401 - every table on Base.metadata
from app.db import Base, make_engine
from app.migrate import alembic_config, ours
from tests.database import migrated_database


@pytest.fixture(scope="module")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return migrated_database(tmp_path_factory.mktemp("db"))


def test_migrations_match_the_models(database_url: str) -> None:
    engine = make_engine(database_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": ours}
        )
        differences = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert differences == []


def test_batches_migration_downgrades_and_upgrades_again(database_url: str) -> None:
    config = alembic_config(database_url)
    engine = make_engine(database_url)
    try:
        command.downgrade(config, "0002")
        with engine.connect() as connection:
            assert not inspect(connection).has_table("batch")
            columns = {c["name"] for c in inspect(connection).get_columns("issued_credential")}
            assert "batch_id" not in columns
        command.upgrade(config, "head")
        with engine.connect() as connection:
            assert inspect(connection).has_table("batch_row")
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "include_object": ours}
            )
            assert compare_metadata(context, Base.metadata) == []
    finally:
        engine.dispose()


def test_passer_accounts_migration_downgrades_and_upgrades_again(database_url: str) -> None:
    config = alembic_config(database_url)
    engine = make_engine(database_url)
    try:
        command.downgrade(config, "0008")
        with engine.connect() as connection:
            assert not inspect(connection).has_table("oauth_token")
            outbox = {c["name"]: c for c in inspect(connection).get_columns("outbox_message")}
            assert outbox["credential_id"]["nullable"] is False
        command.upgrade(config, "head")
        with engine.connect() as connection:
            assert inspect(connection).has_table("passer_account")
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "include_object": ours}
            )
            assert compare_metadata(context, Base.metadata) == []
    finally:
        engine.dispose()
