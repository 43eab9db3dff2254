"""Issuer keys at rest (passphrase-encrypted PKCS#8 in the database) and in use (signers).

Each key is decrypted once per process, on first use, and its signer kept in memory; private
keys never leave this module except inside a signer.
"""

from __future__ import annotations

import threading
import uuid
from datetime import datetime

from sqlalchemy.orm import Session

from app.errors import ConflictError
from app.issuers.models import Issuer, IssuerKey
from app.urls import Urls
from keys import KeySigner, KeyType, encrypt_private_key, generate_key, load_private_key

ALGORITHM_KEY_TYPES: dict[str, KeyType] = {
    "EdDSA": "Ed25519",
    "ES256": "P-256",
    "RS256": "RSA-3072",
}


class Keyring:
    """Creates issuer keys and hands out signers for them."""

    def __init__(self, passphrase: str, urls: Urls) -> None:
        self._passphrase = passphrase
        self._urls = urls
        self._signers: dict[uuid.UUID, KeySigner] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"Keyring(keys_loaded={len(self._signers)})"

    def create_key(self, issuer: Issuer, algorithm: str, now: datetime) -> IssuerKey:
        """Generate a key for ``algorithm`` and attach it (unsaved) to ``issuer``."""
        key_type = ALGORITHM_KEY_TYPES[algorithm]
        private = generate_key(key_type)
        public = private.public_key()
        row = IssuerKey(
            id=uuid.uuid4(),
            issuer=issuer,
            fragment=f"{algorithm.lower()}-{public.thumbprint()[:16]}",
            key_type=key_type,
            algorithm=algorithm,
            public_jwk=public.jwk(),
            encrypted_private_key=encrypt_private_key(private, self._passphrase).decode("ascii"),
            created_at=now,
        )
        with self._lock:
            self._signers[row.id] = KeySigner(
                private, self._urls.verification_method(issuer.slug, row.fragment)
            )
        return row

    def signer(self, issuer: Issuer, key: IssuerKey) -> KeySigner:
        """The signer of ``key``, decrypted on first use."""
        signer = self._signers.get(key.id)
        if signer is None:
            private = load_private_key(key.encrypted_private_key.encode(), self._passphrase)
            signer = KeySigner(private, self._urls.verification_method(issuer.slug, key.fragment))
            with self._lock:
                self._signers[key.id] = signer
        return signer

    def active_signer(
        self, session: Session, issuer: Issuer, algorithm: str, now: datetime
    ) -> tuple[IssuerKey, KeySigner]:
        """The newest active key of ``algorithm``; one is created on first need (RSA)."""
        active = [k for k in issuer.keys if k.algorithm == algorithm and k.active]
        if not active:
            if algorithm not in ALGORITHM_KEY_TYPES:
                raise ConflictError(f"no {algorithm} key can be made")
            key = self.create_key(issuer, algorithm, now)
            session.add(key)
            session.flush()
            active = [key]
        key = max(active, key=lambda k: k.created_at)
        return key, self.signer(issuer, key)
