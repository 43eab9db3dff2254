"""Jobs run by a thread inside this process: the back end of SQLite (``make run``).

One thread runs the jobs one at a time, in the order they were enqueued (so jobs sharing a
lock never overlap), retries a failed job with a growing wait, and runs the periodic tasks
when they are due. Nothing is kept on disk: the tasks themselves keep their state in the
database, and a periodic task picks up what a stopped server left (batches resume through
``batches.resume``, which also runs as soon as the thread starts).
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from app.jobs import registry
from app.jobs.base import Argument, WorkContext
from app.jobs.schedule import next_run
from app.keyring import Keyring
from app.settings import Settings
from app.urls import Urls

logger = logging.getLogger("shomei.jobs")

_MAX_RETRY_WAIT_S = 60.0


@dataclass(order=True)
class _Due:
    at: float
    seq: int
    task: str = field(compare=False)
    arguments: dict[str, Any] = field(compare=False)
    attempt: int = field(compare=False, default=1)
    queueing_lock: str | None = field(compare=False, default=None)


class InProcessJobs:
    """Enqueues into, and runs from, this process's memory."""

    def __init__(
        self,
        settings: Settings,
        sessions: sessionmaker[Session],
        keyring: Keyring,
        urls: Urls,
        *,
        periodic: bool = True,
    ) -> None:
        self.context = WorkContext(settings, sessions, keyring, urls, self)
        self._tasks = registry.by_name()
        self._periodic = registry.periodic_tasks() if periodic else ()
        self._due: list[_Due] = []
        self._waiting: set[str] = set()
        self._seq = itertools.count()
        self._changed = threading.Condition()
        self._stopping = False
        self._busy = False
        self._thread = threading.Thread(target=self._loop, name="shomei-jobs", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def defer(
        self,
        task: str,
        arguments: dict[str, Argument],
        *,
        lock: str | None = None,
        queueing_lock: str | None = None,
    ) -> bool:
        if task not in self._tasks:
            raise KeyError(f"no task {task!r} in app/jobs/registry.py")
        with self._changed:
            if queueing_lock is not None:
                if queueing_lock in self._waiting:
                    return False
                self._waiting.add(queueing_lock)
            self._push(
                _Due(
                    time.monotonic(),
                    next(self._seq),
                    task,
                    dict(arguments),
                    queueing_lock=queueing_lock,
                )
            )
        return True

    def kick(self, task: str) -> None:
        # In memory: as cheap as a kick can be, so it is made at once.
        self.defer(task, {}, queueing_lock=task)

    def idle(self) -> bool:
        """No job waiting and none running (periodic tasks aside)."""
        with self._changed:
            return not self._busy and not self._due

    def close(self) -> None:
        with self._changed:
            self._stopping = True
            self._changed.notify_all()
        if self._thread.is_alive():
            self._thread.join(timeout=30)

    def _push(self, due: _Due) -> None:
        heapq.heappush(self._due, due)
        self._changed.notify_all()

    def _loop(self) -> None:
        periodic_at = {p.name: time.monotonic() for p in self._periodic}  # each runs at once
        while True:
            with self._changed:
                while True:
                    if self._stopping:
                        return
                    now = time.monotonic()
                    waits = [self._due[0].at - now] if self._due else []
                    waits += [at - now for at in periodic_at.values()]
                    if any(wait <= 0 for wait in waits):
                        break
                    self._changed.wait(timeout=min(waits, default=None))
                job = heapq.heappop(self._due) if self._due and self._due[0].at <= now else None
                if job is not None and job.queueing_lock is not None:
                    self._waiting.discard(job.queueing_lock)
                self._busy = job is not None
            if job is not None:
                self._run(job)
                with self._changed:
                    self._busy = False
                continue
            for periodic in self._periodic:
                if periodic_at[periodic.name] <= time.monotonic():
                    self._run_periodic(periodic)
                    wall = datetime.now(UTC)
                    periodic_at[periodic.name] = (
                        time.monotonic() + (next_run(periodic.cron, wall) - wall).total_seconds()
                    )

    def _run(self, job: _Due) -> None:
        task = self._tasks[job.task]
        try:
            registry.run_task(task, self.context, job.arguments)
        except Exception:
            if job.attempt >= task.attempts:
                logger.exception("job %s failed for good after %d attempts", job.task, job.attempt)
                return
            wait = min(2.0**job.attempt, _MAX_RETRY_WAIT_S)
            logger.exception(
                "job %s failed (attempt %d); retrying in %.0f s", job.task, job.attempt, wait
            )
            with self._changed:
                self._push(
                    _Due(
                        time.monotonic() + wait,
                        next(self._seq),
                        job.task,
                        job.arguments,
                        attempt=job.attempt + 1,
                    )
                )

    def _run_periodic(self, periodic: registry.PeriodicTask) -> None:
        try:
            periodic.run(self.context)
        except Exception:
            logger.exception(
                "periodic task %s failed; it runs again at its next time", periodic.name
            )
