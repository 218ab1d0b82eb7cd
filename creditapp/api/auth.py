"""API authentication: ``Authorization: Bearer <key>``, scopes, rate limit, tenancy.

Every API blueprint calls ``protect(blueprint, scope)``, so no route can be added without a
key check; the lender of the key is the only tenant whose rows a handler may touch.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import NoReturn

from flask import abort, current_app, g, request
from flask_smorest import Blueprint
from sqlalchemy.exc import OperationalError
from werkzeug.datastructures import WWWAuthenticate
from werkzeug.exceptions import Forbidden, TooManyRequests, Unauthorized

from ..db import get_db
from ..services.access import authenticate_key, hash_key
from ..services.ttlcache import TTLCache
from .ratelimit import ApiLimits, retry_after_seconds

# last_used_at is informative; writing it on every request would add a commit per call.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def current_lender_id() -> int:
    """Return the lender of the authenticated key (only valid inside API handlers)."""
    lender_id: int = g.lender_id
    return lender_id


def current_api_key_id() -> int:
    key_id: int = g.api_key_id
    return key_id


def _limits() -> ApiLimits:
    limits: ApiLimits = current_app.extensions["api_limits"]
    return limits


def _refuse(message: str) -> NoReturn:
    """Count a failed authentication against the client's address and answer 401."""
    _limits().record_failed_auth()
    raise Unauthorized(message, www_authenticate=WWWAuthenticate("Bearer"))


def _authenticate(scope: str) -> None:
    # A client that keeps failing is stopped before its next key costs a database lookup.
    blocked = _limits().failed_auth_wait()
    if blocked > 0:
        raise TooManyRequests(
            "Too many failed authentications from this address.",
            retry_after=retry_after_seconds(blocked),
        )
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        _refuse("Send your API key as 'Authorization: Bearer <key>'.")
    key = _verified_key(secret.strip())
    if key is None:
        _refuse("The API key is unknown or revoked.")
    if scope not in key.scopes:
        raise Forbidden(f"This API key may not use '{scope}'.")
    wait = _limits().take_for_key(key.id)
    if wait > 0:
        raise TooManyRequests(
            "Rate limit exceeded for this API key.", retry_after=retry_after_seconds(wait)
        )
    g.lender_id = key.lender_id
    g.api_key_id = key.id


@dataclass(frozen=True)
class VerifiedKey:
    id: int
    lender_id: int
    scopes: tuple[str, ...]


def _verified_key(secret: str) -> VerifiedKey | None:
    """Look the key up (through the app's short cache) and record its use once a minute."""
    cache: TTLCache[VerifiedKey | None] = current_app.extensions["key_cache"]
    return cache.get(hash_key(secret), lambda: _load_key(secret))


def _load_key(secret: str) -> VerifiedKey | None:
    # A session of its own: recording last use must commit even when the request does not,
    # and must not leave the request's session holding an older SQLite snapshot.
    with get_db().sessionmaker() as session:
        key = authenticate_key(session, secret)
        if key is None:
            return None
        verified = VerifiedKey(key.id, key.lender_id, tuple(key.scopes))
        now = datetime.now(UTC)
        if key.last_used_at is None or now - key.last_used_at > LAST_USED_RESOLUTION:
            key.last_used_at = now
            try:
                session.commit()
            except OperationalError:
                # Another worker is writing (SQLite allows one writer); the last-use time is
                # informative, so the request goes on and a later call records it.
                session.rollback()
        return verified


def protect(blp: Blueprint, scope: str) -> Blueprint:
    """Require a valid key with ``scope`` on every route of ``blp``."""

    @blp.before_request
    def _check() -> None:
        if request.method == "OPTIONS":
            abort(405)
        _authenticate(scope)

    return blp
