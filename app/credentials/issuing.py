"""Building and signing one credential in each format; the row is returned unsaved.

``ob3``: an OpenBadgeCredential with an ``eddsa-rdfc-2022`` proof by the issuer's active
Ed25519 key. ``ob3-jwt``: the same credential as a VC-JWT (ES256, or RS256 on request).
``ob2``: an OB 2.0 hosted assertion and a JWS of the same assertion (RS256), whose
``creator`` is the key's CryptographicKey document, listed in the issuer's OB 2.0 Profile.

Every OB 3.0 credential, issued alone or in a batch's chunk, is built by :func:`_sign_into`
from an :class:`~app.credentials.contexts.IssuingContext` (:func:`context_of`): the parsed
issuer Profile and Achievement, and the SigningTemplates of the usual shapes.
"""

from __future__ import annotations

import json
import secrets
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from sqlalchemy.orm import Session

from app.achievements.models import Achievement
from app.credentials.contexts import IssuingContext, Shape, parsed_documents
from app.credentials.models import IssuedCredential
from app.credentials.schemas import CredentialCreate, RecipientIn, ResultIn
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
    position = (
        None
        if request.format == "ob2"
        else status_service.allocate_position(session, achievement.issuer, now)
    )
    row = build_at(session, keyring, urls, achievement, request, now, uuid.uuid4(), position)
    if position is not None:
        # Written last: on SQLite the first write takes the database's write lock, which
        # should not be held while signing.
        status_service.claim_position(session, position)
    return row


def build_at(
    session: Session,
    keyring: Keyring,
    urls: Urls,
    achievement: Achievement,
    request: CredentialCreate,
    now: datetime,
    credential_id: uuid.UUID,
    position: status_service.Position | None,
    context: IssuingContext | None = None,
) -> IssuedCredential:
    """The signed credential ``credential_id`` at ``position`` (OB 3.0), as an unsaved row.

    Nothing is written: the caller claims the position (batches claim a chunk's at once, and a
    re-issue keeps the credential's own). ``context``: :func:`context_of`'s, to share among
    many credentials of ``achievement``.
    """
    issuer = achievement.issuer
    row = _row(issuer.id, achievement.id, request, now, credential_id)
    if request.format == "ob2":
        row.document, row.signed_document = _ob2(
            session,
            keyring,
            urls,
            issuer,
            achievement,
            credential_id,
            row.recipient_email_lower,
            request,
            now,
        )
        return row
    if position is None:
        raise ValueError("an OB 3.0 credential needs a status list position")
    _, signer = keyring.active_signer(session, issuer, signing_algorithm(request), now)
    context = context or context_of(urls, achievement)
    _sign_into(urls, row, context, signer, request, position, now)
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
    """:func:`build` for an OB 3.0 format from a kept context and the issuer's signer."""
    row = _row(context.issuer_id, request.achievement_id, request, now, uuid.uuid4())
    position = status_service.draw_position(session, context.issuer_id, now)
    _sign_into(urls, row, context, signer, request, position, now)
    # Written last: on SQLite the first write takes the database's write lock, which should
    # not be held while signing.
    status_service.claim_position(session, position)
    return row


# Where two OB 3.0 credentials of one achievement differ when neither has an expiry or
# evidence (the usual case), for a SigningTemplate. The passer's name, when the issuer writes
# it, is a second IdentityObject whose plaintext is its identityHash; a batch row's score is
# its one Result's value.
TEMPLATE_PATHS: Final = (
    ("id",),
    ("validFrom",),
    ("credentialSubject", "identifier", 0, "identityHash"),
    ("credentialSubject", "identifier", 0, "salt"),
    ("credentialStatus", "id"),
    ("credentialStatus", "statusListIndex"),
    ("credentialStatus", "statusListCredential"),
)
NAME_PATH: Final = ("credentialSubject", "identifier", 1, "identityHash")
SCORE_PATH: Final = ("credentialSubject", "result", 0, "value")


def context_of(urls: Urls, achievement: Achievement, *, template: bool = False) -> IssuingContext:
    """What every credential of ``achievement`` shares; ``template``: with SigningTemplates,
    one per usual shape, each made the first time a credential of its shape is signed."""
    issuer = achievement.issuer
    profile, awarded = parsed_documents(urls, achievement)
    return IssuingContext(
        achievement.issuer_id,
        issuer.slug,
        profile,
        awarded,
        name_in_credential=issuer.recipient_name_in_credential,
        language=achievement.language,
        templates={} if template else None,
    )


