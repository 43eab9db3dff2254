"""Running the migrations: ``shomei migrate``, a step of its own before servers start.

On PostgreSQL a migration holds an advisory lock for its whole run
(https://www.postgresql.org/docs/current/explicit-locking.html#ADVISORY-LOCKS), so two
``shomei migrate`` started at once (two deploy jobs, two replicas told to ``--migrate``) run
one after the other: the second finds the schema current and does nothing. ``shomei serve``
migrates only when asked, and otherwise refuses to start on a schema that is not current.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from typing import Literal

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text

from app.db import make_engine

__all__ = ["SchemaState", "alembic_config", "ours", "schema_state", "upgrade"]

# pg_advisory_lock's key: any constant of our own, the same in every process.
MIGRATION_LOCK = 0x5E0_3E1_0001

SchemaState = Literal["current", "behind", "unknown"]


def ours(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    """Alembic's ``include_object``: leave the job queue's own tables (procrastinate_*) out of
    comparisons with the models; migration 0005 makes them as procrastinate ships them."""
    return not (type_ == "table" and (name or "").startswith("procrastinate_"))


def alembic_config(database_url: str) -> Config:
    """An Alembic configuration for ``database_url`` using the packaged migrations."""
    config = Config()
    config.set_main_option("script_location", str(resources.files("migrations")))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    config.set_main_option("file_template", "%%(year)d-%%(month).2d-%%(day).2d_%%(slug)s")
    return config


@contextmanager
def _exclusive(database_url: str) -> Iterator[None]:
    """Hold the migration lock (PostgreSQL); SQLite serialises writers by itself."""
    engine = make_engine(database_url)
    try:
        if engine.dialect.name != "postgresql":
            yield
            return
        with engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK})
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK})
    finally:
        engine.dispose()


def upgrade(database_url: str) -> None:
    """Bring the database at ``database_url`` to the newest schema, one migrator at a time."""
    with _exclusive(database_url):
        command.upgrade(alembic_config(database_url), "head")


def schema_state(database_url: str) -> SchemaState:
    """``current`` at the newest revision; ``behind`` when migrations are pending (an empty
    database included); ``unknown`` at a revision this code does not know (a newer release)."""
    script = ScriptDirectory.from_config(alembic_config(database_url))
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            revisions = set(MigrationContext.configure(connection).get_current_heads())
    finally:
        engine.dispose()
    if revisions == set(script.get_heads()):
        return "current"
    known = {r.revision for r in script.walk_revisions()}
    return "behind" if revisions <= known else "unknown"
