"""Kicks coalesced per process: "run this task soon", enqueued by one background thread.

A kick (the mail sender's after issuing) asks for a task that at most one job of waits in
the queue (a ``queueing_lock``). On PostgreSQL enqueueing it is a round trip to the
database, and a request that issued a credential waited for it although its answer does
not depend on it. Here the request only records the kick; a thread of the process enqueues
it, and every kick made while it does so is folded into one more enqueueing after it. So
each kick is still followed by an enqueueing that starts after it (the job then sees what
the kicking request committed), and a process makes at most one round trip at a time for a
task, however many requests kick it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Final

log = logging.getLogger("shomei.jobs")

_CLOSE_WAIT_S: Final = 5.0


class CoalescedKicks:
    """Enqueues kicked tasks with ``enqueue`` from one background thread, started lazily."""

    def __init__(self, enqueue: Callable[[str], object]) -> None:
        self._enqueue = enqueue
        self._pending: dict[str, None] = {}  # kicked since the thread last looked, in order
        self._changed = threading.Condition()
        self._thread: threading.Thread | None = None
        self._closed = False
        self.enqueued = 0  # enqueueings made (each a round trip on PostgreSQL)

    def kick(self, task: str) -> None:
        """Ask for ``task`` to be enqueued soon; never waits for the queue."""
        with self._changed:
            if self._closed:
                return  # the process is stopping: the periodic task sends the rest
            self._pending[task] = None
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="shomei-kicks", daemon=True)
                self._thread.start()
            self._changed.notify()

    def close(self) -> None:
        """Enqueue what was kicked already, then stop the thread."""
        with self._changed:
            self._closed = True
            self._changed.notify()
            thread = self._thread
        if thread is not None:
            thread.join(_CLOSE_WAIT_S)

    def _loop(self) -> None:
        while True:
            with self._changed:
                while not self._pending and not self._closed:
                    self._changed.wait()
                if not self._pending:
                    return
                tasks = list(self._pending)
                self._pending.clear()
            for task in tasks:
                try:
                    self._enqueue(task)
                    self.enqueued += 1
                except Exception:  # the task's periodic run does the work anyway
                    log.warning("jobs: could not enqueue %s now; its next tick runs it", task)
