"""The guarantee cycle on the claim pages: a guarantor's claims with payment and rejection,
IJP payment, subrogation paid over (program managers and admins), and the guarantor set-up
(admins only).

Every change goes through ``services.claims`` / ``services.loans`` (which audit it); a money
event shows what it will store before it is stored (``confirmed`` carries the step, so a
form without it only shows the check). Read-only figures come from
``services.claims.guarantee_lists``.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select

from ..db import get_session
from ..models import CreditProgram, Guarantor, SubrogationPayment
from ..services.claims import (
    create_guarantor,
    pay_subrogation_share,
    record_ijp_payment,
    reject_guarantee_claim,
    set_program_guarantee,
)
from ..services.claims.guarantee_lists import (
    CLAIM_STATES,
    guarantee_claim,
    guarantee_claims,
    ijp_due,
    program_guarantee_rows,
    subrogation_owed,
)
from ..services.claims.guarantees import guarantors
from ..services.loans import record_claim_payment
from .authz import role_required
from .claims import STATUSES, bp
from .claims_forms import store
from .claims_guarantors import CODE
from .guarantee_forms import (
    ClaimPaymentForm,
    ClaimRejectionForm,
    GuarantorForm,
    IjpPaymentForm,
    ProgramGuaranteeForm,
    SubrogationForm,
    guarantee_errors,
)
from .i18n import rupiah
from .loan_base import today
from .report_base import MANAGERS

ID = "<int(max=2147483647):{}>"
CLAIM_LIMIT = 100  # the newest claims shown; the filter narrows the rest


def _guarantor(code: str) -> Guarantor:
    found = get_session().scalar(select(Guarantor).where(Guarantor.code == code.upper()))
    if found is None:
        abort(404)
    return found


def _claim(g: Guarantor, claim_id: int) -> dict[str, Any]:
    found = guarantee_claim(get_session(), g.id, claim_id)
    if found is None:
        abort(404)
    return found


def _claims_url(g: Guarantor) -> str:
    return url_for("claim_pages.guarantee_claim_list", code=g.code)


@bp.get(f"/guarantors/{CODE}/claims")
@role_required(*MANAGERS)
def guarantee_claim_list(code: str) -> Any:
    """The guarantor's claims, newest first, filterable by status (the newest 100 shown)."""
    g = _guarantor(code)
    status = request.args.get("status") or None
    if status not in (None, *CLAIM_STATES):
        abort(422)
    rows, total = guarantee_claims(get_session(), g.id, status=status, limit=CLAIM_LIMIT)
    return render_template(
        "web/claims/guarantee_claims.html",
        g=g,
        rows=rows,
        total=total,
        status=status,
        states=CLAIM_STATES,
        statuses=STATUSES,
    )


@bp.route(f"/guarantors/{CODE}/claims/{ID.format('claim_id')}/pay", methods=["GET", "POST"])
@role_required(*MANAGERS)
def guarantee_claim_pay(code: str, claim_id: int) -> Any:
    """Record the guarantor's payment of a claim: form, confirmation (claimed, paid, any
    shortfall), then ``record_claim_payment``."""
    g = _guarantor(code)
    claim = _claim(g, claim_id)
    form = ClaimPaymentForm()
    status, confirming = 200, False
    if request.method == "GET":
        form.paid_on.data = today()
    elif not form.validate_on_submit():
        status = 422
    elif form.amount.amount > claim["amount"]:
        form.amount.errors = [_("More than the amount claimed.")]
        form.confirmed.data, status = "", 422
    elif form.confirmed.data != "yes":
        confirming, form.confirmed.data = True, "yes"
    else:
        stored, _result = store(
            form,
            lambda db: record_claim_payment(
                db,
                current_user.actor,
                claim_id,
                paid_amount=form.amount.amount,
                paid_on=form.paid_on.data,
            ),
            lambda f, exc: guarantee_errors(f, exc, {"paid_amount": "amount"}),
        )
        if stored:
            flash(_("Claim payment recorded."))
            return redirect(_claims_url(g))
        form.confirmed.data, status = "", 422
    amount = getattr(form.amount, "amount", None)
    return render_template(
        "web/claims/guarantee_pay.html",
        g=g,
        c=claim,
        form=form,
        confirming=confirming,
        amount=amount,
        shortfall=(claim["amount"] - amount) if amount is not None else None,
        statuses=STATUSES,
    ), status


