"""Public keys and codecs as the verifier meets them, from the one implementation issuing uses.

This is the only module of ``badges`` that imports ``keys`` (a test holds it to that): the
decoders that read keys, base64url, multibase and ``did:web`` for issuing read them for verifying.

Every key a verification reads (a Multikey ``publicKeyMultibase``, a ``publicKeyJwk``, a JWK in a
JWK Set or a JWT header) is decoded by :class:`keys.PublicKey`, the decoder that publishes our
own keys: what the issuer refuses, the verifier refuses. Keys are compared as keys, by their
RFC 7638 thumbprint, never as JSON. Multikey values are ``z`` + base58btc(multicodec header ||
key bytes) (W3C Controlled Identifiers 1.0, "Multikey").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from badges.errors import DocumentError
from keys import (
    KeyFormatError,
    PublicKey,
    b64url_decode,
    b64url_encode,
    did_jwk,
    did_web_url,
    multibase_decode,
    multibase_encode,
    public_key_from_did_jwk,
    public_key_from_did_key,
)

KeyKind = Literal["Ed25519", "P-256", "RSA"]


@dataclass(frozen=True)
class PublicKeyInfo:
    """A decoded public key of any supported type."""

    public: PublicKey

    @property
    def kind(self) -> KeyKind:
        key_type = self.public.key_type
        return "RSA" if key_type.startswith("RSA") else key_type  # type: ignore[return-value]

    @property
    def thumbprint(self) -> str:
        """The RFC 7638 thumbprint: equal exactly when the keys are equal."""
        return self.public.thumbprint()

    def jwk(self) -> dict[str, str]:
        """The key as a public JWK (RFC 8037 OKP, RFC 7518 EC or RSA)."""
        return self.public.jwk()

    def verify(self, signature: bytes, data: bytes) -> bool:
        """Check a raw signature (Ed25519, P-256 as JOSE r || s, RS256) over ``data``."""
        return self.public.verify(signature, data)


def decode_multibase_base58(value: Any, what: str = "value") -> bytes:
    """Decode a ``z`` + base58btc multibase string.

    Raises:
        DocumentError: not base58btc multibase, or too long for a key or a signature.
    """
    try:
        return multibase_decode(value, what)
    except KeyFormatError as error:
        raise DocumentError(str(error)) from None


def encode_multibase_base58(data: bytes) -> str:
    """``z`` + base58btc of ``data``."""
    return multibase_encode(data)


def decode_multikey(value: Any) -> PublicKeyInfo:
    """Decode a Multikey ``publicKeyMultibase`` (Ed25519 ``z6Mk…`` or P-256 ``zDn…``).

    Raises:
        DocumentError: malformed, an unsupported key type, or a wrong key length.
    """
    try:
        return PublicKeyInfo(PublicKey.from_multikey(value))
    except KeyFormatError as error:
        raise DocumentError(str(error)) from None


def key_from_jwk(jwk: Any) -> PublicKeyInfo:
    """Decode a public JWK (Ed25519, P-256 or RSA), as strictly as our own keys are read.

    Raises:
        DocumentError: a private key, an unsupported type, or malformed members.
    """
    if not isinstance(jwk, dict):
        raise DocumentError("a public key JWK must be a JSON object")
    try:
        return PublicKeyInfo(PublicKey.from_jwk(jwk))
    except KeyFormatError as error:
        raise DocumentError(str(error)) from None


def encode_b64url(data: bytes) -> str:
    """Base64url without padding (RFC 7515 §2)."""
    return b64url_encode(data)


def decode_b64url(value: Any, what: str) -> bytes:
    """Decode canonical unpadded base64url (RFC 7515 §2), strictly.

    Raises:
        DocumentError: characters outside the alphabet, padding, or stray trailing bits.
    """
    try:
        return b64url_decode(value, what)
    except KeyFormatError as error:
        raise DocumentError(str(error)) from None


def did_web_document_url(did: str) -> str:
    """The HTTPS URL of a ``did:web`` DID's document (did:web method, "Read (Resolve)").

    Raises:
        DocumentError: not a well-formed ``did:web``.
    """
    try:
        return did_web_url(did)
    except KeyFormatError as error:
        raise DocumentError(f"{did!r}: {error}") from None


def holder_key(did_url: str) -> tuple[str, PublicKeyInfo]:
    """The DID and key of a holder's ``did:key`` or ``did:jwk`` DID URL (no resolution needed).

    Raises:
        DocumentError: another DID method, or a key that cannot be read.
    """
    try:
        if did_url.startswith("did:key:"):
            return did_url.partition("#")[0], PublicKeyInfo(public_key_from_did_key(did_url))
        if did_url.startswith("did:jwk:"):
            return did_url.partition("#")[0], PublicKeyInfo(public_key_from_did_jwk(did_url))
    except KeyFormatError as error:
        raise DocumentError(str(error)) from None
    raise DocumentError("the key must be named by a did:key or did:jwk DID URL")


def did_jwk_of(key: PublicKeyInfo) -> str:
    """The ``did:jwk`` naming ``key`` (RFC 7638's members, in their order)."""
    return did_jwk(key.public)
