"""What issuing a credential of one achievement needs besides its recipient, kept in memory.

Every issuance reads one row (:func:`find_target`): the achievement's issuer, when the
achievement and the issuer were last changed, and which key of the issuer signs now. So:

1. the issuer Profile and the Achievement, parsed once, are kept under the achievement's and
   the issuer's ``updated_at`` (:class:`IssuingContexts`): an edit made by any process or
   server is read by the next issuance everywhere, and its entry is simply never asked for
   again;
2. the signing key is the newest active one the database names on this issuance, so a key
   rotated anywhere signs nothing after the rotation commits; its private key is opened
   (scrypt) once per key and process by the :class:`~app.keyring.Keyring`, never per request.

The achievement and issuer rows themselves are loaded only when their entry is missing.
"""

from __future__ import annotations

import threading
import uuid
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Final, cast

from cachetools import LRUCache
from sqlalchemy import Table, bindparam, select
from sqlalchemy.orm import Session

from app.achievements.documents import achievement_document
from app.achievements.models import Achievement
from app.issuers import service as issuer_service
from app.issuers.models import Issuer, IssuerKey
from app.keyring import Keyring
from app.urls import Urls
from badges import ob3
from badges.data_integrity import SigningTemplate
from keys import KeySigner

__all__ = [
    "IssuingContext",
    "IssuingContexts",
    "Shape",
    "Target",
    "find_target",
    "issuing_contexts",
    "parsed_documents",
]

_ACHIEVEMENTS = cast(Table, Achievement.__table__)
_ISSUERS = cast(Table, Issuer.__table__)
_KEYS = cast(Table, IssuerKey.__table__)
_NEWEST_KEY = (
    select(_KEYS.c.id)
    .where(
        _KEYS.c.issuer_id == _ACHIEVEMENTS.c.issuer_id,
        _KEYS.c.algorithm == bindparam("algorithm"),
        _KEYS.c.retired_at.is_(None),
    )
    .order_by(_KEYS.c.created_at.desc(), _KEYS.c.id)
    .limit(1)
    .scalar_subquery()
)
_TARGET = (
    select(
        _ACHIEVEMENTS.c.issuer_id,
        _ISSUERS.c.slug,
        _ACHIEVEMENTS.c.updated_at,
        _ISSUERS.c.updated_at.label("issuer_updated_at"),
        _NEWEST_KEY.label("key_id"),
    )
    .join_from(_ACHIEVEMENTS, _ISSUERS, _ACHIEVEMENTS.c.issuer_id == _ISSUERS.c.id)
    .where(_ACHIEVEMENTS.c.id == bindparam("achievement_id"))
)
_MAX_ENTRIES: Final = 1024
# A credential's shape for its SigningTemplate: (with the passer's name, with a score).
Shape = tuple[bool, bool]


@dataclass(frozen=True)
class Target:
    """An achievement as one issuance finds it: its issuer, versions and signing key."""

    achievement_id: uuid.UUID
    issuer_id: uuid.UUID
    issuer_slug: str
    achievement_updated_at: datetime
    issuer_updated_at: datetime
    key_id: uuid.UUID | None  # None: the issuer has no active key of the algorithm yet


def find_target(session: Session, achievement_id: uuid.UUID, algorithm: str) -> Target | None:
    """The achievement ``achievement_id`` and its issuer's signing key; ``None`` if unknown."""
    found = (
        session.connection()
        .execute(_TARGET, {"achievement_id": achievement_id, "algorithm": algorithm})
        .first()
    )
    if found is None:
        return None
    issuer_id, slug, achievement_updated_at, issuer_updated_at, key_id = found
    return Target(
        achievement_id, issuer_id, slug, achievement_updated_at, issuer_updated_at, key_id
    )


@dataclass(frozen=True)
class IssuingContext:
    """The parts of every credential of one achievement that do not depend on the recipient."""

    issuer_id: uuid.UUID
    issuer_slug: str
    profile: ob3.Profile
    achievement: ob3.Achievement
    # Whether credentials carry the passer's name (the issuer's recipient_name_in_credential).
    name_in_credential: bool = True
    # The achievement's primary language: a notification mail's default.
    language: str | None = None
    # Quads without JSON-LD expansion, by usual credential shape (issuing.template_for), made
    # on first use (None: expand each credential in full).
    templates: dict[Shape, SigningTemplate | None] | None = field(default=None, compare=False)


def parsed_documents(urls: Urls, achievement: Achievement) -> tuple[ob3.Profile, ob3.Achievement]:
    """The issuer Profile (without ``@context``) and the Achievement credentials embed."""
    issuer = achievement.issuer
    profile = {k: v for k, v in issuer_service.profile_of(urls, issuer).items() if k != "@context"}
    return (
        ob3.Profile.from_wire(profile),
        ob3.Achievement.from_wire(achievement_document(urls, achievement)),
    )


_Key = tuple[str, uuid.UUID, datetime, datetime]


class IssuingContexts:
    """Issuing contexts by (base URL, achievement, achievement and issuer versions)."""

    def __init__(self, max_entries: int = _MAX_ENTRIES) -> None:
        self._entries: LRUCache[_Key, IssuingContext] = LRUCache(maxsize=max_entries)
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def get(
        self,
        session: Session,
        urls: Urls,
        target: Target,
        build: Callable[[Achievement], IssuingContext],
    ) -> IssuingContext | None:
        """The context of ``target``, made by ``build`` from the database when missing.

        Returns ``None`` if the achievement is gone by the time it is loaded.
        """
        key = (
            urls.base,
            target.achievement_id,
            target.achievement_updated_at,
            target.issuer_updated_at,
        )
        with self._lock:
            found = self._entries.get(key)
        if found is not None:
            return found
        achievement = session.get(Achievement, target.achievement_id)
        if achievement is None:
            return None
        context = build(achievement)
        # Kept only if what was loaded is the version the target named: a change committed
        # between the two reads is then loaded again by the next issuance, never filed under
        # an older version.
        if (achievement.updated_at, achievement.issuer.updated_at) == key[2:]:
            with self._lock:
                self._entries[key] = context
        return context


def signer_of(session: Session, keyring: Keyring, key_id: uuid.UUID) -> KeySigner:
    """The signer of the stored key ``key_id`` (opened once per process by ``keyring``)."""
    signer = keyring.opened_signer(key_id)
    if signer is not None:
        return signer
    key = session.get(IssuerKey, key_id)
    if key is None:  # pragma: no cover - the key was read in the same transaction
        raise LookupError(f"issuer key {key_id} does not exist")
    return keyring.signer(key.issuer, key)


_contexts: weakref.WeakKeyDictionary[Keyring, IssuingContexts] = weakref.WeakKeyDictionary()
_contexts_lock = threading.Lock()


def issuing_contexts(keyring: Keyring) -> IssuingContexts:
    """The contexts of the service that signs with ``keyring`` (one per running app)."""
    with _contexts_lock:
        contexts = _contexts.get(keyring)
        if contexts is None:
            contexts = _contexts[keyring] = IssuingContexts()
        return contexts
