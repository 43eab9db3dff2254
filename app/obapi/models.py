"""OAuth 2.0 clients, authorization codes, tokens and consents; credentials hosted for passers.

Secrets are kept only as SHA-256 hashes (client secrets, codes, access and refresh tokens):
a copy of these tables lets no one call the API.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime


class OAuthClient(Base):
    """A client registered by RFC 7591 dynamic registration."""

    __tablename__ = "oauth_client"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    client_id: Mapped[str] = mapped_column(String(64), unique=True)
    client_secret_hash: Mapped[str] = mapped_column(String(64))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The registered metadata (RFC 7591 §2), as JSON text.
    client_metadata: Mapped[str] = mapped_column(Text)
    # The logo at ``logo_uri``, fetched at registration and re-encoded as a small PNG that
    # the consent page serves from this origin; ``None`` when it could not be used.
    logo_png: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)


class OAuthCode(Base):
    __tablename__ = "oauth_code"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    client_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("oauth_client.id", ondelete="CASCADE"), index=True
    )
    account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("passer_account.id", ondelete="CASCADE"), index=True
    )
    redirect_uri: Mapped[str] = mapped_column(String(2000))
    scope: Mapped[str] = mapped_column(String(1000))
    code_challenge: Mapped[str] = mapped_column(String(128))
    code_challenge_method: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class OAuthToken(Base):
    """An access token and its refresh token, if ``offline_access`` was granted."""

    __tablename__ = "oauth_token"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    access_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    refresh_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    client_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("oauth_client.id", ondelete="CASCADE"), index=True
    )
    account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("passer_account.id", ondelete="CASCADE"), index=True
    )
    # The code it was first drawn with: a code used twice revokes what it gave (RFC 6749 §4.1.2).
    code_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("oauth_code.id", ondelete="SET NULL"), index=True
    )
    scope: Mapped[str] = mapped_column(String(1000))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class OAuthGrant(Base):
    """A passer's consent to a client: what the account page lists and can revoke."""

    __tablename__ = "oauth_grant"
    __table_args__ = (UniqueConstraint("account_id", "client_id"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("passer_account.id", ondelete="CASCADE")
    )
    client_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("oauth_client.id", ondelete="CASCADE"), index=True
    )
    scope: Mapped[str] = mapped_column(String(1000))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime)


class HostedCredential(Base):
    """A credential a client upserted into a passer's account, after it verified."""

    __tablename__ = "hosted_credential"
    __table_args__ = (UniqueConstraint("account_id", "identity_hash"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("passer_account.id", ondelete="CASCADE")
    )
    # SHA-256 of the issuer id and the credential id, normalised: the spec's equality
    # (https://www.imsglobal.org/spec/ob/v3p0/#credential-equality-and-comparison).
    identity_hash: Mapped[str] = mapped_column(String(64))
    format: Mapped[str] = mapped_column(String(10))  # "ob3" (JSON) or "ob3-jwt"
    document: Mapped[str] = mapped_column(Text)
    # When the credential says it was issued (validFrom, or issuanceDate of VC 1.1): what
    # getCredentials' ``since`` compares, as for this service's own credentials.
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
