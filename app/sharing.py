"""Generations of shared state, so no server's cache outlives a change made through another.

A cache that must not serve what another server has since changed (an API key revoked
through server B, still trusted from server A's cache) names a topic. Whoever changes the
rows behind it calls :meth:`Generations.bump`; an entry remembers the generation it was
filled at and is dropped once the topic has moved on. With ``SHOMEI_REDIS_URL`` the
generations are Redis counters every server reads; without it, they live in this process,
which is then the only server.
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections import Counter

import redis
from redis.exceptions import RedisError

__all__ = ["Generations", "SharedInvalidation"]

log = logging.getLogger(__name__)
_PREFIX = "shomei:generation:"


class Generations:
    """Counters by topic: in Redis when a URL is given, else in memory; thread-safe."""

    def __init__(self, redis_url: str = "") -> None:
        self.shared = bool(redis_url)
        self._redis = redis.Redis.from_url(redis_url, socket_timeout=1.0) if redis_url else None
        self._local: Counter[str] = Counter()
        self._lock = threading.Lock()

    def current(self, topic: str) -> int | None:
        """The topic's generation; ``None`` when the shared store cannot be read (trust
        nothing cached then)."""
        if self._redis is None:
            with self._lock:
                return self._local[topic]
        try:
            value = self._redis.get(_PREFIX + topic)
        except RedisError as error:
            log.warning("shared generations unavailable: %s", error)
            return None
        return int(value) if value is not None else 0  # type: ignore[arg-type]

    def bump(self, topic: str) -> None:
        """Mark every cached copy of ``topic`` stale, on every server."""
        if self._redis is not None:
            self._redis.incr(_PREFIX + topic)
            return
        with self._lock:
            self._local[topic] += 1

    def close(self) -> None:
        if self._redis is not None:
            self._redis.close()


class SharedInvalidation:
    """:class:`app.published.Invalidation` over :class:`Generations`: a change through any
    server marks every server's cached copies stale at once."""

    def __init__(self, generations: Generations) -> None:
        self._generations = generations
        self._unreadable = itertools.count(-1, -1)

    def generation(self, scope: str) -> int:
        current = self._generations.current(scope)
        # Unreadable: a generation no entry was made under, so nothing cached is served.
        return next(self._unreadable) if current is None else current

    def changed(self, scope: str) -> None:
        try:
            self._generations.bump(scope)
        except RedisError as error:  # other servers' copies expire with their lifetime
            log.warning("could not share a change of %s: %s", scope, error)
