"""The books for program managers and admins: trial balance, account statement, journal CSV.

Read-only pages (GET forms, no JavaScript); bad dates or an unknown account come back as
form errors beside the field (422), never as a traceback.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, Response, render_template, request, stream_with_context
from flask_babel import gettext as _
from sqlalchemy import select

from ..db import get_session
from ..errors import NotFound
from ..models import Account, CreditProgram
from ..services.books.statements import account_statement, journal_csv, trial_balance
from .authz import role_required

bp = Blueprint("books", __name__, url_prefix="/books")
BOOKKEEPERS = ("program_manager", "admin")
DEFAULT_DAY = date(2026, 10, 31)  # the demo date: pages open on it when no date is given


def _day(name: str, errors: dict[str, list[str]], default: date) -> date:
    raw = (request.args.get(name) or "").strip()
    if not raw:
        return default
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors.setdefault(name, []).append(_("Enter a date as YYYY-MM-DD."))
        return default


def _programs() -> list[tuple[int, str]]:
    rows = get_session().execute(select(CreditProgram.id, CreditProgram.code).order_by("code"))
    return [(int(i), str(c)) for i, c in rows]


@bp.get("/")
@role_required(*BOOKKEEPERS)
def index() -> Any:
    """Show the trial balance as of a date, for all programs or one."""
    errors: dict[str, list[str]] = {}
    as_of = _day("as_of", errors, DEFAULT_DAY)
    programs = _programs()
    code = request.args.get("program") or ""
    program_id = next((i for i, c in programs if c == code), None)
    if code and program_id is None:
        errors.setdefault("program", []).append(_("Choose a program from the list."))
    rows = [] if errors else trial_balance(get_session(), as_of, program_id)
    context = {
        "as_of": as_of,
        "program": code,
        "programs": [c for _i, c in programs],
        "rows": rows,
        "debit": sum(r.debit for r in rows),
        "credit": sum(r.credit for r in rows),
        "errors": errors,
    }
    return render_template("web/books/index.html", **context), 422 if errors else 200


@bp.get("/statement")
@role_required(*BOOKKEEPERS)
def statement() -> Any:
    """Show one account's lines in a date range with the running balance."""
    errors: dict[str, list[str]] = {}
    end = _day("to", errors, DEFAULT_DAY)
    start = _day("from", errors, end.replace(day=1))
    if not errors and end < start:
        errors.setdefault("to", []).append(_("The last date must not be before the first."))
    code = (request.args.get("account") or "").strip()
    accounts = list(get_session().scalars(select(Account).order_by(Account.code)))
    result = None
    if code and not errors:
        try:
            result = account_statement(get_session(), code, start, end, limit=2_000)
        except NotFound:
            errors.setdefault("account", []).append(_("Choose an account from the list."))
    context = {
        "start": start,
        "end": end,
        "account": code,
        "accounts": accounts,
        "result": result,
        "errors": errors,
    }
    return render_template("web/books/statement.html", **context), 422 if errors else 200


@bp.get("/journal.csv")
@role_required(*BOOKKEEPERS)
def journal() -> Any:
    """Download the journal lines of a date range as CSV (columns in the README)."""
    errors: dict[str, list[str]] = {}
    end = _day("to", errors, DEFAULT_DAY)
    start = _day("from", errors, end.replace(day=1))
    if errors or end < start:
        return Response(_("Enter the dates as YYYY-MM-DD, first before last."), status=422)
    chunks = journal_csv(get_session(), start, end)
    return Response(
        stream_with_context(chunks),
        mimetype="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="journal-{start}-{end}.csv"'},
    )
