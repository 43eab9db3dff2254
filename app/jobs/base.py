"""The seam between the service and its job back ends: enqueueing, and what a task gets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from sqlalchemy.orm import Session, sessionmaker

from app.keyring import Keyring
from app.settings import Settings
from app.urls import Urls

# Job arguments travel as JSON through the queue's table: plain values only.
Argument = str | int | float | bool | None


class Jobs(Protocol):
    """Enqueues background work; implemented by each back end."""

    def defer(
        self,
        task: str,
        arguments: dict[str, Argument],
        *,
        lock: str | None = None,
        queueing_lock: str | None = None,
    ) -> bool:
        """Enqueue ``task`` (a name in the registry) to run once with ``arguments``.

        ``lock``: jobs with the same lock never run at the same time. ``queueing_lock``: at
        most one job with it waits in the queue; enqueueing another then does nothing and
        returns False.
        """
        ...

    def kick(self, task: str) -> None:
        """Ask for ``task`` to run soon: one job of it waits in the queue at most (its name
        is its ``queueing_lock``). A kick may be enqueued after it returns, never before the
        caller's committed work, so the job sees that work; a failure is only logged."""
        ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class WorkContext:
    """What a running task may use: one per worker process (or server), shared by its jobs."""

    settings: Settings
    sessions: sessionmaker[Session]
    keyring: Keyring
    urls: Urls
    jobs: Jobs

    @staticmethod
    def now() -> datetime:
        return datetime.now(UTC)
