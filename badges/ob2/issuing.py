"""Build the Open Badges 2.0 documents an issuer publishes, and sign assertions as JWS.

Every builder returns a plain JSON object in the spec's camelCase form and checks it
against :mod:`badges.ob2.models` before returning, so we never publish a document our own
verifier would reject. Signing follows OB 2.0 "SignedBadge"
(https://www.imsglobal.org/sites/default/files/Badges/OBv2p0Final/index.html#SignedBadge):
the JWS payload is the exact JSON text of the assertion, no canonicalization involved; store
the returned token as it is and never rebuild it from columns.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from joserfc.errors import JoseError
from joserfc.jwk import ECKey, RSAKey
from pydantic import BaseModel, ValidationError

from badges._crypto import encode_b64url
from badges.errors import DocumentError, SigningError
from badges.identity import hash_identity, new_salt
from badges.ob2.models import (
    OB2_CONTEXT,
    Assertion,
    BadgeClass,
    CryptographicKey,
    Profile,
    RevocationList,
)
from badges.ports import JSONObject, Signer

__all__ = [
    "SIGNING_ALGORITHMS",
    "badge_class",
    "cryptographic_key",
    "hosted_assertion",
    "issuer_profile",
    "revocation_list",
    "signed_assertion",
]

# RS256 is what OB 2.0 names "for compatibility"; 1EdTech's validators also accept ES256.
SIGNING_ALGORITHMS = frozenset({"RS256", "ES256"})
_ES256_SIGNATURE_LENGTH = 64  # JOSE form r || s, 32 bytes each (RFC 7518 §3.4)


def hosted_assertion(
    *,
    assertion_id: str,
    badge_id: str,
    recipient_email: str,
    salt: str | None = None,
    issued_on: datetime,
    expires: datetime | None = None,
    evidence: Sequence[str | Mapping[str, Any]] = (),
    narrative: str | None = None,
    image: str | None = None,
) -> JSONObject:
    """Return a hosted Assertion awarding ``badge_id`` to an email address.

    The recipient is always hashed (``sha256$``), salted with ``salt`` or, when it is
    ``None``, a fresh random salt. The email is hashed exactly as given: normalise it first
    if your records do. Times are written in UTC with a ``Z`` suffix, to whole seconds.

    Args:
        assertion_id: The HTTPS URL the assertion will be served at.
        badge_id: The BadgeClass IRI.
        recipient_email: The recipient's email address.
        salt: The salt for the identity hash; ``None`` draws a new one.
        issued_on: When the badge was awarded (time-zone aware).
        expires: When the award stops being valid (time-zone aware), if ever.
        evidence: Evidence URLs or Evidence objects.
        narrative: Markdown describing how the recipient met the criteria.
        image: URL of the baked image for this award.

    Returns:
        The Assertion as a JSON object.

    Raises:
        DocumentError: an argument cannot form a valid Assertion (naive datetime, no
            ``@`` in the email, ``expires`` before ``issued_on``).
    """
    if "@" not in recipient_email or recipient_email != recipient_email.strip():
        raise DocumentError("recipient_email must be an email address without surrounding spaces")
    if expires is not None and _utc(expires, "expires") < _utc(issued_on, "issued_on"):
        raise DocumentError("expires must not be before issued_on")
    salt = new_salt() if salt is None else salt
    document: JSONObject = {
        "@context": OB2_CONTEXT,
        "type": "Assertion",
        "id": assertion_id,
        "recipient": {
            "type": "email",
            "hashed": True,
            "salt": salt,
            "identity": hash_identity(recipient_email, salt),
        },
        "badge": badge_id,
        "verification": {"type": "HostedBadge"},
        "issuedOn": _timestamp(issued_on, "issued_on"),
    }
    if expires is not None:
        document["expires"] = _timestamp(expires, "expires")
    if image is not None:
        document["image"] = image
    if evidence:
        document["evidence"] = [e if isinstance(e, str) else dict(e) for e in evidence]
    if narrative is not None:
        document["narrative"] = narrative
    return _checked(Assertion, document)


def signed_assertion(assertion: Mapping[str, Any], signer: Signer, *, creator: str) -> str:
    """Sign ``assertion`` and return it as a JWS in compact serialization.

    ``verification`` becomes ``{"type": "SignedBadge", "creator": creator}``; the JWS
    header is ``{"alg": signer.algorithm}`` and the payload is the assertion's compact
    UTF-8 JSON text. The signer only ever sees the signing input (RFC 7515 §5.1).

    Args:
        assertion: An Assertion, for example from :func:`hosted_assertion`. A signed
            assertion's ``id`` should be a ``urn:uuid:`` (OB 2.0 "Assertion").
        signer: Signs with the issuer's key; its algorithm must be RS256 or ES256.
        creator: The URL of the CryptographicKey document for the signer's key; it must
            be listed in the issuer Profile's ``publicKey``.

    Returns:
        The compact JWS.

    Raises:
        DocumentError: ``assertion`` is not a valid Assertion.
        SigningError: the signer's algorithm is not RS256/ES256, or its ES256 signature
            is not in the 64-byte JOSE form.
    """
    algorithm = signer.algorithm
    if algorithm not in SIGNING_ALGORITHMS:
        raise SigningError(f"OB 2.0 assertions are signed with RS256 or ES256, not {algorithm}")
    document = {key: value for key, value in assertion.items() if key != "verify"}
    document["verification"] = {"type": "SignedBadge", "creator": creator}
    _checked(Assertion, document)

    header = _b64url(_compact_json({"alg": algorithm}))
    payload = _b64url(_compact_json(document))
    signing_input = f"{header}.{payload}"
    signature = signer.sign(signing_input.encode("ascii"))
    if algorithm == "ES256" and len(signature) != _ES256_SIGNATURE_LENGTH:
        raise SigningError("an ES256 signature must be 64 bytes (r || s), not DER")
    return f"{signing_input}.{_b64url(signature)}"


def badge_class(
    *,
    badge_id: str,
    issuer_id: str,
    name: str,
    description: str,
    image: str,
    criteria_url: str | None = None,
    criteria_narrative: str | None = None,
    alignment: Sequence[Mapping[str, str]] = (),
    tags: Sequence[str] = (),
) -> JSONObject:
    """Return a BadgeClass.

    Args:
        badge_id: The URL the BadgeClass is served at.
        issuer_id: The issuer Profile's URL.
        name: The badge's name.
        description: A short description of the achievement.
        image: The badge image's URL or data URI.
        criteria_url: A page describing the criteria.
        criteria_narrative: Markdown criteria, embedded in the BadgeClass.
        alignment: AlignmentObjects (``targetName`` and ``targetUrl`` required).
        tags: Tags describing the achievement.

    Returns:
        The BadgeClass as a JSON object; ``criteria`` is the URL alone when there is
        no narrative.

    Raises:
        DocumentError: neither criteria argument is given, or the result is invalid.
    """
    criteria: str | JSONObject
    if criteria_narrative is not None:
        criteria = {"narrative": criteria_narrative}
        if criteria_url is not None:
            criteria = {"id": criteria_url, **criteria}
    elif criteria_url is not None:
        criteria = criteria_url
    else:
        raise DocumentError("a BadgeClass needs criteria_url or criteria_narrative")
    document: JSONObject = {
        "@context": OB2_CONTEXT,
        "type": "BadgeClass",
        "id": badge_id,
        "name": name,
        "description": description,
        "image": image,
        "criteria": criteria,
        "issuer": issuer_id,
    }
    if alignment:
        document["alignment"] = [dict(a) for a in alignment]
    if tags:
        document["tags"] = list(tags)
    return _checked(BadgeClass, document)


def issuer_profile(
    *,
    issuer_id: str,
    name: str,
    url: str,
    email: str,
    public_keys: Sequence[str] = (),
    revocation_list: str | None = None,
    description: str | None = None,
    image: str | None = None,
    allowed_origins: Sequence[str] = (),
    starts_with: Sequence[str] = (),
) -> JSONObject:
    """Return an issuer Profile.

    Args:
        issuer_id: The URL the Profile is served at; by default hosted assertions must
            live on this URL's host (OB 2.0 "VerificationObject").
        name: The issuer's name.
        url: The issuer's home page.
        email: A contact address.
        public_keys: URLs of the CryptographicKey documents that may sign assertions.
        revocation_list: URL of the issuer's RevocationList, if it publishes one.
        description: A short description of the issuer.
        image: The issuer's logo URL or data URI.
        allowed_origins: Hosts allowed to serve hosted assertions, when not the
            issuer's own host.
        starts_with: URL prefixes hosted assertion ids must start with.

    Returns:
        The Profile (``type: Issuer``) as a JSON object.

    Raises:
        DocumentError: the result is not a valid Profile.
    """
    document: JSONObject = {
        "@context": OB2_CONTEXT,
        "type": "Issuer",
        "id": issuer_id,
        "name": name,
        "url": url,
        "email": email,
    }
    if description is not None:
        document["description"] = description
    if image is not None:
        document["image"] = image
    if public_keys:
        document["publicKey"] = list(public_keys)
    if revocation_list is not None:
        document["revocationList"] = revocation_list
    if allowed_origins or starts_with:
        policy: JSONObject = {"type": "VerificationObject"}
        if allowed_origins:
            policy["allowedOrigins"] = list(allowed_origins)
        if starts_with:
            policy["startsWith"] = list(starts_with)
        document["verification"] = policy
    return _checked(Profile, document)


def cryptographic_key(key_id: str, owner: str, public_key_pem: str) -> JSONObject:
    """Return a CryptographicKey document publishing an RSA or EC public key.

    Args:
        key_id: The URL the key document is served at (the ``creator`` of signed
            assertions).
        owner: The issuer Profile's URL.
        public_key_pem: The public key in SPKI PEM form.

    Returns:
        The CryptographicKey as a JSON object.

    Raises:
        DocumentError: the PEM is not an RSA/EC key, or it holds a private key, which
            must never be published.
    """
    _require_public_pem(public_key_pem)
    document: JSONObject = {
        "@context": OB2_CONTEXT,
        "type": "CryptographicKey",
        "id": key_id,
        "owner": owner,
        "publicKeyPem": public_key_pem,
    }
    return _checked(CryptographicKey, document)


def revocation_list(
    list_id: str, issuer_id: str, revoked: Sequence[tuple[str, str | None]]
) -> JSONObject:
    """Return a RevocationList.

    Args:
        list_id: The URL the list is served at (the issuer's ``revocationList``).
        issuer_id: The issuer Profile's URL.
        revoked: ``(assertion id, reason or None)`` pairs.

    Returns:
        The RevocationList as a JSON object; every entry is an object with ``id`` and,
        when given, ``revocationReason``.

    Raises:
        DocumentError: the result is not a valid RevocationList.
    """
    entries: list[JSONObject] = []
    for assertion_id, reason in revoked:
        entry: JSONObject = {"id": assertion_id}
        if reason is not None:
            entry["revocationReason"] = reason
        entries.append(entry)
    document: JSONObject = {
        "@context": OB2_CONTEXT,
        "type": "RevocationList",
        "id": list_id,
        "issuer": issuer_id,
        "revokedAssertions": entries,
    }
    return _checked(RevocationList, document)


def _checked(model: type[BaseModel], document: JSONObject) -> JSONObject:
    try:
        model.model_validate(document)
    except ValidationError as exc:
        raise DocumentError(f"not a valid {model.__name__}: {exc}") from exc
    return document


def _utc(value: datetime, name: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise DocumentError(f"{name} must be time-zone aware")
    return value.astimezone(UTC)


def _timestamp(value: datetime, name: str) -> str:
    return _utc(value, name).strftime("%Y-%m-%dT%H:%M:%SZ")


def _compact_json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _b64url(data: bytes) -> str:
    # JWS uses base64url without padding (RFC 7515 §2).
    return encode_b64url(data)


def _require_public_pem(pem: str) -> None:
    for key_class in (RSAKey, ECKey):
        try:
            key = key_class.import_key(pem)
        except (JoseError, ValueError, TypeError):
            continue
        if key.is_private:
            raise DocumentError("refusing to publish a private key: pass the public key PEM")
        return
    raise DocumentError("public_key_pem is not an RSA or EC public key in PEM form")
