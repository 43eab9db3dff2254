"""Building and signing one credential in each format; the row is returned unsaved.

``ob3``: an OpenBadgeCredential with an ``eddsa-rdfc-2022`` proof by the issuer's active
Ed25519 key. ``ob3-jwt``: the same credential as a VC-JWT (ES256, or RS256 on request).
``ob2``: an OB 2.0 hosted assertion and a JWS of the same assertion (RS256), whose
``creator`` is the key's CryptographicKey document, listed in the issuer's OB 2.0 Profile.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from app.achievements.documents import achievement_document
from app.achievements.models import Achievement
from app.credentials.models import IssuedCredential
from app.credentials.schemas import CredentialCreate
from app.issuers import service as issuer_service
from app.issuers.models import Issuer
from app.keyring import Keyring
from app.status import service as status_service
from app.urls import Urls
from badges import data_integrity, ob2, ob3, vc_jwt


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
    parts: Parts | None = None,
) -> IssuedCredential:
    """The signed credential ``credential_id`` at ``position`` (OB 3.0), as an unsaved row.

    Nothing is written: the caller claims the position (batches claim a chunk's at once, and a
    re-issue keeps the credential's own). ``parts``: :func:`prepare`'s, to share among many.
    """
    issuer = achievement.issuer
    email = str(request.recipient.email)
    # The lower-cased address is what we store for lookups and what the hash covers (OB 3.0
    # IdentityObject, https://www.imsglobal.org/spec/ob/v3p0/#identityobject: the hash is of
    # the salted identity exactly as stored), so recipients can prove it in any case.
    lower = email.lower()
    row = IssuedCredential(
        id=credential_id,
        issuer_id=issuer.id,
        achievement_id=achievement.id,
        format=request.format,
        status="active",
        recipient_email=email,
        recipient_email_lower=lower,
        recipient_name=request.recipient.name,
        external_id=request.external_id,
        issued_at=now,
        valid_until=request.valid_until,
    )
    if request.format == "ob2":
        row.document, row.signed_document = _ob2(
            session, keyring, urls, issuer, achievement, credential_id, lower, request, now
        )
        return row
    if position is None:
        raise ValueError("an OB 3.0 credential needs a status list position")
    row.status_list_id = position.status_list.id
    row.status_index = position.index
    parts = parts or prepare(urls, achievement)
    unsigned = _ob3(urls, issuer, parts, credential_id, lower, request, position, now)
    if request.format == "ob3":
        _, signer = keyring.active_signer(session, issuer, "EdDSA", now)
        row.document = _json_text(data_integrity.sign(unsigned, signer, created=now))
    else:
        _, signer = keyring.active_signer(session, issuer, request.jwt_algorithm, now)
        row.document = vc_jwt.sign(unsigned, signer)
    return row


@dataclass(frozen=True)
class Parts:
    """What every OB 3.0 credential of one achievement shares: the issuer's Profile and the
    Achievement, built once for a batch's chunk instead of once per credential."""

    profile: ob3.Profile
    achievement: ob3.Achievement


def prepare(urls: Urls, achievement: Achievement) -> Parts:
    profile = {
        k: v
        for k, v in issuer_service.profile_of(urls, achievement.issuer).items()
        if k != "@context"
    }
    return Parts(
        profile=ob3.Profile.from_wire(profile),
        achievement=ob3.Achievement.from_wire(achievement_document(urls, achievement)),
    )


def _ob3(
    urls: Urls,
    issuer: Issuer,
    parts: Parts,
    credential_id: uuid.UUID,
    email: str,
    request: CredentialCreate,
    position: status_service.Position,
    now: datetime,
) -> dict[str, Any]:
    awarded = parts.achievement
    entry = status_service.entry_for(
        urls,
        issuer.slug,
        position.status_list.number,
        position.index,
        "revocation",
        jwt=request.format == "ob3-jwt",  # a VC-JWT's list is secured the same way
    )
    return ob3.build_credential(
        credential_id=urls.credential(credential_id),
        issuer=parts.profile,
        achievement=awarded,
        recipient_email=email,
        recipient_name=request.recipient.name if issuer.recipient_name_in_credential else None,
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
