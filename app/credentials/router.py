"""Credential API (``/api/v1/credentials``): issue, list, get, revoke, suspend, unsuspend."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Coroutine
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Annotated, Any, cast

from anyio import to_thread
from fastapi import APIRouter, Query, Request, Response
from fastapi.routing import APIRoute
from pydantic import EmailStr

from app.bodies import json_body, validated_body
from app.claims import service as claims
from app.credentials import service, unclaimed
from app.credentials.models import IssuedCredential
from app.credentials.schemas import (
    CredentialCreate,
    CredentialFormat,
    CredentialList,
    CredentialRead,
    CredentialStatus,
    CredentialUpdate,
    NotificationRead,
    RevokeRequest,
    SuspendRequest,
)
from app.deps import (
    BearerTokenDep,
    NowDep,
    PrincipalDep,
    Resources,
    ResourcesDep,
    SessionDep,
    UrlsDep,
    authenticated,
    bearer_token,
)
from app.mail import outbox
from app.mail import tasks as mail_tasks
from app.mail.outbox import MailState
from app.responses import MAX_OFFSET, problems
from app.urls import Urls
from app.validation import NO_CONTROLS, Timestamp
from app.webhooks import tasks as webhook_tasks

router = APIRouter(prefix="/api/v1/credentials", tags=["credentials"])


def read(
    urls: Urls,
    slug: str,
    credential: IssuedCredential,
    mail: MailState | None = None,
    claimed_at: datetime | None = None,
    *,
    document: bool = True,
) -> CredentialRead:
    """The API's view of ``credential``; without ``document``, its document is left empty."""
    public_url = urls.credential(credential.id)
    return CredentialRead(
        id=credential.id,
        issuer=slug,
        achievement_id=credential.achievement_id,
        format=cast(CredentialFormat, credential.format),
        status=cast(CredentialStatus, credential.status),
        recipient_email=credential.recipient_email,
        recipient_name=credential.recipient_name,
        issued_at=credential.issued_at,
        valid_until=credential.valid_until,
        external_id=credential.external_id,
        revocation_reason=credential.revocation_reason,
        revocation_reason_public=credential.revocation_reason_public,
        listed=credential.listed,
        public_url=public_url,
        json_url=f"{public_url}.json",
        jwt_url=f"{public_url}.jwt" if credential.format == "ob3-jwt" else None,
        png_url=f"{public_url}.png",
        svg_url=f"{public_url}.svg",
        document=service.document_object(credential) if document else "",
        notification=NotificationRead(**asdict(mail)) if mail is not None else None,
        claimed_at=claimed_at,
    )


def _read(session: SessionDep, urls: Urls, credential: IssuedCredential) -> CredentialRead:
    mail = outbox.latest_mail(session, [credential.id]).get(credential.id)
    claimed_at = claims.claimed_at(session, credential.id)
    return read(urls, service.issuer_slug(session, credential), credential, mail, claimed_at)


async def issue_credential(
    body: CredentialCreate,
    resources: ResourcesDep,
    token: BearerTokenDep,
    now: NowDep,
) -> Response:
    """Issue a credential to one recipient (or return the one issued for its external_id)."""

    # The hot path: the key's check, the whole unit of work and the answer's bytes in one
    # trip to the thread pool, on one connection.
    def issue() -> Response:
        with resources.sessions() as session:
            principal = authenticated(session, token)
            issued = service.issue_credential(
                session,
                resources.keyring,
                resources.urls,
                principal,
                body,
                now,
                settings=resources.settings,
            )
            credential = issued.credential
            if issued.created:
                # Unclaimed, and its mail is the one just queued, if any: nothing to read back
                # after the commit.
                mail, claimed_at = issued.mail, None
            else:
                mail = outbox.latest_mail(session, [credential.id]).get(credential.id)
                claimed_at = claims.claimed_at(session, credential.id)
            content = read_json(resources.urls, issued.issuer_slug, credential, mail, claimed_at)
        if issued.created and mail is not None:
            mail_tasks.kick(resources.jobs, resources.settings)  # now, not at the next tick
        return Response(content, 201 if issued.created else 200, media_type="application/json")

    return await to_thread.run_sync(issue, limiter=resources.issuing_threads)


