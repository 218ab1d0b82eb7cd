"""The regulatory files page: pick a file, a month and (managers) a lender; download the CSV.

Program managers and admins may download any lender's files; a loan officer only their own
lender's (another lender's code answers 404, like a missing one). The form is a plain GET
form (no script). A bad request re-shows the page with each error beside its field (422)
before any byte of a file is sent; a good one is audited (who, which file, lender and month,
never a NIK), committed, and then streamed from one SELECT.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, render_template, request, stream_with_context
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from loanmath.dates import add_months

from ..db import get_session
from ..errors import DomainError
from ..models import Lender
from ..regulatory.files import csv_chunks, prepare
from ..regulatory.layouts import LAYOUTS
from ..services.audit import record
from . import labels
from .authz import my_lender_id, role_required
from .loan_base import today

bp = Blueprint("regulatory_pages", __name__, url_prefix="/regulatory")
ROLES = ("program_manager", "admin", "loan_officer")
# The files' names on the page (layouts.py keeps the documented English title).
TITLES = {
    "debtors": _l("Debtor file (SIKP-like)"),
    "disbursements": _l("Disbursement file (SIKP-like)"),
    "outstanding": _l("Monthly outstanding file (SIKP-like)"),
    "slik": _l("Credit-facility report for the credit bureau (SLIK-like)"),
}


def _messages() -> dict[str, str]:
    """The page's words for the refusals of ``files.prepare`` (keyed by their message)."""
    return {
        "bad month": _("Enter the month as YYYY-MM, e.g. 2026-10."),
        "month in the future": _("That month has not started yet."),
        "no end-of-day run in the month": _(
            "There is no end-of-day run in that month yet, so there is no month-end position."
        ),
        "no such lender": labels.label(labels.ERRORS, "invalid_choice"),
        "no such file": labels.label(labels.ERRORS, "invalid_choice"),
    }


def _lenders() -> list[str]:
    """The lender codes the user may choose: all for managers, their own for an officer."""
    session = get_session()
    if current_user.role == "loan_officer":
        return [session.scalars(select(Lender.code).where(Lender.id == my_lender_id())).one()]
    return list(session.scalars(select(Lender.code).order_by(Lender.code)))


def _page(args: dict[str, str], errors: dict[str, list[str]], status: int = 200) -> Any:
    return render_template(
        "regulatory/index.html",
        layouts=LAYOUTS,
        titles=TITLES,
        lenders=_lenders(),
        args=args,
        errors=errors,
        title=_("Regulatory files"),
    ), status


@bp.get("/")
@role_required(*ROLES)
def index() -> Any:
    """Show the files, their columns and the download form."""
    month = f"{add_months(today(), -1):%Y-%m}"  # the last month that has ended
    return _page({"file": "debtors", "month": month, "lender": _lenders()[0]}, {})


@bp.get("/download")
@role_required(*ROLES)
def download() -> Any:
    """Download one file as CSV (streamed), or re-show the form with its errors."""
    args = {k: (request.args.get(k) or "").strip() for k in ("file", "month", "lender")}
    allowed = _lenders()
    if current_user.role == "loan_officer":
        if args["lender"] and args["lender"] not in allowed:
            abort(404)  # another lender's files: as if there were none
        args["lender"] = allowed[0]
    session = get_session()
    try:
        req = prepare(session, args["file"], args["lender"], args["month"], today=today())
    except DomainError as exc:
        session.rollback()
        words = _messages().get(exc.message, exc.message)
        return _page(args, {field: [words] for field in exc.errors or {"file": []}}, 422)
    record(
        session,
        current_user.actor,
        "regulatory.export",
        "lender",
        req.lender_id,
        after={"file": req.kind, "month": args["month"], "via": "web"},
        as_of=today(),
    )
    session.commit()  # the audit record stands even if the download is broken off

    def body() -> Any:
        for text, _rows in csv_chunks(session, req):
            yield text

    return Response(
        stream_with_context(body()),
        mimetype="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{req.filename}"'},
    )
