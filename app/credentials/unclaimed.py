"""What staff may do for a passer who has not accepted a badge yet: mail the link again.

Once the passer has accepted (:func:`app.claims.service.accept`), the badge is theirs: a
resend is refused, as it would only mail a second link to a badge already in hand (the
passer's own lost-link form still mails one).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.apikeys.service import Principal
from app.audit import service as audit
from app.claims import service as claims
from app.credentials.models import IssuedCredential
from app.errors import ConflictError
from app.mail.models import OutboxMessage
from app.mail.outbox import queue_notification
from app.settings import Settings

__all__ = ["resend_notification"]


def _unclaimed(session: Session, credential: IssuedCredential) -> None:
    if credential.status != "active":
        raise ConflictError(f"credential {credential.id} is {credential.status}, not active")
    if claims.claimed_at(session, credential.id) is not None:
        raise ConflictError(f"credential {credential.id} has been claimed by its passer")


def resend_notification(
    session: Session,
    credential: IssuedCredential,
    now: datetime,
    *,
    settings: Settings,
    actor: Principal | None,
) -> None:
    """Queue the notification again, with a fresh claim link, in the passer's language.

    Earlier links keep working until they expire.

    Raises:
        ConflictError: the badge is claimed already, or not active.
    """
    _unclaimed(session, credential)
    language = session.scalar(
        select(OutboxMessage.language)
        .where(OutboxMessage.credential_id == credential.id)
        .order_by(OutboxMessage.queued_at.desc())
        .limit(1)
    )
    queue_notification(session, credential, settings=settings, now=now, language=language)
    audit.record(
        session,
        "credential.resend",
        actor=actor,
        subject_type="credential",
        subject_id=credential.id,
        issuer_id=credential.issuer_id,
        details={},
        at=now,
    )
    session.commit()
