"""Passer accounts: sign-in links, sessions, addresses, and what an account holds.

A sign-in link's token is 32 bytes from :mod:`secrets` (256 bits); only its SHA-256 hash is
stored, the link works once (a conditional UPDATE marks it used, so two clicks racing sign in
once) and for :data:`LINK_MINUTES` minutes. Following it proves the passer holds the address:
the address is confirmed on their account (made on first sign-in). The session cookie is
another 256-bit value, stored hashed too, with a synchronizer token for the account's forms
(https://cheatsheetseries.owasp.org/cheatsheets/Cross-Site_Request_Forgery_Prevention_Cheat_Sheet.html#synchronizer-token-pattern).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, delete, select, update
from sqlalchemy.orm import Session

from app.passers.models import PasserAccount, PasserAddress, PasserSession, PasserSignIn

LINK_MINUTES = 15
SESSION_HOURS = 8
_TOKEN_BYTES = 32


def digest(value: str) -> str:
    return hashlib.sha256(value.encode("ascii", "replace")).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(_TOKEN_BYTES)


def safe_next(path: str | None) -> str | None:
    """``path`` if it is a path of this site (never another host, so no open redirect)."""
    if not path or len(path) > 2000 or not path.startswith("/") or path.startswith("//"):
        return None
    if "\\" in path or not path.isprintable():
        return None
    return path


def request_link(
    session: Session,
    email: str,
    *,
    now: datetime,
    next_path: str | None = None,
    account_id: uuid.UUID | None = None,
) -> tuple[uuid.UUID, str]:
    """Write a sign-in link for ``email``; return its id and token (for the mail only).

    The caller queues the mail in the same transaction and commits.
    """
    session.execute(delete(PasserSignIn).where(PasserSignIn.expires_at <= now))
    token = new_token()
    row = PasserSignIn(
        token_hash=digest(token),
        email=email,
        account_id=account_id,
        next_path=safe_next(next_path),
        created_at=now,
        expires_at=now + timedelta(minutes=LINK_MINUTES),
    )
    session.add(row)
    session.flush()
    return row.id, token


def pending_link(session: Session, token: str, *, now: datetime) -> PasserSignIn | None:
    """The unused, unexpired link ``token`` stands for (for the confirmation page)."""
    if not 16 <= len(token) <= 128:
        return None
    return session.scalar(
        select(PasserSignIn).where(
            PasserSignIn.token_hash == digest(token),
            PasserSignIn.used_at.is_(None),
            PasserSignIn.expires_at > now,
        )
    )


@dataclass(frozen=True)
class SignedIn:
    """A passer's session: their account, the cookie (new sessions only) and the CSRF token."""

    account_id: uuid.UUID
    csrf_token: str
    cookie: str = ""


def use_link(session: Session, token: str, *, now: datetime) -> tuple[SignedIn, str | None] | None:
    """Follow a sign-in link: once only. Confirm its address, open a session; ``None`` if the
    link is unknown, used or expired."""
    link = pending_link(session, token, now=now)
    if link is None:
        return None
    result = session.execute(
        update(PasserSignIn)
        .where(
            PasserSignIn.id == link.id,
            PasserSignIn.used_at.is_(None),
            PasserSignIn.expires_at > now,
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if cast(CursorResult[Any], result).rowcount != 1:
        session.rollback()
        return None  # another request used it first
    account_id = _confirm(session, link.email, link.account_id, now)
    signed = _open_session(session, account_id, now)
    session.commit()
    return signed, link.next_path


def _confirm(
    session: Session, email: str, account_id: uuid.UUID | None, now: datetime
) -> uuid.UUID:
    """The account that holds ``email`` from now on.

    An address already confirmed stays on its account (signing in there); otherwise it joins
    the account that asked for it, or a new one.
    """
    lower = email.lower()
    known = session.scalar(select(PasserAddress).where(PasserAddress.email_lower == lower))
    if known is not None:
        return known.account_id
    if account_id is None or session.get(PasserAccount, account_id) is None:
        account = PasserAccount(created_at=now)
        session.add(account)
        session.flush()
        account_id = account.id
    session.add(PasserAddress(account_id=account_id, email_lower=lower, confirmed_at=now))
    session.flush()
    return account_id


def _open_session(session: Session, account_id: uuid.UUID, now: datetime) -> SignedIn:
    session.execute(delete(PasserSession).where(PasserSession.expires_at <= now))
    cookie, csrf = new_token(), new_token()
    session.add(
        PasserSession(
            id_hash=digest(cookie),
            account_id=account_id,
            csrf_token=csrf,
            created_at=now,
            expires_at=now + timedelta(hours=SESSION_HOURS),
        )
    )
    return SignedIn(account_id, csrf, cookie)


def signed_in(session: Session, cookie: str | None, *, now: datetime) -> SignedIn | None:
    """The live session a cookie names."""
    if not cookie or len(cookie) > 128:
        return None
    row = session.scalar(
        select(PasserSession).where(
            PasserSession.id_hash == digest(cookie), PasserSession.expires_at > now
        )
    )
    return None if row is None else SignedIn(row.account_id, row.csrf_token)


def sign_out(session: Session, cookie: str) -> None:
    session.execute(delete(PasserSession).where(PasserSession.id_hash == digest(cookie)))
    session.commit()


def tokens_match(expected: str, given: object) -> bool:
    """Constant-time comparison of a CSRF token; an empty or missing one never matches."""
    return (
        isinstance(given, str)
        and bool(expected and given)
        and hmac.compare_digest(expected.encode(), given.encode())
    )


def addresses(session: Session, account_id: uuid.UUID) -> list[str]:
    """The account's confirmed addresses (lower-cased), oldest first."""
    return list(
        session.scalars(
            select(PasserAddress.email_lower)
            .where(PasserAddress.account_id == account_id)
            .order_by(PasserAddress.confirmed_at, PasserAddress.email_lower)
        )
    )


@dataclass(frozen=True)
class Listed:
    """A credential on the account page."""

    id: uuid.UUID
    achievement: str
    issuer: str
    issued: str
    status: str
    url: str


def credentials(
    session: Session, account_id: uuid.UUID, lang: str, credential_url: Any
) -> list[Listed]:
    """Every credential issued on this service to one of the account's addresses, by any
    issuer, newest first (revoked and suspended ones too, saying so)."""
    from app.achievements.models import Achievement
    from app.credentials.models import IssuedCredential

    addresses_ = select(PasserAddress.email_lower).where(PasserAddress.account_id == account_id)
    rows = session.execute(
        select(IssuedCredential, Achievement)
        .join(Achievement, Achievement.id == IssuedCredential.achievement_id)
        .where(IssuedCredential.recipient_email_lower.in_(addresses_))
        .order_by(IssuedCredential.issued_at.desc(), IssuedCredential.id)
        .limit(500)
    )
    listed = []
    for credential, achievement in rows:
        issuer = achievement.issuer
        listed.append(
            Listed(
                credential.id,
                achievement.name.get(lang) or achievement.text(achievement.name),
                issuer.name_translations.get(lang) or issuer.name,
                credential.issued_at.date().isoformat(),
                credential.status,
                credential_url(credential.id),
            )
        )
    return listed
