"""Jobs on PostgreSQL through procrastinate, run by ``shomei worker`` processes.

procrastinate (https://procrastinate.readthedocs.io/) keeps jobs in PostgreSQL tables (made by
our migration ``0005``), wakes workers with LISTEN/NOTIFY, retries failed jobs, and records a
heartbeat per worker. A worker killed mid-job leaves its job ``doing`` with a heartbeat that
stops: the periodic task ``jobs.retry_stalled`` (run by any live worker) puts such jobs back
in the queue (procrastinate's "retry stalled jobs" recipe). Tasks are written so that running
one twice does no harm.

Signing is CPU-bound, so one process runs one job at a time; ``shomei worker --concurrency N``
starts N such processes (default: one per core), and more machines may run more against the
same database.
"""

from __future__ import annotations

import ctypes
import logging
import logging.config
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from multiprocessing.process import BaseProcess
from typing import Any, Final

import procrastinate
from procrastinate import JobContext, PsycopgConnector, RetryStrategy
from procrastinate.exceptions import AlreadyEnqueued, UniqueViolation
from procrastinate.jobs import Status
from sqlalchemy.engine import make_url

from app.jobs import registry
from app.jobs.base import Argument, WorkContext
from app.jobs.kicks import CoalescedKicks
from app.settings import Settings

logger = logging.getLogger("shomei.jobs")

# A worker's heartbeat every HEARTBEAT_S; one silent for STALLED_AFTER_S is taken for dead and
# its running jobs are queued again.
HEARTBEAT_S: Final = 2.0
STALLED_AFTER_S: Final = 10.0
RETRY_STALLED: Final = "jobs.retry_stalled"


def conninfo(database_url: str) -> str:
    """The libpq connection string of a SQLAlchemy ``postgresql+psycopg://`` URL."""
    return make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)


def build_app(settings: Settings, context: Callable[[], WorkContext] | None) -> procrastinate.App:
    """A procrastinate app knowing every task of the registry.

    ``context``: how a worker gets its :class:`WorkContext` (``None`` to enqueue only).
    """
    app = procrastinate.App(
        connector=PsycopgConnector(conninfo=conninfo(settings.database_url), min_size=1, max_size=4)
    )
    for task in registry.tasks():
        app.task(
            name=task.name,
            retry=RetryStrategy(max_attempts=task.attempts - 1, exponential_wait=2),
        )(_task_runner(task, context))
    for periodic in registry.periodic_tasks():
        app.periodic(cron=periodic.cron, periodic_id=periodic.name)(
            app.task(name=periodic.name)(_periodic_runner(periodic, context))
        )
    app.periodic(cron="* * * * * */5", periodic_id=RETRY_STALLED)(
        app.task(name=RETRY_STALLED, pass_context=True)(_retry_stalled)
    )
    return app


def _task_runner(
    task: registry.Task, context: Callable[[], WorkContext] | None
) -> Callable[..., None]:
    def run(**arguments: Any) -> None:
        if context is None:
            raise RuntimeError("this process only enqueues jobs")
        registry.run_task(task, context(), arguments)

    run.__name__ = task.name.replace(".", "_")
    return run


def _periodic_runner(
    periodic: registry.PeriodicTask, context: Callable[[], WorkContext] | None
) -> Callable[..., None]:
    def run(timestamp: int) -> None:
        if context is None:
            raise RuntimeError("this process only enqueues jobs")
        periodic.run(context())

    run.__name__ = periodic.name.replace(".", "_")
    return run


async def _retry_stalled(job_context: JobContext, timestamp: int) -> None:
    manager = job_context.app.job_manager
    for job in await manager.get_stalled_jobs(seconds_since_heartbeat=STALLED_AFTER_S):
        try:
            await manager.retry_job(job)
        except UniqueViolation:
            # A job with the same queueing lock already waits (a batch's resume queued the
            # chunk again): that one does the work, and this one must not block the rest.
            await manager.finish_job(job, status=Status.FAILED, delete_job=True)
            logger.warning(
                "job %s (%s) of a worker that stopped: already queued again", job.id, job.task_name
            )
        else:
            logger.warning(
                "job %s (%s) of a worker that stopped: queued again", job.id, job.task_name
            )


class PostgresJobs:
    """Enqueues into procrastinate's tables (the server's side, and workers' follow-ups)."""

    def __init__(self, settings: Settings) -> None:
        self._app = build_app(settings, None)
        self._open = False
        self._lock = threading.Lock()
        # A kick is a round trip here: requests leave it to a thread (app.jobs.kicks).
        self.kicks = CoalescedKicks(lambda task: self.defer(task, {}, queueing_lock=task))

    def defer(
        self,
        task: str,
        arguments: dict[str, Argument],
        *,
        lock: str | None = None,
        queueing_lock: str | None = None,
    ) -> bool:
        with self._lock:
            if not self._open:
                self._app.open()
                self._open = True
        try:
            self._app.configure_task(task, lock=lock, queueing_lock=queueing_lock).defer(
                **arguments
            )
        except AlreadyEnqueued:
            return False
        return True

    def kick(self, task: str) -> None:
        self.kicks.kick(task)

    def close(self) -> None:
        self.kicks.close()
        with self._lock:
            if self._open:
                self._app.close()
                self._open = False


def work(settings: Settings) -> None:
    """Run one worker in this process until it is told to stop (SIGTERM, SIGINT)."""
    from app.db import make_engine, make_sessionmaker
    from app.keyring import Keyring
    from app.logs import logging_config
    from app.urls import Urls

    logging.config.dictConfig(logging_config(settings))
    engine = make_engine(settings.database_url, pool_size=2, max_overflow=2)
    urls = Urls(settings.base_url)
    jobs = PostgresJobs(settings)
    context = WorkContext(
        settings,
        make_sessionmaker(engine),
        Keyring(settings.key_passphrase.get_secret_value(), urls),
        urls,
        jobs,
    )
    app = build_app(settings, lambda: context)
    try:
        app.run_worker(
            concurrency=1,
            update_heartbeat_interval=HEARTBEAT_S,
            stalled_worker_timeout=STALLED_AFTER_S,
            delete_jobs="successful",
            install_signal_handlers=True,
        )
    finally:
        jobs.close()
        engine.dispose()


def _die_with_parent() -> None:
    # A worker process must not outlive the `shomei worker` that started it (Linux prctl).
    if sys.platform == "linux":
        pr_set_pdeathsig = 1
        ctypes.CDLL(None).prctl(pr_set_pdeathsig, signal.SIGKILL)


def _child(settings: Settings) -> None:
    _die_with_parent()
    work(settings)


def run_workers(settings: Settings, concurrency: int) -> None:
    """``concurrency`` worker processes (restarted if one dies) until SIGTERM or SIGINT."""
    if concurrency == 1:
        work(settings)
        return
    spawn = multiprocessing.get_context("fork")
    stopping = threading.Event()

    def stop(signum: int, frame: object) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    def start() -> BaseProcess:
        process: BaseProcess = spawn.Process(target=_child, args=(settings,), daemon=False)
        process.start()
        return process

    children = [start() for _ in range(concurrency)]
    while not stopping.wait(1.0):
        for i, child in enumerate(children):
            if not child.is_alive():
                logger.warning(
                    "worker process %s exited (%s): starting another", child.pid, child.exitcode
                )
                children[i] = start()
    for child in children:
        if child.pid is not None and child.is_alive():
            os.kill(child.pid, signal.SIGTERM)
    deadline = time.monotonic() + 30
    for child in children:
        child.join(max(0.0, deadline - time.monotonic()))
