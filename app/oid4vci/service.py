"""The pre-authorized code flow's state: offers, codes, transaction codes, tokens and nonces.

https://openid.net/specs/openid-4-verifiable-credential-issuance-1_0.html#section-3.5

- An offer is a ``wallet_offer`` (:mod:`app.wallets.offers`) drawn when the passer opens the
  claim page, never mailed. Its token is the reference in the ``credential_offer_uri``; the
  pre-authorized code is derived from it, so only hashes are stored and the offer can be
  served again to a wallet that asks twice.
- The code is redeemed once at the token endpoint (one conditional UPDATE), before the offer
  expires, with the transaction code when one was drawn; five wrong transaction codes burn it.
- The access token is good for one credential: the delivery consumes the offer
  (:func:`app.wallets.offers.consume_offer`). A ``c_nonce`` is good for one key proof.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final, cast

from sqlalchemy import CursorResult, Table, bindparam, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.credentials.models import IssuedCredential
from app.oid4vci.errors import OAuthError
from app.oid4vci.metadata import CONFIGURATION_ID, PRE_AUTHORIZED_GRANT
from app.oid4vci.models import Oid4vciGrant, Oid4vciNonce
from app.urls import Urls
from app.wallets import offers
from app.wallets.models import WalletOffer
from keys import KeysError, b64url_decode, b64url_encode

__all__ = [
    "NONCE_TTL",
    "TOKEN_TTL",
    "NewOffer",
    "award_for_token",
    "create_offer",
    "new_nonce",
    "nonce_is_fresh",
    "nonce_secret",
    "offer_object",
    "redeem",
    "use_nonce",
]

REFERENCE_BYTES: Final = 32
TOKEN_TTL: Final = timedelta(minutes=5)
NONCE_TTL: Final = timedelta(minutes=5)
_SKEW: Final = timedelta(seconds=5)  # servers' clocks may differ a little
TX_CODE_LENGTH: Final = 6
MAX_TX_CODE_FAILURES: Final = 5
PROTOCOL: Final = "oid4vci"
_MAX_SECRET: Final = 128  # longer values are never ours: refused before hashing


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8", "replace")).hexdigest()


def _code_of(reference: str) -> str:
    # The code is as secret as the offer's reference, which serves it to any wallet anyway.
    return hmac.new(reference.encode(), b"pre-authorized code", hashlib.sha256).hexdigest()


def _rowcount(result: object) -> int:
    return cast(CursorResult[Any], result).rowcount


@dataclass(frozen=True)
class NewOffer:
    """An offer as the claim page shows it: the reference, and the transaction code if any."""

    reference: str
    tx_code: str | None
    expires_at: datetime


def offer_uri(urls: Urls, reference: str) -> str:
    return f"{urls.base}/oid4vci/offers/{reference}"


def create_offer(
    session: Session, award: IssuedCredential, *, minutes: int, tx_code: bool, now: datetime
) -> NewOffer:
    """Draw an OpenID4VCI offer of ``award`` for ``minutes``, with a transaction code if
    ``tx_code``, and commit it."""
    offered = offers.create_offer(session, award, PROTOCOL, now, minutes=minutes)
    code = f"{secrets.randbelow(10**TX_CODE_LENGTH):0{TX_CODE_LENGTH}d}" if tx_code else None
    session.add(
        Oid4vciGrant(
            offer_id=offered.offer.id,
            code_hash=_hash(_code_of(offered.token)),
            tx_code_hash=_hash(code) if code else None,
            tx_code_failures=0,
        )
    )
    session.commit()
    return NewOffer(offered.token, code, offered.offer.expires_at)


@dataclass(frozen=True)
class OpenGrant:
    """A grant whose offer is still unused and unexpired, as one row read it."""

    grant_id: uuid.UUID
    offer_id: uuid.UUID
    credential_id: uuid.UUID
    tx_code_hash: str | None
    redeemed_at: datetime | None
    token_expires_at: datetime | None
    offer_created_at: datetime
    offer_expires_at: datetime


_GRANTS = cast(Table, Oid4vciGrant.__table__)
_OFFERS = cast(Table, WalletOffer.__table__)
# Every step of the flow reads one grant row and changes at most one: the statements are
# built once, on the tables (no ORM compile or unit of work per request), and run on the
# session's connection.
_OPEN_GRANT = (
    select(
        _GRANTS.c.id,
        _OFFERS.c.id,
        _OFFERS.c.credential_id,
        _GRANTS.c.tx_code_hash,
        _GRANTS.c.redeemed_at,
        _GRANTS.c.token_expires_at,
        _OFFERS.c.created_at,
        _OFFERS.c.expires_at,
    )
    .join(_OFFERS, _OFFERS.c.id == _GRANTS.c.offer_id)
    .where(_OFFERS.c.used_at.is_(None), _OFFERS.c.expires_at > bindparam("now"))
)
_GRANT_BY_OFFER = _OPEN_GRANT.where(
    _OFFERS.c.token_hash == bindparam("hash"), _OFFERS.c.protocol == bindparam("protocol")
)
_GRANT_BY_CODE = _OPEN_GRANT.where(_GRANTS.c.code_hash == bindparam("hash"))
_REDEEM = (
    update(_GRANTS)
    .where(_GRANTS.c.id == bindparam("grant_id"), _GRANTS.c.redeemed_at.is_(None))
    .values(
        redeemed_at=bindparam("at"),
        token_hash=bindparam("new_token_hash"),
        token_expires_at=bindparam("token_expires"),
    )
)


def _open_grant(session: Session, query: Any, params: dict[str, Any]) -> OpenGrant | None:
    """The grant ``query`` finds with ``params``, while its offer is unused and unexpired."""
    row = session.connection().execute(query, params).first()
    return None if row is None else OpenGrant(*row)


_TX_CODE_DESCRIPTION: Final = {
    "ja": "受け取りページに表示された6桁の確認コードを入力してください。",
    "en": "Enter the 6-digit code shown on your claim page.",
}


def offer_object(
    session: Session, urls: Urls, reference: str, *, now: datetime, lang: str = "en"
) -> dict[str, Any] | None:
    """The Credential Offer (§4.1.1) a reference stands for, while it can still be redeemed;
    the transaction code's description in ``lang`` (it has no i18n of its own: §4.1.1 leaves
    the language to the offer request's ``Accept-Language``)."""
    if not 16 <= len(reference) <= _MAX_SECRET:
        return None
    grant = _open_grant(
        session,
        _GRANT_BY_OFFER,
        {"hash": offers.token_hash(reference), "protocol": PROTOCOL, "now": now},
    )
    if grant is None or grant.redeemed_at is not None:
        return None
    parameters: dict[str, Any] = {"pre-authorized_code": _code_of(reference)}
    if grant.tx_code_hash is not None:
        # The code itself goes to the passer on the claim page, never into the offer (§4.1.1).
        parameters["tx_code"] = {
            "input_mode": "numeric",
            "length": TX_CODE_LENGTH,
            "description": _TX_CODE_DESCRIPTION.get(lang, _TX_CODE_DESCRIPTION["en"]),
        }
    return {
        "credential_issuer": urls.base,
        "credential_configuration_ids": [CONFIGURATION_ID],
        "grants": {PRE_AUTHORIZED_GRANT: parameters},
    }


