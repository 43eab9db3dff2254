"""The mail figures of ``shomei bench``: rendering, issuing with and without a notification,
and the sender against a real SMTP server on loopback.

Issuing is measured through the service function the API calls (signing included), on a
fresh SQLite database, in alternating rounds with ``notify`` off and on, so both figures
share the machine's ups and downs. The mails queued by the rounds with ``notify`` are then
sent to an ``aiosmtpd`` server on loopback by :func:`app.mail.sender.deliver_due`. Last, the
notifications of a 7,000-passer session are queued alone, 250 to a transaction as a batch
job issues them, to show what the mail adds to such a batch.
"""

from __future__ import annotations

import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import SecretStr
from sqlalchemy import delete, func, insert, select

from app import demo
from app.apikeys.service import Principal
from app.credentials import service as credentials
from app.credentials.models import IssuedCredential
from app.credentials.schemas import CredentialCreate, RecipientIn
from app.db import make_engine, make_sessionmaker
from app.keyring import Keyring
from app.mail.inbox import Inbox
from app.mail.messages import Envelope, Notification, assemble, render_notification
from app.mail.models import OutboxMessage
from app.mail.outbox import queue_notifications
from app.mail.sender import deliver_due
from app.settings import Settings
from app.urls import Urls

PASSERS_IN_A_SESSION = 7000  # the exam session the figures are read for
CHUNK = 250  # credentials a batch job issues in one transaction


def _render_rate(seconds: float) -> float:
    now = datetime(2026, 12, 7, tzinfo=UTC)
    notification = Notification(
        lang="ja",
        issuer="一般社団法人 AIリテラシー検定協会",
        achievement="生成AI活用検定 ジェネラリスト",
        recipient_name="山田 太郎",
        claim_url="https://badges.example.jp/claim/" + "x" * 43,
        expires_at=now + timedelta(days=180),
    )
    count, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        envelope = Envelope(
            from_name=notification.issuer,
            from_address="badges@example.jp",
            to_address=f"passer{count}@example.com",
            to_name=notification.recipient_name,
            message_id=f"<{uuid.uuid4()}@badges.example.jp>",
            date=now,
            lang="ja",
        )
        assemble(envelope, render_notification(notification))
        count += 1
    return count / (time.perf_counter() - started)


def run(*, quick: bool = False) -> dict[str, Any]:
    """Measure the mail figures; ``quick`` shortens each measurement for smoke tests."""
    seconds = 0.3 if quick else 3.0
    figures: dict[str, Any] = {"mail_render_per_s": round(_render_rate(seconds), 1)}
    with tempfile.TemporaryDirectory() as directory, Inbox() as inbox:
        settings = Settings(
            _env_file=None,
            database_url=f"sqlite:///{Path(directory) / 'bench.db'}",
            base_url="https://badges.example.jp",
            key_passphrase=SecretStr("benchmark passphrase only"),
            smtp_url=SecretStr(inbox.url),
            mail_from="badges@example.jp",
            mail_per_minute=1_000_000_000,  # the sender's speed, not the throttle
        )
        demo.prepare(settings)  # migrate; an issuer with keys and achievements
        engine = make_engine(settings.database_url)
        sessions = make_sessionmaker(engine)
        try:
            figures |= _issuing(settings, sessions, seconds)
            figures |= _queueing(settings, sessions)
            with sessions() as session:
                queued = session.scalar(select(func.count()).select_from(OutboxMessage)) or 0
            started, sent = time.perf_counter(), 0
            while sent < queued:
                done = deliver_due(sessions, settings, datetime.now(UTC))
                if done == 0:
                    raise RuntimeError("the benchmark's mails were not all sent")
                sent += done
            figures["outbox_send_per_s"] = round(sent / (time.perf_counter() - started), 1)
            if len(inbox.received) != sent:
                raise RuntimeError(f"{sent} mails sent, {len(inbox.received)} arrived")
        finally:
            engine.dispose()
    return figures


def _queueing(settings: Settings, sessions: Any) -> dict[str, Any]:
    """Queue the notifications of a whole session's passers, a batch chunk at a time."""
    from app.achievements.models import Achievement

    now = datetime.now(UTC)
    with sessions() as session:
        achievement = session.scalars(select(Achievement)).first()
        rows = [
            {
                "id": uuid.uuid4(),
                "issuer_id": achievement.issuer_id,
                "achievement_id": achievement.id,
                "format": "ob3",
                "status": "active",
                "recipient_email": f"session{i}@example.com",
                "recipient_email_lower": f"session{i}@example.com",
                "issued_at": now,
                "document": "{}",  # unsigned: only the mail's cost is measured here
            }
            for i in range(PASSERS_IN_A_SESSION)
        ]
        session.execute(insert(IssuedCredential), rows)
        session.commit()
    ids = [row["id"] for row in rows]
    started = time.perf_counter()
    for chunk in range(0, len(ids), CHUNK):
        with sessions() as session:
            credentials = session.scalars(
                select(IssuedCredential).where(IssuedCredential.id.in_(ids[chunk : chunk + CHUNK]))
            ).all()
            queue_notifications(session, credentials, settings=settings, now=now)
            session.commit()
    elapsed = time.perf_counter() - started
    with sessions() as session:  # these were for timing only: not sent below
        session.execute(delete(OutboxMessage).where(OutboxMessage.credential_id.in_(ids)))
        session.commit()
    return {f"queue_{PASSERS_IN_A_SESSION}_notifications_s": round(elapsed, 2)}


def _issuing(settings: Settings, sessions: Any, seconds: float) -> dict[str, Any]:
    from app.achievements.models import Achievement

    keyring = Keyring(settings.key_passphrase.get_secret_value(), Urls(settings.base_url))
    urls = Urls(settings.base_url)
    principal = Principal(key_id=uuid.uuid4(), is_admin=True, issuer_id=None)
    with sessions() as session:
        achievement_id = session.scalars(select(Achievement.id)).first()
    counts = {False: 0, True: 0}
    elapsed = {False: 0.0, True: 0.0}
    number = 0

    def issue(notify: bool) -> None:
        nonlocal number
        number += 1
        request = CredentialCreate(
            achievement_id=achievement_id,
            recipient=RecipientIn(email=f"passer{number}@example.com", name="山田 太郎"),
            notify=notify,
        )
        with sessions() as session:
            credentials.issue_credential(
                session, keyring, urls, principal, request, datetime.now(UTC), settings=settings
            )

    for notify in (False, True):  # warm-up: keys opened, templates compiled
        for _ in range(5):
            issue(notify)
    rounds = 6
    for _ in range(rounds):
        for notify in (False, True):
            started = time.perf_counter()
            while time.perf_counter() - started < seconds / rounds:
                issue(notify)
                counts[notify] += 1
            elapsed[notify] += time.perf_counter() - started
    without = counts[False] / elapsed[False]
    with_mail = counts[True] / elapsed[True]
    return {
        "issue_no_notify_per_s": round(without, 1),
        "issue_notify_per_s": round(with_mail, 1),
        "issue_notify_vs_no_notify_ratio": round(with_mail / without, 3),
        f"issue_{PASSERS_IN_A_SESSION}_no_notify_s": round(PASSERS_IN_A_SESSION / without, 1),
        f"issue_{PASSERS_IN_A_SESSION}_notify_s": round(PASSERS_IN_A_SESSION / with_mail, 1),
    }
