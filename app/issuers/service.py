"""Issuer use cases: create, update, list, rotate keys; and the documents an issuer publishes."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.apikeys.service import Principal
from app.audit import service as audit
from app.errors import ConflictError, ForbiddenError, NotFoundError
from app.issuers.models import Issuer, IssuerKey
from app.issuers.names import skeletons
from app.issuers.schemas import SLUG_PATTERN, IssuerCreate, IssuerUpdate
from app.keyring import Keyring
from app.urls import Urls
from keys import PublicKey, PublishedKey, did_document, jwk

# Keys every issuer starts with: Ed25519 signs Data Integrity proofs, P-256 signs VC-JWT.
# An RSA key (RS256 VC-JWT, OB 2.0) is made on first need: generating one takes a while.
INITIAL_ALGORITHMS = ("EdDSA", "ES256")
_SLUG = re.compile(SLUG_PATTERN)
# Fields an update cannot clear (null leaves them as they are).
_REQUIRED = (
    *("name", "url", "email", "name_translations"),
    *("time_zone", "recipient_name_in_credential"),
)


def _refuse_look_alike_names(
    session: Session, names: Iterable[str], issuer_id: uuid.UUID | None = None
) -> None:
    """Refuse names whose confusable skeleton is that of another issuer's name or translation.

    Verifiers show a badge's issuer by name; a look-alike would let one issuer's badges pass
    for another's (https://www.unicode.org/reports/tr39/#Confusable_Detection).
    """
    wanted = {variant: name for name in names for variant in skeletons(name)}
    others = select(Issuer.name, Issuer.name_translations)
    if issuer_id is not None:
        others = others.where(Issuer.id != issuer_id)
    for name, translations in session.execute(others):
        for taken in (name, *translations.values()):
            clash = next((wanted[v] for v in skeletons(taken) if v in wanted), None)
            if clash is not None:
                raise ConflictError(
                    f"the name {clash!r} looks the same as another issuer's name: "
                    "choose a name that cannot be mistaken for it"
                )


def create_issuer(
    session: Session,
    keyring: Keyring,
    request: IssuerCreate,
    now: datetime,
    *,
    actor: Principal | None,
) -> Issuer:
    """Create an issuer with its first keys (``actor``: who asks; ``None``, the command line)."""
    _refuse_look_alike_names(session, [request.name, *request.name_translations.values()])
    issuer = Issuer(
        slug=request.slug,
        name=request.name,
        name_translations=request.name_translations,
        url=str(request.url),
        email=str(request.email),
        description=request.description,
        image_url=str(request.image_url) if request.image_url else None,
        time_zone=request.time_zone,
        linkedin_organization_id=request.linkedin_organization_id,
        recipient_name_in_credential=request.recipient_name_in_credential,
        created_at=now,
        updated_at=now,
    )
    session.add(issuer)
    keys = [keyring.create_key(session, issuer, algorithm, now) for algorithm in INITIAL_ALGORITHMS]
    session.add_all(keys)
    try:
        session.flush()  # a taken slug fails here
        audit.record(
            session,
            "issuer.create",
            actor=actor,
            subject_type="issuer",
            subject_id=issuer.id,
            issuer_id=issuer.id,
            details={"slug": issuer.slug, "keys": [str(key.id) for key in keys]},
            at=now,
        )
        session.commit()
    except IntegrityError:
        session.rollback()
        raise ConflictError(f"an issuer with slug {request.slug!r} exists already") from None
    return issuer


def update_issuer(
    session: Session, issuer: Issuer, request: IssuerUpdate, *, actor: Principal | None
) -> Issuer:
    name = request.name or issuer.name
    translations = (
        issuer.name_translations if request.name_translations is None else request.name_translations
    )
    _refuse_look_alike_names(session, [name, *translations.values()], issuer.id)
    changed: list[str] = []
    for field, value in request.model_dump(exclude_unset=True).items():
        if value is None and field in _REQUIRED:
            continue  # required fields cannot be cleared
        value = str(value) if field in ("url", "email", "image_url") and value else value
        if getattr(issuer, field) != value:
            setattr(issuer, field, value)
            changed.append(field)
    if changed:
        audit.record(
            session,
            "issuer.update",
            actor=actor,
            subject_type="issuer",
            subject_id=issuer.id,
            issuer_id=issuer.id,
            details={"fields": changed},  # which fields, not their values
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
    session: Session,
    keyring: Keyring,
    issuer: Issuer,
    algorithm: str,
    now: datetime,
    *,
    actor: Principal | None,
) -> IssuerKey:
    """Retire the active keys of ``algorithm`` and make a new one that signs from now on."""
    retired: list[str] = []
    for key in issuer.keys:
        if key.algorithm == algorithm and key.active:
            key.retired_at = now
            retired.append(str(key.id))
    key = keyring.create_key(session, issuer, algorithm, now)
    session.add(key)
    session.flush()
    audit.record(
        session,
        "issuer.key.rotate",
        actor=actor,
        subject_type="issuer_key",
        subject_id=key.id,
        issuer_id=issuer.id,
        details={"algorithm": algorithm, "fragment": key.fragment, "retired": retired},
        at=now,
    )
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


def _jwks_members(urls: Urls, issuer: Issuer) -> list[dict[str, str]]:
    return [
        jwk(
            PublicKey.from_jwk(key.public_jwk),
            kid=urls.verification_method(issuer.slug, key.fragment),
            alg=key.algorithm,
        )
        for key in issuer.keys
    ]


def jwks_of(urls: Urls, issuer: Issuer) -> dict[str, Any]:
    """The issuer's JWK Set; each ``kid`` is the key's verification method URL."""
    return {"keys": _jwks_members(urls, issuer)}


def host_jwks(session: Session, urls: Urls) -> dict[str, Any]:
    """Every issuer's keys, active and retired, as the host's JWK Set.

    OB 3.0's implementation guide has a verifier look for a JWT's key at
    ``https://<issuer host>/.well-known/jwks.json``
    (https://www.imsglobal.org/spec/ob/v3p0/impl/#key-provenance); every issuer here shares
    this host. Each ``kid`` is the verification method URL in the issuer's DID document.
    """
    issuers = session.scalars(select(Issuer).order_by(Issuer.created_at, Issuer.slug))
    members = [member for issuer in issuers for member in _jwks_members(urls, issuer)]
    if not members:
        raise NotFoundError("no issuer publishes keys on this host yet")
    return {"keys": members}


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