@bp.route(f"/guarantors/{CODE}/claims/{ID.format('claim_id')}/reject", methods=["GET", "POST"])
@role_required(*MANAGERS)
def guarantee_claim_reject(code: str, claim_id: int) -> Any:
    """Record that the guarantor rejected a claim, with its reason and date (the form shows
    the claim and is the confirmation)."""
    g = _guarantor(code)
    claim = _claim(g, claim_id)
    form = ClaimRejectionForm()
    status = 200
    if request.method == "GET":
        form.rejected_on.data = today()
    elif not form.validate_on_submit():
        status = 422
    else:
        stored, _result = store(
            form,
            lambda db: reject_guarantee_claim(
                db,
                current_user.actor,
                claim_id,
                reason=form.reason.data,
                rejected_on=form.rejected_on.data,
            ),
            guarantee_errors,
        )
        if stored:
            flash(_("Claim rejection recorded."))
            return redirect(_claims_url(g))
        status = 422
    return render_template(
        "web/claims/guarantee_reject.html", g=g, c=claim, form=form, statuses=STATUSES
    ), status


@bp.route(f"/guarantors/{CODE}/ijp", methods=["GET", "POST"])
@role_required(*MANAGERS)
def ijp_pay(code: str) -> Any:
    """Pay IJP: covers opened up to a date and the value date, then a confirmation with how
    many covers and what total will be marked paid (``ijp_due``, nothing stored), then
    ``record_ijp_payment``."""
    g = _guarantor(code)
    form = IjpPaymentForm()
    db = get_session()
    status, due = 200, None
    if request.method == "GET":
        form.started_to.data = form.paid_on.data = today()
    elif not form.validate_on_submit():
        status = 422
    elif form.paid_on.data < form.started_to.data:
        form.paid_on.errors = [_("Must not be before the last day of the covers.")]
        form.confirmed.data, status = "", 422
    else:
        due = ijp_due(db, g.id, form.started_to.data)
        if not due[0]:
            form.started_to.errors = [
                _("No unpaid IJP of this guarantor on covers opened by this date.")
            ]
            form.confirmed.data, status, due = "", 422, None
        elif form.confirmed.data != "yes":
            form.confirmed.data = "yes"
        else:
            stored, result = store(
                form,
                lambda db: record_ijp_payment(
                    db,
                    current_user.actor,
                    g.id,
                    started_to=form.started_to.data,
                    paid_on=form.paid_on.data,
                ),
                guarantee_errors,
            )
            if not stored:
                form.confirmed.data, status, due = "", 422, None
            else:
                covers, total = result
                paid = rupiah(total)
                flash(
                    ngettext(
                        "IJP paid: %(num)d cover, %(total)s.",
                        "IJP paid: %(num)d covers, %(total)s.",
                        covers,
                        total=paid,
                    )
                )
                return redirect(url_for("claim_pages.statement", code=g.code))
    unpaid = ijp_due(db, g.id, today())
    return render_template(
        "web/claims/ijp_pay.html", g=g, form=form, due=due, unpaid=unpaid
    ), status


@bp.get(f"/guarantors/{CODE}/subrogation")
@role_required(*MANAGERS)
def subrogation_list(code: str) -> Any:
    """The recoveries whose guarantor share is still owed, each with its pay action."""
    g = _guarantor(code)
    rows = subrogation_owed(get_session(), g.id)
    return render_template(
        "web/claims/subrogation.html", g=g, rows=rows, total=sum(r["guarantor_share"] for r in rows)
    )


