"""Configuration from the environment, with safe defaults for a single-machine install."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

SECRET_KEY_FILE = "secret_key"


def load_secret_key(instance_path: Path) -> str:
    """Return the instance's secret key, generating it once on first start.

    A hard-coded default would make every install share one key; a key generated per start
    would log everyone out on restart and break CSRF tokens across gunicorn workers.
    """
    path = instance_path / SECRET_KEY_FILE
    if path.exists():
        return path.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    # O_EXCL: when two workers start at once, exactly one writes and the other reads.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as f:
        f.write(key)
    return key


def _flag(value: str | None) -> bool:
    return value is not None and value.strip().lower() in ("1", "true", "yes", "on")


def default_config(instance_path: Path) -> dict[str, Any]:
    """Return the configuration read from the environment: the one place that reads it.

    (The NIK key is the exception: ``creditapp.pii`` reads ``NIK_KEY`` itself because
    migrations and scripts need it without an app.)
    """
    env = os.environ
    return {
        "DATABASE_URL": env.get("DATABASE_URL") or f"sqlite:///{instance_path / 'creditapp.db'}",
        "SECRET_KEY": env.get("SECRET_KEY") or None,
        "MODEL_DIR": env.get("MODEL_DIR") or str(instance_path / "models"),
        "MAX_CONTENT_LENGTH": int(env.get("MAX_CONTENT_LENGTH", 8 * 1024 * 1024)),
        "DEFAULT_LOCALE": env.get("DEFAULT_LOCALE", "id"),
        "JSON_SORT_KEYS": False,
        # Behind a TLS proxy: the session cookie only over HTTPS, and HSTS on every answer.
        "SESSION_COOKIE_SECURE": _flag(env.get("SESSION_COOKIE_SECURE")),
        "HSTS_MAX_AGE": int(env.get("HSTS_MAX_AGE") or 0),
        "API_RATE_LIMIT_PER_MINUTE": int(env.get("API_RATE_LIMIT_PER_MINUTE") or 600),
        "API_AUTH_FAILURES_PER_MINUTE": int(env.get("API_AUTH_FAILURES_PER_MINUTE") or 30),
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI") or "memory://",
        "RATELIMIT_KEY_PREFIX": env.get("RATELIMIT_KEY_PREFIX") or "imk",
        # Retry-After (seconds) when the database is unreachable, and when it is busy (a
        # row lock not granted in time, a statement timeout).
        "DB_RETRY_AFTER_SECONDS": int(env.get("DB_RETRY_AFTER_SECONDS", 5)),
        "DB_BUSY_RETRY_AFTER_SECONDS": int(env.get("DB_BUSY_RETRY_AFTER_SECONDS", 1)),
        **{
            key: int(env[key])
            for key in (
                "DB_LOCK_TIMEOUT_MS",
                "DB_STATEMENT_TIMEOUT_MS",
                "DB_IDLE_IN_TRANSACTION_TIMEOUT_MS",
            )
            if env.get(key)
        },
    }
