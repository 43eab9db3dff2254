"""The wallet tables: delivery offers a passer's claim page makes, and what was delivered.

An offer stands for one attempt to put an award (a claimed ``issued_credential`` row) into
a wallet by one protocol. Its token, a capability URL's secret of at least 128 random bits,
is never stored, only its SHA-256 hash; it works once, for a few minutes.

A delivery is a new OB 3.0 credential for the same award, bound to the holder's DID, with a
status list position of its own. Its status follows the award's: revoking or suspending the
award sets the bit of every delivery (see ``app/status/service.py``).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Final

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime

PROTOCOLS: Final = ("vcapi", "oid4vci")
# offered: handed to the passer; used: consumed by a wallet that proved a DID (the
# delivery row holds the credential it received).
OFFER_STATES: Final = ("offered", "used")
# did:key and did:jwk identifiers stay well under this; longer ones are refused.
MAX_DID_LENGTH: Final = 2048


class WalletOffer(Base):
    __tablename__ = "wallet_offer"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    # The award: the claimed credential this offer delivers a bound copy of.
    credential_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("issued_credential.id"), index=True)
    protocol: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # SHA-256, hex
    state: Mapped[str] = mapped_column(String(16), default="offered")
    # What the wallet must sign (VC-API: the presentation request's challenge), random.
    challenge: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    holder_did: Mapped[str | None] = mapped_column(String(MAX_DID_LENGTH))


class WalletDelivery(Base):
    """A credential delivered into a wallet: its own id, status position and holder."""

    __tablename__ = "wallet_delivery"
    __table_args__ = (
        UniqueConstraint(
            "status_list_id", "status_index", name="uq_wallet_delivery_status_position"
        ),
    )

    # The delivered credential's id is ``urn:uuid:`` this.
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    credential_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("issued_credential.id"), index=True)
    offer_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("wallet_offer.id"), unique=True)
    protocol: Mapped[str] = mapped_column(String(16))
    holder_did: Mapped[str] = mapped_column(String(MAX_DID_LENGTH))
    status_list_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("status_list.id"))
    status_index: Mapped[int] = mapped_column(Integer)
    delivered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Byte for byte what was signed and handed over (a retry by the same holder gets it again).
    document: Mapped[str] = mapped_column(Text)
