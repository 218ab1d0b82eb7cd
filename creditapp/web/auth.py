"""Sign-in and sign-out, Flask-Login sessions and their 30-minute idle expiry.

The session stores the user's id with a fingerprint of the password hash, so changing the
password ends every other session of that user. Idle expiry is checked on the server (the
cookie's own expiry alone could be replayed by whoever copied it).
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin, current_user, login_user, logout_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from ..db import get_session
from ..models import User
from ..services.access import verify_password
from ..services.audit import Actor, record
from . import throttle
from .authz import login_manager, public
from .forms import SignInForm

bp = Blueprint("auth", __name__)


class SignedIn(UserMixin):  # type: ignore[misc]  # Flask-Login ships no type hints
    """The signed-in user as the pages see it (no password hash)."""

    def __init__(self, user: User) -> None:
        self.id = user.id
        self.email = user.email
        self.name = user.name
        self.role = user.role
        self.lender_id = user.lender_id
        self.senior = user.senior
        self.locale = user.locale
        self._fingerprint = fingerprint(user)

    def get_id(self) -> str:
        return f"{self.id}:{self._fingerprint}"

    @property
    def actor(self) -> Actor:
        return Actor("user", self.id)


def fingerprint(user: User) -> str:
    """A short digest of the password hash: a new password invalidates old sessions."""
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


@login_manager.user_loader  # type: ignore[untyped-decorator]  # Flask-Login is untyped
def load_user(user_id: str) -> SignedIn | None:
    """Return the session's user if it still exists, is active and kept its password."""
    ident, _sep, print_ = user_id.partition(":")
    if not ident.isdigit():
        return None
    user = get_session().get(User, int(ident))
    if user is None or not user.active or fingerprint(user) != print_:
        return None
    return SignedIn(user)


def safe_next(target: str | None) -> str | None:
    """Accept only a path on this site as the page to return to (no open redirect)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@login_manager.unauthorized_handler  # type: ignore[untyped-decorator]  # as above
def unauthorized() -> Response:
    """Send a visitor to sign-in, remembering the page asked for."""
    target = request.full_path if request.method == "GET" else request.referrer
    if session.pop("_idle_expired", False):
        flash(_("Your session expired after 30 minutes without activity. Please sign in again."))
    else:
        flash(_("Please sign in to continue."))
    return redirect(url_for("auth.signin", next=safe_next(target and target.rstrip("?"))))


def _now() -> datetime:
    return datetime.now(UTC)


def enforce_idle_timeout() -> None:
    """End a session left idle longer than ``IDLE_TIMEOUT``; refresh it otherwise."""
    from flask import current_app

    if request.endpoint == "static" or "_user_id" not in session:
        return
    now = _now().timestamp()
    seen = session.get("_seen")
    limit = current_app.config["IDLE_TIMEOUT"].total_seconds()
    if seen is not None and now - float(seen) > limit:
        logout_user()
        session.clear()
        session["_idle_expired"] = True
        return
    session["_seen"] = now
    session.permanent = True


def client_address() -> str:
    """The client's address (behind a proxy, configure ProxyFix so this is the real one)."""
    return request.remote_addr or "unknown"


@bp.route("/signin", methods=["GET", "POST"])
@public
def signin() -> Any:
    """Show the sign-in form and sign the user in."""
    target = safe_next(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(target or url_for("home.index"))
    form = SignInForm()
    status = 200
    if form.validate_on_submit():
        db = get_session()
        account = form.email.data.strip().lower()
        now = _now()
        lock = throttle.check(db, account, client_address(), now)
        if lock is not None:
            minutes = lock.minutes_left(now)
            form.form_errors.append(
                _(
                    "Too many failed sign-ins. Try again in %(minutes)d minutes.",
                    minutes=minutes,
                )
            )
            status = 429
        else:
            user = db.scalar(select(User).where(User.email == account))
            if user is not None and verify_password(user, form.password.data):
                throttle.clear_account(db, account)
                record(db, Actor("user", user.id), "user.sign_in", "user", user.id)
                db.commit()
                session.clear()  # a fresh session: no fixation of a pre-sign-in one
                login_user(SignedIn(user))
                session["_seen"] = now.timestamp()
                session.permanent = True
                return redirect(target or url_for("home.index"))
            throttle.record_failure(db, account, client_address(), now)
            db.commit()
            form.form_errors.append(_("The e-mail address or the password is wrong."))
            status = 401
    elif request.method == "POST":
        status = 422
    return render_template("web/signin.html", form=form, next=target), status


@bp.post("/signout")
@public
def signout() -> Response:
    """Sign out and forget the session."""
    if current_user.is_authenticated:
        db = get_session()
        record(db, current_user.actor, "user.sign_out", "user", current_user.id)
        db.commit()
    lang = session.get("lang")
    logout_user()
    session.clear()
    if lang:
        session["lang"] = lang
    flash(_("You are signed out."))
    return redirect(url_for("auth.signin"))


def init_app(app: Flask) -> None:
    """Bind Flask-Login and the idle check."""
    login_manager.init_app(app)
    login_manager.session_protection = "basic"
    login_manager.login_message = _l("Please sign in to continue.")
    app.before_request(enforce_idle_timeout)
