"""Session cookie flags and security headers on every response.

The Content-Security-Policy allows only this origin's files: no inline script or style, no
frames. The API docs page (swagger-ui-bundle's template) needs inline script, so it gets
its own, looser policy; everything else, the API's JSON included, gets the strict one.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Flask, Response, current_app, request

IDLE_MINUTES = 30
HSTS_TLS_SECONDS = 365 * 24 * 3600
STRICT_CSP = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; object-src 'none'; frame-ancestors 'none'"
)


def add_security_headers(response: Response) -> Response:
    """Set the CSP, nosniff, referrer, framing, caching (API) and HSTS (TLS) headers."""
    docs = request.path.startswith("/api/v1/docs")
    response.headers.setdefault("Content-Security-Policy", DOCS_CSP if docs else STRICT_CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.path.startswith("/api/") and not docs:
        # API answers carry names and NIKs: no browser or shared cache may keep them.
        response.headers.setdefault("Cache-Control", "no-store")
    hsts = _hsts_value()
    if hsts:
        response.headers.setdefault("Strict-Transport-Security", hsts)
    return response


def _hsts_value() -> str | None:
    """HSTS on TLS requests (a year), or as configured when a TLS proxy speaks HTTP to us.

    Never on plain HTTP by default: ``make run`` serves http://127.0.0.1, and HSTS there
    would lock the browser out of the loopback address.
    """
    configured = int(current_app.config.get("HSTS_MAX_AGE") or 0)
    if configured > 0:
        return f"max-age={configured}"
    if request.is_secure:
        return f"max-age={HSTS_TLS_SECONDS}; includeSubDomains"
    return None


def init_app(app: Flask) -> None:
    """Cookie flags: HttpOnly and SameSite=Lax always; Secure when served over TLS.

    ``SESSION_COOKIE_SECURE`` (environment) defaults to off because ``make run`` serves plain
    HTTP on the loopback; set it to 1 behind a TLS proxy.
    """
    app.config.setdefault("SESSION_COOKIE_SECURE", False)
    app.config.setdefault("HSTS_MAX_AGE", 0)
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config.setdefault("SESSION_COOKIE_NAME", "imk_session")
    app.config.setdefault("PERMANENT_SESSION_LIFETIME", timedelta(minutes=IDLE_MINUTES))
    app.config.setdefault("IDLE_TIMEOUT", timedelta(minutes=IDLE_MINUTES))
    app.config["REMEMBER_COOKIE_HTTPONLY"] = True
    app.config["REMEMBER_COOKIE_SAMESITE"] = "Lax"
    app.after_request(add_security_headers)
