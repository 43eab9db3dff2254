"""A signer that holds a private key and a key id, for ``badges``' ``Signer`` protocol.

``badges`` never sees private keys: ``app`` opens a key with a :class:`keys.storage.KeyWrapper`,
wraps it in a :class:`KeySigner` and hands that over. The protocol is matched structurally, so
this module does not import ``badges``.
"""

from __future__ import annotations

from keys._private import PrivateKey
from keys._public import Algorithm, PublicKey
from keys.errors import KeysError


class KeySigner:
    """Signs with one private key under one key id (verification method URL or JOSE ``kid``)."""

    __slots__ = ("_key", "_key_id")

    def __init__(self, private_key: PrivateKey, key_id: str) -> None:
        """Bind ``private_key`` to ``key_id``.

        Args:
            private_key: The signing key.
            key_id: The verification method URL (Data Integrity) or JOSE ``kid`` that lets a
                verifier find the public key.

        Raises:
            KeysError: ``key_id`` is empty.
        """
        if not isinstance(key_id, str) or not key_id:
            raise KeysError("a signer needs a non-empty key id")
        self._key = private_key
        self._key_id = key_id

    @property
    def key_id(self) -> str:
        """The verification method URL or JOSE ``kid``."""
        return self._key_id

    @property
    def algorithm(self) -> Algorithm:
        """The JOSE algorithm: ``EdDSA``, ``ES256`` or ``RS256``."""
        return self._key.algorithm

    @property
    def public_key(self) -> PublicKey:
        """The public key that verifies this signer's signatures."""
        return self._key.public_key()

    def sign(self, data: bytes) -> bytes:
        """Return the raw signature of ``data`` (JOSE ``r || s`` for ES256)."""
        return self._key.sign(data)

    def __repr__(self) -> str:
        return f"KeySigner(key_id={self._key_id!r}, algorithm={self.algorithm!r})"
