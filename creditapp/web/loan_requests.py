"""Restructuring and write-off on the loan page: one officer asks, another decides.

The maker fills a form (``restructuring``, ``write_off``); the request then waits on the
loan page, where any other officer of the lender approves it with one button, or, for a
restructuring, rejects it with a reason. The services refuse the maker as checker, so the
rule holds even for a hand-made request.
"""

from __future__ import annotations

from typing import Any

from flask import render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import Session
from werkzeug.exceptions import NotFound as HttpNotFound

from ..db import get_session
from ..errors import DomainError, NotFound
from ..models import RestructuringRequest, WriteOff
from ..services.loans.requests import (
    approve_lender_write_off,
    approve_restructuring,
    reject_restructuring,
    request_lender_write_off,
    request_restructuring,
)
from .authz import my_lender_id, role_required
from .loan_base import (
    LOAN_ID,
    OFFICER,
    action_page,
    after_decision,
    bp,
    checker_button,
    item_of,
    owned_page,
    submit_action,
    today,
)
from .loan_forms import ConfirmForm, RejectForm, RestructuringForm, WriteOffForm, put_errors

ITEM_ID = "<int(max=2147483647):item_id>"


@bp.route(f"/{LOAN_ID}/restructuring", methods=["GET", "POST"])
@role_required(OFFICER)
def restructuring(loan_id: int) -> Any:
    """Ask for a restructuring (grace, extension, new rate); another officer approves it."""
    page = owned_page(loan_id)
    form = RestructuringForm()
    title = _("Request a restructuring")
    action = url_for("loan_pages.restructuring", loan_id=loan_id)
    if request.method == "GET":
        form.effective_on.data = today()
        return action_page(page, form, title, action)

    def post(db: Session) -> str:
        request_restructuring(
            db,
            current_user.actor,
            loan_id,
            lender_id=my_lender_id(),
            requested_by=current_user.id,
            requested_on=today(),
            effective_on=form.effective_on.data,
            grace_months=form.grace_months.data,
            extension_months=form.extension_months.data,
            new_rate=form.new_rate.rate,
            reason=form.reason.data,
        )
        return str(_("Restructuring requested: another officer must approve it."))

    return submit_action(page, form, title, action, post)


@bp.route(f"/{LOAN_ID}/restructurings/{ITEM_ID}", methods=["GET", "POST"])
@role_required(OFFICER)
def restructuring_decision(loan_id: int, item_id: int) -> Any:
    """Show a restructuring request; approve it (POST ``approve``) or reject it with a reason."""
    page = owned_page(loan_id)  # 404 unless the loan is my lender's
    item: RestructuringRequest = item_of(RestructuringRequest, item_id, loan_id)
    reject = RejectForm()
    status = 200
    if request.method == "POST":
        actor, lender = current_user.actor, my_lender_id()
        try:
            if "approve" in request.form:
                if not ConfirmForm().validate_on_submit():
                    raise DomainError(_("The form expired: please reload."))
                approve_restructuring(
                    get_session(),
                    actor,
                    item.id,
                    lender_id=lender,
                    approved_by=current_user.id,
                    approved_on=today(),
                )
                return after_decision(loan_id, None, _("Restructuring approved: new schedule."))
            if reject.validate_on_submit():
                reject_restructuring(
                    get_session(),
                    actor,
                    item.id,
                    lender_id=lender,
                    rejected_by=current_user.id,
                    rejected_on=today(),
                    note=reject.note.data,
                )
                return after_decision(loan_id, None, _("Restructuring rejected."))
            status = 422
        except NotFound:
            raise HttpNotFound() from None
        except DomainError as exc:
            if "approve" in request.form:
                return after_decision(loan_id, exc, "")
            get_session().rollback()
            put_errors(reject, exc)
            status = 422
    return render_template(
        "web/loans/restructuring.html",
        page=page,
        item=item,
        reject=reject,
        confirm=ConfirmForm(),
        me=current_user.id,
    ), status


@bp.route(f"/{LOAN_ID}/write-off", methods=["GET", "POST"])
@role_required(OFFICER)
def write_off(loan_id: int) -> Any:
    """Ask to write the loan off; another officer approves it."""
    page = owned_page(loan_id)
    form = WriteOffForm()
    title = _("Request a write-off")
    action = url_for("loan_pages.write_off", loan_id=loan_id)
    if request.method == "GET":
        return action_page(page, form, title, action)

    def post(db: Session) -> str:
        request_lender_write_off(
            db,
            current_user.actor,
            loan_id,
            lender_id=my_lender_id(),
            requested_by=current_user.id,
            requested_on=today(),
            reason=form.reason.data,
            override_reason=form.override_reason.data,
        )
        return str(_("Write-off requested: another officer must approve it."))

    return submit_action(page, form, title, action, post)


@bp.post(f"/{LOAN_ID}/write-offs/{ITEM_ID}/approve")
@role_required(OFFICER)
def approve_write_off(loan_id: int, item_id: int) -> Any:
    """Approve a pending write-off (the checker: not the officer who asked)."""

    def decide(db: Session) -> None:
        approve_lender_write_off(
            db,
            current_user.actor,
            item_id,
            lender_id=my_lender_id(),
            approved_by=current_user.id,
            approved_on=today(),
        )

    return checker_button(loan_id, WriteOff, item_id, decide, _("Write-off approved."))
