"""The Open Badges API's resources for a passer: credentials, profile, hosted credentials.

A token reaches the credentials issued on this service to any address its passer confirmed
(active ones only: each element MUST be verifiable, https://www.imsglobal.org/spec/ob/v3p0/#getcredentials),
then those other services upserted into the account. Documents are served byte for byte as
stored, so a page is assembled from stored text without parsing it again.
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

from sqlalchemy import Uuid, bindparam, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.credentials.models import IssuedCredential
from app.db import UTCDateTime
from app.obapi.models import HostedCredential, OAuthGrant, OAuthToken
from app.obapi.server import digest
from app.passers.models import PasserAccount, PasserAddress
from app.urls import Urls

OB3_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
VC2_CONTEXT = "https://www.w3.org/ns/credentials/v2"


@dataclass(frozen=True)
class Access:
    """A valid access token: whose, for which client, with which scopes."""

    account_id: uuid.UUID
    client_id: uuid.UUID
    scopes: frozenset[str]


_ACCESS = select(OAuthToken.account_id, OAuthToken.client_id, OAuthToken.scope).where(
    OAuthToken.access_token_hash == bindparam("hash"),
    OAuthToken.revoked_at.is_(None),
    OAuthToken.expires_at > bindparam("now", type_=UTCDateTime),
)


def access_of(db: Session, bearer: str, *, now: datetime) -> Access | None:
    """The access a bearer token gives, unless unknown, revoked or expired."""
    if not 16 <= len(bearer) <= 256:
        return None
    row = db.connection().execute(_ACCESS, {"hash": digest(bearer), "now": now}).first()
    if row is None:
        return None
    return Access(row.account_id, row.client_id, frozenset(row.scope.split()))


@dataclass(frozen=True)
class Page:
    total: int
    documents: list[str]  # JSON texts (Data Integrity credentials)
    tokens: list[str]  # compact JWS (VC-JWT credentials)


def _page_statements(with_since: bool) -> tuple[Any, Any, Any]:
    """The three statements of a page, built once: SQLAlchemy then reuses their compiled form,
    and a page costs two round trips (token and counts; the rows), three past this service's
    own credentials."""
    account = bindparam("account_id", type_=Uuid())
    addresses = select(PasserAddress.email_lower).where(PasserAddress.account_id == account)
    issued_where = [
        IssuedCredential.recipient_email_lower.in_(addresses),
        IssuedCredential.format.in_(("ob3", "ob3-jwt")),
        IssuedCredential.status == "active",
    ]
    hosted_where = [HostedCredential.account_id == account]
    if with_since:
        issued_where.append(IssuedCredential.issued_at > bindparam("since", type_=UTCDateTime))
        # "Only include OpenBadgeCredentials issued after this timestamp"
        # (https://www.imsglobal.org/spec/ob/v3p0/#getcredentials): upserted ones by the
        # issuance time they carry, not by when they were upserted.
        hosted_where.append(HostedCredential.issued_at > bindparam("since", type_=UTCDateTime))
    counts = select(
        select(func.count()).where(*issued_where).scalar_subquery(),
        select(func.count()).where(*hosted_where).scalar_subquery(),
    )
    issued = (
        select(IssuedCredential.format, IssuedCredential.document)
        .where(*issued_where)
        .order_by(IssuedCredential.issued_at, IssuedCredential.id)
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
    )
    hosted = (
        select(HostedCredential.format, HostedCredential.document)
        .where(*hosted_where)
        .order_by(HostedCredential.created_at, HostedCredential.id)
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
    )
    return counts, issued, hosted


_PAGE = {False: _page_statements(False), True: _page_statements(True)}


def credentials_page(
    db: Session, account_id: uuid.UUID, *, limit: int, offset: int, since: datetime | None
) -> Page:
    """One page: this service's credentials first (oldest first), then hosted ones."""
    counts, issued, hosted = _PAGE[since is not None]
    connection = db.connection()
    params: dict[str, Any] = {"account_id": account_id}
    if since is not None:
        params["since"] = since
    issued_total, hosted_total = connection.execute(counts, params).one()
    rows: list[tuple[str, str]] = []
    if offset < issued_total:
        found = connection.execute(issued, params | {"limit": limit, "offset": offset})
        rows += [(kind, document) for kind, document in found]
    if len(rows) < limit and offset + len(rows) < issued_total + hosted_total:
        at = max(0, offset - issued_total)
        found = connection.execute(hosted, params | {"limit": limit - len(rows), "offset": at})
        rows += [(kind, document) for kind, document in found]
    documents = [document for kind, document in rows if kind == "ob3"]
    tokens = [document for kind, document in rows if kind == "ob3-jwt"]
    return Page(issued_total + hosted_total, documents, tokens)


