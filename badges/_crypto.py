"""Public-key decoding and signature checks (verification only: no private keys here).

Multikey values are ``z`` + base58btc(multicodec header || key bytes) (W3C Controlled
Identifiers 1.0, "Multikey"): ``0xed 0x01`` + 32 bytes for Ed25519 (``z6Mk…``), ``0x80 0x24`` + a
33-byte compressed point for P-256 (``zDn…``).
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Any, Literal

import base58
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from badges.errors import DocumentError

KeyKind = Literal["Ed25519", "P-256"]

_ED25519_HEADER = b"\xed\x01"
MAX_MULTIBASE_LENGTH = 256
_P256_HEADER = b"\x80\x24"


@dataclass(frozen=True)
class PublicKeyInfo:
    """A decoded public key: its kind and raw encoding (32 bytes, or a SEC1 point)."""

    kind: KeyKind
    raw: bytes

    def jwk(self) -> dict[str, str]:
        """The key as a public JWK (RFC 8037 OKP, or RFC 7518 EC)."""
        if self.kind == "Ed25519":
            return {"kty": "OKP", "crv": "Ed25519", "x": _b64url_encode(self.raw)}
        point = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), self.raw)
        numbers = point.public_numbers()
        return {
            "kty": "EC",
            "crv": "P-256",
            "x": _b64url_encode(numbers.x.to_bytes(32, "big")),
            "y": _b64url_encode(numbers.y.to_bytes(32, "big")),
        }

    def verify(self, signature: bytes, data: bytes) -> bool:
        """Check a raw signature (Ed25519, or P-256 as JOSE r || s) over ``data``."""
        try:
            if self.kind == "Ed25519":
                Ed25519PublicKey.from_public_bytes(self.raw).verify(signature, data)
                return True
            if len(signature) != 64:
                return False
            r = int.from_bytes(signature[:32], "big")
            s = int.from_bytes(signature[32:], "big")
            point = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), self.raw)
            point.verify(encode_dss_signature(r, s), data, ec.ECDSA(hashes.SHA256()))
            return True
        except (InvalidSignature, ValueError):
            return False


def decode_multibase_base58(value: str, what: str = "value") -> bytes:
    """Decode a ``z`` + base58btc multibase string.

    Raises:
        DocumentError: not base58btc multibase.
    """
    if not isinstance(value, str) or not value.startswith("z") or len(value) < 2:
        raise DocumentError(f"{what} must be a base58btc multibase string starting with 'z'")
    if len(value) > MAX_MULTIBASE_LENGTH:
        # Keys and signatures are under 100 characters; base58 decoding is quadratic.
        raise DocumentError(f"{what} is too long for a key or a signature")
    try:
        return base58.b58decode(value[1:])
    except ValueError:
        raise DocumentError(f"{what} is not valid base58btc") from None


def encode_multibase_base58(data: bytes) -> str:
    """``z`` + base58btc of ``data``."""
    return "z" + base58.b58encode(data).decode("ascii")


def decode_multikey(value: str) -> PublicKeyInfo:
    """Decode a Multikey ``publicKeyMultibase``.

    Raises:
        DocumentError: malformed, an unsupported key type, or a wrong key length.
    """
    data = decode_multibase_base58(value, "publicKeyMultibase")
    if data.startswith(_ED25519_HEADER):
        raw = data[len(_ED25519_HEADER) :]
        if len(raw) != 32:
            raise DocumentError(f"an Ed25519 Multikey holds 32 bytes, this one {len(raw)}")
        return PublicKeyInfo("Ed25519", raw)
    if data.startswith(_P256_HEADER):
        raw = data[len(_P256_HEADER) :]
        if len(raw) != 33:
            raise DocumentError(f"a P-256 Multikey holds a 33-byte point, this one {len(raw)}")
        try:
            ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw)
        except ValueError:
            raise DocumentError("the P-256 Multikey is not a point on the curve") from None
        return PublicKeyInfo("P-256", raw)
    raise DocumentError("publicKeyMultibase is neither an Ed25519 nor a P-256 Multikey")


def _b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url(value: Any, name: str) -> bytes:
    if not isinstance(value, str):
        raise DocumentError(f"JWK member {name!r} must be a base64url string")
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        raise DocumentError(f"JWK member {name!r} is not base64url") from None


def key_from_jwk(jwk: Any) -> PublicKeyInfo:
    """Decode an Ed25519 (OKP) or P-256 (EC) public JWK used as a Data Integrity key.

    Raises:
        DocumentError: another key type, a private key, or malformed members.
    """
    if not isinstance(jwk, dict):
        raise DocumentError("publicKeyJwk must be a JSON object")
    if "d" in jwk:
        raise DocumentError("publicKeyJwk must not contain private key material")
    if jwk.get("kty") == "OKP" and jwk.get("crv") == "Ed25519":
        raw = _b64url(jwk.get("x"), "x")
        if len(raw) != 32:
            raise DocumentError("an Ed25519 JWK 'x' holds 32 bytes")
        return PublicKeyInfo("Ed25519", raw)
    if jwk.get("kty") == "EC" and jwk.get("crv") == "P-256":
        x, y = _b64url(jwk.get("x"), "x"), _b64url(jwk.get("y"), "y")
        if len(x) != 32 or len(y) != 32:
            raise DocumentError("a P-256 JWK 'x' and 'y' hold 32 bytes each")
        try:
            point = ec.EllipticCurvePublicNumbers(
                int.from_bytes(x, "big"), int.from_bytes(y, "big"), ec.SECP256R1()
            ).public_key()
        except ValueError:
            raise DocumentError("the P-256 JWK is not a point on the curve") from None
        raw = point.public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint
        )
        return PublicKeyInfo("P-256", raw)
    raise DocumentError("publicKeyJwk is neither an Ed25519 nor a P-256 key")
