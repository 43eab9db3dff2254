"""Exceptions raised by the keys package.

    KeysError
    ├── KeyStoreError      a key could not be wrapped or opened (wrong passphrase, altered or
    │                      corrupted envelope, refused plaintext, weak passphrase)
    └── KeyFormatError     a key, key encoding or key identifier is malformed or unsupported
                           (Multikey, JWK, PEM, did:key, did:web)

Messages never contain key material or passphrases: they name what was wrong, not the value.
"""

from __future__ import annotations


class KeysError(Exception):
    """Base class of every error raised by :mod:`keys`."""


class KeyStoreError(KeysError):
    """A private key could not be wrapped or opened; the message says why."""


class KeyFormatError(KeysError):
    """A key or key identifier is malformed, of an unsupported type or of the wrong size."""
