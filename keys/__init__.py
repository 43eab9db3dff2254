"""Signing keys for Shomei: generation, encrypted storage, rotation and publication.

    generate_key("Ed25519")             PrivateKey (EdDSA) · "P-256" (ES256) · "RSA-3072" (RS256)
    key.public_key()                    PublicKey: .jwk() .thumbprint() .multikey() .pem()
    encrypt_private_key / FileKeyStore  keys at rest, passphrase-encrypted PKCS#8
    KeySigner(key, key_id)              what ``badges`` signs with (its ``Signer`` protocol)
    did_key / did_web / did_document    identifiers and DID documents (Multikey)
    jwk / jwks                          the JWK Set for JWT verifiers
    KeyRecord / rotate / active         rotation, with retired keys kept published
    b64url_* / multibase_*              the strict byte codecs, shared with ``badges``

Private keys never leave this package except through :class:`KeySigner` or the explicit
export functions of :mod:`keys.storage`. This package imports neither ``badges`` nor ``app``.
"""

from keys._codec import b64url_decode, b64url_encode, multibase_decode, multibase_encode
from keys._private import PrivateKey, generate_key
from keys._public import KEY_TYPES, Algorithm, KeyType, PublicKey, algorithm_for
from keys.did import (
    DID_CONTEXT,
    MULTIKEY_CONTEXT,
    KeyStatus,
    PublishedKey,
    did_document,
    did_key,
    did_key_document,
    did_web,
    did_web_url,
    public_key_from_did_key,
)
from keys.errors import KeyFormatError, KeyNotFoundError, KeysError, KeyStoreError
from keys.jwks import jwk, jwks
from keys.rotation import KeyRecord, active, rotate
from keys.signer import KeySigner
from keys.storage import (
    MIN_PASSPHRASE_LENGTH,
    FileKeyStore,
    KeyStore,
    MemoryKeyStore,
    check_kid,
    encrypt_private_key,
    export_plaintext_private_key,
    export_secret_multikey,
    load_private_key,
)

__all__ = [
    "DID_CONTEXT",
    "KEY_TYPES",
    "MIN_PASSPHRASE_LENGTH",
    "MULTIKEY_CONTEXT",
    "Algorithm",
    "FileKeyStore",
    "KeyFormatError",
    "KeyNotFoundError",
    "KeyRecord",
    "KeySigner",
    "KeyStatus",
    "KeyStore",
    "KeyStoreError",
    "KeyType",
    "KeysError",
    "MemoryKeyStore",
    "PrivateKey",
    "PublicKey",
    "PublishedKey",
    "active",
    "algorithm_for",
    "b64url_decode",
    "b64url_encode",
    "check_kid",
    "did_document",
    "did_key",
    "did_key_document",
    "did_web",
    "did_web_url",
    "encrypt_private_key",
    "export_plaintext_private_key",
    "export_secret_multikey",
    "generate_key",
    "jwk",
    "jwks",
    "load_private_key",
    "multibase_decode",
    "multibase_encode",
    "public_key_from_did_key",
    "rotate",
]
