"""Every background task and periodic task, by name: the one place to add one.

To add a task:

1. write ``def run(context: WorkContext, **arguments: Argument) -> None`` in your domain's
   package (``app/mail/outbox.py``, say); its arguments are JSON values (ids as strings);
2. add ``Task("mail.send", run)`` to :func:`tasks` below;
3. enqueue it from a request with ``resources.jobs.defer("mail.send", {"message_id": ...})``,
   or from another task with ``context.jobs.defer(...)``.

To add a periodic task, write ``def run(context: WorkContext) -> None`` and add
``PeriodicTask("mail.outbox", run, cron="* * * * * */15")`` to :func:`periodic_tasks`. ``cron``
has five fields, or six with seconds last (``*/15`` seconds: every 15 s). On PostgreSQL one
worker of all of them runs each tick; in the server, each server process does.

A task may run again after it did its work (a worker killed before the queue recorded the
end, a retry): make its effect conditional in SQL (``UPDATE … WHERE state = 'pending'``), and
it may be retried up to ``attempts`` times when it raises.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from app.jobs.base import WorkContext


@dataclass(frozen=True)
class Task:
    name: str
    run: Callable[..., None]  # run(context: WorkContext, **arguments)
    attempts: int = 5


@dataclass(frozen=True)
class PeriodicTask:
    name: str
    run: Callable[[WorkContext], None]
    cron: str


def tasks() -> tuple[Task, ...]:
    """The tasks workers know. Import each domain's module inside this function, not at the
    top: domains import the jobs package themselves."""
    from app.batches import worker as batches
    from app.mail import tasks as mail
    from app.webhooks import tasks as webhooks

    return (
        Task(batches.ISSUE_CHUNK, batches.issue_chunk),
        Task(mail.SEND_DUE, mail.send_due, attempts=1),  # the periodic task follows it up
        Task(webhooks.DELIVER_DUE, webhooks.deliver, attempts=1),  # likewise
    )


def periodic_tasks() -> tuple[PeriodicTask, ...]:
    """The periodic tasks (imports inside, as in :func:`tasks`)."""
    from app.batches import worker as batches
    from app.claims import reminders
    from app.mail import tasks as mail
    from app.obapi import cleanup
    from app.webhooks import tasks as webhooks

    return (
        PeriodicTask(batches.RESUME, batches.resume, cron="* * * * * */30"),
        PeriodicTask(mail.OUTBOX, mail.send_due, cron=mail.EVERY_5_SECONDS),
        PeriodicTask(reminders.REMINDERS, reminders.run, cron=reminders.EVERY_10_MINUTES),
        PeriodicTask(webhooks.DELIVER, webhooks.deliver, cron=webhooks.EVERY_5_SECONDS),
        PeriodicTask(webhooks.EXPIRY, webhooks.expiry, cron=webhooks.EVERY_MINUTE),
        PeriodicTask(cleanup.CLEANUP, cleanup.run, cron=cleanup.HOURLY),
    )


def by_name() -> dict[str, Task]:
    return {task.name: task for task in tasks()}


def run_task(task: Task, context: WorkContext, arguments: dict[str, Any]) -> None:
    task.run(context, **arguments)