def _shape(context: IssuingContext, request: CredentialCreate) -> Shape | None:
    """(with the passer's name, with a score) for a credential of a usual shape, else None."""
    if request.evidence or request.valid_until is not None or len(request.result) > 1:
        return None
    scored = bool(request.result)
    if scored and (request.result[0].status is not None or request.result[0].value is None):
        return None
    return _written_name(context, request) is not None, scored


def template_for(
    urls: Urls, context: IssuingContext, achievement_id: uuid.UUID, request: CredentialCreate
) -> data_integrity.SigningTemplate | None:
    """The SigningTemplate of ``request``'s credential shape, made on first use; ``None`` for
    an unusual shape or a context without templates (the credential is expanded in full)."""
    shape = _shape(context, request)
    if context.templates is None or shape is None:
        return None
    if shape not in context.templates:
        # Made twice at worst, by two threads at once: both give an equal template.
        context.templates[shape] = _made(urls, context, achievement_id, shape)
    return context.templates[shape]


def _made(
    urls: Urls, context: IssuingContext, achievement_id: uuid.UUID, shape: Shape
) -> data_integrity.SigningTemplate | None:
    # Two credentials that differ in every varying value: the sample the template is made
    # from and the probe it must reproduce exactly.
    named, scored = shape
    now = datetime.now(UTC).replace(microsecond=0)
    number, index = 1 + secrets.randbelow(1000), secrets.randbelow(status_service.LIST_SIZE // 2)
    sample = _sample(urls, context, achievement_id, now, number, index, shape)
    probe = _sample(
        urls, context, achievement_id, now - _PROBE_EARLIER, number + 1, index + 1, shape
    )
    paths = TEMPLATE_PATHS + ((NAME_PATH,) if named else ()) + ((SCORE_PATH,) if scored else ())
    return data_integrity.SigningTemplate.prepare(sample, probe, paths)


_PROBE_EARLIER: Final = timedelta(days=1, seconds=1)


def _sample(
    urls: Urls,
    context: IssuingContext,
    achievement_id: uuid.UUID,
    now: datetime,
    number: int,
    index: int,
    shape: Shape,
) -> dict[str, Any]:
    named, scored = shape
    request = CredentialCreate(
        achievement_id=achievement_id,
        recipient=RecipientIn(
            email=f"{secrets.token_hex(8)}@example.com",
            name=secrets.token_hex(8) if named else None,
        ),
        result=[ResultIn(value=secrets.token_hex(8))] if scored else [],
    )
    listing = StatusList(id=uuid.uuid4(), number=number, capacity=status_service.LIST_SIZE)
    position = status_service.Position(listing, index)
    row = _row(context.issuer_id, achievement_id, request, now, uuid.uuid4())
    return _ob3(urls, context, row, request, position, now)


def _row(
    issuer_id: uuid.UUID,
    achievement_id: uuid.UUID,
    request: CredentialCreate,
    now: datetime,
    credential_id: uuid.UUID,
) -> IssuedCredential:
    email = str(request.recipient.email)
    # The lower-cased address is what we store for lookups and what the hash covers (OB 3.0
    # IdentityObject, https://www.imsglobal.org/spec/ob/v3p0/#identityobject: the hash is of
    # the salted identity exactly as stored), so recipients can prove it in any case.
    return IssuedCredential(
        id=credential_id,
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
        # Set here, not left to the columns' defaults: the issuing route answers from this
        # row, which its plain INSERT never refreshes.
        revocation_reason_public=False,
        listed=False,
    )


def _sign_into(
    urls: Urls,
    row: IssuedCredential,
    context: IssuingContext,
    signer: KeySigner,
    request: CredentialCreate,
    position: status_service.Position,
    now: datetime,
) -> None:
    """Build the credential at ``position`` and sign it into ``row`` (nothing is written)."""
    row.status_list_id = position.status_list.id
    row.status_index = position.index
    unsigned = _ob3(urls, context, row, request, position, now)
    if request.format == "ob3":
        template = template_for(urls, context, row.achievement_id, request)
        signed = data_integrity.sign(unsigned, signer, created=now, template=template)
        row.document = _json_text(signed)
    else:
        row.document = vc_jwt.sign(unsigned, signer)


def _written_name(context: IssuingContext, request: CredentialCreate) -> str | None:
    """The passer's name as the credential carries it, unless the issuer turned that off."""
    return request.recipient.name if context.name_in_credential else None


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
        recipient_name=_written_name(context, request),
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
