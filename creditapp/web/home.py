"""The start page: each role lands where its work is."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, redirect, render_template, url_for
from flask_login import current_user

from .authz import public, role_required

bp = Blueprint("home", __name__)

# Where each role starts, by endpoint; the first that exists wins (pages of other parts of
# the product register their endpoints as they are built).
START = {
    "loan_officer": ("officer.queue_view",),
    "program_manager": ("report_pages.index",),
    "data_scientist": ("model_pages.index",),
    "admin": (),
}


@bp.get("/")
@public
def root() -> Any:
    """Send visitors to sign-in and signed-in users to their start page."""
    if not current_user.is_authenticated:
        return redirect(url_for("auth.signin"))
    return redirect(url_for("home.index"))


@bp.get("/home")
@role_required()
def index() -> Any:
    """Show my start page (or go straight to my role's main page)."""
    for endpoint in START.get(current_user.role, ()):
        if endpoint in current_app.view_functions:
            return redirect(url_for(endpoint))
    return render_template("web/home.html")
