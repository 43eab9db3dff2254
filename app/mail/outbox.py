"""Queueing mail in the outbox, in the caller's transaction; composing it when it is sent.

Issuing calls :func:`queue_notification` before it commits: the credential, its claim and
its mail are written together or not at all. Queueing only draws a token and writes two
rows; the message is rendered by the sender (:func:`compose`), so neither a slow mail
server nor the cost of building MIME slows issuing.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from app.achievements.models import Achievement
from app.audit import service as audit
from app.claims import service as claims
from app.claims.models import Claim
from app.credentials.models import IssuedCredential
from app.mail.messages import (
    Envelope,
    Notification,
    Rendered,
    assemble,
    render_kind,
    render_notification,
)
from app.mail.models import OutboxMessage
from app.settings import Settings
from app.templating import render
from app.texts import LANGS, Lang, mail_text
from app.urls import Urls


def message_id(base_url: str) -> str:
    """A new ``Message-ID`` (RFC 5322 §3.6.4): ``<uuid@host of the base URL>``."""
    return f"<{uuid.uuid4()}@{urlsplit(base_url).hostname or 'localhost'}>"


def _language(value: str | None) -> Lang | None:
    for lang in LANGS:
        if lang == value:
            return lang
    return None


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


def queue_notification(
    session: Session,
    credential: IssuedCredential,
    *,
    settings: Settings,
    now: datetime,
    language: str | None = None,
) -> MailState:
    """Queue the mail that tells a passer of ``credential``, with a fresh claim link; return
    its state as :func:`latest_mail` reads it once committed (the issuing route answers with
    it without reading it back).

    Writes the claim and the outbox row in ``session``'s transaction (flushing ``credential``
    first); the caller commits them with the credential (its audit entry says ``notify``).
    ``language`` is ``ja`` or ``en``; by default the achievement's language, else Japanese.
    """
    languages = {credential.id: language} if language else None
    [(_, state)] = _queue(session, [credential], settings=settings, now=now, languages=languages)
    return state


def queue_notifications(
    session: Session,
    credentials: Sequence[IssuedCredential],
    *,
    settings: Settings,
    now: datetime,
    languages: Mapping[uuid.UUID, str | None] | None = None,
    kind: str = "notification",
) -> list[uuid.UUID]:
    """:func:`queue_notification` for many credentials at once (a batch's chunk): two
    multi-row INSERTs, whatever their number. ``languages`` maps a credential's id to its
    passer's language; ``kind`` is one of :data:`app.mail.models.KINDS`."""
    queued = _queue(
        session, credentials, settings=settings, now=now, languages=languages, kind=kind
    )
    return [outbox_id for outbox_id, _ in queued]


def _queue(
    session: Session,
    credentials: Sequence[IssuedCredential],
    *,
    settings: Settings,
    now: datetime,
    languages: Mapping[uuid.UUID, str | None] | None = None,
    kind: str = "notification",
) -> list[tuple[uuid.UUID, MailState]]:
    """The outbox rows' ids and the mails' states, queued as :func:`queue_notifications` says."""
    if not credentials:
        return []
    session.flush()  # the rows below refer to the credentials
    claim_rows: list[dict[str, object]] = []
    outbox_rows: list[dict[str, object]] = []
    queued: list[tuple[uuid.UUID, MailState]] = []
    expires_at = now + timedelta(days=settings.claim_token_days)
    for credential in credentials:
        lang = _language((languages or {}).get(credential.id))
        if lang is None:
            achievement = session.get(Achievement, credential.achievement_id)  # in the session
            lang = _language(achievement.language if achievement else None) or "ja"
        token, outbox_id = claims.new_token(), uuid.uuid4()
        queued.append((outbox_id, MailState("queued", lang, 0, now, now, None, None)))
        claim_rows.append(
            {
                "id": uuid.uuid4(),
                "credential_id": credential.id,
                "token_hash": claims.token_hash(token),
                "created_at": now,
                "expires_at": expires_at,
            }
        )
        outbox_rows.append(
            {
                "id": outbox_id,
                "credential_id": credential.id,
                "kind": kind,
                "recipient": credential.recipient_email,
                "language": lang,
                "message_id": message_id(settings.base_url),
                "claim_token": token,
                "state": "queued",
                "attempts": 0,
                "queued_at": now,
                "next_attempt_at": now,
            }
        )
    # Core INSERTs of many rows: no ORM bookkeeping per mail, however large the batch.
    session.execute(insert(Claim), claim_rows)
    session.execute(insert(OutboxMessage), outbox_rows)
    return queued


def compose(session: Session, row: OutboxMessage, settings: Settings) -> bytes:
    """The message of ``row``, ready to send (the same ``Message-ID`` and date every time).

    Raises:
        LookupError: its claim link is gone (the mail was sent or given up already).
    """
    if row.claim_token is None:
        raise LookupError(f"mail {row.id} has no claim link left to send")
    if row.kind == "sign_in":
        return _compose_sign_in(row, settings)
    credential = session.get(IssuedCredential, row.credential_id)
    claim = session.scalar(
        select(Claim).where(Claim.token_hash == claims.token_hash(row.claim_token))
    )
    if credential is None or claim is None:  # pragma: no cover - foreign keys keep them
        raise LookupError(f"mail {row.id} names a credential or claim that is gone")
    achievement = session.get(Achievement, credential.achievement_id)
    if achievement is None:  # pragma: no cover - a foreign key keeps it
        raise LookupError(f"achievement {credential.achievement_id} does not exist")
    issuer, lang = achievement.issuer, _language(row.language) or "ja"
    notification = Notification(
        lang=lang,
        issuer=issuer.name_translations.get(lang) or issuer.name,
        achievement=achievement.name.get(lang) or achievement.text(achievement.name),
        recipient_name=credential.recipient_name,
        claim_url=Urls(settings.base_url).claim(row.claim_token),
        expires_at=claim.expires_at,
    )
    envelope = Envelope(
        from_name=notification.issuer,
        from_address=settings.mail_from,
        to_address=row.recipient,
        to_name=credential.recipient_name,
        message_id=row.message_id,
        date=row.queued_at,
        lang=lang,
    )
    rendered = (
        render_kind(notification, row.kind)
        if row.kind in ("claim_link", "claim_reminder")
        else render_notification(notification)
    )
    return assemble(envelope, rendered)


def queue_sign_in(
    session: Session, email: str, token: str, *, settings: Settings, now: datetime, lang: Lang
) -> uuid.UUID:
    """Queue a passer's sign-in link (:mod:`app.passers.service` drew ``token``) in the
    caller's transaction; the token stays in clear on the row only until the mail is sent."""
    outbox_id = uuid.uuid4()
    session.add(
        OutboxMessage(
            id=outbox_id,
            credential_id=None,
            kind="sign_in",
            recipient=email,
            language=lang,
            message_id=message_id(settings.base_url),
            claim_token=token,
            state="queued",
            attempts=0,
            queued_at=now,
            next_attempt_at=now,
        )
    )
    return outbox_id


def _compose_sign_in(row: OutboxMessage, settings: Settings) -> bytes:
    from app.passers.service import LINK_MINUTES

    lang = _language(row.language) or "ja"
    assert row.claim_token is not None  # noqa: S101 - checked by the caller
    url = Urls(settings.base_url).account_sign_in(row.claim_token)
    context = {
        "lang": lang,
        "url": url,
        "minutes": str(LINK_MINUTES),
        "subject": mail_text("sign_in_subject", lang),
    }
    rendered = Rendered(
        subject=context["subject"],
        text=render("mail/sign_in.txt", **context) + "\n",
        html=render("mail/sign_in.html", **context) + "\n",
    )
    envelope = Envelope(
        from_name="Shomei",
        from_address=settings.mail_from,
        to_address=row.recipient,
        to_name=None,
        message_id=row.message_id,
        date=row.queued_at,
        lang=lang,
    )
    return assemble(envelope, rendered)


# A lost-link request mails at most this many of an address's badges, newest first.
LOST_LINK_MAX_CREDENTIALS = 20


def queue_claim_links(session: Session, email: str, *, settings: Settings, now: datetime) -> int:
    """Queue a fresh claim link for each valid badge issued to ``email``; how many.

    The caller answers the same whatever this returns: whether an address has badges is
    not for the asker to learn. Audited per credential (never with the address).
    """
    credentials = list(
        session.scalars(
            select(IssuedCredential)
            .where(
                IssuedCredential.recipient_email_lower == email.lower(),
                IssuedCredential.status == "active",
            )
            .order_by(IssuedCredential.issued_at.desc(), IssuedCredential.id)
            .limit(LOST_LINK_MAX_CREDENTIALS)
        )
    )
    queue_notifications(session, credentials, settings=settings, now=now, kind="claim_link")
    for credential in credentials:
        audit.record(
            session,
            "claim.lost_link",
            actor=None,
            subject_type="credential",
            subject_id=credential.id,
            issuer_id=credential.issuer_id,
            details={},
            at=now,
        )
    session.commit()
    return len(credentials)


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
    return {
        row.credential_id: MailState(  # the newest wins
            state=row.state,
            language=row.language,
            attempts=row.attempts,
            queued_at=row.queued_at,
            next_attempt_at=row.next_attempt_at if row.state == "queued" else None,
            sent_at=row.sent_at,
            last_error=row.last_error,
        )
        for row in rows
        if row.credential_id is not None
    }
