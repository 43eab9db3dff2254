"""The OpenID4VCI tables: the grant of each OpenID4VCI offer, and the ``c_nonce`` values.

The offer itself is a ``wallet_offer`` row (:mod:`app.wallets.models`): its token is the
offer's reference, its expiry the code's, its single use the delivery. A grant adds what the
pre-authorized code flow needs besides: the code, the transaction code, and the access token
the code was exchanged for. Only SHA-256 hashes are stored: a copy of the database lets nobody
redeem an offer.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime


class Oid4vciGrant(Base):
    """The pre-authorized code of one offer, from the claim page to the access token.

    ``redeemed_at`` makes the code single-use at the token endpoint
    (https://openid.net/specs/openid-4-verifiable-credential-issuance-1_0.html#section-4.1.1:
    "This code MUST be short lived and single use").
    """

    __tablename__ = "oid4vci_grant"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    offer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("wallet_offer.id"), unique=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    tx_code_hash: Mapped[str | None] = mapped_column(String(64))
    tx_code_failures: Mapped[int] = mapped_column(Integer, default=0)
    redeemed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    token_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Oid4vciNonce(Base):
    """A spent ``c_nonce`` (they are handed out without a write, under an HMAC), kept until it
    would have expired so that it cannot be spent again."""

    __tablename__ = "oid4vci_nonce"

    nonce_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
