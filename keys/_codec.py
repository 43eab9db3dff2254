"""Byte encodings shared by the key formats: base64url (JOSE) and base58btc multibase (Multikey).

Multicodec headers are unsigned varints of the codec number (multiformats table):
``ed25519-pub`` 0xed → ``ed 01``, ``p256-pub`` 0x1200 → ``80 24``, ``ed25519-priv`` 0x1300 →
``80 26``.
"""

from __future__ import annotations

import base64
import binascii
import re

import base58

from keys.errors import KeyFormatError

ED25519_PUB_HEADER = b"\xed\x01"
P256_PUB_HEADER = b"\x80\x24"
ED25519_PRIV_HEADER = b"\x80\x26"

_B64URL = re.compile(r"[A-Za-z0-9_-]*")
# Keys and signatures are under 100 characters; base58 decoding is quadratic in the length.
MAX_MULTIBASE_LENGTH = 256


def b64url_encode(data: bytes) -> str:
    """Base64url without padding (RFC 7515 §2)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(value: object, name: str) -> bytes:
    """Decode an unpadded base64url string, strictly.

    The standard library skips characters outside the alphabet; JWK members must not carry any,
    and a value must be the canonical encoding of its bytes, so both are checked here.

    Raises:
        KeyFormatError: ``value`` is not a canonical unpadded base64url string.
    """
    if not isinstance(value, str) or not _B64URL.fullmatch(value) or len(value) % 4 == 1:
        raise KeyFormatError(f"{name} must be an unpadded base64url string")
    try:
        data = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        raise KeyFormatError(f"{name} is not valid base64url") from None
    if b64url_encode(data) != value:
        raise KeyFormatError(f"{name} is not canonical base64url (stray trailing bits)")
    return data


def multibase_encode(data: bytes) -> str:
    """``z`` + base58btc of ``data`` (multibase, base58btc prefix)."""
    return "z" + base58.b58encode(data).decode("ascii")


def multibase_decode(value: object, name: str) -> bytes:
    """Decode a ``z`` + base58btc multibase string (a key or a signature).

    Raises:
        KeyFormatError: not a string, another multibase prefix, too long, or not base58btc.
    """
    if not isinstance(value, str) or len(value) < 2:
        raise KeyFormatError(f"{name} must be a non-empty multibase string")
    if not value.startswith("z"):
        raise KeyFormatError(f"{name} must use base58btc multibase (a leading 'z')")
    if len(value) > MAX_MULTIBASE_LENGTH:
        raise KeyFormatError(f"{name} is too long for a key or a signature")
    try:
        return base58.b58decode(value[1:])
    except ValueError:
        raise KeyFormatError(f"{name} is not valid base58btc") from None


def int_to_bytes(value: int, length: int | None = None) -> bytes:
    """Big-endian unsigned bytes of ``value``: minimal, or padded to ``length``."""
    size = length if length is not None else max(1, (value.bit_length() + 7) // 8)
    return value.to_bytes(size, "big")
