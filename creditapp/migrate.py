"""Alembic glue: upgrade a database to the models' schema with one call."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(url: str) -> Config:
    """Return an Alembic config for ``url`` using the project's migrations folder."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["database_url"] = url
    # Data migrations that encrypt NIKs (0008_nik) use the running app's key when there is one.
    from flask import current_app, has_app_context

    if has_app_context() and "nik_cipher" in current_app.extensions:
        cfg.attributes["nik_cipher"] = current_app.extensions["nik_cipher"]
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    """Upgrade the database at ``url`` to ``revision``."""
    command.upgrade(alembic_config(url), revision)
