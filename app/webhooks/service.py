"""Watches: creating, reading and deleting them, for the HR system's key that made them.

A watch names credentials of this service and a callback URL; the URL must pass the verifier's
address rules now (:meth:`app.fetching.SafeFetcher.vet_url`) and passes them again on every
delivery, as DNS may change. Its secret is made here and returned once.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from sqlalchemy import ColumnElement, delete, func, insert, select, true
from sqlalchemy.orm import Session

from app.apikeys.service import Principal
from app.audit import service as audit
from app.credentials.models import IssuedCredential
from app.errors import NotFoundError, UnprocessableError
from app.fetching import SafeFetcher
from app.urls import Urls
from app.webhooks import signing
from app.webhooks.models import Watch, WatchedCredential, WebhookEvent
from badges.errors import FetchError

RECENT_DELIVERIES: Final = 20
_UUID = r"[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}"


class UnknownCredentialsError(UnprocessableError):
    """Some references name no credential of this service; ``unknown`` lists them."""

    def __init__(self, unknown: list[str]) -> None:
        shown = ", ".join(repr(value[:200]) for value in unknown[:5])
        more = f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
        super().__init__(f"not credentials of this service: {shown}{more}")
        self.unknown = unknown

    def members(self) -> dict[str, Any]:
        return {"unknown": self.unknown}


def _reference_patterns(urls: Urls) -> tuple[re.Pattern[str], ...]:
    sample = uuid.UUID(int=0)
    forms = (urls.credential(sample), urls.ob2_assertion(sample), f"urn:uuid:{sample}", str(sample))
    return tuple(
        re.compile(re.escape(form).replace(re.escape(str(sample)), f"({_UUID})")) for form in forms
    )


def resolve_references(session: Session, urls: Urls, references: Sequence[str]) -> list[uuid.UUID]:
    """The credential ids ``references`` name (ids or URLs of this service), in order, once each.

    Raises:
        UnknownCredentialsError: some name no credential of this service.
    """
    patterns = _reference_patterns(urls)
    wanted: dict[str, uuid.UUID | None] = {}
    for reference in references:
        text = reference.strip()
        match = next((m for p in patterns if (m := p.fullmatch(text))), None)
        wanted[reference] = uuid.UUID(match[1]) if match else None
    ids = {value for value in wanted.values() if value is not None}
    found = (
        set(session.scalars(select(IssuedCredential.id).where(IssuedCredential.id.in_(ids))))
        if ids
        else set()
    )
    unknown = [ref for ref, value in wanted.items() if value is None or value not in found]
    if unknown:
        raise UnknownCredentialsError(unknown)
    return list(dict.fromkeys(value for value in wanted.values() if value is not None))


def check_callback(fetcher: SafeFetcher, url: str) -> None:
    """Refuse a callback URL the verifier would not fetch (scheme, credentials, addresses)."""
    try:
        fetcher.vet_url(url)
    except FetchError as error:
        raise UnprocessableError(f"callback_url is refused: {error}") from None


@dataclass(frozen=True)
class NewWatch:
    watch: Watch
    secret: str


def create_watch(
    session: Session,
    principal: Principal,
    *,
    credential_ids: Sequence[uuid.UUID],
    callback_url: str,
    description: str | None,
    now: datetime,
) -> NewWatch:
    """Store a watch of ``credential_ids`` for ``principal``'s key, and audit it."""
    secret = signing.new_secret()
    watch = Watch(
        api_key_id=principal.key_id,
        callback_url=callback_url,
        secret=secret,
        description=description,
        created_at=now,
    )
    session.add(watch)
    session.flush()
    expired = set(
        session.scalars(
            select(IssuedCredential.id).where(
                IssuedCredential.id.in_(credential_ids), IssuedCredential.valid_until <= now
            )
        )
    )
    # Already expired when watched: there is no expiry left to tell of.
    session.execute(
        insert(WatchedCredential),
        [
            {"watch_id": watch.id, "credential_id": cid, "expiry_told": cid in expired}
            for cid in credential_ids
        ],
    )
    audit.record(
        session,
        "watch.create",
        actor=principal,
        subject_type="watch",
        subject_id=watch.id,
        issuer_id=None,
        details={"callback_url": callback_url, "credentials": len(credential_ids)},
        at=now,
    )
    session.commit()
    return NewWatch(watch, secret)


