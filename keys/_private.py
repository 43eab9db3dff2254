"""Private keys: generation and signing, with the key material kept out of sight.

A :class:`PrivateKey` shows only its key type and public thumbprint in ``repr`` and ``str``, and
cannot be pickled. Serialising one lives in :mod:`keys.storage`, behind explicit flags.
"""

from __future__ import annotations

import hmac
from typing import Final, NoReturn

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from keys._codec import ED25519_PRIV_HEADER, int_to_bytes, multibase_decode
from keys._public import (
    Algorithm,
    CryptoPrivateKey,
    KeyType,
    PublicKey,
    algorithm_for,
)
from keys.errors import KeyFormatError, KeysError

_RSA_EXPONENT: Final = 65537
_P256_COORDINATE_BYTES: Final = 32


class PrivateKey:
    """A private signing key. Its material never shows in ``repr``, ``str`` or pickles.

    Make one with :func:`generate_key`, :meth:`from_secret_multikey` or
    :func:`keys.storage.load_private_key`; store it with :mod:`keys.storage`.
    """

    __slots__ = ("_key", "_public")

    def __init__(self, key: CryptoPrivateKey) -> None:
        """Wrap a ``cryptography`` private key.

        Raises:
            KeyFormatError: the key's type or size is not supported.
        """
        self._public = PublicKey(key.public_key())
        self._key = key

    @classmethod
    def from_secret_multikey(cls, value: str) -> PrivateKey:
        """Load an Ed25519 ``secretKeyMultibase``: ``z`` + base58btc(``0x8026`` || seed).

        Both the 32-byte seed and the 64-byte seed || public key form some tools emitted are
        accepted; in the long form the public half must match the seed.

        Args:
            value: The secret Multikey.

        Returns:
            The private key.

        Raises:
            KeyFormatError: malformed, another header, or a wrong length. The message never
                repeats any part of ``value``.
        """
        data = multibase_decode(value, "secretKeyMultibase")
        if data[:2] != ED25519_PRIV_HEADER:
            raise KeyFormatError("secretKeyMultibase must start with the Ed25519 header 0x8026")
        body = data[2:]
        if len(body) not in (32, 64):
            raise KeyFormatError(
                "an Ed25519 secretKeyMultibase holds a 32-byte seed (or 64 bytes: seed and "
                f"public key), got {len(body)} bytes"
            )
        key = cls(ed25519.Ed25519PrivateKey.from_private_bytes(body[:32]))
        if len(body) == 64 and not hmac.compare_digest(body[32:], key._public._raw()):
            raise KeyFormatError(
                "the public half of the secretKeyMultibase does not match its seed"
            )
        return key

    @property
    def key_type(self) -> KeyType:
        """``Ed25519``, ``P-256`` or ``RSA-<bits>``."""
        return self._public.key_type

    @property
    def algorithm(self) -> Algorithm:
        """The JOSE algorithm: ``EdDSA``, ``ES256`` or ``RS256``."""
        return self._public.algorithm

    def public_key(self) -> PublicKey:
        """The matching public key."""
        return self._public

    def thumbprint(self) -> str:
        """The RFC 7638 thumbprint of the public key (safe to log)."""
        return self._public.thumbprint()

    def sign(self, data: bytes) -> bytes:
        """Sign ``data`` with the key's algorithm.

        Args:
            data: The bytes to sign (a JWS signing input, a Data Integrity hash …).

        Returns:
            The raw signature: 64 bytes for EdDSA, ``r || s`` (64 bytes) for ES256, and a
            PKCS#1 v1.5 signature as long as the modulus for RS256.
        """
        key = self._key
        if isinstance(key, ed25519.Ed25519PrivateKey):
            return key.sign(data)
        if isinstance(key, ec.EllipticCurvePrivateKey):
            # cryptography returns DER; JOSE (RFC 7518 §3.4) wants fixed-width r || s.
            r, s = decode_dss_signature(key.sign(data, ec.ECDSA(hashes.SHA256())))
            return int_to_bytes(r, _P256_COORDINATE_BYTES) + int_to_bytes(s, _P256_COORDINATE_BYTES)
        return key.sign(data, padding.PKCS1v15(), hashes.SHA256())

    # -- for keys.storage only -------------------------------------------------------------

    def _pkcs8_pem(self, encryption: serialization.KeySerializationEncryption) -> bytes:
        return self._key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
        )

    def _pkcs8_der(self) -> bytes:
        return self._key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

    def _seed(self) -> bytes:
        if not isinstance(self._key, ed25519.Ed25519PrivateKey):
            raise KeysError(f"{self.key_type} keys have no secret Multikey encoding here")
        return self._key.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )

    # -- redaction -------------------------------------------------------------------------

    def __repr__(self) -> str:
        return f"PrivateKey(key_type={self.key_type!r}, thumbprint={self.thumbprint()!r})"

    def __reduce__(self) -> NoReturn:
        # Pickles end up in caches, queues and crash dumps; key material must not.
        raise TypeError("PrivateKey cannot be pickled; store it with keys.storage")


def generate_key(key_type: KeyType) -> PrivateKey:
    """Generate a new private key.

    Args:
        key_type: ``Ed25519`` (Data Integrity ``eddsa-rdfc-2022``), ``P-256`` (ES256) or
            ``RSA-3072`` (RS256 for OB 3.0 JWTs). ``RSA-2048``, the smallest size RS256
            allows, and ``RSA-4096`` can be made too.

    Returns:
        The new key.

    Raises:
        KeyFormatError: ``key_type`` is not supported.
    """
    algorithm_for(key_type)
    if key_type == "Ed25519":
        return PrivateKey(ed25519.Ed25519PrivateKey.generate())
    if key_type == "P-256":
        return PrivateKey(ec.generate_private_key(ec.SECP256R1()))
    bits = int(key_type.removeprefix("RSA-"))
    return PrivateKey(rsa.generate_private_key(public_exponent=_RSA_EXPONENT, key_size=bits))


def wrap_loaded_key(key: object) -> PrivateKey:
    """Wrap a key returned by ``cryptography``'s loaders, refusing unsupported types.

    Raises:
        KeyFormatError: an algorithm other than Ed25519, P-256 or RSA ≥ 2048 bits.
    """
    if not isinstance(key, CryptoPrivateKey):
        raise KeyFormatError(f"unsupported key algorithm {type(key).__name__}")
    return PrivateKey(key)
