"""What staff may do for a passer who has not accepted a badge yet: mail the link again, or
send it to a corrected address.

The address is in the credential (OB 3.0 and OB 2.0 carry its salted hash), so a new
address means the credential signed again: the same id and status list entry, a new
``validFrom`` (OB 3.0 credential equality: the same issuer and ``id``, the later
``validFrom`` supersedes; https://www.imsglobal.org/spec/ob/v3p0/), its evidence and
results read back from the stored document, and a fresh notification to the new address;
the links mailed to the old address stop working.
Once the passer has accepted (:func:`app.claims.service.accept`), the badge is theirs: both
are refused (the passer's own lost-link form still mails a link).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, exists, select, update
from sqlalchemy.orm import Session

from app.achievements import service as achievement_service
from app.apikeys.service import Principal
from app.audit import service as audit
from app.claims import service as claims
from app.claims.models import Claim
from app.credentials import issuing
from app.credentials.models import IssuedCredential
from app.credentials.schemas import CredentialCreate, EvidenceIn, RecipientIn, ResultIn
from app.errors import ConflictError
from app.keyring import Keyring
from app.mail.models import OutboxMessage
from app.mail.outbox import queue_notification
from app.settings import Settings
from app.status import service as status_service
from app.status.models import StatusList
from app.urls import Urls
from keys import b64url_decode

__all__ = ["change_address", "resend_notification"]


def _unclaimed(session: Session, credential: IssuedCredential) -> None:
    if credential.status != "active":
        raise ConflictError(f"credential {credential.id} is {credential.status}, not active")
    if claims.claimed_at(session, credential.id) is not None:
        raise ConflictError(f"credential {credential.id} has been claimed by its passer")


def resend_notification(
    session: Session,
    credential: IssuedCredential,
    now: datetime,
    *,
    settings: Settings,
    actor: Principal | None,
) -> None:
    """Queue the notification again, with a fresh claim link, in the passer's language.

    Earlier links keep working until they expire.

    Raises:
        ConflictError: the badge is claimed already, or not active.
    """
    _unclaimed(session, credential)
    queue_notification(
        session, credential, settings=settings, now=now, language=_language(session, credential)
    )
    audit.record(
        session,
        "credential.resend",
        actor=actor,
        subject_type="credential",
        subject_id=credential.id,
        issuer_id=credential.issuer_id,
        details={},
        at=now,
    )
    session.commit()


def _language(session: Session, credential: IssuedCredential) -> str | None:
    """The language the passer was mailed in last."""
    return session.scalar(
        select(OutboxMessage.language)
        .where(OutboxMessage.credential_id == credential.id)
        .order_by(OutboxMessage.queued_at.desc())
        .limit(1)
    )


def _signed_content(credential: IssuedCredential) -> tuple[dict[str, Any], str]:
    """The stored credential as JSON (a VC-JWT's payload), and a VC-JWT's algorithm."""
    if credential.format == "ob3-jwt":
        header, payload = credential.document.split(".")[:2]
        algorithm = json.loads(b64url_decode(header, "the JWT header"))["alg"]
        return json.loads(b64url_decode(payload, "the JWT payload")), algorithm
    return json.loads(credential.document), "ES256"


def _request_again(credential: IssuedCredential, email: str) -> CredentialCreate:
    """The request that signs ``credential`` again for ``email``, its other content kept."""
    document, algorithm = _signed_content(credential)
    evidence_fields = ("id", "name", "narrative", "description")
    evidence = [
        EvidenceIn.model_validate({k: item[k] for k in evidence_fields if k in item})
        for item in document.get("evidence", [])
    ]
    subject = document.get("credentialSubject", {})
    results = [
        ResultIn.model_validate({k: item[k] for k in ("value", "status") if k in item})
        for item in subject.get("result", [])
    ]
    return CredentialCreate(
        achievement_id=credential.achievement_id,
        recipient=RecipientIn(email=email, name=credential.recipient_name),
        format=cast(Any, credential.format),
        jwt_algorithm=cast(Any, algorithm if algorithm in ("ES256", "RS256") else "ES256"),
        valid_until=credential.valid_until,
        evidence=evidence,
        result=results,
        external_id=credential.external_id,
    )


def change_address(
    session: Session,
    keyring: Keyring,
    urls: Urls,
    credential: IssuedCredential,
    email: str,
    now: datetime,
    *,
    settings: Settings,
    actor: Principal | None,
) -> IssuedCredential:
    """Sign the credential again for ``email`` and notify the passer there.

    Raises:
        ConflictError: the badge is claimed already (even by a claim made meanwhile), or
            not active.
    """
    _unclaimed(session, credential)
    if email == credential.recipient_email:
        return credential
    achievement = achievement_service.get_achievement(session, credential.achievement_id)
    position = None
    if credential.status_list_id is not None and credential.status_index is not None:
        listing = session.get_one(StatusList, credential.status_list_id)
        position = status_service.Position(listing, credential.status_index)
    signed = issuing.build_at(
        session,
        keyring,
        urls,
        achievement,
        _request_again(credential, email),
        now,
        credential.id,
        position,
    )
    # The links mailed to the old address end now: a mistyped address may be a stranger's,
    # who must not accept the badge (and so close it to corrections) before its passer.
    # First, so that an acceptance under way holds this statement until it commits, and the
    # next one, reading afresh, sees its claim; one that starts later finds its link expired
    # (:func:`app.claims.service.accept` checks the expiry in its UPDATE).
    session.execute(
        update(Claim)
        .where(
            Claim.credential_id == credential.id,
            Claim.claimed_at.is_(None),
            Claim.expires_at > now,
        )
        .values(expires_at=now)
        .execution_options(synchronize_session=False)
    )
    claimed = exists().where(Claim.credential_id == credential.id, Claim.claimed_at.is_not(None))
    # Conditional: a claim or a revocation that came in meanwhile wins over the change.
    result = session.execute(
        update(IssuedCredential)
        .where(IssuedCredential.id == credential.id, IssuedCredential.status == "active", ~claimed)
        .values(
            document=signed.document,
            signed_document=signed.signed_document,
            issued_at=signed.issued_at,
            recipient_email=signed.recipient_email,
            recipient_email_lower=signed.recipient_email_lower,
        )
        .execution_options(synchronize_session=False)
    )
    if cast(CursorResult[Any], result).rowcount != 1:
        session.rollback()
        raise ConflictError(f"credential {credential.id} was claimed or changed meanwhile")
    language = _language(session, credential)
    session.refresh(credential)
    queue_notification(session, credential, settings=settings, now=now, language=language)
    audit.record(
        session,
        "credential.address",
        actor=actor,
        subject_type="credential",
        subject_id=credential.id,
        issuer_id=credential.issuer_id,
        details={"reissued": True},  # never the addresses themselves
        at=now,
    )
    session.commit()
    session.refresh(credential)
    return credential
