"""Issuer use cases: create, update, list, rotate keys; and the documents an issuer publishes."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.apikeys.service import Principal
from app.errors import ConflictError, ForbiddenError, NotFoundError
from app.issuers.models import Issuer, IssuerKey
from app.issuers.schemas import SLUG_PATTERN, IssuerCreate, IssuerUpdate
from app.keyring import Keyring
from app.urls import Urls
from keys import PublicKey, PublishedKey, did_document, jwk

# Keys every issuer starts with: Ed25519 signs Data Integrity proofs, P-256 signs VC-JWT.
# An RSA key (RS256 VC-JWT, OB 2.0) is made on first need: generating one takes a while.
INITIAL_ALGORITHMS = ("EdDSA", "ES256")
_SLUG = re.compile(SLUG_PATTERN)


def create_issuer(
    session: Session, keyring: Keyring, request: IssuerCreate, now: datetime
) -> Issuer:
    """Create an issuer with its first keys."""
    issuer = Issuer(
        slug=request.slug,
        name=request.name,
        name_translations=request.name_translations,
        url=str(request.url),
        email=str(request.email),
        description=request.description,
        image_url=str(request.image_url) if request.image_url else None,
        created_at=now,
        updated_at=now,
    )
    session.add(issuer)
    for algorithm in INITIAL_ALGORITHMS:
        session.add(keyring.create_key(issuer, algorithm, now))
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise ConflictError(f"an issuer with slug {request.slug!r} exists already") from None
    return issuer


def update_issuer(session: Session, issuer: Issuer, request: IssuerUpdate) -> Issuer:
    for field, value in request.model_dump(exclude_unset=True).items():
        if value is None and field in ("name", "url", "email", "name_translations"):
            continue  # required fields cannot be cleared
        setattr(
            issuer, field, str(value) if field in ("url", "email", "image_url") and value else value
        )
    session.commit()
    return issuer


def get_issuer(session: Session, slug: str) -> Issuer:
    # A slug no issuer could have names nothing, without asking the database: PostgreSQL
    # would refuse some (a NUL character) where SQLite answers "none".
    if not _SLUG.fullmatch(slug):
        raise NotFoundError(f"issuer {slug!r} does not exist")
    issuer = session.scalar(select(Issuer).where(Issuer.slug == slug))
    if issuer is None:
        raise NotFoundError(f"issuer {slug!r} does not exist")
    return issuer


def get_issuer_for(session: Session, principal: Principal, slug: str) -> Issuer:
    """The issuer ``slug``, if ``principal`` may act for it (else 404, revealing nothing)."""
    issuer = get_issuer(session, slug)
    if not principal.may_act_for(issuer.id):
        raise NotFoundError(f"issuer {slug!r} does not exist")
    return issuer


def get_issuer_by_id(session: Session, issuer_id: uuid.UUID) -> Issuer:
    issuer = session.get(Issuer, issuer_id)
    if issuer is None:
        raise NotFoundError(f"issuer {issuer_id} does not exist")
    return issuer


def list_issuers(
    session: Session, principal: Principal, *, limit: int, offset: int
) -> tuple[list[Issuer], int]:
    query = select(Issuer)
    if not principal.is_admin:
        query = query.where(Issuer.id == principal.issuer_id)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(Issuer.created_at, Issuer.slug).limit(limit).offset(offset)
    )
    return list(rows), total


def rotate_key(
    session: Session, keyring: Keyring, issuer: Issuer, algorithm: str, now: datetime
) -> IssuerKey:
    """Retire the active keys of ``algorithm`` and make a new one that signs from now on."""
    for key in issuer.keys:
        if key.algorithm == algorithm and key.active:
            key.retired_at = now
    key = keyring.create_key(issuer, algorithm, now)
    session.add(key)
    session.commit()
    return key


def require_admin(principal: Principal) -> None:
    if not principal.is_admin:
        raise ForbiddenError("only an administrator may do this")


def _published(issuer: Issuer) -> list[PublishedKey]:
    return [
        PublishedKey(
            PublicKey.from_jwk(key.public_jwk),
            key.fragment,
            "active" if key.active else "retired",
        )
        for key in issuer.keys
    ]


def did_document_of(urls: Urls, issuer: Issuer) -> dict[str, Any]:
    """The issuer's did:web DID document: active and retired keys, all for assertionMethod."""
    return did_document(urls.issuer_did(issuer.slug), _published(issuer))


def jwks_of(urls: Urls, issuer: Issuer) -> dict[str, Any]:
    """The issuer's JWK Set; each ``kid`` is the key's verification method URL."""
    return {
        "keys": [
            jwk(
                PublicKey.from_jwk(key.public_jwk),
                kid=urls.verification_method(issuer.slug, key.fragment),
                alg=key.algorithm,
            )
            for key in issuer.keys
        ]
    }


def profile_of(urls: Urls, issuer: Issuer) -> dict[str, Any]:
    """The issuer's OB 3.0 Profile, as embedded in its credentials and served at its URL."""
    profile: dict[str, Any] = {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": urls.issuer_did(issuer.slug),
        "type": ["Profile"],
        "name": issuer.name,
        "url": issuer.url,
        "email": issuer.email,
    }
    if issuer.description:
        profile["description"] = issuer.description
    if issuer.image_url:
        profile["image"] = {"id": issuer.image_url, "type": "Image"}
    return profile
