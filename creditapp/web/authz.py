"""Authorization used by every page: who may open it, and which lender's objects they see.

- ``role_required(*roles)``: signed in (else to sign-in and back), with one of ``roles``
  (else 403).
- ``lender_object(model, id)``: the object if it belongs to the officer's lender, else 404,
  exactly as for an id that does not exist, so ids of other lenders reveal nothing.
- ``public``: marks the few views anyone may open (sign-in, language); a test checks that
  every other web view went through ``role_required``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, Protocol, TypeVar

from flask import abort
from flask_login import LoginManager, current_user

from ..db import get_session

F = TypeVar("F", bound=Callable[..., Any])
login_manager = LoginManager()
ANY_ROLE = ("loan_officer", "program_manager", "data_scientist", "admin")


class LenderOwned(Protocol):
    lender_id: Any


T = TypeVar("T")


def public(view: F) -> F:
    """Mark a view as open without sign-in."""
    view.access = "public"  # type: ignore[attr-defined]  # a marker the route test reads
    return view


def role_required(*roles: str) -> Callable[[F], F]:
    """Require a signed-in user with one of ``roles`` (no roles: any signed-in user)."""
    allowed = roles or ANY_ROLE

    def decorate(view: F) -> F:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in allowed:
                abort(403)
            return view(*args, **kwargs)

        guarded.access = tuple(allowed)  # type: ignore[attr-defined]  # marker, as in public()
        return guarded  # type: ignore[return-value]  # wraps() keeps the signature; F is erased

    return decorate


def my_lender_id() -> int:
    """The signed-in officer's lender; a user without one has no lender pages (403)."""
    lender_id = getattr(current_user, "lender_id", None)
    if lender_id is None:
        abort(403)
    return int(lender_id)


def lender_object(model: type[T], object_id: int) -> T:
    """Return ``model`` ``object_id`` of my lender, or 404 (missing and foreign alike)."""
    obj = get_session().get(model, object_id)
    if obj is None or getattr(obj, "lender_id", None) != my_lender_id():
        abort(404)
    return obj
