"""Delivery offers: made when the passer opens the claim page, used once by one wallet.

A token is 24 bytes from :mod:`secrets` (192 bits, URL-safe): the exchange or offer URL that
carries it is a capability URL (VC-API, https://w3c-ccg.github.io/vc-api/#exchanges: the URL
is "an unguessable secret"). Only its SHA-256 hash is stored. An offer lasts
``SHOMEI_WALLET_OFFER_MINUTES`` and is consumed by one conditional UPDATE, so two wallets
racing for one offer cannot both win, on SQLite or PostgreSQL.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final, Literal, cast

from sqlalchemy import CursorResult, Table, bindparam, select, update
from sqlalchemy.orm import Session

from app.credentials.models import IssuedCredential
from app.wallets.models import PROTOCOLS, WalletOffer

TOKEN_BYTES: Final = 24
CHALLENGE_BYTES: Final = 16
# Tokens outside these lengths are not ours (and are never hashed).
_TOKEN_LENGTHS: Final = range(16, 129)

Reason = Literal["unknown", "expired", "used"]


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


@dataclass(frozen=True)
class Offered:
    """A new offer and its token (shown once, in the passer's own page)."""

    offer: WalletOffer
    token: str


def create_offer(
    session: Session, award: IssuedCredential, protocol: str, now: datetime, *, minutes: int
) -> Offered:
    """A new offer of ``award`` by ``protocol``, valid ``minutes`` (committed).

    Only the claim page calls this, for its one passer: offers are never made in bulk nor
    put into mails, so a leaked mail leaks no offer.
    """
    if protocol not in PROTOCOLS:
        raise ValueError(f"unknown wallet protocol {protocol!r}")
    token = secrets.token_urlsafe(TOKEN_BYTES)
    offer = WalletOffer(
        id=uuid.uuid4(),
        credential_id=award.id,
        protocol=protocol,
        token_hash=token_hash(token),
        state="offered",
        challenge=secrets.token_urlsafe(CHALLENGE_BYTES),
        created_at=now,
        expires_at=now + timedelta(minutes=minutes),
    )
    session.add(offer)
    session.commit()
    return Offered(offer, token)


@dataclass(frozen=True)
class Found:
    """The offer a token stands for, or why none may be used."""

    offer: WalletOffer | None
    reason: Reason | None = None


def find_offer(session: Session, token: str, protocol: str, now: datetime) -> Found:
    """The offer of ``token`` for ``protocol``: usable, or ``unknown``, ``expired``, ``used``.

    A used offer is still returned (with ``used``), so its holder may be answered again.
    """
    if len(token) not in _TOKEN_LENGTHS:
        return Found(None, "unknown")
    offer = session.scalar(
        select(WalletOffer)
        .where(WalletOffer.token_hash == token_hash(token), WalletOffer.protocol == protocol)
        # Read afresh: consume_offer changes the row without touching loaded objects.
        .execution_options(populate_existing=True)
    )
    if offer is None:
        return Found(None, "unknown")
    if offer.used_at is not None:
        return Found(offer, "used")
    if offer.expires_at <= now:
        return Found(offer, "expired")
    return Found(offer)


def consume_offer(session: Session, offer_id: uuid.UUID, holder_did: str, now: datetime) -> bool:
    """Mark the offer used by ``holder_did``, if it is still unused and unexpired (no commit).

    The condition is in the UPDATE itself: of two concurrent wallets exactly one sees a row
    changed. The caller issues the bound credential in the same transaction and commits.
    """
    result = session.connection().execute(
        _CONSUME, {"offer_id": offer_id, "now": now, "holder": holder_did}
    )
    return cast(CursorResult[Any], result).rowcount == 1


_OFFERS = cast(Table, WalletOffer.__table__)
# Built once, on the table: every delivery runs it.
_CONSUME = (
    update(_OFFERS)
    .where(
        _OFFERS.c.id == bindparam("offer_id"),
        _OFFERS.c.used_at.is_(None),
        _OFFERS.c.expires_at > bindparam("now"),
    )
    .values(used_at=bindparam("now"), state="used", holder_did=bindparam("holder"))
)
