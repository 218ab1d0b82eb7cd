"""The collection sheet: what my lender's borrowers owe today and overdue, by area.

One form holds every line; the officer types what each borrower paid and sends it once.
Posting is all or nothing (``services.collection``): a refused line comes back with its
reason beside it, the typed amounts stay in the form, and nothing is stored until every
line is right. Each line's idempotency key comes from the sheet's one-time token, so
sending the same sheet again (a double click, the back button) posts nothing twice.
``/print`` is the same sheet for paper: columns to write the amount and a signature in.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..db import get_session
from ..errors import DomainError
from ..services.collection import Sheet, collection_sheet, post_collections
from .authz import my_lender_id, role_required
from .i18n import rupiah
from .loan_base import OFFICER, bp, today
from .loan_forms import ConfirmForm, SheetFilterForm, explain, new_token

AMOUNT = re.compile(r"^amount-(\d{1,10})$")


def _sheet(form: SheetFilterForm, as_of: date) -> Sheet:
    ok = form.validate()
    regency = form.regency.data if ok and form.regency.data else None
    village = form.village.data.strip() if ok and form.village.data else None
    return collection_sheet(get_session(), my_lender_id(), as_of, regency=regency, village=village)


def _render(sheet: Sheet, form: SheetFilterForm, token: str, **extra: Any) -> str:
    return render_template(
        "web/loans/collection.html",
        sheet=sheet,
        filters=form,
        token=token,
        post=ConfirmForm(),
        typed=extra.get("typed", {}),
        errors=extra.get("errors", {}),
        line_names={ln.loan_id: ln.enterprise_name for ln in sheet.lines},
    )


@bp.get("/collection-sheet", endpoint="collection_sheet")
@role_required(OFFICER)
def collection_sheet_page() -> Any:
    """Show the collection sheet of my lender for today (filter by regency and village)."""
    form = SheetFilterForm(request.args)
    return _render(_sheet(form, today()), form, new_token())


@bp.post("/collection-sheet")
@role_required(OFFICER)
def collection_post() -> Any:
    """Post the amounts collected on one sheet, all lines or none."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    form = SheetFilterForm(request.args)
    try:
        paid_on = date.fromisoformat(request.form.get("paid_on", ""))
    except ValueError:
        abort(400)
    entries, typed = [], {}
    for name, value in request.form.items():
        match = AMOUNT.match(name)
        if match:
            loan_id = int(match.group(1))
            entries.append((loan_id, value))
            typed[loan_id] = value
    token = request.form.get("token", "")
    db = get_session()
    try:
        result = post_collections(
            db,
            current_user.actor,
            my_lender_id(),
            entries,
            paid_on=paid_on,
            sheet_token=token,
            business_date=today(),
        )
    except DomainError:
        abort(400)  # a forged or broken token: not a form this app made
    if result.ok:
        db.commit()
        fresh = [p for p in result.posted if not p.replayed]
        if not result.posted:
            flash(_("No amounts were entered: nothing was posted."))
        elif not fresh:
            flash(_("This sheet was already posted; nothing was posted again."))
        else:
            total = rupiah(sum(p.amount for p in fresh))
            flash(_("Payments posted: %(num)d, %(total)s in all.", num=len(fresh), total=total))
        area: dict[str, Any] = dict(request.args)
        return redirect(url_for("loan_pages.collection_sheet", **area))
    db.rollback()
    sheet = _sheet(form, paid_on)
    errors = {loan_id: [explain(r) for r in reasons] for loan_id, reasons in result.errors.items()}
    return _render(sheet, form, token, typed=typed, errors=errors), 422


@bp.get("/collection-sheet/print")
@role_required(OFFICER)
def collection_print() -> Any:
    """The collection sheet for paper: a line per loan with space to write what was paid."""
    form = SheetFilterForm(request.args)
    return render_template("web/loans/collection_print.html", sheet=_sheet(form, today()))
