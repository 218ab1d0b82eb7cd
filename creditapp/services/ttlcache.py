"""A small thread-safe cache whose entries expire after a few seconds and whose size is
bounded (cachetools' TTLCache: least recently used entries go first when it is full).

Used for read-mostly configuration on the scoring hot path (the champion version, program
rules, verified API keys): a change made by another worker or a CLI command is seen within
``ttl`` seconds, without a database round trip on every request. The bound matters for API
keys: made-up keys are cached too (as unknown), and must not grow a worker's memory.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

import cachetools

V = TypeVar("V")
DEFAULT_MAXSIZE = 10_000


class TTLCache(Generic[V]):
    """Map keys to values computed by a loader, each kept for ``ttl`` seconds."""

    def __init__(
        self,
        ttl: float,
        clock: Callable[[], float] = time.monotonic,
        maxsize: int = DEFAULT_MAXSIZE,
    ) -> None:
        self.ttl = ttl
        self._data: cachetools.TTLCache[Hashable, V] = cachetools.TTLCache(
            maxsize=maxsize, ttl=ttl, timer=clock
        )
        self._lock = threading.Lock()

    def get(self, key: Hashable, load: Callable[[], V]) -> V:
        """Return the cached value of ``key``, loading it when missing or expired."""
        with self._lock:
            try:
                return self._data[key]
            except KeyError:
                pass
        # Loaded outside the lock: a slow database must not serialise every other key.
        value = load()
        with self._lock:
            self._data[key] = value
        return value

    def __len__(self) -> int:
        with self._lock:
            return len(self._data)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
