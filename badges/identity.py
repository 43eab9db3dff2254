"""Recipient identity hashes and the one matching rule, shared by OB 2.0 and OB 3.0.

IdentityHash = ``<alg>$`` + hex(hash(UTF-8(identifier) || UTF-8(salt))): identifier first, salt
appended, no separator (OB 2.0 "IdentityObject", OB 3.0 §B.1.x "IdentityHash").

E-mail addresses and case. Both specifications hash the identifier exactly as the issuer wrote
it and define no normalisation
(https://www.imsglobal.org/spec/ob/v3p0/#identityhash,
https://www.imsglobal.org/sites/default/files/Badges/OBv2p0Final/index.html#IdentityHash).
The domain of an address is case-insensitive (RFC 5321 §2.4); its local part is technically
case-sensitive, but no mail system treats it so, issuers commonly hash the lower-cased address,
and people expect ``Yuki.Ito@example.jp`` and ``yuki.ito@example.jp`` to be the same person. So
a plaintext address matches case-insensitively, and for a hashed one the verifier hashes each
spelling of :func:`email_spellings` (a hash cannot be normalised after the fact).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Literal

HashAlgorithm = Literal["sha256", "md5"]
RecipientKind = Literal["email", "url", "telephone"]

# OB 3.0 names the identity types differently from OB 2.0's `recipient.type`.
OB3_IDENTITY_TYPES: dict[RecipientKind, str] = {
    "email": "emailAddress",
    "url": "url",
    "telephone": "phone",
}


@dataclass(frozen=True)
class Recipient:
    """A person's identifier as a verifier knows it, to compare with a badge's recipient."""

    kind: RecipientKind
    value: str

    def __repr__(self) -> str:  # an identifier is personal data: keep it out of logs
        return f"Recipient(kind={self.kind!r}, value=<redacted>)"


def new_salt() -> str:
    """Return a fresh random salt of 128 bits, hex encoded."""
    return secrets.token_hex(16)


def hash_identity(identifier: str, salt: str | None, algorithm: HashAlgorithm = "sha256") -> str:
    """Return the IdentityHash of ``identifier`` salted with ``salt`` (``None`` = unsalted)."""
    data = (identifier + (salt or "")).encode("utf-8")
    digest = hashlib.sha256(data) if algorithm == "sha256" else hashlib.md5(data)  # noqa: S324
    return f"{algorithm}${digest.hexdigest()}"


def email_spellings(address: str) -> tuple[str, ...]:
    """The spellings of an e-mail address to hash when looking for a recipient, as given first.

    The address as given, with its domain lower-cased, and wholly lower-cased: an issuer that
    hashed any of them is matched, whichever of them the verifier is given.
    """
    address = address.strip()
    local, at, domain = address.rpartition("@")
    with_lower_domain = f"{local}@{domain.lower()}" if at else address
    return tuple(dict.fromkeys((address, with_lower_domain, address.lower())))


def recipient_matches(
    identity: str, recipient: Recipient, *, hashed: bool, salt: str | None
) -> bool:
    """Whether a badge's identity (plain or hashed) names ``recipient``: one rule for OB 2.0/3.0.

    E-mail addresses match regardless of case (see the module docstring); other identifiers
    match exactly.
    """
    if recipient.kind == "email":
        if not hashed:
            return identity.strip().lower() == recipient.value.strip().lower()
        return any(
            identity_matches(identity, spelling, hashed=True, salt=salt)
            for spelling in email_spellings(recipient.value)
        )
    return identity_matches(identity, recipient.value.strip(), hashed=hashed, salt=salt)


def identity_matches(identity: str, identifier: str, *, hashed: bool, salt: str | None) -> bool:
    """Whether a stored identity (plain or ``sha256$``/``md5$`` hashed) names ``identifier``.

    Hex digests compare case-insensitively, as both specifications allow either case.
    """
    if not hashed:
        return hmac.compare_digest(identity.encode(), identifier.encode())
    algorithm, sep, digest = identity.partition("$")
    algorithm = algorithm.lower()
    if not sep or algorithm not in ("sha256", "md5"):
        return False
    expected = hash_identity(identifier, salt, algorithm)  # type: ignore[arg-type]
    # Bytes, not str: compare_digest refuses non-ASCII text, and a badge may carry any.
    return hmac.compare_digest(expected.partition("$")[2].encode(), digest.lower().encode())
