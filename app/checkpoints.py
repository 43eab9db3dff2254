"""SQLite's write-ahead log checkpointed by a thread of the server's own, not by its requests.

In WAL mode (https://www.sqlite.org/wal.html#automatic_checkpoint) the commit that takes the
log past 1,000 pages copies the log back into the database file itself, and with
``synchronous=NORMAL`` that copy is the only step that waits for the disk (an fsync of the
log and of the database file): the unlucky request, one in some thirty issuances, waited
several milliseconds for it. The server's connections turn the automatic checkpoint off
(``PRAGMA wal_autocheckpoint=0``) and this thread runs a PASSIVE checkpoint a few times a
second instead (https://www.sqlite.org/pragma.html#pragma_wal_checkpoint): it never blocks
a reader or a writer, does nothing when the log holds nothing new, and a checkpoint another
process is running already is simply skipped.

Durability is unchanged: a commit is in the log when it returns, whoever copies it back
later, and after a crash SQLite replays the log on the next open. Other processes (the
command line, tests) keep the automatic checkpoint; the last connection to close
checkpoints the log as it always does.
"""

from __future__ import annotations

import logging
import threading
from typing import Final

from sqlalchemy import Engine

__all__ = ["INTERVAL_S", "THREAD_NAME", "WalCheckpoints", "in_checkpoint_thread"]

log = logging.getLogger("shomei.db")

THREAD_NAME: Final = "shomei-wal-checkpoints"


def in_checkpoint_thread() -> bool:
    """Whether this is the checkpoint thread (whose statements are no request's)."""
    return threading.current_thread().name == THREAD_NAME


# Short enough that the log stays a few megabytes at a few hundred commits a second.
INTERVAL_S: Final = 0.25


class WalCheckpoints:
    """A thread that checkpoints ``engine``'s database every ``interval`` seconds."""

    def __init__(self, engine: Engine, interval: float = INTERVAL_S) -> None:
        self.engine = engine
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=THREAD_NAME, daemon=True)

    @classmethod
    def start_for(cls, engine: Engine) -> WalCheckpoints | None:
        """Started for a SQLite engine whose connections leave checkpoints to it, else None."""
        if engine.dialect.name != "sqlite" or engine.url.database in (None, "", ":memory:"):
            return None
        checkpoints = cls(engine)
        checkpoints._thread.start()
        return checkpoints

    def checkpoint(self) -> None:
        """One PASSIVE checkpoint now."""
        with self.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")

    def close(self) -> None:
        """Stop the thread after a last checkpoint."""
        self._stop.set()
        self._thread.join(timeout=30)

    def _loop(self) -> None:
        while True:
            stopping = self._stop.wait(self.interval)
            try:
                self.checkpoint()
            except Exception:  # the next round tries again; the log only grows meanwhile
                log.warning("checkpointing the SQLite write-ahead log failed", exc_info=True)
            if stopping:
                return