def _visible(principal: Principal) -> ColumnElement[bool]:
    return true() if principal.is_admin else Watch.api_key_id == principal.key_id


def get_watch_for(session: Session, principal: Principal, watch_id: uuid.UUID) -> Watch:
    """The watch, if ``principal`` made it or is an administrator (else 404)."""
    watch = session.get(Watch, watch_id)
    if watch is None or not (principal.is_admin or watch.api_key_id == principal.key_id):
        raise NotFoundError(f"watch {watch_id} does not exist")
    return watch


def list_watches(
    session: Session, principal: Principal, *, limit: int, offset: int
) -> tuple[list[Watch], int]:
    """The watches ``principal`` may see, newest first, and how many there are."""
    query = select(Watch).where(_visible(principal))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(Watch.created_at.desc(), Watch.id).limit(limit).offset(offset)
    )
    return list(rows), total


def delete_watch(session: Session, principal: Principal, watch: Watch, now: datetime) -> None:
    """Delete the watch, its credentials and its events (pending ones are not sent)."""
    session.execute(delete(WebhookEvent).where(WebhookEvent.watch_id == watch.id))
    session.execute(delete(WatchedCredential).where(WatchedCredential.watch_id == watch.id))
    session.execute(delete(Watch).where(Watch.id == watch.id))
    audit.record(
        session,
        "watch.delete",
        actor=principal,
        subject_type="watch",
        subject_id=watch.id,
        issuer_id=None,
        details={"callback_url": watch.callback_url},
        at=now,
    )
    session.commit()


def watched(session: Session, watch_id: uuid.UUID) -> list[IssuedCredential]:
    return list(
        session.scalars(
            select(IssuedCredential)
            .join(WatchedCredential, WatchedCredential.credential_id == IssuedCredential.id)
            .where(WatchedCredential.watch_id == watch_id)
            .order_by(IssuedCredential.issued_at, IssuedCredential.id)
        )
    )


def credential_counts(session: Session, watch_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, int]:
    if not watch_ids:
        return {}
    rows = session.execute(
        select(WatchedCredential.watch_id, func.count())
        .where(WatchedCredential.watch_id.in_(watch_ids))
        .group_by(WatchedCredential.watch_id)
    )
    return {watch_id: count for watch_id, count in rows}


def delivery_counts(
    session: Session, watch_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, dict[str, int]]:
    """Per watch, how many events are pending (or being sent), delivered and failed."""
    counts: dict[uuid.UUID, dict[str, int]] = {
        w: {"pending": 0, "delivered": 0, "failed": 0} for w in watch_ids
    }
    if not watch_ids:
        return counts
    rows = session.execute(
        select(WebhookEvent.watch_id, WebhookEvent.state, func.count())
        .where(WebhookEvent.watch_id.in_(watch_ids))
        .group_by(WebhookEvent.watch_id, WebhookEvent.state)
    )
    for watch_id, state, count in rows:
        key = "pending" if state == "sending" else state
        counts[watch_id][key] += count
    return counts


def deliveries(
    session: Session, watch_id: uuid.UUID, *, limit: int, offset: int = 0
) -> tuple[list[WebhookEvent], int]:
    """A watch's events, newest first, and how many it has."""
    query = select(WebhookEvent).where(WebhookEvent.watch_id == watch_id)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(WebhookEvent.created_at.desc(), WebhookEvent.id).limit(limit).offset(offset)
    )
    return list(rows), total


def last_deliveries(
    session: Session, watch_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, WebhookEvent]:
    """Each watch's latest event that was attempted, in one query."""
    if not watch_ids:
        return {}
    latest = (
        select(WebhookEvent.watch_id, func.max(WebhookEvent.last_attempt_at).label("at"))
        .where(WebhookEvent.watch_id.in_(watch_ids), WebhookEvent.last_attempt_at.is_not(None))
        .group_by(WebhookEvent.watch_id)
        .subquery()
    )
    rows = session.scalars(
        select(WebhookEvent).join(
            latest,
            (latest.c.watch_id == WebhookEvent.watch_id)
            & (latest.c.at == WebhookEvent.last_attempt_at),
        )
    )
    return {row.watch_id: row for row in rows}
