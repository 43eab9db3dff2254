"""The sender: takes due mail from the outbox, sends it, records what the server said.

:func:`deliver_due` is one pass; whoever runs it (the background jobs of
:mod:`app.mail.tasks`, ``shomei mail send-due``) may run it in any number of processes at
once:

1. rows whose sender died mid-send (``sending`` past their lease) go back to ``queued``;
2. the throttle (``SHOMEI_MAIL_PER_MINUTE``) says how many may go out now: the limit less
   the attempts made in the last minute, counted in the database, so every process shares it;
3. due rows are claimed one by one with a conditional UPDATE (``… WHERE id = ? AND
   state = 'queued'``): of two processes, only one gets each row; the claim counts an attempt
   and sets a lease, and is committed before anything is sent;
4. each claimed mail is composed (:func:`app.mail.outbox.compose`), DKIM-signed when
   configured, and sent; then its outcome is committed:
   ``sent`` with the server's acceptance, ``queued`` again for a temporary failure (after
   ``SHOMEI_MAIL_RETRY_BASE_S`` * 2^(attempts-1)), ``failed`` for a permanent one or once
   the mail is older than ``SHOMEI_MAIL_MAX_AGE_H``.

A crash loses nothing: a claimed row is sent again after its lease. A mail goes out twice
only if the crash fell after the server accepted it and before step 4 was committed; it then
carries the same ``Message-ID``, by which receivers may recognise it.
"""

from __future__ import annotations

import logging
import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final, cast

from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from app.audit import service as audit
from app.credentials.models import IssuedCredential
from app.mail.messages import needs_utf8
from app.mail.models import OutboxMessage
from app.mail.outbox import compose
from app.mail.signing import DkimSigner
from app.mail.transport import (
    MailError,
    PermanentMailError,
    Transport,
    transport_for,
)
from app.settings import Settings

log = logging.getLogger("shomei.mail")
# Rows claimed per pass at most: a pass must finish well within its lease.
BATCH: Final = 200


def _rowcount(result: Any) -> int:
    return cast(CursorResult[Any], result).rowcount


def make_transport(settings: Settings) -> Transport:
    return transport_for(
        settings.smtp_url.get_secret_value(),
        settings.mail_outbox_dir,
        timeout=settings.smtp_timeout_s,
    )


def describe_transport(settings: Settings) -> str:
    """Where mail goes, in one line for the log (never a password)."""
    transport = make_transport(settings)
    dkim = f", DKIM-signed for {settings.mail_domain}" if settings.dkim_key_file else ""
    if settings.smtp_url.get_secret_value():
        return f"sending through {transport.where}{dkim}"
    return f"no SHOMEI_SMTP_URL set: mails are written as .eml files under {transport.where}{dkim}"


def make_signer(settings: Settings) -> DkimSigner | None:
    if settings.dkim_key_file is None:
        return None
    return DkimSigner(settings.dkim_key_file, settings.dkim_selector, settings.mail_domain)


def deliver_due(
    session_factory: sessionmaker[Session],
    settings: Settings,
    now: datetime,
    *,
    transport: Transport | None = None,
) -> int:
    """Send the mail that is due at ``now``, within the throttle; return how many were sent."""
    signer = make_signer(settings)
    claimed = _claim(session_factory, settings, now)
    if not claimed:
        return 0
    own_transport = transport is None
    transport = transport or make_transport(settings)
    sent = 0
    try:
        for row_id in claimed:
            sent += _deliver_one(session_factory, settings, transport, signer, row_id, now)
    finally:
        if own_transport:
            transport.close()
    return sent


def _claim(
    session_factory: sessionmaker[Session], settings: Settings, now: datetime
) -> list[uuid.UUID]:
    with session_factory() as session:
        # (1) leases that ran out: their sender died between claim and record
        _rowcount(
            session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.state == "sending", OutboxMessage.lease_until < now)
                .values(state="queued", lease_until=None)
                .execution_options(synchronize_session=False)
            )
        )
        session.commit()
        # (2) the throttle, shared by every process through the database
        recent = (
            session.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.last_attempt_at > now - timedelta(minutes=1))
            )
            or 0
        )
        budget = min(settings.mail_per_minute - recent, BATCH)
        if budget <= 0:
            return []
        # (3) claim due rows one by one; a row another process took first is skipped
        candidates = session.scalars(
            select(OutboxMessage.id)
            .where(OutboxMessage.state == "queued", OutboxMessage.next_attempt_at <= now)
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(budget)
        ).all()
        lease_until = now + timedelta(seconds=settings.mail_lease_s)
        claimed = []
        for row_id in candidates:
            result = session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == row_id, OutboxMessage.state == "queued")
                .values(
                    state="sending",
                    lease_until=lease_until,
                    attempts=OutboxMessage.attempts + 1,
                    last_attempt_at=now,
                )
                .execution_options(synchronize_session=False)
            )
            if _rowcount(result) == 1:
                claimed.append(row_id)
        session.commit()
        return claimed


