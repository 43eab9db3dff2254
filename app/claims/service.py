"""Claim tokens: made when a passer is notified, found again when the link is followed.

A token is 32 bytes from :mod:`secrets` (256 bits, URL-safe base64): guessing one is out of
reach, so the link alone is the passer's proof. Only its SHA-256 hash is stored; a link
expires after ``SHOMEI_CLAIM_TOKEN_DAYS`` days.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.claims.models import Claim
from app.credentials.models import IssuedCredential

TOKEN_BYTES = 32


@dataclass(frozen=True)
class NewClaim:
    claim: Claim
    token: str  # in clear: goes into the mail, never into the database


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def new_claim(
    session: Session, credential: IssuedCredential, *, now: datetime, days: int
) -> NewClaim:
    """A fresh claim link for ``credential``, added to ``session`` (the caller commits)."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    claim = Claim(
        credential_id=credential.id,
        token_hash=token_hash(token),
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    session.add(claim)
    return NewClaim(claim, token)


def find_claim(session: Session, token: str, *, now: datetime) -> Claim | None:
    """The claim a link's token stands for, unless unknown or expired."""
    if not 16 <= len(token) <= 128:
        return None
    claim = session.scalar(select(Claim).where(Claim.token_hash == token_hash(token)))
    if claim is None or claim.expires_at <= now:
        return None
    return claim
