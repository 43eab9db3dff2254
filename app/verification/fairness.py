"""Verification slots shared fairly between clients.

Verifying a foreign badge may wait seconds on hosts its documents name, and those hosts may
be slow on purpose. So a process's verifications run in two lanes of ``slots`` each:

* every verification starts in the **local lane**. A badge whose documents are all this
  service's own (answered from the database, never fetched) stays there and never waits
  behind anyone's network fetches;
* its first fetch from another host moves it to the **foreign lane**, where one client (an
  API key, or an address) holds at most ``per_client`` slots. A client past that share, or a
  foreign lane still full after a short wait, gets that fetch refused: the check that needed
  it is ``indeterminate`` with the reason, never ``passed``;
* each client also has a budget of network time (``fetch_seconds_per_minute``, refilled
  continuously). Every foreign fetch is charged to the client that asked, a batch's fetches
  included; once the budget is spent, its fetches are refused until it has refilled.

A full local lane answers 503 with ``Retry-After`` at once (:class:`ServiceBusyError`).
"""

from __future__ import annotations

import math
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from cachetools import LRUCache

from app.errors import ServiceBusyError
from app.fetching import FetchedDocument
from app.verification.service import DocumentSource
from badges.errors import FetchError
from badges.ports import JSONObject

__all__ = ["FairSlots", "Lease"]

_MAX_CLIENTS = 10_000  # network-time budgets kept; the least recently seen is dropped first
FOREIGN_WAIT_S = 2.0  # how long a verification may wait for a free foreign slot


@dataclass
class _Budget:
    seconds: float  # may go below zero: a fetch is charged after it took its time
    updated: float


class FairSlots:
    """The two lanes of one process and every client's network-time budget; thread-safe."""

    def __init__(
        self,
        slots: int,
        *,
        per_client: int,
        fetch_seconds_per_minute: float,
        foreign_wait: float = FOREIGN_WAIT_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.slots = slots
        self.per_client = max(1, per_client)
        self._budget = float(fetch_seconds_per_minute)
        self._refill = fetch_seconds_per_minute / 60.0
        self._foreign_wait = foreign_wait
        self._clock = clock
        self._lock = threading.Condition()
        self._local = 0
        self._foreign: Counter[str] = Counter()
        self._foreign_total = 0
        self._budgets: LRUCache[str, _Budget] = LRUCache(maxsize=_MAX_CLIENTS)

    def enter(self, client: str) -> Lease:
        """A slot in the local lane, or :class:`ServiceBusyError` at once."""
        with self._lock:
            if self._local >= self.slots:
                raise ServiceBusyError("too many verifications at once; retry in a second")
            self._local += 1
        return Lease(self, client)

    def held(self) -> tuple[int, int]:
        """Slots in use: (local lane, foreign lane)."""
        with self._lock:
            return self._local, self._foreign_total

    # -- used by Lease ---------------------------------------------------------------------

    def _to_foreign(self, client: str) -> None:
        with self._lock:
            if self._foreign[client] >= self.per_client:
                raise FetchError(
                    "not fetched: this client already has its share of fetches under way; "
                    "retry when they are done"
                )
            ready = self._lock.wait_for(
                lambda: self._foreign_total < self.slots, timeout=self._foreign_wait
            )
            if not ready:
                raise FetchError("not fetched: the service is busy fetching; retry shortly")
            self._foreign[client] += 1
            self._foreign_total += 1
            self._local -= 1

    def _leave(self, client: str, lane: Literal["local", "foreign"]) -> None:
        with self._lock:
            if lane == "local":
                self._local -= 1
                return
            self._foreign[client] -= 1
            if self._foreign[client] <= 0:
                del self._foreign[client]
            self._foreign_total -= 1
            self._lock.notify()

    def _wait_for_budget(self, client: str) -> float:
        """Seconds until ``client`` may fetch again (0 when it may now)."""
        if self._budget <= 0:
            return 0.0
        with self._lock:
            budget = self._refilled(client)
            return 0.0 if budget.seconds > 0 else -budget.seconds / self._refill + 1e-3

    def _charge(self, client: str, seconds: float) -> None:
        if self._budget <= 0:
            return
        with self._lock:
            self._refilled(client).seconds -= seconds

    def _refilled(self, client: str) -> _Budget:
        now = self._clock()
        budget = self._budgets.get(client)
        if budget is None:
            budget = _Budget(self._budget, now)
        else:
            elapsed = max(0.0, now - budget.updated)
            budget.seconds = min(self._budget, budget.seconds + elapsed * self._refill)
            budget.updated = now
        self._budgets[client] = budget
        return budget


class Lease:
    """One verification's slot; ``fetcher`` meters what it fetches from other hosts."""

    def __init__(self, slots: FairSlots, client: str) -> None:
        self._slots = slots
        self.client = client
        self.lane: Literal["local", "foreign"] = "local"
        self._closed = False
        self._lock = threading.Lock()

    def __enter__(self) -> Lease:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
        self._slots._leave(self.client, self.lane)

    def fetcher(self, inner: DocumentSource) -> DocumentSource:
        """``inner``, with each fetch moved to the foreign lane and charged to the client."""
        return _MeteredFetcher(inner, self)

    def _before_fetch(self, url: str) -> None:
        wait = self._slots._wait_for_budget(self.client)
        if wait > 0:
            raise FetchError(
                f"{url} was not fetched: this client has used its share of network time; "
                f"retry in {math.ceil(wait)} s"
            )
        with self._lock:
            if self.lane == "local":
                self._slots._to_foreign(self.client)
                self.lane = "foreign"

    def _after_fetch(self, seconds: float) -> None:
        self._slots._charge(self.client, seconds)


class _MeteredFetcher:
    def __init__(self, inner: DocumentSource, lease: Lease) -> None:
        self._inner = inner
        self._lease = lease

    def get_json(self, url: str) -> JSONObject:
        self._lease._before_fetch(url)
        started = self._lease._slots._clock()
        try:
            return self._inner.get_json(url)
        finally:
            self._lease._after_fetch(self._lease._slots._clock() - started)

    def get(self, url: str, *, accept: str) -> FetchedDocument:
        self._lease._before_fetch(url)
        started = self._lease._slots._clock()
        try:
            return self._inner.get(url, accept=accept)
        finally:
            self._lease._after_fetch(self._lease._slots._clock() - started)
