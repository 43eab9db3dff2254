"""The sender as background work (:mod:`app.jobs`): every few seconds, and after issuing.

``mail.outbox`` runs :func:`app.mail.sender.deliver_due` every 5 seconds: on PostgreSQL in one
``shomei worker`` of all of them, in the server on SQLite. Issuing kicks ``mail.send_due``
at once, so a passer's mail does not wait for the next tick (on PostgreSQL through
:mod:`app.jobs.kicks`: one enqueueing at a time per process, however many requests kick,
and none on a request's path); a kick that cannot be enqueued is only logged, since the
tick sends the mail anyway. ``SHOMEI_MAIL_PAUSED`` stops both (mail stays queued;
``shomei mail send-due`` still sends).
"""

from __future__ import annotations

import logging
from typing import Final

from app.jobs.base import Argument, Jobs, WorkContext
from app.mail.sender import deliver_due
from app.settings import Settings

SEND_DUE: Final = "mail.send_due"  # the kick after issuing
OUTBOX: Final = "mail.outbox"  # the periodic task
EVERY_5_SECONDS: Final = "* * * * * */5"
log = logging.getLogger("shomei.mail")


def send_due(context: WorkContext, **arguments: Argument) -> None:
    """Send what is due now (both the kick and the periodic task)."""
    if context.settings.mail_paused:
        return
    deliver_due(context.sessions, context.settings, context.now())


def kick(jobs: Jobs, settings: Settings) -> None:
    """Ask for a sending pass now; at most one waits in the queue at a time."""
    if settings.mail_paused:
        return
    try:
        jobs.kick(SEND_DUE)  # on PostgreSQL coalesced per process, off the request's path
    except Exception:  # whatever the queue's failure, the tick sends the mail anyway
        log.warning("mail: could not ask for an immediate send; the next tick sends it")
