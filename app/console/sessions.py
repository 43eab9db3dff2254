"""Console sessions: sign in with an API key, find the session of a request, sign out.

The cookie holds a random value (256 bits); the table holds only its SHA-256, so the table
alone signs nobody in. A session names the API key it was opened with, and every request
looks that key up again: a key revoked or expired ends its sessions at once, on every server.
Each session carries a synchronizer token that every form posts back
(https://cheatsheetseries.owasp.org/cheatsheets/Cross-Site_Request_Forgery_Prevention_Cheat_Sheet.html#synchronizer-token-pattern).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.apikeys.models import ApiKey
from app.apikeys.service import Principal, authenticate
from app.audit import service as audit
from app.console.models import ConsoleSession
from app.issuers.models import Issuer

__all__ = ["Signed", "new_token", "sign_in", "sign_out", "signed_in", "tokens_match"]


@dataclass(frozen=True)
class Signed:
    """A signed-in request: who, its session's CSRF token, and the cookie value (new only)."""

    principal: Principal
    csrf_token: str
    expires_at: datetime
    cookie: str = ""
    issuer_slug: str | None = None  # the staff's issuer, shown in the page header


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


def tokens_match(expected: str, given: str | None) -> bool:
    """Constant-time comparison of a CSRF token; an empty or missing one never matches."""
    return bool(expected and given) and hmac.compare_digest(
        expected.encode(), (given or "").encode()
    )


def sign_in(session: Session, api_key: str, now: datetime, ttl: timedelta) -> Signed | None:
    """Open a session for ``api_key``, or ``None`` when the key is not valid."""
    principal = authenticate(session, api_key.strip(), now)
    if principal is None or principal.is_hr:  # the console is for staff, not HR systems
        return None
    # Expired sessions are swept here, where sessions are made, so the table stays small.
    session.execute(delete(ConsoleSession).where(ConsoleSession.expires_at <= now))
    cookie, csrf = new_token(), new_token()
    row = ConsoleSession(
        id_hash=_hash(cookie),
        api_key_id=principal.key_id,
        csrf_token=csrf,
        created_at=now,
        expires_at=now + ttl,
    )
    session.add(row)
    audit.record(
        session,
        "console.sign_in",
        actor=principal,
        subject_type="api_key",
        subject_id=principal.key_id,
        issuer_id=principal.issuer_id,
        details={"expires_at": row.expires_at.isoformat()},
        at=now,
    )
    session.commit()
    return Signed(principal, csrf, row.expires_at, cookie)


def signed_in(session: Session, cookie: str | None, now: datetime) -> Signed | None:
    """The session a cookie stands for, if it has not expired and its key is still valid."""
    if not cookie or len(cookie) > 128:
        return None
    found = session.execute(
        select(ConsoleSession, ApiKey, Issuer.slug)
        .join(ApiKey, ApiKey.id == ConsoleSession.api_key_id)
        .outerjoin(Issuer, Issuer.id == ApiKey.issuer_id)
        .where(ConsoleSession.id_hash == _hash(cookie), ConsoleSession.expires_at > now)
    ).first()
    if found is None:
        return None
    row, key, slug = found
    if key.state(now) != "active" or key.is_hr:
        return None
    principal = Principal(key_id=key.id, is_admin=key.is_admin, issuer_id=key.issuer_id)
    return Signed(principal, row.csrf_token, row.expires_at, issuer_slug=slug)


def sign_out(session: Session, cookie: str, signed: Signed, now: datetime) -> None:
    """End the session for good: its cookie names nothing afterwards."""
    session.execute(delete(ConsoleSession).where(ConsoleSession.id_hash == _hash(cookie)))
    audit.record(
        session,
        "console.sign_out",
        actor=signed.principal,
        subject_type="api_key",
        subject_id=signed.principal.key_id,
        issuer_id=signed.principal.issuer_id,
        at=now,
    )
    session.commit()
