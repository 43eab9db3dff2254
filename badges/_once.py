"""Build-once values for data every thread shares (loaded schemas, contexts).

``functools.cache`` lets two threads that miss at the same time both compute, and keeps the
later result: a caller may then hold parts of a build the cache no longer has. Right after a
start, when the first requests arrive together, that mixed up the compiled JSON Schema
validators. :func:`once` computes under a lock, exactly once per process.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class _Once(Generic[T]):
    def __init__(self, build: Callable[[], T]) -> None:
        self._build = build
        self._lock = threading.Lock()
        self._value: list[T] = []  # empty until built; a list, since T may be None
        functools.update_wrapper(self, build)

    def __call__(self) -> T:
        if not self._value:  # the lock is taken only until the value exists
            with self._lock:
                if not self._value:
                    self._value.append(self._build())
        return self._value[0]


def once(build: Callable[[], T]) -> Callable[[], T]:
    """Decorate a function of no arguments: its result is computed once, under a lock."""
    return _Once(build)
