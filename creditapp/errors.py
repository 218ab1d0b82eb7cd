"""Every error the app returns: JSON under /api, an HTML page elsewhere, never a traceback."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, current_app, jsonify, render_template, request
from marshmallow import ValidationError
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import (
    HTTPException,
    InternalServerError,
    RequestURITooLarge,
    UnprocessableEntity,
)

log = logging.getLogger(__name__)
# Path and query string; gunicorn's own request-line limit (gunicorn.conf.py) is 8190 bytes.
MAX_URL_LENGTH = 4096


class DomainError(Exception):
    """A business rule refused the request; ``errors`` maps field names to reasons."""

    status_code = 422
    code = "unprocessable"

    def __init__(self, message: str, errors: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors or {}


class NotFound(DomainError):
    status_code = 404
    code = "not_found"


class Forbidden(DomainError):
    """The user is who they say, but this action is not theirs to take."""

    status_code = 403
    code = "forbidden"


class Conflict(DomainError):
    status_code = 409
    code = "conflict"


class Unavailable(DomainError):
    """A dependency (e.g. the champion model bundle) cannot be used right now."""

    status_code = 503
    code = "service_unavailable"


def wants_json() -> bool:
    """Return whether the client should get JSON errors."""
    return request.path.startswith("/api") or request.path == "/healthz"


def error_response(
    status: int,
    code: str,
    message: str,
    errors: dict[str, Any] | None = None,
    headers: list[tuple[str, str]] | None = None,
) -> Any:
    """Render one error as JSON or HTML."""
    if wants_json():
        body = jsonify({"code": code, "message": message, "errors": errors or {}})
        return body, status, headers or []
    csrf = code == "bad_request" and "CSRF" in message
    try:
        page = render_template("web/error.html", status=status, message=message, csrf=csrf)
    except DBAPIError as exc:  # the page's header shows the signed-in user, from the database
        return handle_database_error(exc)
    return page, status, headers or []


def _code_for(exc: HTTPException) -> str:
    return (exc.name or "error").lower().replace(" ", "_").replace("'", "")


def handle_http_exception(exc: HTTPException) -> Any:
    """Answer a werkzeug HTTP error (404, 405, 413, 422, ...)."""
    status = exc.code or 500
    errors: dict[str, Any] = {}
    # flask-smorest / webargs put marshmallow's messages on the exception.
    data = getattr(exc, "data", None)
    if isinstance(data, dict) and "messages" in data:
        messages = data["messages"]
        # webargs nests them by location (json, query, headers); lenders want the field.
        if isinstance(messages, dict) and len(messages) == 1:
            errors = next(iter(messages.values()))
        else:
            errors = messages
        if not isinstance(errors, dict):  # e.g. ["Invalid JSON body."]: a whole-body error
            errors = {"_body": errors}
    message = exc.description if status != 500 else InternalServerError.description
    # Keep Allow (405), Retry-After (429) and WWW-Authenticate (401); drop the HTML type.
    headers = [(k, v) for k, v in exc.get_headers() if k.lower() != "content-type"]
    return error_response(status, _code_for(exc), message or "", errors, headers)


def handle_validation_error(exc: ValidationError) -> Any:
    """Answer a marshmallow error raised outside flask-smorest's argument parsing."""
    messages = exc.messages if isinstance(exc.messages, dict) else {"_schema": exc.messages}
    return error_response(422, "unprocessable_entity", UnprocessableEntity.description, messages)


def handle_domain_error(exc: DomainError) -> Any:
    """Answer a refused business action with its reason."""
    return error_response(exc.status_code, exc.code, exc.message, exc.errors)


def handle_database_error(exc: DBAPIError) -> Any:
    """Answer an unreachable, timed-out or locked database with a retry hint, not a 500."""
    from .dberrors import classify

    config = current_app.config
    fault = classify(
        exc, int(config["DB_RETRY_AFTER_SECONDS"]), int(config["DB_BUSY_RETRY_AFTER_SECONDS"])
    )
    if fault is None:
        return handle_unexpected(exc)
    # The type and SQLSTATE only: the message may quote a statement's values.
    log.warning(
        "database fault on %s %s: %s %s -> %s",
        request.method,
        request.path,
        type(exc.orig).__name__,
        getattr(exc.orig, "sqlstate", ""),
        fault.status,
    )
    headers = [("Retry-After", str(fault.retry_after))]
    if wants_json():
        return error_response(fault.status, fault.code, fault.message, {}, headers)
    try:
        page = render_template("web/unavailable.html", status=fault.status, code=fault.code)
    except Exception:  # the page must not need the database it reports missing
        page = f"{fault.status} {fault.message}"
    return page, fault.status, headers


def handle_unexpected(exc: Exception) -> Any:
    """Log the failure (without request data, which may hold personal data) and hide it."""
    log.exception("unhandled error on %s %s", request.method, request.path)
    return error_response(500, "internal_server_error", InternalServerError.description)


def refuse_over_long_url() -> None:
    """Answer 414 ourselves (JSON on the API) well before gunicorn's HTML one (8190 bytes)."""
    limit = int(current_app.config.get("MAX_URL_LENGTH", MAX_URL_LENGTH))
    if len(request.full_path) > limit:
        raise RequestURITooLarge(f"The URL is longer than {limit} characters.")


def init_app(app: Flask) -> None:
    """Register the error handlers."""
    app.before_request(refuse_over_long_url)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(ValidationError, handle_validation_error)
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(DBAPIError, handle_database_error)
    app.register_error_handler(Exception, handle_unexpected)
