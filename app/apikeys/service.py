"""Creating, listing, checking and revoking API keys.

A key reads ``shm_<prefix>_<secret>``: the prefix finds the row, the secret (256 bits) is
compared by its SHA-256. A fast hash is enough for a random secret of that size; only the hash
is stored, and the key is shown once. A key may carry an expiry; a revoked or expired key is
refused on its next call, by every server (keys are looked up on every call, not cached).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, Table, bindparam, func, select, update
from sqlalchemy.orm import Session

from app.apikeys.models import ApiKey
from app.audit import service as audit
from app.errors import ConflictError, ForbiddenError, NotFoundError, UnprocessableError


@dataclass(frozen=True)
class Principal:
    """Who is calling: an administrator, the staff of one issuer, or an HR system.

    An HR system's key (``is_hr``) belongs to no issuer: it may act for none, and the request
    dependencies (:mod:`app.deps`) let it reach only its watches and the verifier.
    """

    key_id: uuid.UUID
    is_admin: bool
    issuer_id: uuid.UUID | None
    is_hr: bool = False

    def may_act_for(self, issuer_id: uuid.UUID) -> bool:
        return self.is_admin or (not self.is_hr and self.issuer_id == issuer_id)


@dataclass(frozen=True)
class NewKey:
    """A key just made: its row, and the key in full (the only time it is visible)."""

    row: ApiKey
    token: str


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_api_key(
    session: Session,
    *,
    issuer_id: uuid.UUID | None,
    is_admin: bool,
    is_hr: bool = False,
    name: str | None = None,
    expires_at: datetime | None = None,
    actor: Principal | None = None,
    now: datetime,
) -> NewKey:
    """Store a new key, record it in the audit log, and return it with its full text.

    ``actor`` is the key that asks (``None``: the command line). An issuer's staff may make
    keys for their own issuer only; only an administrator makes an administrator's or an HR
    system's key.

    Raises:
        ForbiddenError: the actor may not make this key.
        UnprocessableError: ``expires_at`` is not in the future.
    """
    if [is_admin, is_hr, issuer_id is not None].count(True) != 1:
        raise ValueError("a key is an administrator's, an HR system's or one issuer's")
    if (
        actor is not None
        and not actor.is_admin
        and (is_admin or is_hr or issuer_id != actor.issuer_id)
    ):
        raise ForbiddenError("an issuer's key may only make keys for its own issuer")
    if expires_at is not None and expires_at <= now:
        raise UnprocessableError("expires_at must be in the future")
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    row = ApiKey(
        prefix=prefix,
        secret_hash=_hash(secret),
        issuer_id=issuer_id,
        is_admin=is_admin,
        is_hr=is_hr,
        name=name,
        created_at=now,
        created_by_key_id=actor.key_id if actor is not None else None,
        expires_at=expires_at,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        "api_key.create",
        actor=actor,
        subject_type="api_key",
        subject_id=row.id,
        issuer_id=issuer_id,
        details={
            "name": name,
            "prefix": prefix,
            "scope": row.role,
            "expires_at": expires_at.isoformat() if expires_at else None,
        },
        at=now,
    )
    session.commit()
    return NewKey(row, f"shm_{prefix}_{secret}")


def create_api_key(
    session: Session,
    *,
    issuer_id: uuid.UUID | None,
    is_admin: bool,
    is_hr: bool = False,
    name: str | None = None,
    now: datetime | None = None,
) -> str:
    """Store a new key made on the command line and return it in full."""
    from app.db import utcnow

    made = new_api_key(
        session,
        issuer_id=issuer_id,
        is_admin=is_admin,
        is_hr=is_hr,
        name=name,
        now=now or utcnow(),
    )
    return made.token


_KEYS = cast(Table, ApiKey.__table__)
# Every authenticated request runs this: columns, not an ORM object.
_BY_PREFIX = select(
    _KEYS.c.id,
    _KEYS.c.secret_hash,
    _KEYS.c.is_admin,
    _KEYS.c.is_hr,
    _KEYS.c.issuer_id,
    _KEYS.c.expires_at,
    _KEYS.c.revoked_at,
).where(_KEYS.c.prefix == bindparam("prefix"))


def authenticate(session: Session, token: str, now: datetime) -> Principal | None:
    """The principal a bearer token stands for, or ``None`` (unknown, revoked, expired)."""
    parts = token.split("_", 2)
    if len(parts) != 3 or parts[0] != "shm":
        return None
    # On the session's connection: a Core statement needs none of Session.execute's ORM path.
    row = session.connection().execute(_BY_PREFIX, {"prefix": parts[1]}).first()
    if row is None or ApiKey.state_of(row.revoked_at, row.expires_at, now) != "active":
        return None
    if not hmac.compare_digest(row.secret_hash, _hash(parts[2])):
        return None
    return Principal(key_id=row.id, is_admin=row.is_admin, issuer_id=row.issuer_id, is_hr=row.is_hr)


def get_api_key_for(session: Session, principal: Principal, key_id: uuid.UUID) -> ApiKey:
    """The key, if ``principal`` may see it (else 404, revealing nothing)."""
    row = session.get(ApiKey, key_id)
    if row is None or not (
        principal.is_admin or (row.issuer_id is not None and row.issuer_id == principal.issuer_id)
    ):
        raise NotFoundError(f"API key {key_id} does not exist")
    return row


def list_api_keys(
    session: Session,
    principal: Principal | None,
    *,
    issuer_id: uuid.UUID | None = None,
    include_revoked: bool = True,
    limit: int,
    offset: int,
) -> tuple[list[ApiKey], int]:
    """The keys ``principal`` may see (all of them for the command line), newest first."""
    query = select(ApiKey)
    if principal is not None and not principal.is_admin:
        query = query.where(ApiKey.issuer_id == principal.issuer_id)
    if issuer_id is not None:
        query = query.where(ApiKey.issuer_id == issuer_id)
    if not include_revoked:
        query = query.where(ApiKey.revoked_at.is_(None))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(ApiKey.created_at.desc(), ApiKey.id).limit(limit).offset(offset)
    )
    return list(rows), total


def find_api_key(session: Session, reference: str) -> ApiKey:
    """A key by its id or its prefix (what ``shomei apikey list`` shows).

    Raises:
        NotFoundError: no key has that id or prefix.
    """
    try:
        row = session.get(ApiKey, uuid.UUID(reference))
    except ValueError:
        prefix = reference.removeprefix("shm_").split("_", 1)[0]
        row = session.scalar(select(ApiKey).where(ApiKey.prefix == prefix))
    if row is None:
        raise NotFoundError(f"no API key {reference!r}")
    return row


def revoke_api_key(
    session: Session, row: ApiKey, *, actor: Principal | None, now: datetime
) -> ApiKey:
    """Revoke a key for good: its next call is refused, on every server.

    Raises:
        ConflictError: it is revoked already.
    """
    # A conditional UPDATE: of two concurrent revocations, one wins and one is told.
    result = session.execute(
        update(ApiKey)
        .where(ApiKey.id == row.id, ApiKey.revoked_at.is_(None))
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )
    if cast(CursorResult[Any], result).rowcount != 1:
        session.rollback()
        raise ConflictError(f"API key {row.id} is revoked already")
    audit.record(
        session,
        "api_key.revoke",
        actor=actor,
        subject_type="api_key",
        subject_id=row.id,
        issuer_id=row.issuer_id,
        details={"name": row.name, "prefix": row.prefix},
        at=now,
    )
    session.commit()
    session.refresh(row)
    return row