@dataclass(frozen=True)
class Token:
    access_token: str
    expires_in: int


def redeem(session: Session, code: str, tx_code: str | None, *, now: datetime) -> Token:
    """Exchange a pre-authorized code (and transaction code) for an access token, once.

    Raises:
        OAuthError: ``invalid_grant`` for an unknown, expired or used code or a wrong
            transaction code; ``invalid_request`` for a transaction code missing or unexpected.
    """
    grant = (
        _open_grant(session, _GRANT_BY_CODE, {"hash": _hash(code), "now": now})
        if len(code) <= _MAX_SECRET
        else None
    )
    if grant is None or grant.redeemed_at is not None:
        raise OAuthError("invalid_grant", "the pre-authorized code is unknown, expired or used")
    if grant.tx_code_hash is None and tx_code is not None:
        raise OAuthError("invalid_request", "this offer has no transaction code")
    if grant.tx_code_hash is not None:
        if tx_code is None:
            raise OAuthError("invalid_request", "the transaction code (tx_code) is missing")
        if not hmac.compare_digest(_hash(tx_code[:_MAX_SECRET]), grant.tx_code_hash):
            _count_failure(session, grant)
            raise OAuthError("invalid_grant", "the transaction code is wrong")
    token = secrets.token_urlsafe(REFERENCE_BYTES)
    # The token lives no longer than the offer it delivers, which the delivery consumes.
    expires_at = min(now + TOKEN_TTL, grant.offer_expires_at)
    redeemed = session.connection().execute(
        _REDEEM,
        {
            "grant_id": grant.grant_id,
            "at": now,
            "new_token_hash": _hash(token),
            "token_expires": expires_at,
        },
    )
    if _rowcount(redeemed) != 1:
        session.rollback()
        raise OAuthError("invalid_grant", "the pre-authorized code is unknown, expired or used")
    session.commit()
    return Token(token, max(1, int((expires_at - now).total_seconds())))


def _count_failure(session: Session, grant: OpenGrant) -> None:
    # A six-digit code can be guessed: after a few wrong ones the offer is burnt (it expires).
    session.execute(
        update(Oid4vciGrant)
        .where(Oid4vciGrant.id == grant.grant_id)
        .values(tx_code_failures=Oid4vciGrant.tx_code_failures + 1)
        .execution_options(synchronize_session=False)
    )
    burnt = session.scalar(
        select(Oid4vciGrant.tx_code_failures).where(Oid4vciGrant.id == grant.grant_id)
    )
    if burnt is not None and burnt >= MAX_TX_CODE_FAILURES:
        session.execute(
            update(WalletOffer)
            .where(WalletOffer.id == grant.offer_id)
            .values(expires_at=grant.offer_created_at)
            .execution_options(synchronize_session=False)
        )
    session.commit()


