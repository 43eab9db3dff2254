"""Recording events, in the transaction of the change they tell of.

The credential's status change (:mod:`app.credentials.service`) calls :func:`record` before it
commits: the change and its events are written together or not at all, so an event is never
lost to a crash between them, and never sent for a change that was rolled back. Expiry is no
change anyone makes: :func:`record_expiries`, a periodic task, finds watched credentials whose
``validUntil`` has passed and records their event once.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Final, cast

from sqlalchemy import ColumnElement, CursorResult, and_, insert, or_, select, update
from sqlalchemy.orm import Session

from app.apikeys.models import ApiKey
from app.credentials.models import IssuedCredential
from app.webhooks.models import Watch, WatchedCredential, WebhookEvent

# Expired credentials handled per transaction by the periodic task.
EXPIRY_BATCH: Final = 500


def _event(
    watch_id: uuid.UUID, credential_id: uuid.UUID, type_: str, occurred_at: datetime, now: datetime
) -> dict[str, object]:
    return {
        "id": uuid.uuid4(),
        "watch_id": watch_id,
        "credential_id": credential_id,
        "type": type_,
        "occurred_at": occurred_at,
        "created_at": now,
        "state": "pending",
        "attempts": 0,
        "next_attempt_at": now,
    }


def _key_active(now: datetime) -> ColumnElement[bool]:
    """The watch's key is neither revoked nor expired: a withdrawn HR system is told nothing."""
    return and_(
        ApiKey.revoked_at.is_(None), or_(ApiKey.expires_at.is_(None), ApiKey.expires_at > now)
    )


def record(session: Session, credential_id: uuid.UUID, type_: str, now: datetime) -> int:
    """Record ``type_`` for every watch of the credential whose key is active, in ``session``'s
    transaction (the caller commits); return how many events were recorded."""
    watch_ids = session.scalars(
        select(WatchedCredential.watch_id)
        .join(Watch, Watch.id == WatchedCredential.watch_id)
        .join(ApiKey, ApiKey.id == Watch.api_key_id)
        .where(WatchedCredential.credential_id == credential_id, _key_active(now))
    ).all()
    if watch_ids:
        session.execute(
            insert(WebhookEvent),
            [_event(watch_id, credential_id, type_, now, now) for watch_id in watch_ids],
        )
    return len(watch_ids)


def record_expiries(session: Session, now: datetime) -> int:
    """Record ``credential.expired`` for watched credentials that expired by ``now``, once per
    watch and credential (however many workers run this at once); return how many."""
    recorded = 0
    while True:
        due = session.execute(
            select(
                WatchedCredential.watch_id,
                WatchedCredential.credential_id,
                IssuedCredential.valid_until,
                IssuedCredential.status,
            )
            .join(IssuedCredential, IssuedCredential.id == WatchedCredential.credential_id)
            .join(Watch, Watch.id == WatchedCredential.watch_id)
            .join(ApiKey, ApiKey.id == Watch.api_key_id)
            .where(
                WatchedCredential.expiry_told.is_(False),
                IssuedCredential.valid_until <= now,
                _key_active(now),
            )
            .limit(EXPIRY_BATCH)
        ).all()
        for watch_id, credential_id, valid_until, status in due:
            # A conditional UPDATE: of two workers, one tells.
            result = session.execute(
                update(WatchedCredential)
                .where(
                    WatchedCredential.watch_id == watch_id,
                    WatchedCredential.credential_id == credential_id,
                    WatchedCredential.expiry_told.is_(False),
                )
                .values(expiry_told=True)
                .execution_options(synchronize_session=False)
            )
            # A revoked credential was told of already; its expiry changes nothing.
            if cast(CursorResult[Any], result).rowcount == 1 and status != "revoked":
                session.execute(
                    insert(WebhookEvent),
                    [
                        _event(
                            watch_id, credential_id, "credential.expired", valid_until or now, now
                        )
                    ],
                )
                recorded += 1
        session.commit()
        if len(due) < EXPIRY_BATCH:
            return recorded
