"""Program managers' claim pages: subsidy claims with their lines, verification, payment,
the claim file; guarantor statements live in ``claims_guarantors`` on the same blueprint.

Every change goes through ``services.claims`` (which audits it) after a confirmation page
that shows what will change; forms are plain HTML POSTs with CSRF tokens.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from ..db import get_session
from ..errors import NotFound
from ..models import Application, Loan, SubsidyAccrual, SubsidyClaimLine
from ..services.claims import (
    record_subsidy_claim_payment,
    reject_subsidy_claim_line,
    verify_subsidy_claim,
)
from ..services.claims.export import claims_csv
from ..services.claims.statements import subsidy_claims_list, subsidy_reconciliation_by_program
from ..services.claims.subsidy_claims import get_subsidy_claim
from .authz import role_required
from .claims_forms import PaymentForm, RejectLineForm, store
from .loan_base import today
from .loan_forms import ConfirmForm
from .report_base import MANAGERS

bp = Blueprint("claim_pages", __name__, url_prefix="/claims")
CLAIM = "<int(max=2147483647):claim_id>"
LINE = "<int(max=2147483647):line_id>"
STATUSES = {
    "submitted": _l("Submitted"),
    "verified": _l("Verified"),
    "paid": _l("Paid"),
    "claimed": _l("Claimed"),
    "rejected": _l("Rejected"),
}


@bp.context_processor
def status_names() -> dict[str, Any]:
    """Every claim page names statuses in the user's language."""
    return {"statuses": STATUSES}


def _claim(claim_id: int) -> Any:
    try:
        return get_subsidy_claim(get_session(), claim_id)
    except NotFound:
        abort(404)


def _summary(claim_id: int) -> dict[str, Any]:
    """The claim's row of the list (with its reconciliation figures)."""
    claim = _claim(claim_id)
    rows = subsidy_claims_list(
        get_session(), lender_id=claim.lender_id, program_id=claim.program_id
    )
    found = next((r for r in rows if r["id"] == claim.id), None)
    if found is None:
        abort(404)
    return found


@bp.get("/")
@role_required(*MANAGERS)
def index() -> Any:
    """List the subsidy claims with their reconciliation, and the reconciliation by program."""
    status = request.args.get("status") or None
    if status not in (None, "submitted", "verified", "paid"):
        abort(422)
    session = get_session()
    rows = subsidy_claims_list(session, status=status)
    months = [r["month"] for r in rows]
    by_program = (
        subsidy_reconciliation_by_program(session, min(months), max(months)) if months else []
    )
    return render_template(
        "web/claims/index.html",
        rows=rows,
        by_program=by_program,
        status=status,
        statuses=STATUSES,
        first=min(months) if months else None,
        last=max(months) if months else None,
    )


@bp.get(f"/{CLAIM}")
@role_required(*MANAGERS)
def show(claim_id: int) -> Any:
    """Show one claim with every line (loan, period, average outstanding, rate, amount)."""
    summary = _summary(claim_id)
    line, acc = SubsidyClaimLine, SubsidyAccrual
    lines = get_session().execute(
        select(
            line.id,
            line.loan_id,
            line.amount,
            line.status,
            line.rejection_reason,
            Application.reference,
            acc.period_start,
            acc.period_end,
            acc.average_outstanding,
            acc.subsidy_rate,
        )
        .join(acc, acc.id == line.accrual_id)
        .join(Loan, Loan.id == line.loan_id)
        .join(Application, Application.id == Loan.application_id)
        .where(line.claim_id == claim_id)
        .order_by(line.loan_id, line.id)
    )
    return render_template(
        "web/claims/show.html", c=summary, lines=list(lines.mappings()), statuses=STATUSES
    )


@bp.get(f"/{CLAIM}.csv")
@role_required(*MANAGERS)
def download(claim_id: int) -> Any:
    """Download the claim file (CSV, one row per line; the layout is in README.md)."""
    claim = _claim(claim_id)
    body = claims_csv(get_session(), [claim.id]).encode("utf-8")
    name = f"subsidy-claim-{claim.id}-{claim.month:%Y-%m}.csv"
    return Response(
        body,
        mimetype="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _line(claim_id: int, line_id: int) -> SubsidyClaimLine:
    line = get_session().get(SubsidyClaimLine, line_id)
    if line is None or line.claim_id != claim_id:
        abort(404)
    return line


@bp.route(f"/{CLAIM}/lines/{LINE}/reject", methods=["GET", "POST"])
@role_required(*MANAGERS)
def reject_line(claim_id: int, line_id: int) -> Any:
    """Reject one line of a submitted claim, with a reason (the form is the confirmation)."""
    summary, line = _summary(claim_id), _line(claim_id, line_id)
    form = RejectLineForm()
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            stored, _result = store(
                form,
                lambda db: reject_subsidy_claim_line(
                    db, current_user.actor, line.id, reason=form.reason.data, rejected_on=today()
                ),
            )
            if stored:
                flash(_("Line rejected: it is left out of the verified total."))
                return redirect(url_for("claim_pages.show", claim_id=claim_id))
    return render_template(
        "web/claims/confirm.html", c=summary, line=line, form=form, action="reject"
    ), status


@bp.route(f"/{CLAIM}/verify", methods=["GET", "POST"])
@role_required(*MANAGERS)
def verify(claim_id: int) -> Any:
    """Confirm the verification: the verified total becomes the lines not rejected."""
    summary = _summary(claim_id)
    form = ConfirmForm()
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            stored, _result = store(
                form,
                lambda db: verify_subsidy_claim(
                    db, current_user.actor, claim_id, verified_on=today()
                ),
            )
            if stored:
                flash(_("Claim verified."))
                return redirect(url_for("claim_pages.show", claim_id=claim_id))
    return render_template("web/claims/confirm.html", c=summary, form=form, action="verify"), status


@bp.route(f"/{CLAIM}/pay", methods=["GET", "POST"])
@role_required(*MANAGERS)
def pay(claim_id: int) -> Any:
    """Record the payment: the form, then a confirmation showing any shortfall, then it is
    stored (``confirmed`` carries the step, so a form without it only shows the check)."""
    summary = _summary(claim_id)
    form = PaymentForm()
    status, confirming = 200, False
    if request.method == "GET":
        form.paid_on.data = today()
    elif form.validate_on_submit():
        amount = form.amount.amount
        if form.confirmed.data != "yes":
            confirming = True
            form.confirmed.data = "yes"
        else:
            stored, _result = store(
                form,
                lambda db: record_subsidy_claim_payment(
                    db,
                    current_user.actor,
                    claim_id,
                    paid_amount=amount,
                    paid_on=form.paid_on.data,
                ),
            )
            if stored:
                flash(_("Payment recorded."))
                return redirect(url_for("claim_pages.show", claim_id=claim_id))
            form.confirmed.data = ""
            status = 422
    else:
        status = 422
    amount = getattr(form.amount, "amount", None)
    return render_template(
        "web/claims/pay.html",
        c=summary,
        form=form,
        confirming=confirming,
        amount=amount,
        shortfall=(summary["verified_total"] - amount) if amount is not None else None,
    ), status
