"""Helpers for the key storage tests."""

from __future__ import annotations

from cryptography.hazmat.primitives import serialization

from keys import PrivateKey, ScryptCost, export_plaintext_private_key

QUICK = ScryptCost(ln=10, r=8, p=1)  # a low work factor keeps the tests fast


def legacy_pem(key: PrivateKey, passphrase: str) -> bytes:
    """``key`` as keys were stored before envelopes: PKCS#8 PEM with PBKDF2 (2,048 rounds)."""
    plain = export_plaintext_private_key(key, allow_plaintext=True)
    loaded = serialization.load_pem_private_key(plain, None)
    return loaded.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(passphrase.encode()),
    )
