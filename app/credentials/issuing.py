"""Building and signing one credential in each format; the row is returned unsaved.

``ob3``: an OpenBadgeCredential with an ``eddsa-rdfc-2022`` proof by the issuer's active
Ed25519 key. ``ob3-jwt``: the same credential as a VC-JWT (ES256, or RS256 on request).
``ob2``: an OB 2.0 hosted assertion and a JWS of the same assertion (RS256), whose
``creator`` is the key's CryptographicKey document, listed in the issuer's OB 2.0 Profile.
"""

from __future__ import annotations

import dataclasses
import json
import secrets
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from sqlalchemy.orm import Session

from app.achievements.models import Achievement
from app.credentials.contexts import IssuingContext, parsed_documents
from app.credentials.models import IssuedCredential
from app.credentials.schemas import CredentialCreate, RecipientIn
from app.issuers.models import Issuer
from app.keyring import Keyring
from app.status import service as status_service
from app.status.models import StatusList
from app.urls import Urls
from badges import data_integrity, ob2, ob3, vc_jwt
from keys import KeySigner


def build(
    session: Session,
    keyring: Keyring,
    urls: Urls,
    achievement: Achievement,
    request: CredentialCreate,
    now: datetime,
) -> IssuedCredential:
    """The signed credential as an unsaved row (its status position claimed in ``session``)."""
    issuer = achievement.issuer
    row = _row(issuer.id, achievement.id, request, now)
    if request.format == "ob2":
        row.document, row.signed_document = _ob2(
            session,
            keyring,
            urls,
            issuer,
            achievement,
            row.id,
            row.recipient_email_lower,
            request,
            now,
        )
        return row
    _, signer = keyring.active_signer(session, issuer, signing_algorithm(request), now)
    _sign_ob3(session, urls, row, context_of(urls, achievement), signer, request, now)
    return row


def signing_algorithm(request: CredentialCreate) -> str:
    """The algorithm an OB 3.0 credential of ``request`` is signed with."""
    return "EdDSA" if request.format == "ob3" else request.jwt_algorithm


def build_in_context(
    session: Session,
    urls: Urls,
    context: IssuingContext,
    signer: KeySigner,
    request: CredentialCreate,
    now: datetime,
) -> IssuedCredential:
    """:func:`build` for an OB 3.0 format from a prepared context and the issuer's signer."""
    row = _row(context.issuer_id, request.achievement_id, request, now)
    _sign_ob3(session, urls, row, context, signer, request, now)
    return row


# Where two OB 3.0 credentials of one achievement differ when neither has an expiry,
# evidence or results (the usual case), for a SigningTemplate.
TEMPLATE_PATHS: Final = (
    ("id",),
    ("validFrom",),
    ("credentialSubject", "identifier", 0, "identityHash"),
    ("credentialSubject", "identifier", 0, "salt"),
    ("credentialStatus", "id"),
    ("credentialStatus", "statusListIndex"),
    ("credentialStatus", "statusListCredential"),
)


