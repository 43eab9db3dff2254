"""Exceptions raised by the keys package.

    KeysError
    ├── KeyNotFoundError   no key under that id, or no active key of that type
    ├── KeyStoreError      a key could not be stored or loaded (wrong passphrase, refused
    │                      plaintext, unsafe key id, weak passphrase)
    └── KeyFormatError     a key, key encoding or key identifier is malformed or unsupported
                           (Multikey, JWK, PEM, did:key, did:web)

Messages never contain key material or passphrases: they name what was wrong, not the value.
"""

from __future__ import annotations


class KeysError(Exception):
    """Base class of every error raised by :mod:`keys`."""


class KeyNotFoundError(KeysError):
    """No key is stored under the id asked for, or no key of the type asked for is active."""


class KeyStoreError(KeysError):
    """A private key could not be stored or loaded; the message says why."""


class KeyFormatError(KeysError):
    """A key or key identifier is malformed, of an unsupported type or of the wrong size."""
