"""Claim tokens: drawn when a passer is notified (:mod:`app.mail.outbox` writes the claim),
found again when the link is followed.

A token is 32 bytes from :mod:`secrets` (256 bits, URL-safe base64): guessing one is out of
reach, so the link alone is the passer's proof. Only its SHA-256 hash is stored; a link
expires after ``SHOMEI_CLAIM_TOKEN_DAYS`` days.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

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
