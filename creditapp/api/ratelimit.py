"""Per-key rate limiting: a token bucket per API key in each worker process.

Kept in process memory so a fresh install needs no Redis; with W gunicorn workers a key can
reach at most W times the configured rate, which the README states.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """Allow ``per_minute`` requests per key on average, with bursts up to ``burst``."""

    def __init__(self, per_minute: int, burst: int | None = None) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(burst or per_minute)
        self._buckets: dict[int, _Bucket] = {}
        self._lock = threading.Lock()

    def acquire(self, key_id: int, now: float | None = None) -> float:
        """Take one token; return 0 when allowed, else the seconds to wait."""
        now = time.monotonic() if now is None else now
        with self._lock:
            b = self._buckets.get(key_id)
            if b is None:
                b = self._buckets[key_id] = _Bucket(self.burst, now)
            b.tokens = min(self.burst, b.tokens + (now - b.updated) * self.rate)
            b.updated = now
            if b.tokens >= 1.0:
                b.tokens -= 1.0
                return 0.0
            return (1.0 - b.tokens) / self.rate


def retry_after_seconds(wait: float) -> int:
    """Round a wait up to whole seconds for the ``Retry-After`` header."""
    return max(1, math.ceil(wait))
