"""``Idempotency-Key`` for POSTs that create records or move money.

The first successful response is stored with the request's fingerprint in the same
transaction as the work it describes. A replay with the same body returns that response
(header ``Idempotent-Replayed: true``) and changes nothing; the same key with a different
body is refused. When two identical requests race, the unique (lender, key) index lets one
commit; the other rolls back all its work and answers with the winner's stored response.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Response, make_response, request
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import BadRequest

from ..db import get_session
from ..errors import DomainError
from ..models import IdempotencyRecord
from .auth import current_lender_id
from .parsing import request_json

HEADER = "Idempotency-Key"
REPLAY_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 128


def request_fingerprint() -> str:
    """Hash the method, path and body; JSON is canonicalised so key order does not matter."""
    body = request_json()
    if body is None:
        raw = request.get_data()
    else:
        try:
            raw = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
        except RecursionError:  # a body nested ~1,000 levels: refused, never a crash
            raise BadRequest("the JSON body is nested too deeply") from None
    digest = hashlib.sha256(f"{request.method} {request.path}\n".encode())
    digest.update(raw)
    return digest.hexdigest()


def _replay(record: IdempotencyRecord, fingerprint: str) -> Response:
    if record.request_hash != fingerprint:
        raise DomainError(
            "Idempotency-Key reused with a different request",
            {HEADER: ["this key was already used with a different request body or path"]},
        )
    resp = Response(record.response_body, status=record.status_code, mimetype="application/json")
    resp.headers[REPLAY_HEADER] = "true"
    return resp


def _find(lender_id: int, key: str) -> IdempotencyRecord | None:
    stmt = select(IdempotencyRecord).where(
        IdempotencyRecord.lender_id == lender_id, IdempotencyRecord.key == key
    )
    return get_session().scalar(stmt)


def idempotent(required: bool) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Make a write endpoint idempotent; it also commits the request's session once."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Response:
            session = get_session()
            key = request.headers.get(HEADER)
            if key is None:
                if required:
                    raise DomainError(
                        "Idempotency-Key header required",
                        {HEADER: ["required for requests that move money"]},
                    )
                resp = make_response(view(*args, **kwargs))
                session.commit()
                return resp
            if (
                not key.strip()
                or len(key) > MAX_KEY_LENGTH
                or not (key.isascii() and key.isprintable())
            ):
                raise DomainError(
                    "invalid Idempotency-Key",
                    {HEADER: [f"1 to {MAX_KEY_LENGTH} printable ASCII characters"]},
                )
            lender_id = current_lender_id()
            fingerprint = request_fingerprint()
            existing = _find(lender_id, key)
            if existing is not None:
                return _replay(existing, fingerprint)
            resp = make_response(view(*args, **kwargs))
            if not 200 <= resp.status_code < 300:
                session.rollback()
                return resp
            session.add(
                IdempotencyRecord(
                    lender_id=lender_id,
                    key=key,
                    method=request.method,
                    path=request.path[:255],
                    request_hash=fingerprint,
                    status_code=resp.status_code,
                    response_body=resp.get_data(as_text=True),
                )
            )
            try:
                session.commit()
            except IntegrityError:
                session.rollback()
                winner = _find(lender_id, key)
                if winner is None:
                    raise
                return _replay(winner, fingerprint)
            return resp

        return wrapper

    return decorate
