"""The lenders' REST API under /api/v1 (flask-smorest), with its OpenAPI document."""

from __future__ import annotations

from typing import Any

from flask import Flask, request, send_from_directory
from flask_smorest import Api

from ..schemas.common import ErrorSchema
from ..services.lookup import CachedLookup, Lookup
from ..services.ttlcache import TTLCache
from . import ratelimit
from .textguard import check_query

SECURITY_SCHEMES = {
    "bearerAuth": {
        "type": "http",
        "scheme": "bearer",
        "description": "An API key issued with `creditapp create-api-key`.",
    }
}


class CreditApi(Api):  # type: ignore[misc]  # flask-smorest ships no type hints
    """flask-smorest's Api with the project's one error format."""

    ERROR_SCHEMA = ErrorSchema

    def _register_error_handlers(self) -> None:
        # creditapp.errors already answers every HTTP error with {"code", "message", "errors"}.
        pass


def _swagger_ui_dir() -> str:
    import swagger_ui_bundle

    path: str = swagger_ui_bundle.swagger_ui_path
    return path


def init_app(app: Flask) -> None:
    """Configure flask-smorest, register the API blueprints and serve the docs assets."""
    app.config.setdefault("API_TITLE", "Kredit IMK API")
    app.config.setdefault("API_VERSION", "v1")
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    app.config.setdefault("OPENAPI_URL_PREFIX", "/api/v1")
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    app.config.setdefault("OPENAPI_SWAGGER_UI_PATH", "docs")
    # Swagger UI's files come from the installed swagger-ui-bundle package, never a CDN.
    app.config.setdefault("OPENAPI_SWAGGER_UI_URL", "/api/v1/docs/assets/")
    spec_options: dict[str, Any] = {
        "info": {
            "description": (
                "Score loan applications of Indonesian micro and small industries from "
                "alternative data, and run program loans. Authenticate with "
                "`Authorization: Bearer <key>`. Amounts are whole Rupiah. Errors are JSON "
                "`{code, message, errors}`; 429, 409 `locked` and 503 carry `Retry-After` "
                "(retry with the same `Idempotency-Key`). One exception: a request line over "
                "8,190 bytes, a header over 8,190 bytes or more than 100 headers is refused by "
                "the HTTP server before the API, with a small HTML (not JSON) 400, 414 or 431."
            )
        },
        "security": [{"bearerAuth": []}],
        "components": {"securitySchemes": SECURITY_SCHEMES},
    }
    app.config.setdefault("API_SPEC_OPTIONS", spec_options)
    ratelimit.init_app(app)
    # Programs and the champion are re-read at most every CONFIG_CACHE_SECONDS per worker.
    ttl = float(app.config.get("CONFIG_CACHE_SECONDS", 2.0))
    app.extensions["lookup"] = CachedLookup(ttl) if ttl > 0 else Lookup()
    # Verified keys too: a revocation takes effect within the same few seconds.
    app.extensions["key_cache"] = TTLCache(ttl)

    api = CreditApi(app)
    from . import applications, claims, decisions, loans, programs, reports

    blueprints = (applications.blp, decisions.blp, loans.blp, programs.blp, programs.models_blp,
                  reports.blp, claims.blp)  # fmt: skip
    for blp in blueprints:
        api.register_blueprint(blp)
    app.extensions["credit_api"] = api

    @app.before_request
    def refuse_unstorable_query_text() -> None:
        if request.path.startswith("/api/"):
            check_query()

    @app.get("/api/v1/docs/assets/<path:filename>")
    def swagger_ui_asset(filename: str) -> Any:
        """Serve a Swagger UI file from the installed package."""
        return send_from_directory(_swagger_ui_dir(), filename, max_age=86400)
