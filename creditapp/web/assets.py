"""The CSS (and SVG icons) served from the repository, cached for a year under a versioned URL.

``asset_url('web/app.css')`` adds ``?v=<hash of the file>``: a changed file gets a new URL, so
browsers can keep the old one forever and a repeat visit downloads only the HTML.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from flask import Flask, url_for

ONE_YEAR = 365 * 24 * 3600


@cache
def _version(path: Path, _mtime: float) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:10]


def asset_url(filename: str) -> str:
    """Return the static URL of ``filename`` with its content version."""
    from flask import current_app

    path = Path(current_app.static_folder or "") / filename
    version = _version(path, path.stat().st_mtime) if path.exists() else "0"
    return url_for("static", filename=filename, v=version)


def init_app(app: Flask) -> None:
    """Serve versioned static files with a one-year cache lifetime."""

    def max_age(filename: str | None) -> int | None:
        from flask import request

        return ONE_YEAR if request.args.get("v") else None

    # Flask documents overriding this hook per app; mypy objects to assigning any method.
    app.get_send_file_max_age = max_age  # type: ignore[method-assign]
    app.jinja_env.globals["asset_url"] = asset_url
