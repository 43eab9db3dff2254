"""Credential use cases: issue, find, list, revoke, suspend and unsuspend.

Issuing, in one transaction:

1. read, in one row, the achievement the caller may issue, its issuer, when both last
   changed and which key signs now (:mod:`app.credentials.contexts`);
2. with an ``external_id``, return the credential already issued for it, if there is one;
3. OB 3.0: take a random position on the issuer's status lists; build the credential from
   the achievement's kept context (issuer Profile and Achievement, parsed once per version)
   with a salted hash of the recipient's e-mail address (and the passer's name, unless the
   issuer turned that off), ``credentialStatus`` and ``credentialSchema`` (the builder checks
   the official JSON Schema); sign it with eddsa-rdfc-2022 (``ob3``, from the context's
   SigningTemplate when the credential has a usual shape) or as a VC-JWT (``ob3-jwt``).
   OB 2.0, and an issuer's first key of an algorithm, go through ORM objects: build the
   hosted assertion and sign the same assertion as a JWS (RS256);
4. store the exact text that was signed and its audit entry (plain INSERTs);
5. unless the request says ``notify: false``, queue the passer's notification mail with its
   claim link (:func:`app.mail.outbox.queue_notification`), and commit it all at once.

A unique constraint makes the external id idempotent under concurrency: the request that
loses the race rolls back and returns the winner's credential. A lost race for a status
list position is retried with a fresh one.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final, cast

from sqlalchemy import CursorResult, Select, Table, func, insert, inspect, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.achievements import service as achievement_service
from app.achievements.models import Achievement
from app.apikeys.service import Principal
from app.audit import service as audit
from app.credentials import issuing
from app.credentials.contexts import IssuingContexts, find_target, issuing_contexts, signer_of
from app.credentials.models import IssuedCredential
from app.credentials.schemas import CredentialCreate
from app.errors import ConflictError, NotFoundError, UnprocessableError
from app.issuers.models import Issuer
from app.keyring import Keyring
from app.mail.outbox import MailState, queue_notification
from app.settings import Settings
from app.status import service as status_service
from app.storage_guards import refuse_overlong_values
from app.urls import Urls
from app.webhooks import events as webhook_events

_ATTEMPTS: Final = 4
_CREDENTIALS = cast(Table, IssuedCredential.__table__)
_COLUMNS: Final = frozenset(_CREDENTIALS.c.keys())
_INSERT_CREDENTIAL = insert(_CREDENTIALS)


@dataclass(frozen=True)
class Issued:
    """The credential a request stands for, and whether this request created it."""

    credential: IssuedCredential
    created: bool
    issuer_slug: str
    # The notification this request queued with a credential it created (None: none).
    mail: MailState | None = None


@dataclass(frozen=True)
class CredentialFilter:
    achievement_id: uuid.UUID | None = None
    status: str | None = None
    format: str | None = None
    external_id: str | None = None
    recipient_email: str | None = None
    issued_after: datetime | None = None
    issued_before: datetime | None = None


def issue_credential(
    session: Session,
    keyring: Keyring,
    urls: Urls,
    principal: Principal,
    request: CredentialCreate,
    now: datetime,
    *,
    settings: Settings,
) -> Issued:
    """Issue one credential, or return the one already issued for its external id.

    Raises:
        UnprocessableError: unknown achievement (or another issuer's), ``valid_until`` not in
            the future.
    """
    if request.valid_until is not None:
        # Credentials state times to the second; store what the credential says.
        valid_until = request.valid_until.astimezone(UTC).replace(microsecond=0)
        if valid_until <= now:
            raise UnprocessableError("valid_until must be in the future")
        request = request.model_copy(update={"valid_until": valid_until})
    if request.format == "ob2" and request.result:
        raise UnprocessableError("results are written only into OB 3.0 credentials")
    contexts = issuing_contexts(keyring)
    for attempt in range(_ATTEMPTS):
        try:
            issued = _issue_once(
                session, keyring, urls, contexts, principal, request, now, settings
            )
        except IntegrityError:
            session.rollback()
            if attempt == _ATTEMPTS - 1:
                raise
            # Another request issued the same external id first (found in (2) on the next
            # round), or took the same status list position or opened the same new list
            # (a fresh position is drawn).
            continue
        return issued
    raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises


def _issue_once(
    session: Session,
    keyring: Keyring,
    urls: Urls,
    contexts: IssuingContexts,
    principal: Principal,
    request: CredentialCreate,
    now: datetime,
    settings: Settings,
) -> Issued:
    if request.format == "ob2":
        return _issue_orm(session, keyring, urls, principal, request, now, settings)
    # (1) what is awarded, by whom, and the key that signs it now: one row, no ORM objects
    target = find_target(session, request.achievement_id, issuing.signing_algorithm(request))
    if target is None or not principal.may_act_for(target.issuer_id):
        raise _unknown_achievement(request.achievement_id)
    if target.key_id is None:  # the issuer's first key of this algorithm is made there
        return _issue_orm(session, keyring, urls, principal, request, now, settings)
    # (2) idempotency: the same award under the same external id exists already
    existing = _by_external_id(session, target.issuer_id, target.achievement_id, request)
    if existing is not None:
        return Issued(existing, created=False, issuer_slug=target.issuer_slug)
    context = contexts.get(
        session, urls, target, lambda found: issuing.context_of(urls, found, template=True)
    )
    if context is None:
        raise _unknown_achievement(request.achievement_id)
    # (3) build and sign, (4) store the row and its audit entry as plain INSERTs, one commit
    signer = signer_of(session, keyring, target.key_id)
    row = issuing.build_in_context(session, urls, context, signer, request, now)
    values = {k: v for k, v in inspect(row).dict.items() if k in _COLUMNS}
    refuse_overlong_values(_CREDENTIALS, values)
    session.connection().execute(_INSERT_CREDENTIAL, values)  # Core: no ORM execute path
    _audit_issue(session, principal, row, request, now, write=True)
    # (5) the mail, in the same transaction: no credential without its mail
    mail = None
    if request.notify:
        language = request.recipient.language or context.language
        mail = queue_notification(session, row, settings=settings, now=now, language=language)
    session.commit()
    return Issued(row, created=True, issuer_slug=target.issuer_slug, mail=mail)


def _issue_orm(
    session: Session,
    keyring: Keyring,
    urls: Urls,
    principal: Principal,
    request: CredentialCreate,
    now: datetime,
    settings: Settings,
) -> Issued:
    """Issue through ORM objects: OB 2.0, and an issuer's first key of an algorithm."""
    achievement = _achievement_for(session, principal, request.achievement_id)
    existing = _by_external_id(session, achievement.issuer_id, achievement.id, request)
    if existing is not None:
        return Issued(existing, created=False, issuer_slug=achievement.issuer.slug)
    row = issuing.build(session, keyring, urls, achievement, request, now)
    session.add(row)
    _audit_issue(session, principal, row, request, now, write=False)
    mail = None
    if request.notify:
        mail = queue_notification(
            session, row, settings=settings, now=now, language=request.recipient.language
        )
    session.commit()
    return Issued(row, created=True, issuer_slug=achievement.issuer.slug, mail=mail)


def _audit_issue(
    session: Session,
    principal: Principal,
    row: IssuedCredential,
    request: CredentialCreate,
    now: datetime,
    *,
    write: bool,
) -> None:
    (audit.write if write else audit.record)(
        session,
        "credential.issue",
        actor=principal,
        subject_type="credential",
        subject_id=row.id,
        issuer_id=row.issuer_id,
        # No recipient identity here: the credential's id leads to it for those who may
        # see it.
        details={
            "achievement_id": str(row.achievement_id),
            "format": row.format,
            "notify": request.notify,
        },
        at=now,
    )


def _unknown_achievement(achievement_id: uuid.UUID) -> UnprocessableError:
    # A reference in the request body that names nothing (or another issuer's achievement,
    # reported the same way) makes the request invalid, not the URL.
    return UnprocessableError(f"achievement {achievement_id} does not exist")


def _achievement_for(
    session: Session, principal: Principal, achievement_id: uuid.UUID
) -> Achievement:
    try:
        return achievement_service.get_achievement_for(session, principal, achievement_id)
    except NotFoundError as error:
        # A reference in the request body that names nothing (or another issuer's
        # achievement, reported the same way) makes the request invalid, not the URL.
        raise UnprocessableError(str(error)) from None


def _by_external_id(
    session: Session,
    issuer_id: uuid.UUID,
    achievement_id: uuid.UUID,
    request: CredentialCreate,
) -> IssuedCredential | None:
    if request.external_id is None:
        return None
    return session.scalar(
        select(IssuedCredential).where(
            IssuedCredential.issuer_id == issuer_id,
            IssuedCredential.achievement_id == achievement_id,
            IssuedCredential.external_id == request.external_id,
        )
    )


def parse_id(value: str) -> uuid.UUID:
    """A credential id from a URL path segment; anything else is simply not found."""
    try:
        return uuid.UUID(value)
    except ValueError:
        raise NotFoundError(f"credential {value!r} does not exist") from None


def get_credential(session: Session, credential_id: uuid.UUID) -> IssuedCredential:
    credential = session.get(IssuedCredential, credential_id)
    if credential is None:
        raise NotFoundError(f"credential {credential_id} does not exist")
    return credential


def get_credential_for(
    session: Session, principal: Principal, credential_id: uuid.UUID
) -> IssuedCredential:
    """The credential, if ``principal`` may see it (else 404, revealing nothing)."""
    credential = session.get(IssuedCredential, credential_id)
    if credential is None or not principal.may_act_for(credential.issuer_id):
        raise NotFoundError(f"credential {credential_id} does not exist")
    return credential


def list_credentials(
    session: Session, principal: Principal, filters: CredentialFilter, *, limit: int, offset: int
) -> tuple[list[IssuedCredential], int]:
    """The credentials ``principal`` may see, newest first, and how many match in all."""
    query = _filtered(select(IssuedCredential), principal, filters)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(IssuedCredential.issued_at.desc(), IssuedCredential.id)
        .limit(limit)
        .offset(offset)
    )
    return list(rows), total


