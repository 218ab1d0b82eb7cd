"""Program administration pages (/admin/programs): programs, their dated terms and quotas.

Admins create programs, add a version of the terms from a date and set annual quotas;
program managers may read. Every change goes through ``services.program_admin`` /
``program_quotas`` (validated, audited) behind a confirmation step: the first POST checks
the change in a savepoint that is rolled back and shows it, the second applies and commits.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from loanmath.rupiah import parse_rupiah

from ..db import get_session
from ..errors import DomainError, NotFound
from ..models import CreditProgram, Lender
from ..services import program_admin, program_quotas
from ..services.loans.value_dates import business_date
from ..services.program_terms import as_plain, terms_in_force, terms_of_program, versions_of
from ..services.programs import program_by_code
from .admin_program_forms import (
    TERM_LABELS,
    ProgramForm,
    QuotaForm,
    TermsForm,
    fill_terms,
    term_text,
    terms_from,
)
from .authz import role_required

bp = Blueprint("admin_programs", __name__, url_prefix="/admin/programs")
EDITORS = ("admin",)
READERS = ("admin", "program_manager")
PROGRAM_FIELDS = ("code", "name", "segment", "active_from", "active_to", "quota_total")


def _today() -> date:
    return business_date(current_app.config)


def _program(code: str) -> CreditProgram:
    try:
        return program_by_code(get_session(), code)
    except NotFound:
        abort(404)


def _attach(form: FlaskForm, errors: dict[str, list[str]], prefix: str = "") -> None:
    """Put the service's errors beside their fields; others go to the summary."""
    for name, messages in errors.items():
        field = getattr(form, name.removeprefix(prefix), None)
        if field is not None and hasattr(field, "errors"):
            field.errors = list(messages)
        else:
            form.form_errors.extend(f"{name}: {m}" for m in messages)


def _check_then_apply(form: FlaskForm, change: Any, prefix: str = "") -> tuple[bool, Any]:
    """Run ``change``; unconfirmed, inside a savepoint rolled back. Return (applied, result)."""
    session = get_session()
    confirmed = form.confirmed.data == "yes"
    savepoint = None if confirmed else session.begin_nested()
    try:
        result = change()
    except DomainError as exc:
        if savepoint is not None:
            savepoint.rollback()
        else:
            session.rollback()
        _attach(form, exc.errors or {"_": [exc.message]}, prefix)
        form.confirmed.data = ""
        return False, None
    if savepoint is not None:
        savepoint.rollback()
        form.confirmed.data = "yes"
        return False, "checked"
    session.commit()
    return True, result


@bp.route("/")
@role_required(*READERS)
def index() -> Any:
    """List the programs with the terms in force today."""
    session = get_session()
    today = _today()
    rows = []
    for program in session.scalars(select(CreditProgram).order_by(CreditProgram.code)):
        version = terms_in_force(session, program.id, today)
        rows.append({"program": program, "terms": version or program, "version": version})
    return render_template("web/admin/programs.html", rows=rows, today=today)


@bp.route("/<code>")
@role_required(*READERS)
def detail(code: str) -> Any:
    """Show a program: every version of its terms and its annual quotas with their use."""
    session = get_session()
    program = _program(code)
    versions = [
        as_plain(v) | {"effective_from": v.effective_from} for v in versions_of(session, program.id)
    ]
    in_force = terms_in_force(session, program.id, _today())
    return render_template(
        "web/admin/program.html",
        program=program,
        versions=versions,
        in_force=in_force.effective_from if in_force else None,
        quotas=program_quotas.quotas_of(session, program.id),
        labels=TERM_LABELS,
        term_text=term_text,
        can_edit=current_user.role in EDITORS,
        last_approval=program_admin.last_approval(session, program.id),
    )


@bp.route("/new", methods=["GET", "POST"])
@role_required(*EDITORS)
def create() -> Any:
    """Create a program with its first terms (checked, then confirmed)."""
    session = get_session()
    form = ProgramForm()
    if request.method == "GET":
        template = session.scalar(select(CreditProgram).order_by(CreditProgram.id))
        if template is not None:
            fill_terms(form, terms_of_program(template))
    if form.validate_on_submit():
        raw = {name: getattr(form, name).data for name in PROGRAM_FIELDS}
        if raw["quota_total"]:
            try:
                raw["quota_total"] = parse_rupiah(raw["quota_total"])
            except ValueError:
                pass  # the service names it
        raw["terms"] = terms_from(form)
        applied, program = _check_then_apply(
            form,
            lambda: program_admin.create_program(session, current_user.actor, raw, today=_today()),
            prefix="terms.",
        )
        if applied:
            flash(_("Program %(code)s created.", code=program.code))
            return redirect(url_for("admin_programs.detail", code=program.code))
    status = 422 if request.method == "POST" and not form.confirmed.data else 200
    return render_template("web/admin/program_form.html", form=form, program=None), status


@bp.route("/<code>/versions/new", methods=["GET", "POST"])
@role_required(*EDITORS)
def new_version(code: str) -> Any:
    """Add a version of the terms from a date (never reaching a loan already made)."""
    session = get_session()
    program = _program(code)
    form = TermsForm()
    today = _today()
    if request.method == "GET":
        latest = versions_of(session, program.id)
        fill_terms(form, as_plain(latest[-1]) if latest else terms_of_program(program))
        last = program_admin.last_approval(session, program.id)
        start = today if last is None or last < today else last.fromordinal(last.toordinal() + 1)
        form.effective_from.data = start.isoformat()
    if form.validate_on_submit():
        applied, version = _check_then_apply(
            form,
            lambda: program_admin.add_version(
                session,
                current_user.actor,
                program.code,
                form.effective_from.data,
                terms_from(form),
                today=today,
            ),
        )
        if applied:
            flash(_("Terms from %(day)s saved.", day=version.effective_from.isoformat()))
            return redirect(url_for("admin_programs.detail", code=program.code))
    status = 422 if request.method == "POST" and not form.confirmed.data else 200
    in_force = terms_in_force(session, program.id, today)
    return render_template(
        "web/admin/program_form.html",
        form=form,
        program=program,
        current=as_plain(in_force) if in_force else terms_of_program(program),
    ), status


@bp.route("/<code>/quota", methods=["GET", "POST"])
@role_required(*EDITORS)
def quota(code: str) -> Any:
    """Set a lender's annual quota (refused below what it has already approved)."""
    session = get_session()
    program = _program(code)
    form = QuotaForm()
    form.lender.choices = [
        SelectChoice(c, c) for c in session.scalars(select(Lender.code).order_by(Lender.code))
    ]
    if request.method == "GET":
        form.segment.data = request.args.get("segment", program.segment)
        form.year.data = request.args.get("year", str(_today().year))
        form.lender.data = request.args.get("lender")
    if form.validate_on_submit():
        try:
            amount: Any = parse_rupiah(form.quota.data or "")
        except ValueError:
            amount = form.quota.data  # the service names it
        applied, _row = _check_then_apply(
            form,
            lambda: program_quotas.set_quota(
                session,
                current_user.actor,
                program.code,
                form.lender.data,
                form.segment.data,
                form.year.data,
                amount,
            ),
        )
        if applied:
            flash(_("Quota saved."))
            return redirect(url_for("admin_programs.detail", code=program.code))
    status = 422 if request.method == "POST" and not form.confirmed.data else 200
    return render_template("web/admin/quota_form.html", form=form, program=program), status