@bp.route(f"/guarantors/{CODE}/subrogation/{ID.format('recovery_id')}/pay", methods=["GET", "POST"])
@role_required(*MANAGERS)
def subrogation_pay(code: str, recovery_id: int) -> Any:
    """Confirm and pay the guarantor its share of one recovery (``pay_subrogation_share``)."""
    g = _guarantor(code)
    db = get_session()
    row = next((r for r in subrogation_owed(db, g.id) if r["id"] == recovery_id), None)
    if row is None:
        paid = db.scalar(
            select(SubrogationPayment.id).where(
                SubrogationPayment.recovery_id == recovery_id,
                SubrogationPayment.guarantor_id == g.id,
            )
        )
        if paid is None:  # no such recovery, or none owed to this guarantor
            abort(404)
        flash(_("This share was paid over already."))
        return redirect(url_for("claim_pages.subrogation_list", code=g.code))
    form = SubrogationForm()
    status = 200
    if request.method == "GET":
        form.paid_on.data = today()
    elif not form.validate_on_submit():
        status = 422
    else:
        stored, _result = store(
            form,
            lambda db: pay_subrogation_share(
                db, current_user.actor, recovery_id, paid_on=form.paid_on.data
            ),
            guarantee_errors,
        )
        if stored:
            flash(_("Subrogation share paid over."))
            return redirect(url_for("claim_pages.subrogation_list", code=g.code))
        status = 422
    return render_template("web/claims/subrogation_pay.html", g=g, r=row, form=form), status


def _setup_forms() -> tuple[GuarantorForm, ProgramGuaranteeForm]:
    db = get_session()
    guarantor_form = GuarantorForm(prefix="new")
    program_form = ProgramGuaranteeForm(prefix="set")
    programs = db.scalars(select(CreditProgram).order_by(CreditProgram.code))
    program_form.program.choices = [(p.id, f"{p.code} · {p.name}") for p in programs]
    program_form.guarantor.choices = [(x.id, f"{x.code} · {x.name}") for x in guarantors(db)]
    return guarantor_form, program_form


def _setup_page(guarantor_form: GuarantorForm, program_form: ProgramGuaranteeForm) -> str:
    return render_template(
        "web/claims/guarantee_setup.html",
        guarantor_form=guarantor_form,
        program_form=program_form,
        rows=program_guarantee_rows(get_session()),
        guarantors=guarantors(get_session()),
    )


@bp.get("/guarantees")
@role_required("admin")
def guarantee_setup() -> Any:
    """The programs' guarantee rows, and the forms to add a guarantor or a program's row."""
    guarantor_form, program_form = _setup_forms()
    program_form.effective_from.data = today()
    return _setup_page(guarantor_form, program_form)


@bp.post("/guarantees/guarantors")
@role_required("admin")
def guarantor_create() -> Any:
    """Register a guarantor (code, name)."""
    guarantor_form, program_form = _setup_forms()
    if guarantor_form.validate_on_submit():
        stored, made = store(
            guarantor_form,
            lambda db: create_guarantor(
                db, current_user.actor, guarantor_form.code.data, guarantor_form.name.data
            ),
            guarantee_errors,
        )
        if stored:
            flash(_("Guarantor %(code)s added.", code=made.code))
            return redirect(url_for("claim_pages.guarantee_setup"))
    program_form.effective_from.data = today()
    return _setup_page(guarantor_form, program_form), 422


@bp.post("/guarantees/programs")
@role_required("admin")
def program_guarantee_set() -> Any:
    """Set a program's guarantor and IJP rate from a date on (``set_program_guarantee``)."""
    guarantor_form, program_form = _setup_forms()
    if program_form.validate_on_submit():
        stored, _result = store(
            program_form,
            lambda db: set_program_guarantee(
                db,
                current_user.actor,
                program_id=program_form.program.data,
                guarantor_id=program_form.guarantor.data,
                ijp_rate=program_form.ijp_rate.rate,
                effective_from=program_form.effective_from.data,
            ),
            guarantee_errors,
        )
        if stored:
            flash(_("Program guarantee saved."))
            return redirect(url_for("claim_pages.guarantee_setup"))
    return _setup_page(guarantor_form, program_form), 422
