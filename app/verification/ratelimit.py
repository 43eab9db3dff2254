"""A per-client token bucket for the public verify endpoints.

Verification costs CPU (RDF canonicalisation, signature checks) and may fetch documents from
the web, so one client address may spend ``per_minute`` verifications a minute, with bursts up
to the same number. Buckets live in memory, per process: with several workers each holds its
own, which is enough to stop one address from monopolising a worker.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["RateLimiter"]


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """Token buckets keyed by client address; ``take`` is thread-safe.

    A limit of 0 or less turns limiting off. At most ``max_clients`` buckets are kept; the
    least recently used is dropped first (that client starts again with a full bucket).
    """

    def __init__(
        self,
        per_minute: int,
        *,
        max_clients: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.capacity = float(per_minute)
        self._rate = per_minute / 60.0
        self._max_clients = max_clients
        self._clock = clock
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, client: str, cost: int = 1) -> float | None:
        """Spend ``cost`` tokens of ``client``'s bucket.

        Returns:
            ``None`` when allowed; otherwise the seconds until the request would be, and
            nothing is spent. A cost above the capacity is charged as the capacity.
        """
        if self.capacity <= 0:
            return None
        needed = min(float(cost), self.capacity)
        now = self._clock()
        with self._lock:
            bucket = self._buckets.pop(client, None)
            if bucket is None:
                bucket = _Bucket(self.capacity, now)
            else:
                elapsed = max(0.0, now - bucket.updated)
                bucket.tokens = min(self.capacity, bucket.tokens + elapsed * self._rate)
                bucket.updated = now
            self._buckets[client] = bucket
            while len(self._buckets) > self._max_clients:
                self._buckets.popitem(last=False)
            if bucket.tokens >= needed:
                bucket.tokens -= needed
                return None
            return (needed - bucket.tokens) / self._rate

    @staticmethod
    def retry_after(wait: float) -> str:
        """The ``Retry-After`` value for a wait: whole seconds, at least 1."""
        return str(max(1, math.ceil(wait)))
