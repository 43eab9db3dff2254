"""Watch API (``/api/v1/watches``): an HR system watches credentials and is told of changes.

An HR system's key creates, lists, reads and deletes its own watches (an administrator's key
sees and deletes every watch); an issuer's staff have no business here. docs/WEBHOOKS.md
describes the events and how to check their signatures.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response
from sqlalchemy.orm import Session

from app.credentials.models import IssuedCredential
from app.deps import NowDep, ResourcesDep, SessionDep, UrlsDep, WatcherDep
from app.responses import MAX_OFFSET, problems
from app.urls import Urls
from app.webhooks import service
from app.webhooks.models import Watch, WebhookEvent
from app.webhooks.schemas import (
    DeliveryCounts,
    DeliveryList,
    DeliveryRead,
    WatchCreate,
    WatchCreated,
    WatchedCredentialRead,
    WatchList,
    WatchRead,
    WatchSummary,
)

router = APIRouter(prefix="/api/v1/watches", tags=["watches"])
# Every route here takes an HR system's key (403 for an issuer's).
_PROBLEMS = problems(401, 403, 404, hr_refused=False)


def _delivery(event: WebhookEvent) -> DeliveryRead:
    return DeliveryRead.model_validate(
        {
            "event_id": event.id,
            "type": event.type,
            "credential_id": event.credential_id,
            "occurred_at": event.occurred_at,
            "state": event.state,
            "attempts": event.attempts,
            "last_attempt_at": event.last_attempt_at,
            "last_status": event.last_status,
            "last_error": event.last_error,
            "next_attempt_at": event.next_attempt_at if event.state == "pending" else None,
            "delivered_at": event.delivered_at,
        }
    )


def _summaries(session: Session, watches: list[Watch]) -> list[WatchSummary]:
    ids = [watch.id for watch in watches]
    credentials = service.credential_counts(session, ids)
    counts = service.delivery_counts(session, ids)
    last = service.last_deliveries(session, ids)
    return [
        WatchSummary(
            id=watch.id,
            callback_url=watch.callback_url,
            description=watch.description,
            created_at=watch.created_at,
            credential_count=credentials.get(watch.id, 0),
            deliveries=DeliveryCounts(**counts[watch.id]),
            last_delivery=_delivery(last[watch.id]) if watch.id in last else None,
        )
        for watch in watches
    ]


def _watched(credential: IssuedCredential, urls: Urls, now: datetime) -> WatchedCredentialRead:
    return WatchedCredentialRead.model_validate(
        {
            "credential_id": credential.id,
            "credential": (
                urls.ob2_assertion(credential.id)
                if credential.format == "ob2"
                else urls.credential(credential.id)
            ),
            "status": credential.status,
            "valid_until": credential.valid_until,
            "expired": credential.valid_until is not None and credential.valid_until <= now,
        }
    )


def _read(session: Session, urls: Urls, watch: Watch, now: datetime) -> WatchRead:
    [summary] = _summaries(session, [watch])
    recent, _ = service.deliveries(session, watch.id, limit=service.RECENT_DELIVERIES)
    return WatchRead(
        **summary.model_dump(),
        credentials=[_watched(c, urls, now) for c in service.watched(session, watch.id)],
        recent_deliveries=[_delivery(event) for event in recent],
    )


@router.post(
    "",
    status_code=201,
    summary="Watch credentials for changes",
    responses=problems(401, 403, 422, hr_refused=False),
)
def create_watch(
    body: WatchCreate,
    session: SessionDep,
    principal: WatcherDep,
    resources: ResourcesDep,
    urls: UrlsDep,
    now: NowDep,
) -> WatchCreated:
    """Be told, at `callback_url`, when one of these credentials is revoked, suspended,
    unsuspended or expires: a signed POST (Standard Webhooks), retried for a day.

    Every credential must be one of this service's (the problem's `unknown` lists those that
    are not). The answer holds the signing secret: it is shown this once.
    """
    credential_ids = service.resolve_references(session, urls, body.credentials)
    service.check_callback(resources.fetcher, body.callback_url)
    made = service.create_watch(
        session,
        principal,
        credential_ids=credential_ids,
        callback_url=body.callback_url,
        description=body.description,
        now=now,
    )
    read = _read(session, urls, made.watch, now)
    return WatchCreated(**read.model_dump(), secret=made.secret)


@router.get("", summary="List watches", responses=_PROBLEMS)
def list_watches(
    session: SessionDep,
    principal: WatcherDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> WatchList:
    """This key's watches, newest first, each with its delivery counts and latest delivery."""
    rows, total = service.list_watches(session, principal, limit=limit, offset=offset)
    return WatchList(items=_summaries(session, rows), total=total)


@router.get("/{watch_id}", summary="Get a watch", responses=_PROBLEMS)
def get_watch(
    watch_id: uuid.UUID, session: SessionDep, principal: WatcherDep, urls: UrlsDep, now: NowDep
) -> WatchRead:
    """A watch: its credentials and their status now, and its latest deliveries."""
    return _read(session, urls, service.get_watch_for(session, principal, watch_id), now)


@router.get("/{watch_id}/deliveries", summary="List a watch's deliveries", responses=_PROBLEMS)
def list_deliveries(
    watch_id: uuid.UUID,
    session: SessionDep,
    principal: WatcherDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> DeliveryList:
    """Every event of the watch, newest first: its attempts and the last answer."""
    watch = service.get_watch_for(session, principal, watch_id)
    rows, total = service.deliveries(session, watch.id, limit=limit, offset=offset)
    return DeliveryList(items=[_delivery(event) for event in rows], total=total)


@router.delete("/{watch_id}", status_code=204, summary="Delete a watch", responses=_PROBLEMS)
def delete_watch(
    watch_id: uuid.UUID, session: SessionDep, principal: WatcherDep, now: NowDep
) -> Response:
    """Stop watching: no event is sent for it any more, pending ones included."""
    watch = service.get_watch_for(session, principal, watch_id)
    service.delete_watch(session, principal, watch, now)
    return Response(status_code=204)
