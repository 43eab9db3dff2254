"""SQLite writers queue on an operating-system lock, not on SQLite's busy handler.

SQLite lets one connection write at a time. A connection that finds the write lock taken
polls it from its busy handler, sleeping 1, 2, 5, 10 … ms between tries
(https://www.sqlite.org/c3ref/busy_timeout.html), however soon the lock is released. With
two server processes issuing at once, the waiter mostly slept while the lock stood free, and
when the holder's thread waited for the interpreter lock, the other process's sleeps grew
longer still: four connections issued fewer credentials a second than two.

Each write transaction therefore first takes a lock of the process (its threads queue on it,
and the next wakes the moment the holder commits or rolls back) and then an exclusive
``flock`` on a file beside the database (another process's writer tries it again after a
tenth of a millisecond, growing to two). SQLite's own locking is unchanged and still guards
against every other writer (a command line, a migration).

The connections keep Python's implicit transactions
(https://docs.python.org/3/library/sqlite3.html#sqlite3-transaction-control): a
transaction begins at the first INSERT, UPDATE, DELETE or REPLACE, so reads before it take
no lock, and the locks are held only from that statement to the commit.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
import time
from typing import Any

__all__ = ["WriteLock", "connection_factory"]

_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


class WriteLock:
    """One database's write lock: a lock of the process, then a lock file's ``flock``.

    Waiting is bounded as SQLite's busy timeout bounds it: past ``timeout`` seconds the
    writer gets SQLite's own "database is locked" error. A thread that already holds the
    lock (a second connection of its own) passes through, and finds SQLite's lock as before.
    """

    def __init__(self, database: str, timeout: float) -> None:
        # A plain lock, not a thread's: a transaction may end on another thread than the one
        # it began on (a session closed by a route's teardown).
        self._threads = threading.Lock()
        self._owner: int | None = None  # the thread that took it
        self._depth = 0
        self._path = f"{database}.write-lock"
        self._fd: int | None = None
        self._timeout = timeout

    def acquire(self) -> None:
        me = threading.get_ident()
        if self._owner == me:  # a second connection of the holder's own thread
            self._depth += 1
            return
        deadline = time.monotonic() + self._timeout
        if not self._threads.acquire(timeout=self._timeout):
            raise sqlite3.OperationalError("database is locked")
        try:
            self._lock_file(deadline)
        except BaseException:
            self._threads.release()
            raise
        self._owner, self._depth = me, 1

    def release(self) -> None:
        self._depth -= 1
        if self._depth:
            return
        self._owner = None
        fd, self._fd = self._fd, None
        try:
            if fd is not None:
                os.close(fd)  # which unlocks it
        finally:
            self._threads.release()

    def _lock_file(self, deadline: float) -> None:
        # Opened for each transaction and closed after it (a few microseconds): a descriptor
        # kept open would outlive the engine, one per engine ever made in a process.
        fd = os.open(self._path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        # flock has no timeout: another process's writer is polled for, after sleeps of a
        # tenth of a millisecond growing to two (SQLite's own grow to 100 ms).
        pause = 0.0001
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                self._fd = fd
                return
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    os.close(fd)
                    raise sqlite3.OperationalError("database is locked") from None
                time.sleep(pause)
                pause = min(2 * pause, 0.002)
            except BaseException:
                os.close(fd)
                raise


def connection_factory(lock: WriteLock) -> type[sqlite3.Connection]:
    """A ``sqlite3.Connection`` class whose write transactions hold ``lock``."""

    class Connection(sqlite3.Connection):
        _holding = False

        # Every cursor is one of ours (SQLAlchemy asks for a plain one).
        def cursor(self, factory: Any = None) -> Any:
            return super().cursor(factory or Cursor)

        def _will_write(self, statement: str) -> None:
            if (
                not self._holding
                and not self.in_transaction
                and statement.lstrip()[:7].upper().startswith(_WRITES)
            ):
                lock.acquire()
                self._holding = True

        def _wrote(self) -> None:
            # A statement that failed before its implicit BEGIN leaves no transaction.
            if self._holding and not self.in_transaction:
                self._holding = False
                lock.release()

        def commit(self) -> None:
            try:
                super().commit()
            finally:
                self._wrote()

        def rollback(self) -> None:
            try:
                super().rollback()
            finally:
                self._wrote()

        def close(self) -> None:
            try:
                super().close()
            finally:
                if self._holding:
                    self._holding = False
                    lock.release()

    class Cursor(sqlite3.Cursor):
        connection: Connection

        def execute(self, sql: str, parameters: Any = (), /) -> Cursor:
            self.connection._will_write(sql)
            try:
                super().execute(sql, parameters)
            finally:
                self.connection._wrote()
            return self

        def executemany(self, sql: str, parameters: Any, /) -> Cursor:
            self.connection._will_write(sql)
            try:
                super().executemany(sql, parameters)
            finally:
                self.connection._wrote()
            return self

    return Connection
