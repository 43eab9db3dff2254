"""Claim tokens: drawn when a passer is notified (:mod:`app.mail.outbox` writes the claim),
found again when the link is followed.

A token is 32 bytes from :mod:`secrets` (256 bits, URL-safe base64): guessing one is out of
reach, so the link alone is the passer's proof. Only its SHA-256 hash is stored; a link
expires after ``SHOMEI_CLAIM_TOKEN_DAYS`` days.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, exists, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from app.audit import service as audit
from app.claims.models import Claim

TOKEN_BYTES = 32


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def new_token() -> str:
    """A claim token: 256 bits from :mod:`secrets`, URL-safe."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def find_claim(session: Session, token: str, *, now: datetime) -> Claim | None:
    """The claim a link's token stands for, unless unknown or expired."""
    if not 16 <= len(token) <= 128:
        return None
    claim = session.scalar(select(Claim).where(Claim.token_hash == token_hash(token)))
    if claim is None or claim.expires_at <= now:
        return None
    return claim


@dataclass(frozen=True)
class Found:
    """What a link's token opens: its claim, or why none (``unknown`` or ``expired``)."""

    claim: Claim | None
    reason: str = ""


def look_up(session: Session, token: str, *, now: datetime) -> Found:
    """The claim of a followed link, or ``unknown`` (never issued, forged) or ``expired``."""
    if not 16 <= len(token) <= 128:
        return Found(None, "unknown")
    claim = session.scalar(select(Claim).where(Claim.token_hash == token_hash(token)))
    if claim is None:
        return Found(None, "unknown")
    if claim.expires_at <= now:
        return Found(None, "expired")
    return Found(claim)


def claimed_at(session: Session, credential_id: uuid.UUID) -> datetime | None:
    """When the credential's passer accepted it, through whichever of its links."""
    return session.scalar(
        select(func.min(Claim.claimed_at)).where(Claim.credential_id == credential_id)
    )


def claimed_at_of(session: Session, credential_ids: list[uuid.UUID]) -> dict[uuid.UUID, datetime]:
    """:func:`claimed_at` of many credentials, in one query."""
    if not credential_ids:
        return {}
    rows = session.execute(
        select(Claim.credential_id, func.min(Claim.claimed_at))
        .where(Claim.credential_id.in_(credential_ids), Claim.claimed_at.is_not(None))
        .group_by(Claim.credential_id)
    )
    return {credential_id: at for credential_id, at in rows if at is not None}


def accept(session: Session, claim: Claim, issuer_id: uuid.UUID, *, now: datetime) -> bool:
    """Record the passer's acceptance, once per credential; whether this call recorded it.

    One conditional UPDATE: the link's row gets ``claimed_at`` only if no link of the same
    credential has one, so accepting twice, or through two links, records one claim. Two
    links accepted at the same moment each see no claim in their snapshot (PostgreSQL's READ
    COMMITTED); the partial unique index on claimed links then makes the later one wait for
    the first and fail, and that one records nothing.
    """
    other = aliased(Claim)
    already = exists().where(
        other.credential_id == claim.credential_id, other.claimed_at.is_not(None)
    )
    try:
        result = session.execute(
            update(Claim)
            .where(
                Claim.id == claim.id,
                Claim.claimed_at.is_(None),
                Claim.expires_at > now,  # a link that staff ended meanwhile accepts nothing
                ~already,
            )
            .values(claimed_at=now)
            .execution_options(synchronize_session=False)
        )
    except IntegrityError:
        session.rollback()  # another link of the credential was accepted meanwhile
        return False
    recorded = cast(CursorResult[Any], result).rowcount == 1
    if recorded:
        audit.record(
            session,
            "credential.claim",
            actor=None,
            subject_type="credential",
            subject_id=claim.credential_id,
            issuer_id=issuer_id,
            details={"claim_id": str(claim.id)},
            at=now,
        )
    session.commit()
    return recorded
