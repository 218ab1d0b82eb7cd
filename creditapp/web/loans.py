"""The officers' loans: list, loan page, repayment and disbursement (maker-checker).

Every view needs a loan officer (403 for other roles) and reads only the officer's lender's
loans (another lender's loan answers 404 exactly like a missing one). Forms work without
JavaScript; each successful POST redirects (post/redirect/get), and a form that moves money
carries a one-time token that the service uses as its idempotency key, so a form sent twice
posts once. Restructuring and write-off steps are in ``loan_requests``, the collection sheet in
``collection``; all three add their routes to ``loan_base.bp``.
"""

from __future__ import annotations

from typing import Any

from flask import render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import Session

from ..charts_loans import ChartText, HistoryPoint, loan_history_svg
from ..db import get_session
from ..models import Disbursement
from ..services.loan_page import LOAN_LIST_STATUSES, LoanPage, loan_list
from ..services.loans.repayment import post_repayment
from ..services.loans.requests import confirm_lender_disbursement, request_lender_disbursement
from .authz import my_lender_id, role_required
from .i18n import day
from .loan_base import (
    LOAN_ID,
    MOVEMENT_NAMES,
    OFFICER,
    PENDING_NAMES,
    STATE_NAMES,
    STATUS_NAMES,
    action_page,
    bp,
    checker_button,
    grade_name,
    owned_page,
    submit_action,
    today,
)
from .loan_forms import ConfirmForm, DisbursementForm, RepaymentForm, new_token


def history_chart(page: LoanPage) -> str:
    """The days-past-due history as SVG, in the reader's language."""
    points = [HistoryPoint(p.as_of, p.dpd, p.collectibility) for p in page.history]
    worst = max((p.dpd for p in points), default=0)
    text = ChartText(
        title=_("Days past due and collectibility"),
        axis=_("days past due"),
        description=_(
            "Days past due from %(first)s to %(last)s; at most %(worst)d days; now %(now)d days, "
            "%(grade)s.",
            first=day(points[0].as_of) if points else "–",
            last=day(points[-1].as_of) if points else "–",
            worst=worst,
            now=page.loan.dpd,
            grade=grade_name(page.loan.collectibility),
        ),
        empty=_("No end-of-day history yet."),
        grade=lambda g: f"Kol {g}",
        date=day,
    )
    return loan_history_svg(points, text, chart_id=f"history-{page.loan.id}")


@bp.get("")
@role_required(OFFICER)
def index() -> Any:
    """List my lender's loans, newest first."""
    status = request.args.get("status") or None
    if status not in (None, *LOAN_LIST_STATUSES):
        status = None
    before = request.args.get("before", type=int)
    rows = loan_list(get_session(), my_lender_id(), status=status, before_id=before, limit=51)
    more = len(rows) > 50
    rows = rows[:50]
    return render_template(
        "web/loans/index.html",
        rows=rows,
        status=status,
        more=more,
        statuses=STATUS_NAMES,
        grade_name=grade_name,
    )


@bp.get(f"/{LOAN_ID}")
@role_required(OFFICER)
def show(loan_id: int) -> Any:
    """Show one loan: balances, history, pending approvals, schedule and movements."""
    page = owned_page(loan_id)
    return render_template(
        "web/loans/show.html",
        page=page,
        chart=history_chart(page),
        confirm=ConfirmForm(),
        statuses=STATUS_NAMES,
        states=STATE_NAMES,
        movements=MOVEMENT_NAMES,
        pending_names=PENDING_NAMES,
        grade_name=grade_name,
        me=current_user.id,
    )


@bp.route(f"/{LOAN_ID}/repayment", methods=["GET", "POST"])
@role_required(OFFICER)
def repayment(loan_id: int) -> Any:
    """Post a repayment; the form's token makes a second send of the same form a replay."""
    page = owned_page(loan_id)
    form = RepaymentForm()
    title = _("Post a repayment")
    action = url_for("loan_pages.repayment", loan_id=loan_id)
    if request.method == "GET":
        form.paid_on.data = today()
        form.token.data = new_token()
        return action_page(page, form, title, action)

    def post(db: Session) -> str:
        done = post_repayment(
            db,
            current_user.actor,
            loan_id,
            lender_id=my_lender_id(),
            amount=form.amount.amount,
            paid_on=form.paid_on.data,
            idempotency_key=f"web:{form.token.data}",
            channel=form.channel.data,
            apply_as=form.apply_as.data,
            business_date=today(),
        )
        if done.replayed:
            return str(_("This repayment was already posted; it was not posted again."))
        return str(_("Repayment posted."))

    return submit_action(page, form, title, action, post, {"Idempotency-Key": "token"})


@bp.route(f"/{LOAN_ID}/disbursement", methods=["GET", "POST"])
@role_required(OFFICER)
def disbursement(loan_id: int) -> Any:
    """Request a disbursement (the maker); another officer of my lender confirms it."""
    page = owned_page(loan_id)
    form = DisbursementForm()
    title = _("Request a disbursement")
    action = url_for("loan_pages.disbursement", loan_id=loan_id)
    if request.method == "GET":
        form.disbursed_on.data = today()
        form.token.data = new_token()
        left = page.loan.principal - page.loan.disbursed_amount
        form.amount.data = str(left) if left > 0 else ""
        return action_page(page, form, title, action)

    def post(db: Session) -> str:
        request_lender_disbursement(
            db,
            current_user.actor,
            loan_id,
            lender_id=my_lender_id(),
            requested_by=current_user.id,
            amount=form.amount.amount,
            disbursed_on=form.disbursed_on.data,
            idempotency_key=f"web:{form.token.data}",
        )
        return str(_("Disbursement requested: another officer must confirm it."))

    return submit_action(page, form, title, action, post, {"Idempotency-Key": "token"})


@bp.post(f"/{LOAN_ID}/disbursements/<int(max=2147483647):item_id>/confirm")
@role_required(OFFICER)
def confirm_disbursement(loan_id: int, item_id: int) -> Any:
    """Confirm a pending disbursement (the checker: not the officer who asked)."""

    def decide(db: Session) -> None:
        confirm_lender_disbursement(
            db,
            current_user.actor,
            item_id,
            lender_id=my_lender_id(),
            confirmed_by=current_user.id,
            confirmed_on=today(),
        )

    done = _("Disbursement confirmed: the money is paid out.")
    return checker_button(loan_id, Disbursement, item_id, decide, done)
