"""The OpenID4VCI tables: one grant per credential offer, and the ``c_nonce`` values handed out.

Only SHA-256 hashes of the offer's reference, the pre-authorized code, the transaction code and
the access token are stored: a copy of the database lets nobody redeem an offer.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime


class Oid4vciGrant(Base):
    """A credential offer for one credential, from the offer to the delivery.

    ``redeemed_at`` makes the pre-authorized code single-use at the token endpoint
    (https://openid.net/specs/openid-4-verifiable-credential-issuance-1_0.html#section-4.1.1:
    "This code MUST be short lived and single use"); ``delivered_at`` makes the access token
    good for one credential.
    """

    __tablename__ = "oid4vci_grant"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    credential_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("issued_credential.id"), index=True)
    offer_hash: Mapped[str] = mapped_column(String(64), unique=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    tx_code_hash: Mapped[str | None] = mapped_column(String(64))
    tx_code_failures: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    redeemed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    token_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    holder: Mapped[str | None] = mapped_column(String(4096))


class Oid4vciNonce(Base):
    """A ``c_nonce``: unpredictable, short-lived, good for one key proof."""

    __tablename__ = "oid4vci_nonce"

    nonce_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
