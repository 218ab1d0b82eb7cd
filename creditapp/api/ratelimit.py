"""API rate limits through the ``limits`` library's storage, shared by every gunicorn worker.

Two allowances: requests per API key (``API_RATE_LIMIT_PER_MINUTE``, default 600), and
failed authentications per client address (``API_AUTH_FAILURES_PER_MINUTE``, default 30),
checked *before* a key is looked up, so a flood of made-up keys costs no database query.
Storage is ``RATELIMIT_STORAGE_URI``: Redis (``redis://127.0.0.1:6379``) shares the counts
between workers and hosts; the default ``memory://`` keeps them per worker process, so with
W workers a key can reach W times its rate (fine for the single-machine install).

``limits`` is used without Flask-Limiter: the API counts its two allowances itself in
``api.auth``, and Flask-Limiter's own before/after-request hooks (run on every request, API
or web) only cost time.
"""

from __future__ import annotations

import logging
import math
import time
from typing import Any

from flask import Flask, request
from limits import RateLimitItem, RateLimitItemPerMinute
from limits.storage import MemoryStorage, Storage, storage_from_string
from limits.strategies import RateLimiter, SlidingWindowCounterRateLimiter

log = logging.getLogger(__name__)
SWEEP_INTERVAL_SECONDS = 1.0


class SweptMemoryStorage(MemoryStorage):
    """``limits``' memory storage, with expired counters swept inline at most once a second.

    The stock storage hands expiry to a timer thread that lives 10 ms and is started again
    by the next count after it ends, so a busy worker started a thread on about every second
    request (0.9 of 1.5 ms per /score request under cProfile). Expired counters are also
    dropped when read, so sweeping only bounds memory and can be rare.
    """

    STORAGE_SCHEME = ["swept-memory"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: Any):
        self._next_sweep = 0.0
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    # Replaces the base class's private scheduler: its methods call it by its mangled name.
    def _MemoryStorage__schedule_expiry(self) -> None:  # noqa: N802
        now = time.monotonic()
        if now >= self._next_sweep:
            self._next_sweep = now + SWEEP_INTERVAL_SECONDS
            self._MemoryStorage__expire_events()  # type: ignore[attr-defined]  # base's private sweep


def make_storage(uri: str, options: dict[str, Any]) -> Storage:
    """Return the storage for ``uri``; ``memory://`` gets the thread-free memory storage."""
    if uri.startswith("memory://"):
        return SweptMemoryStorage()
    storage = storage_from_string(uri, **options)
    if not isinstance(storage, Storage):  # an async+ scheme: gunicorn's sync workers can't await
        raise ValueError(f"RATELIMIT_STORAGE_URI: {uri.split(':', 1)[0]} storage is asynchronous")
    return storage


def _client_address() -> str:
    # Behind a proxy, wrap the app in werkzeug's ProxyFix so this is the client's address.
    return request.remote_addr or "unknown"


class ApiLimits:
    """The API's two allowances over one storage."""

    def __init__(
        self, strategy: RateLimiter, prefix: str, per_minute: int, auth_failures_per_minute: int
    ) -> None:
        self._strategy = strategy
        self._prefix = prefix
        self.configure(per_minute, auth_failures_per_minute)

    def configure(
        self, per_minute: int | None = None, auth_failures_per_minute: int | None = None
    ) -> None:
        """Set the allowances (tests and the fuzz run change them on a live app)."""
        if per_minute is not None:
            self.per_key: RateLimitItem = RateLimitItemPerMinute(per_minute)
        if auth_failures_per_minute is not None:
            self.auth_failures: RateLimitItem = RateLimitItemPerMinute(auth_failures_per_minute)

    def take_for_key(self, key_id: int) -> float:
        """Count one request of ``key_id``; return 0 when allowed, else seconds to wait."""
        return self._hit(self.per_key, self._prefix, "key", str(key_id))

    def failed_auth_wait(self) -> float:
        """Seconds this client must wait before it may try a key again (0: go ahead)."""
        try:
            where = (self._prefix, "authfail", _client_address())
            if self._strategy.test(self.auth_failures, *where):
                return 0.0
            return self._wait(self.auth_failures, *where)
        except Exception as exc:  # storage down: serve rather than refuse everyone
            _storage_failed(exc)
            return 0.0

    def record_failed_auth(self) -> None:
        self._hit(self.auth_failures, self._prefix, "authfail", _client_address())

    def _hit(self, item: RateLimitItem, *identifiers: str) -> float:
        try:
            if self._strategy.hit(item, *identifiers):
                return 0.0
            return self._wait(item, *identifiers)
        except Exception as exc:  # storage down: serve rather than refuse everyone
            _storage_failed(exc)
            return 0.0

    def _wait(self, item: RateLimitItem, *identifiers: str) -> float:
        stats = self._strategy.get_window_stats(item, *identifiers)
        return max(1.0, stats.reset_time - time.time())


def _storage_failed(exc: Exception) -> None:
    log.warning("rate-limit storage unavailable (%s); request allowed", type(exc).__name__)


def retry_after_seconds(wait: float) -> int:
    """Round a wait up to whole seconds for the ``Retry-After`` header."""
    return max(1, math.ceil(wait))


def _setting(app: Flask, name: str, default: int) -> int:
    return int(app.config.get(name) or default)


def init_app(app: Flask) -> ApiLimits:
    """Create the API's allowances over the storage named by ``RATELIMIT_STORAGE_URI``."""
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    app.config.setdefault("RATELIMIT_KEY_PREFIX", "imk")
    app.config.setdefault(
        "RATELIMIT_STORAGE_OPTIONS", {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}
    )
    storage = make_storage(
        app.config["RATELIMIT_STORAGE_URI"], dict(app.config["RATELIMIT_STORAGE_OPTIONS"])
    )
    # A sliding window: no double burst at a window's edge, two counters per key in Redis.
    limits = ApiLimits(
        SlidingWindowCounterRateLimiter(storage),
        app.config["RATELIMIT_KEY_PREFIX"],
        per_minute=_setting(app, "API_RATE_LIMIT_PER_MINUTE", 600),
        auth_failures_per_minute=_setting(app, "API_AUTH_FAILURES_PER_MINUTE", 30),
    )
    app.extensions["api_limits"] = limits
    return limits
