"""Public keys: key types, algorithms, verification and the encodings (JWK, Multikey, SPKI PEM).

Three families are supported, one JOSE algorithm each (RFC 7518 §3.1, RFC 8037 §3.1):

======================  =========  =================================================
key type                algorithm  signature
======================  =========  =================================================
``Ed25519``             EdDSA      RFC 8032 pure Ed25519, 64 bytes
``P-256``               ES256      ECDSA P-256 + SHA-256 as JOSE ``r || s``, 64 bytes
``RSA-2048/3072/4096``  RS256      RSASSA-PKCS1-v1_5 + SHA-256
======================  =========  =================================================

OB 3.0 "JSON Web Token Proof Format" (https://www.imsglobal.org/spec/ob/v3p0/#jwt-proof) names
RS256 as the minimum, with keys of at
least 2048 bits, so smaller RSA keys are refused everywhere, not only when generating. Sizes
other than 2048, 3072 and 4096 bits are refused too, so that every key has a named type.

Private keys live in :mod:`keys._private`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any, Final, Literal, TypeAlias, get_args

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from keys._codec import (
    ED25519_PRIV_HEADER,
    ED25519_PUB_HEADER,
    P256_PUB_HEADER,
    b64url_decode,
    b64url_encode,
    int_to_bytes,
    multibase_decode,
    multibase_encode,
)
from keys.errors import KeyFormatError, KeysError

KeyType = Literal["Ed25519", "P-256", "RSA-2048", "RSA-3072", "RSA-4096"]
"""A key type: the curve, or ``RSA-<modulus bits>``."""

Algorithm = Literal["EdDSA", "ES256", "RS256"]
"""The JOSE ``alg`` a key signs with."""

KEY_TYPES: Final[tuple[KeyType, ...]] = get_args(KeyType)

_ALGORITHMS: Final[dict[KeyType, Algorithm]] = {
    "Ed25519": "EdDSA",
    "P-256": "ES256",
    "RSA-2048": "RS256",
    "RSA-3072": "RS256",
    "RSA-4096": "RS256",
}
_RSA_TYPES: Final[dict[int, KeyType]] = {2048: "RSA-2048", 3072: "RSA-3072", 4096: "RSA-4096"}
_RSA_MIN_BITS: Final = 2048
_RSA_EXPONENT: Final = 65537
_P256_COORDINATE_BYTES: Final = 32
# JWK members that only a private key has (RFC 7518 §6.2.2, §6.3.2; RFC 8037 §2; "k" §6.4).
_PRIVATE_JWK_MEMBERS: Final = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth", "k"})
# Members hashed for the RFC 7638 thumbprint (RFC 7638 §3.2, RFC 8037 §2).
_THUMBPRINT_MEMBERS: Final[dict[str, tuple[str, ...]]] = {
    "OKP": ("crv", "kty", "x"),
    "EC": ("crv", "kty", "x", "y"),
    "RSA": ("e", "kty", "n"),
}
# "Ed25519" is the fully specified name from RFC 9864; older verifiers only know "EdDSA".
JWK_ALGORITHMS: Final[dict[Algorithm, frozenset[str]]] = {
    "EdDSA": frozenset({"EdDSA", "Ed25519"}),
    "ES256": frozenset({"ES256"}),
    "RS256": frozenset({"RS256"}),
}

CryptoPublicKey: TypeAlias = ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey | rsa.RSAPublicKey
CryptoPrivateKey: TypeAlias = (
    ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey
)


def algorithm_for(key_type: KeyType) -> Algorithm:
    """Return the JOSE algorithm a key of ``key_type`` signs with.

    Args:
        key_type: One of :data:`KEY_TYPES`.

    Returns:
        ``EdDSA``, ``ES256`` or ``RS256``.

    Raises:
        KeyFormatError: ``key_type`` is not a supported key type.
    """
    try:
        return _ALGORITHMS[key_type]
    except KeyError:
        raise KeyFormatError(f"unsupported key type {key_type!r}") from None


def _key_type_of(key: CryptoPublicKey) -> KeyType:
    if isinstance(key, ed25519.Ed25519PublicKey):
        return "Ed25519"
    if isinstance(key, ec.EllipticCurvePublicKey):
        if isinstance(key.curve, ec.SECP256R1):
            return "P-256"
        raise KeyFormatError(f"unsupported elliptic curve {key.curve.name}; only P-256 is")
    if isinstance(key, rsa.RSAPublicKey):
        bits = key.key_size
        if bits < _RSA_MIN_BITS:
            raise KeyFormatError(
                f"RSA key of {bits} bits refused: RS256 needs at least {_RSA_MIN_BITS} bits"
            )
        if bits not in _RSA_TYPES:
            raise KeyFormatError(f"unsupported RSA key size {bits} bits; use 2048, 3072 or 4096")
        return _RSA_TYPES[bits]
    raise KeyFormatError(f"unsupported key algorithm {type(key).__name__}")


class PublicKey:
    """A public key of a supported type, with its JWK, Multikey and PEM encodings.

    Build one with :meth:`from_jwk`, :meth:`from_multikey`, :meth:`from_pem` or
    :meth:`PrivateKey.public_key`. Two public keys are equal when they are the same key.
    """

    __slots__ = ("_key", "_key_type")

    def __init__(self, key: CryptoPublicKey) -> None:
        """Wrap a ``cryptography`` public key.

        Raises:
            KeyFormatError: the key's type or size is not supported.
        """
        self._key_type = _key_type_of(key)
        self._key = key

    # -- loading ---------------------------------------------------------------------------

    @classmethod
    def from_jwk(cls, jwk: Mapping[str, Any]) -> PublicKey:
        """Load a public JWK (RFC 7517): ``OKP``/``Ed25519``, ``EC``/``P-256`` or ``RSA``.

        Metadata members (``kid``, ``use``, ``alg`` …) are allowed but checked: ``use`` must be
        ``sig`` and ``alg`` must fit the key.

        Args:
            jwk: The JWK as a JSON object.

        Returns:
            The public key.

        Raises:
            KeyFormatError: a private JWK, an unsupported key type, or malformed members.
        """
        if not isinstance(jwk, Mapping):
            raise KeyFormatError("a JWK must be a JSON object")
        if _PRIVATE_JWK_MEMBERS & jwk.keys():
            # Name the members, never their values.
            found = ", ".join(sorted(_PRIVATE_JWK_MEMBERS & jwk.keys()))
            raise KeyFormatError(f"the JWK holds private key members ({found}); refused")
        kty, crv = jwk.get("kty"), jwk.get("crv")
        key: CryptoPublicKey
        if kty == "OKP" and crv == "Ed25519":
            raw = b64url_decode(jwk.get("x"), "JWK member 'x'")
            if len(raw) != 32:
                raise KeyFormatError(f"an Ed25519 JWK 'x' holds 32 bytes, got {len(raw)}")
            key = ed25519.Ed25519PublicKey.from_public_bytes(raw)
        elif kty == "EC" and crv == "P-256":
            x = b64url_decode(jwk.get("x"), "JWK member 'x'")
            y = b64url_decode(jwk.get("y"), "JWK member 'y'")
            if len(x) != _P256_COORDINATE_BYTES or len(y) != _P256_COORDINATE_BYTES:
                raise KeyFormatError("a P-256 JWK 'x' and 'y' hold 32 bytes each")
            numbers = ec.EllipticCurvePublicNumbers(
                int.from_bytes(x, "big"), int.from_bytes(y, "big"), ec.SECP256R1()
            )
            try:
                key = numbers.public_key()
            except ValueError:
                raise KeyFormatError("the P-256 JWK is not a point on the curve") from None
        elif kty == "RSA":
            n = int.from_bytes(b64url_decode(jwk.get("n"), "JWK member 'n'"), "big")
            e = int.from_bytes(b64url_decode(jwk.get("e"), "JWK member 'e'"), "big")
            try:
                key = rsa.RSAPublicNumbers(e, n).public_key()
            except ValueError:
                raise KeyFormatError("the RSA JWK has an invalid modulus or exponent") from None
        elif kty in ("OKP", "EC"):
            raise KeyFormatError(f"unsupported JWK curve {crv!r} for key type {kty!r}")
        else:
            raise KeyFormatError(f"unsupported JWK key type {kty!r}")
        public = cls(key)
        if "use" in jwk and jwk["use"] != "sig":
            raise KeyFormatError(f"the JWK 'use' is {jwk['use']!r}; a signing key needs 'sig'")
        alg = jwk.get("alg")
        if alg is not None and (
            not isinstance(alg, str) or alg not in JWK_ALGORITHMS[public.algorithm]
        ):
            raise KeyFormatError(f"the JWK 'alg' {alg!r} does not fit a {public.key_type} key")
        return public

    @classmethod
    def from_multikey(cls, value: str) -> PublicKey:
        """Load a Multikey ``publicKeyMultibase`` (Ed25519 ``z6Mk…`` or P-256 ``zDn…``).

        Args:
            value: ``z`` + base58btc(multicodec header || key bytes).

        Returns:
            The public key.

        Raises:
            KeyFormatError: not base58btc multibase, a header other than ``0xed01`` or
                ``0x8024``, a wrong key length, or a P-256 value that is not on the curve.
        """
        data = multibase_decode(value, "publicKeyMultibase")
        header, body = data[:2], data[2:]
        if header == ED25519_PUB_HEADER:
            if len(body) != 32:
                raise KeyFormatError(f"an Ed25519 Multikey holds 32 bytes, got {len(body)}")
            return cls(ed25519.Ed25519PublicKey.from_public_bytes(body))
        if header == P256_PUB_HEADER:
            if len(body) != 33 or body[0] not in (2, 3):
                raise KeyFormatError(
                    f"a P-256 Multikey holds a 33-byte compressed point, got {len(body)} bytes"
                )
            try:
                return cls(ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), body))
            except ValueError:
                raise KeyFormatError("the P-256 Multikey is not a point on the curve") from None
        if header == ED25519_PRIV_HEADER:
            raise KeyFormatError("this Multikey holds a secret key, not a public key; refused")
        raise KeyFormatError(
            f"unsupported Multikey header 0x{header.hex()}: "
            "expected 0xed01 (Ed25519) or 0x8024 (P-256)"
        )

    @classmethod
    def from_pem(cls, pem: str | bytes) -> PublicKey:
        """Load a PEM ``PUBLIC KEY`` (X.509 SubjectPublicKeyInfo).

        Raises:
            KeyFormatError: not an SPKI PEM, or a key type that is not supported.
        """
        data = pem.encode("ascii", "replace") if isinstance(pem, str) else pem
        try:
            key = serialization.load_pem_public_key(data)
        except (ValueError, UnsupportedAlgorithm):
            raise KeyFormatError("not a PEM-encoded public key (SubjectPublicKeyInfo)") from None
        if not isinstance(key, CryptoPublicKey):
            raise KeyFormatError(f"unsupported key algorithm {type(key).__name__}")
        return cls(key)

    # -- properties ------------------------------------------------------------------------

    @property
    def key_type(self) -> KeyType:
        """``Ed25519``, ``P-256`` or ``RSA-<bits>``."""
        return self._key_type

    @property
    def algorithm(self) -> Algorithm:
        """The JOSE algorithm: ``EdDSA``, ``ES256`` or ``RS256``."""
        return _ALGORITHMS[self._key_type]

    # -- operations ------------------------------------------------------------------------

    def verify(self, signature: bytes, data: bytes) -> bool:
        """Check a signature made by :meth:`PrivateKey.sign`.

        Args:
            signature: The raw signature (``r || s`` for ES256).
            data: The signed bytes.

        Returns:
            Whether the signature is valid; malformed signatures are simply invalid.
        """
        key = self._key
        try:
            if isinstance(key, ed25519.Ed25519PublicKey):
                key.verify(signature, data)
            elif isinstance(key, ec.EllipticCurvePublicKey):
                if len(signature) != 2 * _P256_COORDINATE_BYTES:
                    return False
                r = int.from_bytes(signature[:_P256_COORDINATE_BYTES], "big")
                s = int.from_bytes(signature[_P256_COORDINATE_BYTES:], "big")
                key.verify(encode_dss_signature(r, s), data, ec.ECDSA(hashes.SHA256()))
            else:
                key.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
        except (InvalidSignature, ValueError):
            return False
        return True

    def jwk(self) -> dict[str, str]:
        """The public JWK members only: ``kty``, ``crv``, ``x`` (and ``y``), or ``n`` and ``e``.

        Add ``kid``, ``use`` and ``alg`` with :func:`keys.jwks.jwk`.
        """
        key = self._key
        if isinstance(key, ed25519.Ed25519PublicKey):
            return {"kty": "OKP", "crv": "Ed25519", "x": b64url_encode(self._raw())}
        if isinstance(key, ec.EllipticCurvePublicKey):
            numbers = key.public_numbers()
            return {
                "kty": "EC",
                "crv": "P-256",
                "x": b64url_encode(int_to_bytes(numbers.x, _P256_COORDINATE_BYTES)),
                "y": b64url_encode(int_to_bytes(numbers.y, _P256_COORDINATE_BYTES)),
            }
        rsa_numbers = key.public_numbers()
        return {
            "kty": "RSA",
            "n": b64url_encode(int_to_bytes(rsa_numbers.n)),
            "e": b64url_encode(int_to_bytes(rsa_numbers.e)),
        }

    def thumbprint(self) -> str:
        """The RFC 7638 JWK thumbprint: base64url(SHA-256) of the required members.

        The members are serialised in lexicographic order with no whitespace (RFC 7638 §3.3).
        """
        jwk = self.jwk()
        required = {name: jwk[name] for name in _THUMBPRINT_MEMBERS[jwk["kty"]]}
        canonical = json.dumps(required, separators=(",", ":"), sort_keys=True)
        return b64url_encode(hashlib.sha256(canonical.encode("utf-8")).digest())

    def multikey(self) -> str:
        """The Multikey ``publicKeyMultibase`` (Ed25519 ``z6Mk…``, P-256 ``zDn…``).

        Raises:
            KeysError: RSA keys have no Multikey form here; publish them as JWKs.
        """
        if self._key_type == "Ed25519":
            return multibase_encode(ED25519_PUB_HEADER + self._raw())
        if self._key_type == "P-256":
            return multibase_encode(P256_PUB_HEADER + self._raw())
        raise KeysError(f"{self._key_type} keys have no Multikey encoding; publish them as JWKs")

    def pem(self) -> str:
        """The key as a PEM ``PUBLIC KEY`` (SubjectPublicKeyInfo)."""
        return self._spki(serialization.Encoding.PEM).decode("ascii")

    # -- helpers ---------------------------------------------------------------------------

    def _raw(self) -> bytes:
        # Ed25519: the 32 key bytes; P-256: the 33-byte compressed SEC1 point.
        if isinstance(self._key, ed25519.Ed25519PublicKey):
            return self._key.public_bytes(
                serialization.Encoding.Raw, serialization.PublicFormat.Raw
            )
        return self._key.public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint
        )

    def _spki(self, encoding: serialization.Encoding) -> bytes:
        return self._key.public_bytes(encoding, serialization.PublicFormat.SubjectPublicKeyInfo)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PublicKey):
            return NotImplemented
        return self._spki(serialization.Encoding.DER) == other._spki(serialization.Encoding.DER)

    def __hash__(self) -> int:
        return hash(self._spki(serialization.Encoding.DER))

    def __repr__(self) -> str:
        return f"PublicKey(key_type={self._key_type!r}, thumbprint={self.thumbprint()!r})"
