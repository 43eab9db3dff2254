"""SQLite writers queue on the write lock (app.sqlite_writes), never on SQLite's busy handler.

SQLite's busy timeout is set to zero here: a writer that found SQLite's own lock taken would
fail at once with "database is locked". Through the write lock none ever does, whether the
writers are threads of one process or several processes.
"""

from __future__ import annotations

import fcntl
import multiprocessing
import os
import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event, text

from app.db import make_engine
from app.sqlite_writes import WriteLock, connection_factory

WRITES = 200


def _engine(path: Path) -> Engine:
    engine = make_engine(f"sqlite:///{path}")

    @event.listens_for(engine, "connect")
    def no_busy_handler(dbapi_connection: Any, record: Any) -> None:
        dbapi_connection.execute("PRAGMA busy_timeout=0")

    return engine


def _write(path: Path, writer: str) -> None:
    engine = _engine(path)
    try:
        for number in range(WRITES):
            with engine.begin() as connection:
                connection.execute(text("UPDATE counter SET n = n + 1"))
                connection.execute(
                    text("INSERT INTO entry (writer, number) VALUES (:w, :n)"),
                    {"w": writer, "n": number},
                )
    finally:
        engine.dispose()


@pytest.fixture
def database(tmp_path: Path) -> Path:
    path = tmp_path / "writes.db"
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE counter (n INTEGER NOT NULL)"))
        connection.execute(text("INSERT INTO counter VALUES (0)"))
        connection.execute(text("CREATE TABLE entry (writer TEXT, number INTEGER)"))
    engine.dispose()
    return path


def _count(path: Path) -> tuple[int, int]:
    with sqlite3.connect(path) as connection:
        (counter,) = connection.execute("SELECT n FROM counter").fetchone()
        (entries,) = connection.execute("SELECT count(*) FROM entry").fetchone()
    return counter, entries


def test_threads_of_one_process_take_turns(database: Path) -> None:
    failures: list[BaseException] = []

    def run(name: str) -> None:
        try:
            _write(database, name)
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=run, args=(f"t{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert _count(database) == (4 * WRITES, 4 * WRITES)


def test_processes_take_turns(database: Path) -> None:
    context = multiprocessing.get_context("spawn")
    processes = [context.Process(target=_write, args=(database, f"p{i}")) for i in range(3)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=120)
    assert [process.exitcode for process in processes] == [0, 0, 0]
    assert _count(database) == (3 * WRITES, 3 * WRITES)


def test_a_second_connection_of_the_same_thread_fails_rather_than_waits(database: Path) -> None:
    # The write lock lets its holder's thread through; SQLite (busy timeout zero) then refuses
    # the second writer as it always has. A lock that waited for itself would wait its hour.
    lock = WriteLock(str(database), timeout=3600)
    factory = connection_factory(lock)
    first = sqlite3.connect(database, factory=factory, check_same_thread=False)
    second = sqlite3.connect(database, factory=factory, timeout=0, check_same_thread=False)
    outcome: list[str] = []

    def write_twice() -> None:
        first.cursor().execute("UPDATE counter SET n = n + 1")
        try:
            second.cursor().execute("UPDATE counter SET n = n + 1")
        except sqlite3.OperationalError as error:
            outcome.append(str(error))
        first.commit()

    thread = threading.Thread(target=write_twice, daemon=True)
    thread.start()
    thread.join(timeout=60)
    assert not thread.is_alive(), "the holder's own second connection waited for the lock"
    assert outcome == ["database is locked"]
    first.close()
    second.close()
    assert _count(database)[0] == 1


def test_a_writer_waits_no_longer_than_its_timeout(database: Path) -> None:
    lock = WriteLock(str(database), timeout=0.2)
    holder = open(f"{database}.write-lock", "a+b")  # noqa: SIM115 - held across the test
    try:
        fcntl.flock(holder.fileno(), fcntl.LOCK_EX)  # another process's writer, as it were
        connection = sqlite3.connect(database, factory=connection_factory(lock))
        with pytest.raises(sqlite3.OperationalError, match="database is locked"):
            connection.cursor().execute("UPDATE counter SET n = n + 1")
        assert not connection.in_transaction
        fcntl.flock(holder.fileno(), fcntl.LOCK_UN)
        connection.cursor().execute("UPDATE counter SET n = n + 1")  # the lock was left as found
        connection.commit()
        connection.close()
    finally:
        holder.close()
    assert _count(database)[0] == 1


def test_a_transaction_may_end_on_another_thread(database: Path) -> None:
    # A route's session may be closed (and its transaction rolled back) by the teardown of
    # its dependency, on another thread of the pool than the one that wrote.
    engine = _engine(database)
    try:
        connection = engine.connect()
        connection.execute(text("UPDATE counter SET n = n + 1"))
        ended: list[BaseException] = []

        def end() -> None:
            try:
                connection.rollback()
                connection.close()
            except BaseException as error:
                ended.append(error)

        thread = threading.Thread(target=end)
        thread.start()
        thread.join()
        assert ended == []
        _write(database, "after")  # the lock was released: others write again
    finally:
        engine.dispose()
    assert _count(database) == (WRITES, WRITES)


def test_no_descriptor_is_left_open(database: Path) -> None:
    # One per engine would add up: a process that makes many (the tests) ran out.
    def descriptors() -> int:
        return len(os.listdir("/proc/self/fd"))

    before = descriptors()
    for _ in range(20):
        engine = _engine(database)
        with engine.begin() as connection:
            connection.execute(text("UPDATE counter SET n = n + 1"))
        engine.dispose()
    assert descriptors() <= before
