"""Reminders for badges nobody has accepted, a periodic job (:mod:`app.jobs.registry`).

``SHOMEI_CLAIM_REMINDER_DAYS`` (default ``7,30``) are days after issuing. Reminder *n* is due
for an active credential whose passer was notified and has not accepted it, once its *n*-th
delay has passed and before the next one: a badge issued long ago gets only the reminder of
its present window, not every reminder at once. Each goes once: the ``claim_reminder`` row
(unique per credential and number) is written in the transaction that queues the mail, so
two workers, or a run repeated after a crash, cannot mail one twice.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Final

from sqlalchemy import exists, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from app.claims.models import Claim, ClaimReminder
from app.credentials.models import IssuedCredential
from app.jobs.base import WorkContext
from app.mail.models import OutboxMessage
from app.mail.outbox import queue_notifications
from app.settings import Settings

REMINDERS: Final = "claims.reminders"
EVERY_10_MINUTES: Final = "*/10 * * * *"
CHUNK: Final = 250  # reminders queued in one transaction
log = logging.getLogger("shomei.claims")


def _due(
    session: Session, number: int, days: tuple[int, ...], now: datetime
) -> list[IssuedCredential]:
    since = now - timedelta(days=days[number - 1])
    query = select(IssuedCredential).where(
        IssuedCredential.status == "active",
        IssuedCredential.issued_at <= since,
        exists().where(
            OutboxMessage.credential_id == IssuedCredential.id,
            OutboxMessage.kind == "notification",
        ),
        ~exists().where(Claim.credential_id == IssuedCredential.id, Claim.claimed_at.is_not(None)),
        ~exists().where(
            ClaimReminder.credential_id == IssuedCredential.id, ClaimReminder.number == number
        ),
    )
    if number < len(days):
        query = query.where(IssuedCredential.issued_at > now - timedelta(days=days[number]))
    return list(session.scalars(query.order_by(IssuedCredential.issued_at).limit(CHUNK)))


def send_reminders(sessions: sessionmaker[Session], settings: Settings, now: datetime) -> int:
    """Queue every reminder due at ``now``; how many."""
    days = settings.claim_reminder_days
    queued = 0
    for number in range(1, len(days) + 1):
        while True:
            with sessions() as session:
                credentials = _due(session, number, days, now)
                if not credentials:
                    break
                session.execute(
                    insert(ClaimReminder),
                    [
                        {"credential_id": c.id, "number": number, "queued_at": now}
                        for c in credentials
                    ],
                )
                queue_notifications(
                    session, credentials, settings=settings, now=now, kind="claim_reminder"
                )
                try:
                    session.commit()
                except IntegrityError:  # another run queued some of them meanwhile
                    session.rollback()
                    log.info("claims: reminders queued elsewhere meanwhile; retrying")
                    continue
                queued += len(credentials)
    return queued


def run(context: WorkContext) -> None:
    """The periodic task: queue what is due (the mail sender sends it)."""
    if context.settings.mail_paused:
        return
    send_reminders(context.sessions, context.settings, context.now())
