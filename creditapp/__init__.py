"""Flask application: the only package that knows HTTP, the database and templates."""

from __future__ import annotations

import base64
import os
from pathlib import Path
from typing import Any

from flask import Flask


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Create the app; ``config`` overrides what the environment says (tests pass a dict)."""
    instance = os.environ.get("CREDITAPP_INSTANCE")
    app = Flask(__name__, instance_path=instance or None, instance_relative_config=True)
    from .jsonio import FastJSONProvider

    app.json = FastJSONProvider(app)
    from .config import default_config, load_secret_key

    instance_dir = Path(app.instance_path)
    app.config.from_mapping(default_config(instance_dir))
    if config:
        app.config.from_mapping(config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = load_secret_key(Path(app.instance_path))

    from .pii import NikCipher, load_nik_secret

    # NIK encryption key: NIK_KEY in config/environment, else instance/nik_key (made once).
    nik_key = app.config.get("NIK_KEY")
    secret = base64.urlsafe_b64decode(nik_key) if nik_key else load_nik_secret(instance_dir)
    app.extensions["nik_cipher"] = NikCipher(secret)

    from . import api, cli, db, errors, health, security, web

    db.init_app(app)
    errors.init_app(app)
    security.init_app(app)
    app.register_blueprint(health.bp)
    web.init_app(app)
    api.init_app(app)
    security.exempt_api(app)
    cli.init_app(app)
    return app
