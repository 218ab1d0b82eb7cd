"""The signed-in user's own settings: password and language."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user
from werkzeug.security import generate_password_hash
from werkzeug.wrappers import Response

from ..db import get_session
from ..models import User
from ..services.access import verify_password
from ..services.audit import record
from .auth import SignedIn, safe_next
from .authz import public, role_required
from .forms import ChangePasswordForm, LanguageForm

bp = Blueprint("account", __name__, url_prefix="/account")


@bp.route("/password", methods=["GET", "POST"])
@role_required()
def password() -> Any:
    """Change my password (the current one is asked again)."""
    form = ChangePasswordForm()
    status = 200
    if form.validate_on_submit():
        db = get_session()
        user = db.get(User, current_user.id)
        assert user is not None  # the session's user was loaded for this request
        if not verify_password(user, form.current.data):
            form.current.errors.append(_("The current password is wrong."))
            status = 422
        else:
            user.password_hash = generate_password_hash(form.new.data)
            record(db, current_user.actor, "user.password_change", "user", user.id)
            db.commit()
            login_user(SignedIn(user))  # the new fingerprint keeps this session signed in
            flash(_("Your password was changed."))
            return redirect(url_for("home.index"))
    elif request.method == "POST":
        status = 422
    return render_template("web/password.html", form=form), status


@bp.post("/language")
@public
def language() -> Response:
    """Switch the language: stored on the user when signed in, else in the session."""
    form = LanguageForm()
    target = safe_next(form.next.data) or url_for("home.index")
    if not form.validate():
        return redirect(target)
    session["lang"] = form.lang.data
    if current_user.is_authenticated:
        db = get_session()
        user = db.get(User, current_user.id)
        if user is not None and user.locale != form.lang.data:
            before = user.locale
            user.locale = form.lang.data
            record(
                db,
                current_user.actor,
                "user.locale",
                "user",
                user.id,
                before={"locale": before},
                after={"locale": user.locale},
            )
            db.commit()
    return redirect(target)
