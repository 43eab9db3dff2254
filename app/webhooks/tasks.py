"""Webhook delivery as background work (:mod:`app.jobs`), run by the same workers as mail.

``webhooks.deliver`` runs :func:`app.webhooks.delivery.deliver_due` every 5 seconds (on
PostgreSQL in one ``shomei worker`` of all of them, in the server on SQLite); a status change
kicks ``webhooks.deliver_due`` at once so that its events do not wait for the tick (a kick that
cannot be enqueued is only logged: the tick sends them anyway). ``webhooks.expiry`` records,
every minute, the expiry of watched credentials whose ``validUntil`` has passed.
``SHOMEI_WEBHOOKS_PAUSED`` stops all three (events stay recorded).
"""

from __future__ import annotations

import logging
from typing import Final

from app.jobs.base import Argument, Jobs, WorkContext
from app.settings import Settings
from app.webhooks.delivery import deliver_due
from app.webhooks.events import record_expiries

DELIVER_DUE: Final = "webhooks.deliver_due"  # the kick after a status change
DELIVER: Final = "webhooks.deliver"  # the periodic task
EXPIRY: Final = "webhooks.expiry"
EVERY_5_SECONDS: Final = "* * * * * */5"
EVERY_MINUTE: Final = "* * * * *"
log = logging.getLogger("shomei.webhooks")


def deliver(context: WorkContext, **arguments: Argument) -> None:
    """Deliver what is due now (both the kick and the periodic task)."""
    if context.settings.webhooks_paused:
        return
    deliver_due(context.sessions, context.settings, context.now())


def expiry(context: WorkContext) -> None:
    """Record the expiry of watched credentials that have expired, then deliver it."""
    if context.settings.webhooks_paused:
        return
    with context.sessions() as session:
        recorded = record_expiries(session, context.now())
    if recorded:
        kick(context.jobs, context.settings)


def kick(jobs: Jobs, settings: Settings) -> None:
    """Ask for a delivery pass now; at most one waits in the queue at a time."""
    if settings.webhooks_paused:
        return
    try:
        jobs.defer(DELIVER_DUE, {}, queueing_lock=DELIVER_DUE)
    except Exception:  # whatever the queue's failure, the tick delivers the events anyway
        log.warning("webhooks: could not ask for an immediate delivery; the next tick does it")
