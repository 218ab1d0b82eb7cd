"""The decision: approve (with the schedule previewed first), decline or refer; four eyes.

Every form posts as plain HTML (no script). Bad input re-renders the page with an error
summary naming each field in the user's language, and nothing is stored.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from loanmath.rupiah import parse_rupiah

from ..db import get_session
from ..errors import DomainError, Forbidden
from ..models import Application, User
from ..regulatory.debtor_check import record_refusal
from ..services import decisions
from . import labels
from .authz import lender_object, role_required
from .decision_form import DecisionForm
from .i18n import rupiah
from .loan_base import today
from .officer import render_application

bp = Blueprint("decide", __name__)


def _int_field(form: DecisionForm, name: str, money: bool = False) -> int | None:
    field = getattr(form, name)
    raw = (field.data or "").strip()
    if not raw:
        return None
    try:
        return parse_rupiah(raw) if money else int(raw)
    except ValueError:
        field.errors.append(_("Enter a whole number."))
        return None


def _term_message(code: str, terms: decisions.Terms) -> str:
    messages = {
        "outside_plafond": _("Must be between %(min)s and %(max)s.",
                             min=rupiah(terms.plafond_min), max=rupiah(terms.plafond_max)),
        "outside_tenor": _("Must be 1 to %(n)d months.", n=terms.max_tenor),
        "outside_grace": _("Must be 0 to %(n)d months.", n=terms.max_grace),
        "grace_not_shorter": _("Must be shorter than the tenor."),
    }  # fmt: skip
    return messages.get(code) or labels.label(labels.ERRORS, code)


def _attach(form: DecisionForm, errors: dict[str, list[str]], terms: decisions.Terms) -> None:
    """Put service error codes (or service sentences) on the form's fields."""
    for name, codes in errors.items():
        field = getattr(form, name, None)
        if field is None:
            target = form.form_errors
        else:
            field.errors = target = list(field.errors)
        for code in codes:
            target.append(_term_message(code, terms))


def req_outcome(form: DecisionForm) -> str:
    return (form.outcome.data or "").strip()


def _read(form: DecisionForm, application: Application) -> decisions.DecisionRequest | None:
    """The request the form describes, or None with errors on the form."""
    form.validate()
    for f in form:
        if isinstance(f.errors, tuple):
            f.errors = list(f.errors)
    amount = _int_field(form, "amount", money=True)
    tenor = _int_field(form, "tenor")
    grace = _int_field(form, "grace_principal") or 0
    referred_to = _int_field(form, "referred_to") if req_outcome(form) == "refer" else None
    req = decisions.DecisionRequest(
        outcome=(form.outcome.data or "").strip(),
        decided_on=today(),
        amount=amount,
        tenor=tenor,
        grace_principal=grace,
        reason_code=form.reason_code.data or None,
        override_reason_code=form.override_reason_code.data or None,
        text=form.text.data,
        referred_to=referred_to,
    )
    session = get_session()
    terms = decisions.terms_for(session, application)
    errors = decisions.validate(req, decisions.latest_score(session, application.id))
    if req.outcome == "approve" and amount is not None and tenor is not None:
        for name, codes in decisions.term_errors(terms, amount, tenor, grace).items():
            errors.setdefault(name, []).extend(codes)
    _attach(form, errors, terms)
    if form.form_errors or any(f.errors for f in form):
        return None
    return req


@bp.post("/applications/<int:application_id>/decision")
@role_required("loan_officer")
def decide(application_id: int) -> Any:
    """Check the decision; an approval first shows its schedule, then is confirmed."""
    application = lender_object(Application, application_id)
    if application.status == "referred" and not current_user.senior:
        return refused_referral()
    form = DecisionForm()
    req = _read(form, application)
    if req is None:
        return _invalid(application, form)
    session = get_session()
    if req.outcome == "approve" and form.confirm.data != "1":
        terms = decisions.terms_for(session, application)
        schedule = decisions.preview_schedule(
            terms, req.amount or 0, req.tenor or 0, req.grace_principal, req.decided_on
        )
        return render_template(
            "web/preview.html",
            application=application,
            form=form,
            req=req,
            terms=terms,
            schedule=schedule,
            labels=labels,
        )
    officer = session.get(User, current_user.id)
    assert officer is not None
    try:
        outcome = decisions.decide(session, current_user.actor, officer, application.id, req)
    except Forbidden:
        session.rollback()
        return refused_referral()
    except DomainError as exc:
        session.rollback()
        if record_refusal(session, current_user.actor, application.id, exc, req.decided_on):
            session.commit()
        _attach(form, exc.errors or {"_": [exc.message]}, decisions.terms_for(session, application))
        return _invalid(application, form, 409 if exc.status_code == 409 else 422)
    session.commit()
    if outcome.pending is not None:
        flash(_("The approval waits for a second officer of your lender."))
    else:
        flash(_("Decision recorded."))
    return redirect(url_for("officer.application_view", application_id=application.id))


def refused_referral() -> Any:
    """The 403 page for an officer who is not senior, on a referred application."""
    detail = labels.label(labels.ERRORS, "senior_required")
    return render_template("web/error.html", status=403, message=detail, detail=detail), 403


def _invalid(application: Application, form: DecisionForm, status: int = 422) -> Any:
    return render_application(application, form), status


@bp.post("/approval-requests/<int:request_id>/<action>")
@role_required("loan_officer")
def resolve(request_id: int, action: str) -> Any:
    """A second officer confirms or rejects an approval above the four-eyes amount."""
    from ..models import ApprovalRequest

    if action not in ("confirm", "reject"):
        abort(404)
    pending = lender_object(ApprovalRequest, request_id)
    form = FlaskForm()
    if not form.validate_on_submit():
        abort(400)
    session = get_session()
    officer = session.get(User, current_user.id)
    assert officer is not None
    try:
        if action == "confirm":
            decisions.confirm_request(session, current_user.actor, officer, pending.id, today())
            flash(_("Approval confirmed: the loan is made."))
        else:
            decisions.reject_request(session, current_user.actor, officer, pending.id, today())
            flash(_("Approval rejected: the application is back in the queue."))
    except DomainError as exc:
        session.rollback()
        if record_refusal(session, current_user.actor, pending.application_id, exc, today()):
            session.commit()
        codes = [c for v in exc.errors.values() for c in v] or [exc.message]
        flash(" ".join(labels.label(labels.ERRORS, c) for c in codes))
    else:
        session.commit()
    return redirect(url_for("officer.application_view", application_id=pending.application_id))
