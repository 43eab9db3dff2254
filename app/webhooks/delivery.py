"""Delivering events: take due ones, POST them signed, record what the receiver answered.

:func:`deliver_due` is one pass, safe in any number of processes at once (the workers'
periodic task, the kick after a status change, the benchmark):

1. events whose worker died mid-send (``sending`` past their lease) go back to ``pending``;
2. due events are claimed one by one with a conditional UPDATE (``… WHERE id = ? AND
   state = 'pending'``), which counts an attempt and sets a lease, committed before anything
   is sent;
3. each is POSTed to its watch's callback URL (several receivers at once; one watch's events
   one at a time, oldest first) through the verifier's guarded transport
   (:mod:`app.fetching`: the same address rules, connections pinned to the vetted addresses),
   within ``SHOMEI_WEBHOOK_TIMEOUT_S`` for the whole attempt. Redirects are not followed: a
   3xx is a failed attempt like any other answer outside 2xx. A receiver that does not answer
   at all costs one timeout a pass: its other events of the pass are put back unsent;
4. the outcome is committed: ``delivered`` on a 2xx; otherwise ``pending`` again after
   ``SHOMEI_WEBHOOK_RETRY_BASE_S`` * 2^(attempts-1) (at most 6 hours), or ``failed`` once the
   next attempt would fall after ``SHOMEI_WEBHOOK_MAX_AGE_H`` from when it was recorded.

A crash loses nothing: the event was recorded with the change, and a claimed event is sent
again after its lease. An event reaches a receiver twice only if the crash fell after the
receiver answered and before step 4 was committed; it then carries the same ``webhook-id``.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final, Literal, cast

import httpx
from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session, sessionmaker

from app.apikeys.models import ApiKey
from app.fetching import GuardedTransport, overall_deadline
from app.settings import Settings
from app.urls import Urls
from app.webhooks import signing
from app.webhooks.models import Watch, WebhookEvent
from badges.errors import FetchError

log = logging.getLogger("shomei.webhooks")
# Events claimed per pass at most: the lease covers them all, each within its timeout.
BATCH: Final = 50
# Receivers (watches) sent to at once by one pass.
RECEIVERS_AT_ONCE: Final = 8
MAX_RETRY_WAIT: Final = timedelta(hours=6)
# Of a receiver's answer only the status matters; a little of the body is read so that the
# connection can be used again, the rest is never waited for.
_ANSWER_BYTES: Final = 4096
_TIMEOUTS: Final = ("connect", "read", "write", "pool")
_STATUS_AFTER: Final = {
    "credential.revoked": "revoked",
    "credential.suspended": "suspended",
    "credential.unsuspended": "active",
    "credential.expired": "expired",
}


def _rowcount(result: Any) -> int:
    return cast(CursorResult[Any], result).rowcount


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def body(
    event_id: uuid.UUID,
    watch_id: uuid.UUID,
    credential_id: uuid.UUID,
    type_: str,
    occurred_at: datetime,
    urls: Urls,
) -> bytes:
    """The event's JSON body, the same bytes on every attempt (Standard Webhooks' payload
    structure: ``type``, ``timestamp``, ``data``; with the event id for de-duplication)."""
    document = {
        "id": str(event_id),
        "type": type_,
        "timestamp": _iso(occurred_at),
        "data": {
            "watch_id": str(watch_id),
            "credential_id": str(credential_id),
            "credential": urls.credential(credential_id),
            "status": _STATUS_AFTER[type_],
            "occurred_at": _iso(occurred_at),
        },
    }
    return json.dumps(document, separators=(",", ":"), sort_keys=True).encode()


def make_transport(settings: Settings) -> GuardedTransport:
    """The verifier's guarded transport, with the operator's allow list."""
    return GuardedTransport(settings.fetch_allow)


def deliver_due(
    session_factory: sessionmaker[Session],
    settings: Settings,
    now: datetime,
    *,
    transport: GuardedTransport | None = None,
) -> int:
    """Deliver what is due at ``now``; return how many events were delivered.

    Receivers are served side by side (a slow one holds up only its own events), and each
    watch's events one at a time, oldest first.
    """
    delivered = 0
    own_transport = transport is None
    transport = transport or make_transport(settings)
    urls = Urls(settings.base_url)

    def deliver_watch(event_ids: list[uuid.UUID]) -> int:
        delivered = 0
        for number, event_id in enumerate(event_ids):
            outcome = _deliver_one(session_factory, settings, transport, urls, event_id, now)
            delivered += outcome == "delivered"
            if outcome == "no answer":
                # A receiver that does not answer costs one timeout a pass, not one an event:
                # its other events wait for the next attempt, backing off with this one.
                for waiting in event_ids[number + 1 :]:
                    _postpone(session_factory, settings, waiting, now)
                break
        return delivered

    try:
        with ThreadPoolExecutor(RECEIVERS_AT_ONCE, thread_name_prefix="shomei-webhooks") as pool:
            while claimed := _claim(session_factory, settings, now):
                by_watch: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
                for event_id, watch_id in claimed:
                    by_watch[watch_id].append(event_id)
                delivered += sum(pool.map(deliver_watch, by_watch.values()))
                if len(claimed) < BATCH:
                    break
    finally:
        if own_transport:
            transport.close()
    return delivered


def _claim(
    session_factory: sessionmaker[Session], settings: Settings, now: datetime
) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """Claim due events; return each one's id and its watch's."""
    with session_factory() as session:
        # (1) leases that ran out: their worker died between claim and record
        session.execute(
            update(WebhookEvent)
            .where(WebhookEvent.state == "sending", WebhookEvent.lease_until < now)
            .values(state="pending", lease_until=None)
            .execution_options(synchronize_session=False)
        )
        session.commit()
        # (2) claim due events one by one; one another worker took first is skipped
        candidates = session.execute(
            select(WebhookEvent.id, WebhookEvent.watch_id)
            .where(WebhookEvent.state == "pending", WebhookEvent.next_attempt_at <= now)
            .order_by(WebhookEvent.next_attempt_at, WebhookEvent.id)
            .limit(BATCH)
        ).all()
        lease_until = now + timedelta(seconds=BATCH * settings.webhook_timeout_s + 60)
        claimed = []
        for event_id, watch_id in candidates:
            result = session.execute(
                update(WebhookEvent)
                .where(WebhookEvent.id == event_id, WebhookEvent.state == "pending")
                .values(
                    state="sending",
                    lease_until=lease_until,
                    attempts=WebhookEvent.attempts + 1,
                    last_attempt_at=now,
                )
                .execution_options(synchronize_session=False)
            )
            if _rowcount(result) == 1:
                claimed.append((event_id, watch_id))
        session.commit()
        return claimed


@dataclass(frozen=True)
class _Claimed:
    """What an attempt needs of its event, read before the transaction ends."""

    id: uuid.UUID
    attempts: int
    created_at: datetime
    callback_url: str
    secret: str
    body: bytes


def _deliver_one(
    session_factory: sessionmaker[Session],
    settings: Settings,
    transport: GuardedTransport,
    urls: Urls,
    event_id: uuid.UUID,
    now: datetime,
) -> Literal["delivered", "failed", "no answer", "skipped"]:
    with session_factory() as session:
        found = session.execute(
            select(WebhookEvent, Watch, ApiKey)
            .join(Watch, Watch.id == WebhookEvent.watch_id)
            .join(ApiKey, ApiKey.id == Watch.api_key_id)
            .where(WebhookEvent.id == event_id, WebhookEvent.state == "sending")
        ).first()
        if found is None:  # its watch was deleted, or another worker recorded it
            return "skipped"
        event, watch, key = found
        if key.state(now) != "active":  # the HR system's access was withdrawn meanwhile
            claimed = _Claimed(event.id, event.attempts, event.created_at, "", "", b"")
            _record(
                session,
                claimed,
                {"state": "failed", "last_error": "the watch's key is " + key.state(now)},
            )
            return "skipped"
        claimed = _Claimed(
            event.id,
            event.attempts,
            event.created_at,
            watch.callback_url,
            watch.secret,
            body(event.id, watch.id, event.credential_id, event.type, event.occurred_at, urls),
        )
        session.rollback()  # hold no transaction (nor SQLite's lock) while the receiver answers
        status, error = _post(transport, settings, claimed)
        if status is not None and 200 <= status < 300:
            _record(
                session,
                claimed,
                {"state": "delivered", "delivered_at": now, "last_status": status},
            )
            return "delivered"
        _record_failure(session, settings, claimed, status, error, now)
        return "failed" if status is not None else "no answer"


def _postpone(
    session_factory: sessionmaker[Session], settings: Settings, event_id: uuid.UUID, now: datetime
) -> None:
    """Put back a claimed event that was not sent, as failed with its receiver."""
    with session_factory() as session:
        event = session.get(WebhookEvent, event_id)
        if event is None or event.state != "sending":
            return
        claimed = _Claimed(event.id, event.attempts, event.created_at, "", "", b"")
        reason = "not sent: the receiver did not answer an earlier event of this pass"
        _record_failure(session, settings, claimed, None, reason, now)


def _post(
    transport: GuardedTransport, settings: Settings, claimed: _Claimed
) -> tuple[int | None, str | None]:
    """POST the event once; the receiver's status, or why there is none."""
    timeout = settings.webhook_timeout_s
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Shomei webhooks (Standard Webhooks)",
        "Accept-Encoding": "identity",
        **signing.headers(claimed.secret, str(claimed.id), int(time.time()), claimed.body),
    }
    try:
        with overall_deadline(timeout):
            request = httpx.Request(
                "POST",
                claimed.callback_url,
                headers=headers,
                content=claimed.body,
                extensions={"timeout": dict.fromkeys(_TIMEOUTS, timeout)},
            )
            response = transport.handle_request(request)
            try:
                read = 0
                for chunk in response.iter_raw():
                    read += len(chunk)
                    if read > _ANSWER_BYTES:
                        break
            finally:
                response.close()
    except httpx.TimeoutException:
        return None, f"no answer within {timeout:g} s"
    except (httpx.HTTPError, FetchError, OSError) as error:
        return None, str(error)[:500] or type(error).__name__
    return response.status_code, None