def context_of(urls: Urls, achievement: Achievement, *, template: bool = False) -> IssuingContext:
    """What every credential of ``achievement`` shares; ``template``: with a SigningTemplate."""
    profile, awarded = parsed_documents(urls, achievement)
    context = IssuingContext(achievement.issuer_id, achievement.issuer.slug, profile, awarded)
    if not template:
        return context
    # Two credentials that differ in every varying value: the sample the template is made
    # from and the probe it must reproduce exactly.
    now = datetime.now(UTC).replace(microsecond=0)
    number, index = 1 + secrets.randbelow(1000), secrets.randbelow(status_service.LIST_SIZE // 2)
    sample = _sample(urls, context, achievement.id, now, number, index)
    probe = _sample(urls, context, achievement.id, now - _PROBE_EARLIER, number + 1, index + 1)
    made = data_integrity.SigningTemplate.prepare(sample, probe, TEMPLATE_PATHS)
    return dataclasses.replace(context, template=made)


_PROBE_EARLIER: Final = timedelta(days=1, seconds=1)


def _sample(
    urls: Urls,
    context: IssuingContext,
    achievement_id: uuid.UUID,
    now: datetime,
    number: int,
    index: int,
) -> dict[str, Any]:
    request = CredentialCreate(
        achievement_id=achievement_id,
        recipient=RecipientIn(email=f"{secrets.token_hex(8)}@example.com"),
    )
    listing = StatusList(id=uuid.uuid4(), number=number, capacity=status_service.LIST_SIZE)
    position = status_service.Position(listing, index)
    row = _row(context.issuer_id, achievement_id, request, now)
    return _ob3(urls, context, row, request, position, now)


def _row(
    issuer_id: uuid.UUID, achievement_id: uuid.UUID, request: CredentialCreate, now: datetime
) -> IssuedCredential:
    email = str(request.recipient.email)
    # The lower-cased address is what we store for lookups and what the hash covers (OB 3.0
    # IdentityObject, https://www.imsglobal.org/spec/ob/v3p0/#identityobject: the hash is of
    # the salted identity exactly as stored), so recipients can prove it in any case.
    return IssuedCredential(
        id=uuid.uuid4(),
        issuer_id=issuer_id,
        achievement_id=achievement_id,
        format=request.format,
        status="active",
        recipient_email=email,
        recipient_email_lower=email.lower(),
        recipient_name=request.recipient.name,
        external_id=request.external_id,
        issued_at=now,
        valid_until=request.valid_until,
    )


def _sign_ob3(
    session: Session,
    urls: Urls,
    row: IssuedCredential,
    context: IssuingContext,
    signer: KeySigner,
    request: CredentialCreate,
    now: datetime,
) -> None:
    """Take a status position, build and sign the credential into ``row``, claim the position."""
    position = status_service.draw_position(session, row.issuer_id, now)
    row.status_list_id = position.status_list.id
    row.status_index = position.index
    unsigned = _ob3(urls, context, row, request, position, now)
    if request.format == "ob3":
        signed = data_integrity.sign(unsigned, signer, created=now, template=context.template)
        row.document = _json_text(signed)
    else:
        row.document = vc_jwt.sign(unsigned, signer)
    # Written last: on SQLite the first write takes the database's write lock, which should
    # not be held while signing.
    status_service.claim_position(session, position)


def _ob3(
    urls: Urls,
    context: IssuingContext,
    row: IssuedCredential,
    request: CredentialCreate,
    position: status_service.Position,
    now: datetime,
) -> dict[str, Any]:
    awarded = context.achievement
    entry = status_service.entry_for(
        urls,
        context.issuer_slug,
        position.status_list.number,
        position.index,
        "revocation",
        jwt=request.format == "ob3-jwt",  # a VC-JWT's list is secured the same way
    )
    return ob3.build_credential(
        credential_id=urls.credential(row.id),
        issuer=context.profile,
        achievement=awarded,
        recipient_email=row.recipient_email_lower,
        valid_from=now,
        valid_until=request.valid_until,
        name=awarded.name,
        evidence=[
            ob3.Evidence(
                type=["Evidence"],
                id=str(item.id) if item.id else None,
                name=item.name,
                narrative=item.narrative,
                description=item.description,
            )
            for item in request.evidence
        ],
        results=[
            ob3.Result(type=["Result"], value=item.value, status=item.status)
            for item in request.result
        ],
        credential_status=entry,
    )


def _ob2(
    session: Session,
    keyring: Keyring,
    urls: Urls,
    issuer: Issuer,
    achievement: Achievement,
    credential_id: uuid.UUID,
    email: str,
    request: CredentialCreate,
    now: datetime,
) -> tuple[str, str]:
    evidence = [
        {
            key: value
            for key, value in (
                ("id", str(item.id) if item.id else None),
                ("name", item.name),
                ("narrative", item.narrative),
                ("description", item.description),
            )
            if value is not None
        }
        for item in request.evidence
    ]
    hosted = ob2.hosted_assertion(
        assertion_id=urls.ob2_assertion(credential_id),
        badge_id=urls.ob2_badge(achievement.id),
        recipient_email=email,
        issued_on=now,
        expires=request.valid_until,
        evidence=evidence,
    )
    key, signer = keyring.active_signer(session, issuer, "RS256", now)
    signed = ob2.signed_assertion(hosted, signer, creator=urls.ob2_key(key.id))
    return _json_text(hosted), signed


def _json_text(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))
