"""A small TTL cache of fetched bodies that honours Cache-Control, with negative entries."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class _Entry:
    expires: float
    body: bytes | None = None  # a JSON object's bytes, re-parsed on every hit
    error: str | None = None
    status: int | None = None
    size: int = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "size", len(self.body or b"") + len(self.error or ""))


class _TTLCache:
    """A thread-safe LRU map with per-entry expiry, bounded in entries and bytes."""

    def __init__(
        self, max_entries: int, clock: Callable[[], float], max_bytes: int = 16 * 1024 * 1024
    ) -> None:
        self._max_entries = max_entries
        self._max_bytes = max_bytes
        self._clock = clock
        self._data: OrderedDict[str, _Entry] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: str) -> _Entry | None:
        with self._lock:
            entry = self._data.get(key)
            if entry is None:
                return None
            if entry.expires <= self._clock():
                self._bytes -= self._data.pop(key).size
                return None
            self._data.move_to_end(key)
            return entry

    def put(self, key: str, ttl: float, **values: Any) -> None:
        entry = _Entry(expires=self._clock() + ttl, **values)
        if ttl <= 0 or entry.size > self._max_bytes:
            return
        with self._lock:
            old = self._data.pop(key, None)
            self._bytes += entry.size - (old.size if old else 0)
            self._data[key] = entry
            while len(self._data) > self._max_entries or self._bytes > self._max_bytes:
                self._bytes -= self._data.popitem(last=False)[1].size


def _freshness(cache_control: str | None, default: float, cap: float) -> float:
    """Seconds a response may be reused: RFC 9111 max-age, capped; 0 for no-store/no-cache."""
    if cache_control is None:
        return default
    ttl = default
    for directive in cache_control.lower().split(","):
        name, _, value = directive.strip().partition("=")
        if name in ("no-store", "no-cache"):
            return 0.0
        if name == "max-age":
            value = value.strip().strip('"')
            ttl = float(value) if value.isdigit() else 0.0
    return min(ttl, cap)
