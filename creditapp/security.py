"""CSRF protection for every form; the token-authenticated API is exempt.

Browsers send cookies on cross-site posts, so the web UI's forms need a CSRF token; the API
authenticates each request by its bearer key and never by a cookie, so it needs none.
"""

from __future__ import annotations

from flask import Flask
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()


def init_app(app: Flask) -> None:
    """Require a CSRF token on every state-changing request of the web UI."""
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)  # a token lives as long as the session
    csrf.init_app(app)


def exempt_api(app: Flask) -> None:
    """Exempt the bearer-key API blueprints (registered by ``creditapp.api``)."""
    for name, blueprint in app.blueprints.items():
        if name in ("applications", "decisions", "loans", "programs", "models", "api-docs"):
            csrf.exempt(blueprint)