def _record(session: Session, claimed: _Claimed, values: dict[str, Any]) -> None:
    """Write the outcome, if the event is still under this claim."""
    session.execute(
        update(WebhookEvent)
        .where(
            WebhookEvent.id == claimed.id,
            WebhookEvent.state == "sending",
            WebhookEvent.attempts == claimed.attempts,
        )
        .values({"lease_until": None, "last_error": None} | values)
        .execution_options(synchronize_session=False)
    )
    session.commit()


def _record_failure(
    session: Session,
    settings: Settings,
    claimed: _Claimed,
    status: int | None,
    error: str | None,
    now: datetime,
) -> None:
    reason = error or (
        f"answered {status}: redirects are not followed"
        if status is not None and 300 <= status < 400
        else f"answered {status}"
    )
    delay = min(
        timedelta(seconds=settings.webhook_retry_base_s * 2 ** min(claimed.attempts - 1, 30)),
        MAX_RETRY_WAIT,
    )
    give_up = now + delay > claimed.created_at + timedelta(hours=settings.webhook_max_age_h)
    values: dict[str, Any] = {"last_status": status, "last_error": reason[:500]}
    if give_up:
        values |= {"state": "failed", "last_error": f"given up: {reason}"[:500]}
    else:
        values |= {"state": "pending", "next_attempt_at": now + delay}
    _record(session, claimed, values)
    log.log(
        logging.WARNING if give_up else logging.INFO,
        "webhook event %s %s (attempt %d): %s",
        claimed.id,
        "given up" if give_up else "deferred",
        claimed.attempts,
        reason,
        extra={"webhook_event_id": str(claimed.id)},
    )