def page_body(page: Page) -> str:
    """The GetOpenBadgeCredentialsResponse: stored JSON texts spliced in as they are."""
    return (
        '{"credential":['
        + ",".join(page.documents)
        + '],"compactJwsString":'
        + json.dumps(page.tokens)
        + "}"
    )


def profile(db: Session, account_id: uuid.UUID) -> dict[str, Any] | None:
    """The account's Profile: the one last put, else one naming its first address."""
    account = db.get(PasserAccount, account_id)
    if account is None:
        return None
    if account.profile:
        stored: dict[str, Any] = json.loads(account.profile)
        return stored
    email = db.scalar(
        select(PasserAddress.email_lower)
        .where(PasserAddress.account_id == account_id)
        .order_by(PasserAddress.confirmed_at)
        .limit(1)
    )
    found: dict[str, Any] = {
        "@context": [VC2_CONTEXT, OB3_CONTEXT],
        "id": f"urn:uuid:{account_id}",
        "type": ["Profile"],
    }
    if email:
        found["email"] = email
    return found


def put_profile(db: Session, account_id: uuid.UUID, document: dict[str, Any]) -> None:
    db.execute(
        update(PasserAccount)
        .where(PasserAccount.id == account_id)
        .values(profile=json.dumps(document, ensure_ascii=False))
    )
    db.commit()


def identity(issuer_id: str, credential_id: str) -> str:
    """The spec's credential equality: issuer id and credential id, percent-decoded, then
    stripped (https://www.imsglobal.org/spec/ob/v3p0/#credential-equality-and-comparison)."""
    key = unquote(issuer_id).strip() + "\n" + unquote(credential_id).strip()
    return hashlib.sha256(key.encode()).hexdigest()


def issued_time(credential: dict[str, Any], fallback: datetime) -> datetime:
    """When a credential says it was issued: ``validFrom`` (VC 2.0), else ``issuanceDate``
    (VC 1.1); ``fallback`` when neither is a readable date and time."""
    for name in ("validFrom", "issuanceDate"):
        raw = credential.get(name)
        if not isinstance(raw, str) or len(raw) > 64:
            continue
        try:
            value = datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
        except ValueError:
            continue
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return fallback


