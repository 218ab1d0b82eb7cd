"""A tiny thread-safe cache whose entries expire after a few seconds.

Used for read-mostly configuration on the scoring hot path (the champion version, program
rules, verified API keys): a change made by another worker or a CLI command is seen within
``ttl`` seconds, without a database round trip on every request.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class TTLCache(Generic[V]):
    """Map keys to values computed by a loader, each kept for ``ttl`` seconds."""

    def __init__(self, ttl: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self._clock = clock
        self._data: dict[Hashable, tuple[float, V]] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, load: Callable[[], V]) -> V:
        """Return the cached value of ``key``, loading it when missing or expired."""
        now = self._clock()
        with self._lock:
            hit = self._data.get(key)
        if hit is not None and hit[0] > now:
            return hit[1]
        value = load()
        with self._lock:
            self._data[key] = (now + self.ttl, value)
        return value

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