def _filtered(query: Select[Any], principal: Principal, filters: CredentialFilter) -> Select[Any]:
    if not principal.is_admin:
        query = query.where(IssuedCredential.issuer_id == principal.issuer_id)
    if filters.achievement_id is not None:
        query = query.where(IssuedCredential.achievement_id == filters.achievement_id)
    if filters.status is not None:
        query = query.where(IssuedCredential.status == filters.status)
    if filters.format is not None:
        query = query.where(IssuedCredential.format == filters.format)
    if filters.external_id is not None:
        query = query.where(IssuedCredential.external_id == filters.external_id)
    if filters.recipient_email is not None:
        query = query.where(
            IssuedCredential.recipient_email_lower == filters.recipient_email.lower()
        )
    if filters.issued_after is not None:
        query = query.where(IssuedCredential.issued_at >= filters.issued_after)
    if filters.issued_before is not None:
        query = query.where(IssuedCredential.issued_at < filters.issued_before)
    return query


def _transition(
    session: Session, credential: IssuedCredential, allowed_from: tuple[str, ...], **values: Any
) -> bool:
    # A conditional UPDATE, so two concurrent changes cannot both succeed.
    result = session.execute(
        update(IssuedCredential)
        .where(IssuedCredential.id == credential.id, IssuedCredential.status.in_(allowed_from))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return cast(CursorResult[Any], result).rowcount == 1


def revoke(
    session: Session,
    credential: IssuedCredential,
    reason: str,
    now: datetime,
    *,
    actor: Principal | None,
    public: bool = False,
) -> IssuedCredential:
    """Revoke for good (OB 3.0 revocation list bit; OB 2.0 revocation list and hosted copy).

    ``public``: the reason is shown on the credential's public page too.

    Raises:
        ConflictError: it is revoked already.
    """
    changed = _transition(
        session,
        credential,
        ("active", "suspended"),
        status="revoked",
        revoked_at=now,
        revocation_reason=reason,
        revocation_reason_public=public,
        status_changed_at=now,
    )
    if not changed:
        session.rollback()
        raise ConflictError(f"credential {credential.id} is revoked already")
    # A suspended credential leaves the suspension list as it enters the revocation list.
    status_service.record_change(session, credential, {"revocation", "suspension"})
    webhook_events.record(session, credential.id, "credential.revoked", now)
    _audit(
        session, "credential.revoke", credential, actor, now, reason=reason, reason_public=public
    )
    session.commit()
    session.refresh(credential)
    return credential


def suspend(
    session: Session,
    credential: IssuedCredential,
    now: datetime,
    *,
    actor: Principal | None,
    reason: str | None = None,
) -> IssuedCredential:
    """Suspend until further notice (OB 3.0 only: OB 2.0 has no suspension).

    Raises:
        ConflictError: it is an OB 2.0 assertion, revoked, or suspended already.
    """
    if credential.format == "ob2":
        raise ConflictError("OB 2.0 assertions cannot be suspended, only revoked")
    if not _transition(session, credential, ("active",), status="suspended", status_changed_at=now):
        session.rollback()
        session.refresh(credential)
        raise ConflictError(f"credential {credential.id} is {credential.status}, not active")
    status_service.record_change(session, credential, {"suspension"})
    webhook_events.record(session, credential.id, "credential.suspended", now)
    # For the staff only: the reason goes to the audit log, never to the public page.
    details = {"reason": reason} if reason else {}
    _audit(session, "credential.suspend", credential, actor, now, **details)
    session.commit()
    session.refresh(credential)
    return credential


def unsuspend(
    session: Session, credential: IssuedCredential, now: datetime, *, actor: Principal | None
) -> IssuedCredential:
    """Lift a suspension.

    Raises:
        ConflictError: it is not suspended (active, or revoked for good).
    """
    if not _transition(session, credential, ("suspended",), status="active", status_changed_at=now):
        session.rollback()
        session.refresh(credential)
        raise ConflictError(f"credential {credential.id} is {credential.status}, not suspended")
    status_service.record_change(session, credential, {"suspension"})
    webhook_events.record(session, credential.id, "credential.unsuspended", now)
    _audit(session, "credential.unsuspend", credential, actor, now)
    session.commit()
    session.refresh(credential)
    return credential


def set_listed(
    session: Session,
    credential: IssuedCredential,
    listed: bool,
    now: datetime,
    *,
    actor: Principal | None,
) -> IssuedCredential:
    """Let search engines index the credential's public page, or stop them.

    The passer's choice: staff set it through the API for now, and the passer's own claim
    page calls this same function.
    """
    result = session.execute(
        update(IssuedCredential)
        .where(IssuedCredential.id == credential.id, IssuedCredential.listed != listed)
        .values(listed=listed)
        .execution_options(synchronize_session=False)
    )
    if cast(CursorResult[Any], result).rowcount == 1:
        _audit(session, "credential.listing", credential, actor, now, listed=listed)
    session.commit()
    session.refresh(credential)
    return credential


def _audit(
    session: Session,
    action: audit.Action,
    credential: IssuedCredential,
    actor: Principal | None,
    now: datetime,
    **details: Any,
) -> None:
    audit.record(
        session,
        action,
        actor=actor,
        subject_type="credential",
        subject_id=credential.id,
        issuer_id=credential.issuer_id,
        details=details,
        at=now,
    )


def document_object(credential: IssuedCredential) -> dict[str, Any] | str:
    """The stored document as the API returns it: parsed JSON, or the JWS as it is."""
    if credential.format == "ob3-jwt":
        return credential.document
    parsed: dict[str, Any] = json.loads(credential.document)
    return parsed


def issuer_slug(session: Session, credential: IssuedCredential) -> str:
    slug = session.scalar(select(Issuer.slug).where(Issuer.id == credential.issuer_id))
    if slug is None:  # pragma: no cover - a foreign key guarantees it
        raise NotFoundError(f"issuer {credential.issuer_id} does not exist")
    return slug


def issuer_slugs(session: Session, issuer_ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    """The slugs of ``issuer_ids``, in one query."""
    if not issuer_ids:
        return {}
    rows = session.execute(select(Issuer.id, Issuer.slug).where(Issuer.id.in_(issuer_ids)))
    return {issuer_id: slug for issuer_id, slug in rows}


def achievement_of(session: Session, credential: IssuedCredential) -> Achievement:
    return achievement_service.get_achievement(session, credential.achievement_id)
