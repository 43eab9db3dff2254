"""Signing keys for Shomei: generation, wrapping at rest and publication.

    generate_key("Ed25519")             PrivateKey (EdDSA) · "P-256" (ES256) · "RSA-3072" (RS256)
    key.public_key()                    PublicKey: .jwk() .thumbprint() .multikey() .pem()
    KeyWrapper(passphrase)              keys at rest: scrypt + AES-256-GCM envelopes
    KeySigner(key, key_id)              what ``badges`` signs with (its ``Signer`` protocol)
    did_key / did_web / did_document    identifiers and DID documents (Multikey, JsonWebKey)
    jwk / jwks                          the JWK Set for JWT verifiers
    b64url_* / multibase_*              the strict byte codecs, shared with ``badges``

Private keys never leave this package except through :class:`KeySigner` or the explicit
export functions of :mod:`keys.storage`. This package imports neither ``badges`` nor ``app``.
"""

from keys._codec import b64url_decode, b64url_encode, multibase_decode, multibase_encode
from keys._private import PrivateKey, generate_key
from keys._public import KEY_TYPES, Algorithm, KeyType, PublicKey, algorithm_for
from keys.did import (
    DID_CONTEXT,
    JWK_CONTEXT,
    MULTIKEY_CONTEXT,
    KeyStatus,
    PublishedKey,
    did_document,
    did_jwk,
    did_key,
    did_key_document,
    did_web,
    did_web_url,
    public_key_from_did_jwk,
    public_key_from_did_key,
)
from keys.errors import KeyFormatError, KeysError, KeyStoreError
from keys.jwks import jwk, jwks
from keys.signer import KeySigner
from keys.storage import (
    DEFAULT_COST,
    MIN_PASSPHRASE_LENGTH,
    WRAPPED_KEY_FORMAT,
    KeyWrapper,
    ScryptCost,
    export_plaintext_private_key,
    export_secret_multikey,
    load_private_key,
)

__all__ = [
    "DEFAULT_COST",
    "DID_CONTEXT",
    "JWK_CONTEXT",
    "KEY_TYPES",
    "MIN_PASSPHRASE_LENGTH",
    "MULTIKEY_CONTEXT",
    "WRAPPED_KEY_FORMAT",
    "Algorithm",
    "KeyFormatError",
    "KeySigner",
    "KeyStatus",
    "KeyStoreError",
    "KeyType",
    "KeyWrapper",
    "KeysError",
    "PrivateKey",
    "PublicKey",
    "PublishedKey",
    "ScryptCost",
    "algorithm_for",
    "b64url_decode",
    "b64url_encode",
    "did_document",
    "did_jwk",
    "did_key",
    "did_key_document",
    "did_web",
    "did_web_url",
    "export_plaintext_private_key",
    "export_secret_multikey",
    "generate_key",
    "jwk",
    "jwks",
    "load_private_key",
    "multibase_decode",
    "multibase_encode",
    "public_key_from_did_jwk",
    "public_key_from_did_key",
]
