"""The documents this service publishes about itself, kept in memory until they change.

Verifying one of our own credentials reads the issuer's DID document and two status lists;
built from the database each time, they cost more than the proofs. They change rarely: the
DID document, JWK Set and profiles when an issuer or its keys change, the status lists when a
credential is revoked, suspended or reinstated. So :class:`PublishedCache` keeps them, each
under a *scope* (``"issuers"`` or ``"status"``) whose generation a change advances:

1. a commit that changed an issuer or its keys advances ``"issuers"`` (seen on the ORM
   flush, so every code path that writes them through a session counts), one that changed a
   credential's status advances ``"status"`` (:func:`note_change`, called where status
   changes are recorded);
2. an entry made under an older generation is never served again, so a change made through
   this process is visible at once;
3. other processes (``--workers``, other servers) see it within ``ttl`` seconds, when their
   entries expire; the Bitstring Status List lets verifiers cache a list for its ``ttl``
   (https://www.w3.org/TR/vc-bitstring-status-list/#bitstringstatuslistcredential), 60 s here.

:class:`Invalidation` is the seam for sharing generations between servers (a shared counter
read on each lookup): pass one to :func:`configure_published_cache` and a change anywhere
is visible everywhere at once.
"""

from __future__ import annotations

import json
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final, Protocol

from cachetools import LRUCache
from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

from app.issuers.models import Issuer, IssuerKey
from badges.ports import JSONObject

__all__ = [
    "ISSUERS",
    "STATUS",
    "Invalidation",
    "LocalInvalidation",
    "PublishedCache",
    "configure_published_cache",
    "note_change",
    "published_cache",
]

ISSUERS: Final = "issuers"  # DID documents, JWK Sets, issuer profiles, OB 2.0 issuers and keys
STATUS: Final = "status"  # status lists and OB 2.0 revocation lists
DEFAULT_TTL_S: Final = 5.0
_PENDING: Final = "shomei_published_changes"


class Invalidation(Protocol):
    """Generations of scopes: ``changed`` advances one, ``generation`` reads it."""

    def generation(self, scope: str) -> int: ...

    def changed(self, scope: str) -> None: ...


class LocalInvalidation:
    """Generations held in this process."""

    def __init__(self) -> None:
        self._generations: dict[str, int] = {}
        self._lock = threading.Lock()

    def generation(self, scope: str) -> int:
        return self._generations.get(scope, 0)

    def changed(self, scope: str) -> None:
        with self._lock:
            self._generations[scope] = self._generations.get(scope, 0) + 1


@dataclass(frozen=True)
class _Entry:
    body: bytes  # the document as JSON: parsing it again is faster than a deep copy
    generation: int
    expires: float


class PublishedCache:
    """Published JSON documents by key, each valid for its scope's generation and ``ttl``."""

    def __init__(
        self,
        invalidation: Invalidation | None = None,
        *,
        ttl: float = DEFAULT_TTL_S,
        max_entries: int = 1024,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.invalidation: Invalidation = invalidation or LocalInvalidation()
        self.ttl = ttl
        self._clock = clock
        self._entries: LRUCache[tuple[str, ...], _Entry] = LRUCache(maxsize=max_entries)
        self._lock = threading.Lock()

    def get(self, scope: str, key: tuple[str, ...], make: Callable[[], JSONObject]) -> JSONObject:
        """The document under ``key``, made by ``make()`` when missing or stale.

        Each call returns a new object, which the caller may change.
        """
        if self.ttl <= 0:
            return make()
        # Read before making: a change committed while ``make`` runs leaves the entry
        # under the older generation, so it is not served after that change.
        generation = self.invalidation.generation(scope)
        now = self._clock()
        with self._lock:
            entry = self._entries.get((scope, *key))
        if entry is None or entry.generation != generation or entry.expires <= now:
            document = make()
            body = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
            with self._lock:
                self._entries[(scope, *key)] = _Entry(body, generation, now + self.ttl)
            return document
        loaded: JSONObject = json.loads(entry.body)
        return loaded

    def changed(self, scope: str) -> None:
        """Forget every document of ``scope`` (in every process sharing the invalidation)."""
        self.invalidation.changed(scope)


_caches: weakref.WeakKeyDictionary[sessionmaker[Session], PublishedCache] = (
    weakref.WeakKeyDictionary()
)
_caches_lock = threading.Lock()


def published_cache(sessions: sessionmaker[Session]) -> PublishedCache:
    """The cache of the documents read through ``sessions`` (one per database setup)."""
    with _caches_lock:
        cache = _caches.get(sessions)
        if cache is None:
            cache = _caches[sessions] = PublishedCache()
            _watch(sessions, cache)
        return cache


def configure_published_cache(
    sessions: sessionmaker[Session],
    *,
    ttl: float = DEFAULT_TTL_S,
    invalidation: Invalidation | None = None,
) -> PublishedCache:
    """Set the lifetime (0 turns caching off) and, optionally, a shared invalidation."""
    cache = published_cache(sessions)
    cache.ttl = ttl
    if invalidation is not None:
        cache.invalidation = invalidation
    return cache


def note_change(session: Session, scope: str) -> None:
    """Forget the documents of ``scope`` once ``session`` commits what changed them."""
    session.info.setdefault(_PENDING, set()).add(scope)


def _watch(sessions: sessionmaker[Session], cache: PublishedCache) -> None:
    def flushed(session: Session, context: Any) -> None:
        scopes: set[str] = session.info.setdefault(_PENDING, set())
        for row in (*session.new, *session.dirty, *session.deleted):
            if isinstance(row, Issuer | IssuerKey):
                scopes.add(ISSUERS)

    def committed(session: Session) -> None:
        for scope in session.info.pop(_PENDING, ()):
            cache.changed(scope)

    def rolled_back(session: Session, previous: Any = None) -> None:
        session.info.pop(_PENDING, None)

    event.listen(sessions, "after_flush", flushed)
    event.listen(sessions, "after_commit", committed)
    event.listen(sessions, "after_rollback", rolled_back)
