"""Database plumbing: the declarative base, portable column types, engine and sessions.

SQLite (WAL, foreign keys on) is the embedded default; PostgreSQL (psycopg 3) the production
database. Only portable types are used, so one schema and one code path serve both.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Engine, MetaData, create_engine, event, make_url
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from app.sqlite_writes import WriteLock, connection_factory
from app.storage_guards import install_storage_guards

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every database (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("timestamps must carry a time zone")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


BUSY_TIMEOUT_MS = 10_000  # how long a SQLite writer waits for another's commit


def _sqlite_pragmas(dbapi_connection: Any, connection_record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    # In WAL mode a commit with NORMAL is durable against a crash of the process (the log is
    # written before the commit returns; SQLite replays it on the next open); only a power
    # loss may drop the last commits, never corrupt the database
    # (https://www.sqlite.org/pragma.html#pragma_synchronous).
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.close()


def _no_automatic_checkpoint(dbapi_connection: Any, connection_record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA wal_autocheckpoint=0")  # app.checkpoints runs them
    cursor.close()


def make_engine(
    url: str,
    *,
    pool_size: int = 10,
    max_overflow: int = 20,
    pool_timeout: float = 30.0,
    background_checkpoints: bool = False,
) -> Engine:
    """An engine for ``url``; SQLite gets WAL, foreign keys, a busy timeout and, for a file,
    the write lock of :mod:`app.sqlite_writes`.

    The pool sizes (``SHOMEI_DB_POOL_SIZE``, ``SHOMEI_DB_MAX_OVERFLOW``) bound the connections
    one process opens to PostgreSQL; several processes together must stay under its
    ``max_connections``. ``background_checkpoints``: SQLite's connections leave checkpoints
    of the write-ahead log to :class:`app.checkpoints.WalCheckpoints`, which the caller runs.
    """
    if url.startswith("sqlite"):
        connect_args: dict[str, Any] = {"check_same_thread": False}
        database = make_url(url).database
        if database and database != ":memory:" and not database.startswith("file:"):
            connect_args["factory"] = connection_factory(
                WriteLock(database, BUSY_TIMEOUT_MS / 1000)
            )
        engine = create_engine(url, connect_args=connect_args)
        event.listen(engine, "connect", _sqlite_pragmas)
        if background_checkpoints:
            event.listen(engine, "connect", _no_automatic_checkpoint)
    else:
        engine = create_engine(
            url,
            pool_pre_ping=True,
            pool_size=pool_size,
            max_overflow=max_overflow,
            pool_timeout=pool_timeout,
        )
    install_storage_guards(engine)
    return engine


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    sessions = sessionmaker(engine, expire_on_commit=False)
    install_storage_guards(engine, sessions)
    return sessions
