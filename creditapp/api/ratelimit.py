"""API rate limits through Flask-Limiter's storage, shared by every gunicorn worker.

Two allowances: requests per API key (``API_RATE_LIMIT_PER_MINUTE``, default 600), and
failed authentications per client address (``API_AUTH_FAILURES_PER_MINUTE``, default 30),
checked *before* a key is looked up, so a flood of made-up keys costs no database query.
Storage is ``RATELIMIT_STORAGE_URI``: Redis (``redis://127.0.0.1:6379``) shares the counts
between workers and hosts; the default ``memory://`` keeps them per worker process, so with
W workers a key can reach W times its rate (fine for the single-machine install).
"""

from __future__ import annotations

import logging
import math
import time

from flask import Flask, request
from flask_limiter import Limiter
from limits import RateLimitItem, RateLimitItemPerMinute
from limits.strategies import RateLimiter

log = logging.getLogger(__name__)


def _client_address() -> str:
    # Behind a proxy, wrap the app in werkzeug's ProxyFix so this is the client's address.
    return request.remote_addr or "unknown"


class ApiLimits:
    """The API's two allowances over one storage."""

    def __init__(
        self, limiter: Limiter, prefix: str, per_minute: int, auth_failures_per_minute: int
    ) -> None:
        self._limiter = limiter
        # The strategy's keys are ours to name (Flask-Limiter's prefix covers only its own).
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

    @property
    def _strategy(self) -> RateLimiter:
        strategy: RateLimiter = self._limiter.limiter
        return strategy

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
    """Bind Flask-Limiter to ``app`` (storage from ``RATELIMIT_STORAGE_URI``)."""
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    app.config.setdefault("RATELIMIT_KEY_PREFIX", "imk")
    # A sliding window: no double burst at a window's edge, two counters per key in Redis.
    app.config.setdefault("RATELIMIT_STRATEGY", "sliding-window-counter")
    app.config.setdefault(
        "RATELIMIT_STORAGE_OPTIONS", {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}
    )
    limiter = Limiter(
        _client_address,
        app=app,
        key_prefix=app.config["RATELIMIT_KEY_PREFIX"],
        headers_enabled=False,
    )
    limits = ApiLimits(
        limiter,
        app.config["RATELIMIT_KEY_PREFIX"],
        per_minute=_setting(app, "API_RATE_LIMIT_PER_MINUTE", 600),
        auth_failures_per_minute=_setting(app, "API_AUTH_FAILURES_PER_MINUTE", 30),
    )
    app.extensions["api_limits"] = limits
    return limits