def upsert(
    db: Session,
    account_id: uuid.UUID,
    *,
    kind: str,
    document: str,
    key: str,
    issued_at: datetime,
    now: datetime,
) -> bool:
    """Store a verified credential in the account; whether it was new (else replaced)."""
    values = {"format": kind, "document": document, "issued_at": issued_at, "updated_at": now}
    replaced = db.execute(
        update(HostedCredential)
        .where(HostedCredential.account_id == account_id, HostedCredential.identity_hash == key)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if replaced.rowcount:  # type: ignore[attr-defined]
        db.commit()
        return False
    db.add(HostedCredential(account_id=account_id, identity_hash=key, created_at=now, **values))
    try:
        db.commit()
    except IntegrityError:  # the same credential, upserted at the same moment
        db.rollback()
        return upsert(
            db, account_id, kind=kind, document=document, key=key, issued_at=issued_at, now=now
        )
    return True


@dataclass(frozen=True)
class Application:
    """A client the passer allowed, for the account page."""

    grant_id: uuid.UUID
    name: str
    uri: str
    scopes: list[str]
    granted_at: datetime


def applications(db: Session, account_id: uuid.UUID) -> list[Application]:
    from app.obapi.models import OAuthClient

    rows = db.execute(
        select(OAuthGrant, OAuthClient)
        .join(OAuthClient, OAuthClient.id == OAuthGrant.client_id)
        .where(OAuthGrant.account_id == account_id)
        .order_by(OAuthGrant.granted_at.desc())
    )
    found = []
    for grant, client in rows:
        metadata = json.loads(client.client_metadata)
        found.append(
            Application(
                grant.id,
                str(metadata.get("client_name", client.client_id)),
                str(metadata.get("client_uri", "")),
                grant.scope.split(),
                grant.granted_at,
            )
        )
    return found


def revoke_application(
    db: Session, account_id: uuid.UUID, grant_id: uuid.UUID, *, now: datetime
) -> bool:
    """Withdraw a consent: the grant goes and every token of that client for the passer is
    revoked at once (the next API call with one is a 401)."""
    grant = db.get(OAuthGrant, grant_id)
    if grant is None or grant.account_id != account_id:
        return False
    db.execute(
        update(OAuthToken)
        .where(
            OAuthToken.account_id == account_id,
            OAuthToken.client_id == grant.client_id,
            OAuthToken.revoked_at.is_(None),
        )
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )
    db.delete(grant)
    db.commit()
    return True


@dataclass(frozen=True)
class Hosted:
    """A credential an application upserted, for the account page."""

    achievement: str
    issuer: str
    issued_at: datetime
    verified_at: datetime  # when this service's verifier last accepted it (its last upsert)
    expired: bool
    foreign: bool  # issued elsewhere, not by one of this service's issuers


def _claims(kind: str, document: str) -> dict[str, Any]:
    """The credential's claims: the JSON document, or a VC-JWT's payload (verified when it
    was upserted, so only read here)."""
    try:
        if kind != "ob3-jwt":
            data = json.loads(document)
        else:
            payload = document.split(".")[1]
            data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
            if isinstance(data, dict) and isinstance(data.get("vc"), dict):
                data = data["vc"]
    except (ValueError, IndexError):
        return {}
    return data if isinstance(data, dict) else {}


def _text(value: Any, fallback: str) -> str:
    return value.strip()[:200] if isinstance(value, str) and value.strip() else fallback


def own_issuer_prefixes(urls: Urls) -> tuple[str, str]:
    """How the ids of this service's issuers begin (their did:web, their profile URL)."""
    return urls.issuer_did("-")[:-1], urls.issuer_profile("-")[:-1]


def hosted(
    db: Session, account_id: uuid.UUID, *, own: tuple[str, ...], now: datetime
) -> list[Hosted]:
    """The credentials the account's applications upserted, newest first; ``own``: how the
    ids of this service's issuers begin."""
    rows = db.execute(
        select(
            HostedCredential.format,
            HostedCredential.document,
            HostedCredential.issued_at,
            HostedCredential.updated_at,
        )
        .where(HostedCredential.account_id == account_id)
        .order_by(HostedCredential.issued_at.desc(), HostedCredential.id)
        .limit(500)
    )
    found = []
    for kind, document, issued_at, updated_at in rows:
        claims = _claims(kind, document)
        subject = claims.get("credentialSubject")
        achievement = subject.get("achievement") if isinstance(subject, dict) else None
        issuer = claims.get("issuer")
        issuer_name = issuer.get("name") if isinstance(issuer, dict) else None
        until = issued_time(
            {"validFrom": claims.get("validUntil") or claims.get("expirationDate")}, now
        )
        found.append(
            Hosted(
                _text(achievement.get("name") if isinstance(achievement, dict) else None, "?"),
                _text(issuer_name, _id_text(issuer)),
                issued_at,
                updated_at,
                until < now,
                not _id_text(issuer).startswith(own),
            )
        )
    return found


def _id_text(issuer: Any) -> str:
    value = issuer.get("id") if isinstance(issuer, dict) else issuer
    return _text(value, "?")
