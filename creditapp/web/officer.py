"""Loan officers' pages: the queue and the explained application."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from ..db import get_session
from ..models import Application, CreditProgram, Decision, Enterprise, Loan, User
from ..regulatory.debtor_check import check_debtor
from ..services import decisions, explanation, queue
from . import labels
from .authz import lender_object, my_lender_id, role_required
from .charts import flows_svg, marketplace_svg, savings_svg, waterfall_svg
from .decision_form import DecisionForm
from .loan_base import STATUS_NAMES, grade_name, today

bp = Blueprint("officer", __name__)


def mask_nik(nik: str) -> str:
    """Show a national ID number as its region code and last two digits: ``3201 **** **** **01``."""
    digits = "".join(ch for ch in nik if ch.isdigit())
    if len(digits) < 8:
        return "*" * len(digits)
    return f"{digits[:4]} **** **** **{digits[-2:]}"


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def queue_filters(args: MultiDict[str, str], user_id: int | None = None) -> queue.QueueFilters:
    """Read the queue's filters from the query string; unknown values are ignored."""
    band = args.get("band") or None
    return queue.QueueFilters(
        status=args.get("status") if args.get("status") in queue.AWAITING else None,
        band=band if band in ("A", "B", "C", "D", "E") else None,
        program=(args.get("program") or None),
        province=(args.get("province") or None),
        applied_from=_day(args.get("from")),
        applied_to=_day(args.get("to")),
        sort=args.get("sort", "waiting") if args.get("sort") in queue.SORTS else "waiting",
        after=args.get("after") or None,
        referred_to_me=user_id if args.get("referred") == "me" and user_id is not None else None,
    )


@bp.get("/queue")
@role_required("loan_officer")
def queue_view() -> Any:
    """Show my lender's applications awaiting a decision."""
    session = get_session()
    filters = queue_filters(request.args, current_user.id if current_user.senior else None)
    page = queue.queue_page(session, my_lender_id(), filters)
    to_me, to_seniors = queue.referral_counts(session, my_lender_id(), current_user.id)
    programs = session.scalars(select(CreditProgram.code).order_by(CreditProgram.code)).all()
    args = {k: v for k, v in request.args.items() if k != "after" and v}
    return render_template(
        "web/queue.html",
        page=page,
        filters=filters,
        programs=programs,
        args=args,
        statuses=queue.AWAITING,
        labels=labels,
        to_me=to_me,
        to_seniors=to_seniors,
    )


def application_context(application: Application) -> dict[str, Any]:
    """Everything the application page (and the letter) shows."""
    session = get_session()
    enterprise = session.get(Enterprise, application.enterprise_id)
    program = session.get(CreditProgram, application.program_id)
    record = decisions.latest_score(session, application.id)
    result = json.loads(record.result_json) if record else {}
    decision = session.scalars(
        select(Decision)
        .where(Decision.application_id == application.id)
        .order_by(Decision.id.desc())
    ).first()
    loan_id = session.scalar(select(Loan.id).where(Loan.application_id == application.id))
    pending = decisions.pending_request(session, application.id)
    people = {}
    ids = {pending.requested_by if pending else None}
    if decision is not None:
        ids |= {decision.decided_by, decision.confirmed_by}
    if application.referred_to is not None:
        ids.add(application.referred_to)
    for user_id in ids - {None}:
        user = session.get(User, user_id)
        people[user_id] = user.name if user else "?"
    reasons = [r for r in (record.reasons if record else []) if not r.get("positive")]
    positives = [r for r in (record.reasons if record else []) if r.get("positive")]
    return {
        "application": application,
        "enterprise": enterprise,
        "program": program,
        "record": record,
        "expected_bad_rate": result.get("expected_bad_rate"),
        "reasons": reasons,
        "positives": positives,
        "decision": decision,
        "loan_id": loan_id,
        "pending": pending,
        "people": people,
        "nik": mask_nik(enterprise.owner_nik) if enterprise else "",
        # The same NIK's loans at every lender; another lender's name and loan id are masked.
        "debtor_check": check_debtor(session, application, today()),
        "loan_status_names": STATUS_NAMES,
        "grade_name": grade_name,
        "labels": labels,
        "terms": decisions.terms_for(session, application),
        # A referred application is decided by a senior officer only; others see who has it.
        "may_decide": application.status != "referred" or bool(current_user.senior),
        "seniors": [
            u
            for u in decisions.seniors_of(session, application.lender_id)
            if u.id != current_user.id
        ],
    }


@bp.get("/applications/<int:application_id>")
@role_required("loan_officer")
def application_view(application_id: int) -> Any:
    """Show one application of my lender: score, reasons, data and the decision form."""
    return render_application(lender_object(Application, application_id))


def render_application(application: Application, form: Any = None) -> str:
    """The application page, with ``form`` (re-shown with its errors) or a fresh one."""
    session = get_session()
    ctx = application_context(application)
    record = ctx["record"]
    charts: dict[str, Any] = {}
    if record is not None:
        wf = explanation.waterfall(session, record)
        if wf is not None:
            charts["waterfall"] = waterfall_svg(
                wf, lambda c: labels.label(labels.CHARACTERISTICS, c)
            )
            charts["waterfall_data"] = wf
        ctx["recourse"] = explanation.recourse_steps(session, record)
    flows = explanation.monthly_flows(session, application.id)
    if flows:
        charts["flows"] = flows_svg(flows)
    months = explanation.marketplace(session, application.id)
    if months:
        charts["marketplace"] = marketplace_svg(months)
    savings = explanation.savings(session, application.id)
    if savings:
        charts["savings"] = savings_svg(savings)
    if form is None:
        form = DecisionForm(formdata=None)
    if record is not None and form.amount.data is None:
        form.amount.data = str(record.recommended_amount or application.requested_amount)
        form.tenor.data = str(record.recommended_tenor or application.tenor_months)
    return render_template(
        "web/application.html",
        charts=charts,
        flows=flows,
        months=months,
        form=form,
        title=_("Application %(id)d", id=application.id),
        **ctx,
    )
