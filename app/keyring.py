"""Issuer keys at rest (wrapped under the key passphrase in the database) and in use (signers).

Each key is opened once per process, on first use, and its signer kept in memory; private
keys never leave this module except inside a signer.

The passphrase must be the one every stored key was written under: a key wrapped under a
wrong passphrase would leave its issuer unable to sign after the next restart. So before it
writes a key, a keyring proves its passphrase by opening a key already stored (when there is
one), and ``shomei serve`` refuses to start unless the passphrase opens every stored key
(:func:`check_passphrase`).
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import AppError, ConflictError
from app.issuers.models import Issuer, IssuerKey
from app.urls import Urls
from keys import (
    DEFAULT_COST,
    KeysError,
    KeySigner,
    KeyType,
    KeyWrapper,
    PublicKey,
    ScryptCost,
    generate_key,
)

ALGORITHM_KEY_TYPES: dict[str, KeyType] = {
    "EdDSA": "Ed25519",
    "ES256": "P-256",
    "RS256": "RSA-3072",
}
# The work factor new keys are wrapped with. Tests lower it: wrapping is slow by design.
WRAP_COST: ScryptCost = DEFAULT_COST


class KeyPassphraseError(AppError):
    """The key passphrase does not open the stored keys; nothing is written under it."""

    status_code = 503
    code = "keys_unavailable"


class Keyring:
    """Creates issuer keys and hands out signers for them."""

    def __init__(self, passphrase: str, urls: Urls, *, cost: ScryptCost | None = None) -> None:
        self._wrapper = KeyWrapper(passphrase, cost=cost or WRAP_COST)
        self._urls = urls
        self._signers: dict[uuid.UUID, KeySigner] = {}
        self._written: set[uuid.UUID] = set()
        self._proven = False
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"Keyring(keys_loaded={len(self._signers)})"

    def _prove_passphrase(self, session: Session) -> None:
        """Open one stored key this keyring did not write, once; no stored key proves nothing."""
        if self._proven:
            return
        query = select(IssuerKey.encrypted_private_key).order_by(IssuerKey.created_at).limit(1)
        if self._written:
            query = query.where(IssuerKey.id.not_in(list(self._written)))
        with session.no_autoflush:
            stored = session.scalar(query)
        if stored is None:
            return
        try:
            self._wrapper.unwrap(stored)
        except KeysError:
            raise KeyPassphraseError(
                "the key passphrase does not open the stored keys; no key was written"
            ) from None
        self._proven = True

    def create_key(
        self, session: Session, issuer: Issuer, algorithm: str, now: datetime
    ) -> IssuerKey:
        """Generate a key for ``algorithm`` and attach it (unsaved) to ``issuer``.

        Raises:
            KeyPassphraseError: the passphrase does not open the keys already stored.
        """
        self._prove_passphrase(session)
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
            encrypted_private_key=self._wrapper.wrap(private),
            created_at=now,
        )
        with self._lock:
            self._written.add(row.id)
            self._signers[row.id] = KeySigner(
                private, self._urls.verification_method(issuer.slug, row.fragment)
            )
        return row

    def signer(self, issuer: Issuer, key: IssuerKey) -> KeySigner:
        """The signer of ``key``, opened on first use."""
        signer = self._signers.get(key.id)
        if signer is None:
            private = self._wrapper.unwrap(key.encrypted_private_key)
            signer = KeySigner(private, self._urls.verification_method(issuer.slug, key.fragment))
            with self._lock:
                self._signers[key.id] = signer
        return signer

    def opened_signer(self, key_id: uuid.UUID) -> KeySigner | None:
        """The signer of the key ``key_id`` if this keyring has opened it, else ``None``."""
        return self._signers.get(key_id)

    def active_signer(
        self, session: Session, issuer: Issuer, algorithm: str, now: datetime
    ) -> tuple[IssuerKey, KeySigner]:
        """The newest active key of ``algorithm``; one is created on first need (RSA)."""
        active = [k for k in issuer.keys if k.algorithm == algorithm and k.active]
        if not active:
            if algorithm not in ALGORITHM_KEY_TYPES:
                raise ConflictError(f"no {algorithm} key can be made")
            key = self.create_key(session, issuer, algorithm, now)
            session.add(key)
            session.flush()
            active = [key]
        key = max(active, key=lambda k: k.created_at)
        return key, self.signer(issuer, key)


@dataclass(frozen=True)
class PassphraseCheck:
    """What the passphrase opens: ``opened`` keys of ``total``; one that failed, if any."""

    total: int
    opened: int
    first_failure: str | None  # "<issuer slug> key <fragment>"

    @property
    def ok(self) -> bool:
        return self.opened == self.total


def _stored_keys(session: Session) -> Iterable[tuple[str, str, str]]:
    query = (
        select(Issuer.slug, IssuerKey.fragment, IssuerKey.encrypted_private_key)
        .join(IssuerKey.issuer)
        .order_by(IssuerKey.created_at)
    )
    yield from session.execute(query)


def check_passphrase(session: Session, passphrase: str) -> PassphraseCheck:
    """Try ``passphrase`` on every stored key (one derivation per distinct salt)."""
    wrapper = KeyWrapper(passphrase, cost=WRAP_COST)
    total = opened = 0
    first_failure = None
    for slug, fragment, wrapped in _stored_keys(session):
        total += 1
        try:
            wrapper.unwrap(wrapped)
        except KeysError:
            first_failure = first_failure or f"issuer {slug!r} key {fragment}"
            continue
        opened += 1
    return PassphraseCheck(total, opened, first_failure)


@dataclass(frozen=True)
class RewrapResult:
    rewrapped: int
    current: int  # already at the current format and work factor


def rewrap_keys(session: Session, passphrase: str, *, previous: str | None = None) -> RewrapResult:
    """Wrap every stored key again under ``passphrase`` at the current work factor.

    Keys are opened with ``previous`` when given (a change of passphrase), else with
    ``passphrase``; a key that opens with neither stops the run before anything is written.

    Raises:
        KeyPassphraseError: a stored key opens with neither passphrase.
    """
    target = KeyWrapper(passphrase, cost=WRAP_COST)
    sources = [KeyWrapper(p, cost=WRAP_COST) for p in (previous, passphrase) if p is not None]
    rows = session.scalars(select(IssuerKey).order_by(IssuerKey.created_at)).all()
    replaced: list[tuple[IssuerKey, str]] = []
    current = 0
    for row in rows:
        if previous is None and target.is_current(row.encrypted_private_key):
            current += 1
            continue
        private = None
        for source in sources:
            try:
                private = source.unwrap(row.encrypted_private_key)
                break
            except KeysError:
                continue
        if private is None:
            raise KeyPassphraseError(
                f"issuer key {row.fragment} opens with neither passphrase; nothing was rewrapped"
            )
        if private.public_key() != PublicKey.from_jwk(row.public_jwk):
            raise KeyPassphraseError(f"issuer key {row.fragment} does not match its public key")
        replaced.append((row, target.wrap(private)))
    for row, wrapped in replaced:
        row.encrypted_private_key = wrapped
    session.commit()
    return RewrapResult(len(replaced), current)
