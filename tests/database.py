"""The test database: SQLite by default, PostgreSQL when SHOMEI_TEST_DATABASE_URL names one.

The schema comes from the migrations; every service test starts from empty tables.
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import text

from app.db import Base, make_engine
from app.migrate import upgrade


def migrated_database(directory: Path) -> str:
    """A freshly migrated database's URL (PostgreSQL's public schema is dropped first)."""
    url = os.environ.get("SHOMEI_TEST_DATABASE_URL")
    if url:
        engine = make_engine(url)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    else:
        url = f"sqlite:///{directory / 'shomei.db'}"
    upgrade(url)
    return url


def empty_tables(url: str) -> None:
    import app.models  # noqa: F401 - every table on Base.metadata

    engine = make_engine(url)
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text(f"TRUNCATE {', '.join(tables)} CASCADE"))
        else:
            for table in tables:
                connection.execute(text(f"DELETE FROM {table}"))  # noqa: S608 - our table names
    engine.dispose()
