"""The OB 2.0 documents an issuer hosts, built from the database on each request.

Hosted verification fetches the assertion from its ``id``, so revocation shows there: a
revoked assertion is served as issued plus ``revoked: true`` and ``revocationReason``. The
whole assertion is kept (rather than the bare ``{id, revoked, revocationReason}`` the spec
also allows) so that displayers can still show what was revoked, and validators that check
the Assertion's required properties before its revocation still read it. Signed assertions
are revoked through the issuer's RevocationList, named in its Profile.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.credentials.models import IssuedCredential
from app.errors import NotFoundError
from app.issuers.models import Issuer, IssuerKey
from app.urls import Urls
from badges import ob2
from keys import PublicKey

# OB 2.0 names RS256 "for compatibility"; the reference validator supports nothing else.
OB2_ALGORITHM = "RS256"


def assertion_document(credential: IssuedCredential) -> dict[str, Any]:
    """The hosted assertion as it stands now: as issued, or marked revoked."""
    if credential.format != "ob2":
        raise NotFoundError(f"assertion {credential.id} does not exist")
    document: dict[str, Any] = json.loads(credential.document)
    if credential.status == "revoked":
        document["revoked"] = True
        if credential.revocation_reason:
            document["revocationReason"] = credential.revocation_reason
    return document


def _ob2_keys(issuer: Issuer) -> list[IssuerKey]:
    # Retired keys stay listed: assertions they signed must keep verifying.
    return [key for key in issuer.keys if key.algorithm == OB2_ALGORITHM]


def issuer_profile(urls: Urls, issuer: Issuer) -> dict[str, Any]:
    """The issuer's OB 2.0 Profile, listing its RSA keys and its revocation list."""
    return ob2.issuer_profile(
        issuer_id=urls.ob2_issuer(issuer.slug),
        name=issuer.name,
        url=issuer.url,
        email=issuer.email,
        description=issuer.description,
        image=issuer.image_url,
        public_keys=[urls.ob2_key(key.id) for key in _ob2_keys(issuer)],
        revocation_list=urls.ob2_revocations(issuer.slug),
    )


def key_document(session: Session, urls: Urls, key_id: str) -> dict[str, Any]:
    """The CryptographicKey of one of an issuer's RSA keys."""
    try:
        key = session.get(IssuerKey, uuid.UUID(key_id))
    except ValueError:
        key = None
    if key is None or key.algorithm != OB2_ALGORITHM:
        raise NotFoundError(f"key {key_id!r} does not exist")
    return ob2.cryptographic_key(
        urls.ob2_key(key.id),
        owner=urls.ob2_issuer(key.issuer.slug),
        public_key_pem=PublicKey.from_jwk(key.public_jwk).pem(),
    )


def revocation_list(session: Session, urls: Urls, issuer: Issuer) -> dict[str, Any]:
    """The issuer's RevocationList: every revoked OB 2.0 assertion, with its reason."""
    rows = session.execute(
        select(IssuedCredential.id, IssuedCredential.revocation_reason)
        .where(
            IssuedCredential.issuer_id == issuer.id,
            IssuedCredential.format == "ob2",
            IssuedCredential.status == "revoked",
        )
        .order_by(IssuedCredential.revoked_at, IssuedCredential.id)
    )
    revoked: list[tuple[str, str | None]] = [
        (urls.ob2_assertion(row.id), row.revocation_reason) for row in rows
    ]
    if len(revoked) == 1:
        # 1EdTech's OB 2.0 validator reads a one-entry revokedAssertions array as the entry
        # itself and then misses it. An entry naming no assertion (the spec allows unknown
        # ids; revocation lists may carry decoys) keeps the array an array.
        revoked.append(
            (f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, urls.ob2_issuer(issuer.slug))}", None)
        )
    return ob2.revocation_list(
        urls.ob2_revocations(issuer.slug), urls.ob2_issuer(issuer.slug), revoked
    )
