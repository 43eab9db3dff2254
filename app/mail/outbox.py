"""Queueing mail in the outbox, in the caller's transaction, and reading its state back.

Issuing calls :func:`queue_notification` before it commits: the credential, its claim and
its mail are written together or not at all, and sending happens afterwards
(:mod:`app.mail.sender`), so a slow or absent mail server never slows issuing.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.achievements.models import Achievement
from app.claims import service as claims
from app.credentials.models import IssuedCredential
from app.mail.messages import Envelope, Notification, assemble, render_notification
from app.mail.models import OutboxMessage
from app.settings import Settings
from app.texts import LANGS, Lang
from app.urls import Urls


def message_id(base_url: str) -> str:
    """A new ``Message-ID`` (RFC 5322 §3.6.4): ``<uuid@host of the base URL>``."""
    return f"<{uuid.uuid4()}@{urlsplit(base_url).hostname or 'localhost'}>"


def passer_language(achievement: Achievement, language: str | None) -> Lang:
    """The language asked for, else the achievement's, else Japanese."""
    for choice in LANGS:
        if choice == language:
            return choice
    for choice in LANGS:
        if choice == achievement.language:
            return choice
    return "ja"


def queue_notification(
    session: Session,
    credential: IssuedCredential,
    *,
    settings: Settings,
    now: datetime,
    language: str | None = None,
) -> OutboxMessage:
    """Queue the mail that tells a passer of ``credential``, with a fresh claim link.

    Adds the claim and the outbox row to ``session``; the caller commits them with the
    credential, and its audit entry says ``notify``. ``language`` is ``ja`` or ``en``
    (default: the achievement's).
    """
    achievement = session.get(Achievement, credential.achievement_id)
    if achievement is None:  # pragma: no cover - a foreign key guarantees it
        raise LookupError(f"achievement {credential.achievement_id} does not exist")
    issuer = achievement.issuer
    lang = passer_language(achievement, language)
    claim = claims.new_claim(session, credential, now=now, days=settings.claim_token_days)
    notification = Notification(
        lang=lang,
        issuer=issuer.name_translations.get(lang) or issuer.name,
        achievement=achievement.name.get(lang) or achievement.text(achievement.name),
        recipient_name=credential.recipient_name,
        claim_url=Urls(settings.base_url).claim(claim.token),
        expires_at=claim.claim.expires_at,
    )
    rendered = render_notification(notification)
    envelope = Envelope(
        from_name=notification.issuer,
        from_address=settings.mail_from,
        to_address=credential.recipient_email,
        to_name=credential.recipient_name,
        message_id=message_id(settings.base_url),
        date=now,
        lang=lang,
    )
    row = OutboxMessage(
        id=uuid.uuid4(),
        credential_id=credential.id,
        kind="notification",
        recipient=credential.recipient_email,
        language=lang,
        message_id=envelope.message_id,
        message=assemble(envelope, rendered),
        state="queued",
        attempts=0,
        queued_at=now,
        next_attempt_at=now,
    )
    session.add(row)
    return row


@dataclass(frozen=True)
class MailState:
    """A credential's latest notification, as staff see it."""

    state: str
    language: str
    attempts: int
    queued_at: datetime
    next_attempt_at: datetime | None
    sent_at: datetime | None
    last_error: str | None


def _state(row: OutboxMessage) -> MailState:
    return MailState(
        state=row.state,
        language=row.language,
        attempts=row.attempts,
        queued_at=row.queued_at,
        next_attempt_at=row.next_attempt_at if row.state == "queued" else None,
        sent_at=row.sent_at,
        last_error=row.last_error,
    )


def latest_mail(
    session: Session, credential_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, MailState]:
    """The latest notification of each credential that has one, in one query."""
    ids = list(credential_ids)
    if not ids:
        return {}
    rows = session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.credential_id.in_(ids), OutboxMessage.kind == "notification")
        .order_by(OutboxMessage.queued_at, OutboxMessage.id)
    )
    return {row.credential_id: _state(row) for row in rows}  # the newest wins