class _ReadByHand(APIRoute):
    """The issuing route, documented from its signature like any other, but with its four
    arguments read here rather than by FastAPI's dependency solving, which cost about a tenth
    of an issuance's CPU. The order and the errors are FastAPI's: a body that is not JSON
    first, then the API key, then the body's validation (a custom route class:
    https://fastapi.tiangolo.com/how-to/custom-request-and-route/). Being read by hand, they
    take no ``app.dependency_overrides``."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        async def handler(request: Request) -> Response:
            headers = request.headers
            data = json_body(headers.get("content-type"), await request.body())
            token = bearer_token(headers.get("authorization"))
            body = validated_body(data, CredentialCreate)
            resources: Resources = request.app.state.resources
            return await issue_credential(body, resources, token, datetime.now(UTC))

        return handler


router.add_api_route(
    "",
    issue_credential,
    methods=["POST"],
    status_code=201,
    summary="Issue a credential",
    response_model=CredentialRead,
    responses={
        200: {"model": CredentialRead, "description": "Issued before under this external_id."},
        **problems(401, 422),
    },
    route_class_override=_ReadByHand,
)


def read_json(
    urls: Urls,
    slug: str,
    credential: IssuedCredential,
    mail: MailState | None = None,
    claimed_at: datetime | None = None,
) -> bytes:
    """:func:`read` as JSON, the stored document put in as stored (not parsed and written again)."""
    if credential.format == "ob3-jwt":
        document = json.dumps(credential.document)
    else:
        document = credential.document  # JSON text: the credential byte for byte as signed
    head = read(urls, slug, credential, mail, claimed_at, document=False).model_dump_json(
        exclude={"document"}
    )
    return f'{head[:-1]},"document":{document}}}'.encode()


@router.get("", summary="List credentials", responses=problems(401, 422))
def list_credentials(
    session: SessionDep,
    principal: PrincipalDep,
    urls: UrlsDep,
    achievement_id: uuid.UUID | None = None,
    status: CredentialStatus | None = None,
    format: CredentialFormat | None = None,
    external_id: Annotated[str | None, Query(max_length=200, pattern=NO_CONTROLS)] = None,
    recipient_email: EmailStr | None = None,
    issued_after: Timestamp | None = None,
    issued_before: Timestamp | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> CredentialList:
    """List the credentials this key may see, newest first."""
    filters = service.CredentialFilter(
        achievement_id=achievement_id,
        status=status,
        format=format,
        external_id=external_id,
        recipient_email=str(recipient_email) if recipient_email else None,
        issued_after=issued_after,
        issued_before=issued_before,
    )
    rows, total = service.list_credentials(session, principal, filters, limit=limit, offset=offset)
    mails = outbox.latest_mail(session, [row.id for row in rows])
    slugs = service.issuer_slugs(session, {row.issuer_id for row in rows})
    claimed = claims.claimed_at_of(session, [row.id for row in rows])
    items = [
        read(urls, slugs[row.issuer_id], row, mails.get(row.id), claimed.get(row.id))
        for row in rows
    ]
    return CredentialList(items=items, total=total)


@router.get("/{credential_id}", summary="Get a credential", responses=problems(401, 404))
def get_credential(
    credential_id: uuid.UUID, session: SessionDep, principal: PrincipalDep, urls: UrlsDep
) -> CredentialRead:
    """Get one credential."""
    return _read(session, urls, service.get_credential_for(session, principal, credential_id))


@router.post(
    "/{credential_id}/revoke",
    summary="Revoke a credential",
    responses=problems(401, 404, 409, 422),
)
def revoke_credential(
    credential_id: uuid.UUID,
    body: RevokeRequest,
    session: SessionDep,
    principal: PrincipalDep,
    resources: ResourcesDep,
    urls: UrlsDep,
    now: NowDep,
) -> CredentialRead:
    """Revoke a credential for good, with a reason (public on its page only if asked)."""
    credential = service.get_credential_for(session, principal, credential_id)
    credential = service.revoke(
        session, credential, body.reason, now, actor=principal, public=body.reason_public
    )
    webhook_tasks.kick(resources.jobs, resources.settings)  # its watchers' events, now
    return _read(session, urls, credential)


@router.patch(
    "/{credential_id}",
    summary="Change a credential's page settings or its passer's address",
    responses=problems(401, 404, 409, 422),
)
def update_credential(
    credential_id: uuid.UUID,
    body: CredentialUpdate,
    session: SessionDep,
    principal: PrincipalDep,
    resources: ResourcesDep,
    urls: UrlsDep,
    now: NowDep,
) -> CredentialRead:
    """Set whether the credential's public page may be indexed by search engines, and/or
    correct the passer's address while the badge is unclaimed (409 once claimed)."""
    credential = service.get_credential_for(session, principal, credential_id)
    if body.recipient_email is not None:
        credential = unclaimed.change_address(
            session,
            resources.keyring,
            urls,
            credential,
            str(body.recipient_email),
            now,
            settings=resources.settings,
            actor=principal,
        )
        # This process serves the new document at once; the document's own cache headers
        # bound what others keep.
        with resources.issued_documents_lock:
            resources.issued_documents.pop(credential.id, None)
        mail_tasks.kick(resources.jobs, resources.settings)
    if body.listed is not None:
        credential = service.set_listed(session, credential, body.listed, now, actor=principal)
    return _read(session, urls, credential)


