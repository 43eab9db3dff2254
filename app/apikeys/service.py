"""Creating and checking API keys.

A key reads ``shm_<prefix>_<secret>``: the prefix finds the row, the secret (256 bits) is
compared by its SHA-256. A fast hash is enough for a random secret of that size; only the hash
is stored, and the key is shown once.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.apikeys.models import ApiKey


@dataclass(frozen=True)
class Principal:
    """Who is calling: an administrator, or the staff of one issuer."""

    key_id: uuid.UUID
    is_admin: bool
    issuer_id: uuid.UUID | None

    def may_act_for(self, issuer_id: uuid.UUID) -> bool:
        return self.is_admin or self.issuer_id == issuer_id


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_api_key(
    session: Session, *, issuer_id: uuid.UUID | None, is_admin: bool, label: str | None = None
) -> str:
    """Store a new key and return it in full (the only time it is visible)."""
    if is_admin == (issuer_id is not None):
        raise ValueError("a key is either an administrator's or one issuer's")
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    session.add(
        ApiKey(
            prefix=prefix,
            secret_hash=_hash(secret),
            issuer_id=issuer_id,
            is_admin=is_admin,
            label=label,
        )
    )
    session.commit()
    return f"shm_{prefix}_{secret}"


def authenticate(session: Session, token: str) -> Principal | None:
    """The principal a bearer token stands for, or ``None``."""
    parts = token.split("_", 2)
    if len(parts) != 3 or parts[0] != "shm":
        return None
    row = session.scalar(select(ApiKey).where(ApiKey.prefix == parts[1]))
    if row is None or row.revoked_at is not None:
        return None
    if not hmac.compare_digest(row.secret_hash, _hash(parts[2])):
        return None
    return Principal(key_id=row.id, is_admin=row.is_admin, issuer_id=row.issuer_id)