# The award is loaded as an ORM object: binding reads it as issuing does.
_GRANT_AND_AWARD = (
    _OPEN_GRANT.add_columns(IssuedCredential)
    .join(IssuedCredential, IssuedCredential.id == _OFFERS.c.credential_id)
    .where(_GRANTS.c.token_hash == bindparam("hash"))
)


def award_for_token(
    session: Session, token: str, *, now: datetime
) -> tuple[OpenGrant, IssuedCredential]:
    """The offer an access token was issued for, unless unknown, expired or already used,
    and the award it offers: one row read.

    Raises:
        OAuthError: 401 ``invalid_token`` (RFC 6750 §3.1).
    """
    row = (
        session.execute(_GRANT_AND_AWARD, {"hash": _hash(token), "now": now}).first()
        if len(token) <= _MAX_SECRET
        else None
    )
    if row is None:
        raise invalid_token("the access token is unknown, expired or used")
    grant = OpenGrant(*row[:-1])
    if grant.token_expires_at is None or grant.token_expires_at <= now:
        raise invalid_token("the access token is unknown, expired or used")
    award: IssuedCredential = row[-1]
    return grant, award


def invalid_token(description: str) -> OAuthError:
    return OAuthError(
        "invalid_token",
        description,
        status=401,
        headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
    )


def new_nonce(secret: bytes, *, now: datetime) -> str:
    """A fresh ``c_nonce`` (OpenID4VCI 1.0 §7): 128 random bits and the time, under an HMAC
    of ``secret`` (:func:`nonce_secret`), so handing one out writes nothing; a nonce is
    recorded only when it is spent (:func:`use_nonce`)."""
    body = int(now.timestamp()).to_bytes(8, "big") + secrets.token_bytes(16)
    mac = hmac.new(secret, body, hashlib.sha256).digest()[:16]
    return b64url_encode(body + mac)


def nonce_secret(passphrase: str) -> bytes:
    """The nonces' HMAC key, the same on every server of one service."""
    return hashlib.sha256(b"shomei oid4vci c_nonce\0" + passphrase.encode()).digest()


def _issued_at(secret: bytes, nonce: str) -> datetime | None:
    try:
        raw = b64url_decode(nonce, "c_nonce")
    except KeysError:
        return None
    if len(raw) != 40:
        return None
    body, mac = raw[:24], raw[24:]
    if not hmac.compare_digest(hmac.new(secret, body, hashlib.sha256).digest()[:16], mac):
        return None
    return datetime.fromtimestamp(int.from_bytes(body[:8], "big"), UTC)


def nonce_is_fresh(secret: bytes, nonce: str | None, *, now: datetime) -> bool:
    """Whether ``nonce`` is one of ours and unexpired (not whether it was spent: that is
    :func:`use_nonce`). Reads nothing, so a credential request is judged before any work."""
    return _fresh_issued_at(secret, nonce, now=now) is not None


def _fresh_issued_at(secret: bytes, nonce: str | None, *, now: datetime) -> datetime | None:
    if nonce is None or len(nonce) > _MAX_SECRET:
        return None
    issued_at = _issued_at(secret, nonce)
    if issued_at is None or not now - NONCE_TTL < issued_at <= now + _SKEW:
        return None
    return issued_at


_NONCES = cast(Table, Oid4vciNonce.__table__)
# Prepared once: the spending is on every credential request.
_SPEND = {
    name: dialect.insert(_NONCES).on_conflict_do_nothing().returning(_NONCES.c.nonce_hash)
    for name, dialect in (("postgresql", postgresql), ("sqlite", sqlite))
}
_PURGE = delete(_NONCES).where(_NONCES.c.expires_at < bindparam("now"))


def use_nonce(session: Session, secret: bytes, nonce: str | None, *, now: datetime) -> bool:
    """Spend a ``c_nonce``: whether it is ours, unexpired and unused (then it is used).

    Spending inserts the nonce's hash, whose primary key refuses a second spending on either
    database. Not committed: the caller commits it with the delivery, so a failed delivery
    leaves the nonce for another try.
    """
    issued_at = _fresh_issued_at(secret, nonce, now=now)
    if nonce is None or issued_at is None:
        return False
    connection = session.connection()
    if secrets.randbelow(100) == 0:
        connection.execute(_PURGE, {"now": now})
    values = {"nonce_hash": _hash(nonce), "expires_at": issued_at + NONCE_TTL, "used_at": now}
    spent = connection.execute(_SPEND[connection.dialect.name], values)
    return spent.first() is not None
