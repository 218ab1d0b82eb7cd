"""What the officers' loan pages share: the ``loan_pages`` blueprint, the business date, the
owned loan (404 for another lender's), names of states in the reader's language, and the
small page helpers. The routes are in ``loans``, ``loan_requests`` and ``collection``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session
from werkzeug.exceptions import NotFound as HttpNotFound

from loanmath.ageing import COLLECTIBILITY

from ..db import get_session
from ..errors import DomainError, NotFound
from ..services.loan_page import LoanPage, loan_page
from ..services.loans.value_dates import business_date
from .authz import my_lender_id
from .i18n import lang
from .loan_forms import ConfirmForm, explain, put_errors

bp = Blueprint("loan_pages", __name__, url_prefix="/loans")  # "loans" is the API's
OFFICER = "loan_officer"
LOAN_ID = "<int(max=2147483647):loan_id>"

STATUS_NAMES = {
    "approved": _l("Approved, not paid out"),
    "active": _l("Active"),
    "closed": _l("Closed"),
    "written_off": _l("Written off"),
}
STATE_NAMES = {
    "paid": _l("Paid"),
    "overdue": _l("Overdue"),
    "due_today": _l("Due today"),
    "partial": _l("Partly paid"),
    "upcoming": _l("Not yet due"),
}
MOVEMENT_NAMES = {
    "disbursement": _l("Disbursement"),
    "principal_repayment": _l("Principal repaid"),
    "interest_repayment": _l("Interest paid"),
    "penalty_repayment": _l("Penalty paid"),
    "penalty_charge": _l("Penalty charged"),
    "write_off": _l("Written off"),
    "recovery": _l("Recovery"),
    "restructure": _l("Interest capitalised (restructuring)"),
    "repayment_reversal": _l("Repayment reversed"),
    "credit_balance": _l("Held as credit"),
    "refund": _l("Credit refunded"),
    "interest_write_off": _l("Interest written off"),
}
PENDING_NAMES = {
    "disbursement": _l("Disbursement"),
    "write_off": _l("Write-off"),
    "restructuring": _l("Restructuring"),
}


def today() -> date:
    """The business date of this request (``BUSINESS_DATE`` in config, else today in WIB)."""
    return business_date(current_app.config)


def grade_name(grade: int) -> str:
    info = COLLECTIBILITY[grade - 1]
    return f"Kol {grade} · {info.name_id if lang() == 'id' else info.name_en}"


def owned_page(loan_id: int) -> LoanPage:
    """The loan page's data, or the 404 page (missing and foreign loans alike)."""
    try:
        return loan_page(get_session(), my_lender_id(), loan_id, today())
    except NotFound:
        raise HttpNotFound() from None


def item_of(model: type[Any], item_id: int, loan_id: int) -> Any:
    """A request (disbursement, write-off, restructuring) of the loan in the URL, else 404."""
    item = get_session().get(model, item_id)
    if item is None or item.loan_id != loan_id:
        raise HttpNotFound()
    return item


def action_page(page: LoanPage, form: Any, title: str, action: str, status: int = 200) -> Any:
    return render_template(
        "web/loans/action.html", page=page, form=form, title=title, action=action
    ), status


def after_decision(loan_id: int, exc: DomainError | None, done: str) -> Any:
    """Commit or roll back a one-button decision and go back to the loan page."""
    db = get_session()
    if exc is None:
        db.commit()
        flash(done)
    else:
        db.rollback()
        reasons = [r for rs in exc.errors.values() for r in rs] or [exc.message]
        for reason in reasons:
            flash(_("Not done: %(reason)s", reason=explain(reason)))
    return redirect(url_for("loan_pages.show", loan_id=loan_id))


def submit_action(
    page: LoanPage,
    form: Any,
    title: str,
    action: str,
    post: Callable[[Session], str],
    field_of: dict[str, str] | None = None,
) -> Any:
    """The POST half of an action form: ``post`` calls the service in one unit of work and
    returns what to flash; then commit and go back to the loan page, or roll back and show
    the form again with the service's errors on their fields (422)."""
    if form.validate_on_submit():
        db = get_session()
        try:
            message = post(db)
        except DomainError as exc:
            db.rollback()
            put_errors(form, exc, field_of)
        else:
            db.commit()
            flash(message)
            return redirect(url_for("loan_pages.show", loan_id=page.loan.id))
    return action_page(page, form, title, action, 422)


def checker_button(
    loan_id: int, model: type[Any], item_id: int, decide: Callable[[Session], None], done: str
) -> Any:
    """A checker's one-button decision on a pending request (``model``) of the loan in the
    URL: 404 for another lender's loan or another loan's request, then ``decide``."""
    owned_page(loan_id)
    item_of(model, item_id, loan_id)
    if not ConfirmForm().validate_on_submit():
        return after_decision(loan_id, DomainError(_("The form expired: please reload.")), "")
    try:
        decide(get_session())
    except NotFound:
        raise HttpNotFound() from None
    except DomainError as exc:
        return after_decision(loan_id, exc, "")
    return after_decision(loan_id, None, done)