@dataclass(frozen=True)
class _Claimed:
    """What a pass needs of a row once claimed (read before any transaction ends)."""

    id: uuid.UUID
    credential_id: uuid.UUID | None
    kind: str
    recipient: str
    message_id: str
    queued_at: datetime
    attempts: int


def _deliver_one(
    session_factory: sessionmaker[Session],
    settings: Settings,
    transport: Transport,
    signer: DkimSigner | None,
    row_id: uuid.UUID,
    now: datetime,
) -> int:
    with session_factory() as session:
        row = session.get(OutboxMessage, row_id)
        if row is None or row.state != "sending" or row.claim_token is None:
            return 0
        claimed = _Claimed(
            row.id,
            row.credential_id,
            row.kind,
            row.recipient,
            row.message_id,
            row.queued_at,
            row.attempts,
        )
        message = compose(session, row, settings)
        if signer is not None:
            message = signer.sign(message)
        session.rollback()  # hold no transaction (nor SQLite's lock) while the server answers
        # (4) send, then record the outcome of this claim (and only this one)
        try:
            reply = transport.send(
                settings.mail_from, claimed.recipient, message, utf8=needs_utf8(claimed.recipient)
            )
        except MailError as error:
            _record_failure(session, settings, claimed, error, now)
            return 0
        _record(
            session,
            claimed,
            {"state": "sent", "sent_at": now, "lease_until": None, "last_error": reply[:1000]},
            "mail.send",
            now,
        )
        log.info(
            "mail %s sent (%s, attempt %d): %s",
            claimed.message_id,
            claimed.kind,
            claimed.attempts,
            _redacted(reply),
            extra={"outbox_id": str(claimed.id), "credential_id": str(claimed.credential_id)},
        )
        return 1


def _record(
    session: Session,
    claimed: _Claimed,
    values: dict[str, Any],
    action: audit.Action | None,
    now: datetime,
) -> None:
    """Write the outcome, if the row is still under this claim."""
    if values["state"] in ("sent", "failed"):
        values["claim_token"] = None  # in clear nowhere once it has gone (or never will)
    result = session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == claimed.id,
            OutboxMessage.state == "sending",
            OutboxMessage.attempts == claimed.attempts,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if _rowcount(result) == 1 and action is not None:
        details = {"attempts": claimed.attempts}
        if values["state"] == "failed":
            details["reply"] = values["last_error"]
        _audit(session, action, claimed, now, **details)
    session.commit()


def _record_failure(
    session: Session,
    settings: Settings,
    claimed: _Claimed,
    error: MailError,
    now: datetime,
) -> None:
    too_old = now - claimed.queued_at >= timedelta(hours=settings.mail_max_age_h)
    permanent = isinstance(error, PermanentMailError) or too_old
    if permanent:
        reply = error.reply if not too_old else f"{error.reply} (given up: too old to retry)"
        _record(
            session,
            claimed,
            {"state": "failed", "lease_until": None, "last_error": reply[:1000]},
            "mail.fail",
            now,
        )
    else:
        delay = settings.mail_retry_base_s * 2 ** min(claimed.attempts - 1, 20)
        _record(
            session,
            claimed,
            {
                "state": "queued",
                "lease_until": None,
                "last_error": error.reply[:1000],
                "next_attempt_at": now + timedelta(seconds=delay),
            },
            None,  # retried: the row shows it; the audit log records the outcome
            now,
        )
    log.log(
        logging.WARNING if permanent else logging.INFO,
        "mail %s %s (attempt %d): %s",
        claimed.message_id,
        "failed" if permanent else "deferred",
        claimed.attempts,
        _redacted(error.reply),
        extra={"outbox_id": str(claimed.id), "credential_id": str(claimed.credential_id)},
    )


_ADDRESS = re.compile(r"[^\s<>@\"']+@[^\s<>\"']+")


def _redacted(reply: str) -> str:
    """A server's reply for the log: it may quote the recipient's address, which the log
    never holds."""
    return _ADDRESS.sub("…@…", reply)


def _audit(
    session: Session, action: audit.Action, row: _Claimed, now: datetime, **details: Any
) -> None:
    if row.credential_id is None:
        return  # a passer's sign-in link: no issuer's business, so not in staff's audit log
    issuer_id = session.scalar(
        select(IssuedCredential.issuer_id).where(IssuedCredential.id == row.credential_id)
    )
    audit.record(
        session,
        action,
        actor=None,
        service=True,
        subject_type="credential",  # staff look a passer's mail up by the credential
        subject_id=row.credential_id,
        issuer_id=issuer_id,
        details={"outbox_id": str(row.id), "kind": row.kind, **details},
        at=now,
    )