@router.post(
    "/{credential_id}/resend",
    summary="Mail the passer's notification again",
    responses=problems(401, 404, 409),
)
def resend_notification(
    credential_id: uuid.UUID,
    session: SessionDep,
    principal: PrincipalDep,
    resources: ResourcesDep,
    urls: UrlsDep,
    now: NowDep,
) -> CredentialRead:
    """Queue the notification again with a fresh claim link (earlier links keep working).

    Refused (409) once the passer has accepted the badge, or when it is not active.
    """
    credential = service.get_credential_for(session, principal, credential_id)
    unclaimed.resend_notification(
        session, credential, now, settings=resources.settings, actor=principal
    )
    mail_tasks.kick(resources.jobs, resources.settings)
    return _read(session, urls, credential)


@router.post(
    "/{credential_id}/suspend",
    summary="Suspend a credential",
    description=(
        "Suspend an OB 3.0 credential until it is unsuspended.\n\n"
        "**Only this service's verifier sees a suspension** (`POST /api/v1/verify` and the "
        "`/verify` page). The OB 3.0 schema allows one `credentialStatus` entry, and a "
        "credential's entry is its revocation entry: other verifiers, wallets and the "
        "Learner Credential Wallet read that one only, so to them a suspended credential "
        "stays valid. Revoke it to withdraw it everywhere."
    ),
    responses=problems(401, 404, 409),
)
def suspend_credential(
    credential_id: uuid.UUID,
    session: SessionDep,
    principal: PrincipalDep,
    resources: ResourcesDep,
    urls: UrlsDep,
    now: NowDep,
    body: SuspendRequest | None = None,
) -> CredentialRead:
    """Suspend an OB 3.0 credential until it is unsuspended."""
    credential = service.get_credential_for(session, principal, credential_id)
    reason = body.reason if body else None
    credential = service.suspend(session, credential, now, actor=principal, reason=reason)
    webhook_tasks.kick(resources.jobs, resources.settings)
    return _read(session, urls, credential)


@router.post(
    "/{credential_id}/unsuspend",
    summary="Lift a suspension",
    responses=problems(401, 404, 409),
)
def unsuspend_credential(
    credential_id: uuid.UUID,
    session: SessionDep,
    principal: PrincipalDep,
    resources: ResourcesDep,
    urls: UrlsDep,
    now: NowDep,
) -> CredentialRead:
    """Make a suspended credential valid again."""
    credential = service.get_credential_for(session, principal, credential_id)
    credential = service.unsuspend(session, credential, now, actor=principal)
    webhook_tasks.kick(resources.jobs, resources.settings)
    return _read(session, urls, credential)
