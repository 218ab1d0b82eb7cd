"""Guarantor statements for program managers: covers, IJP, claims by status, subrogation."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import abort, render_template, request
from flask_babel import gettext as _
from sqlalchemy import select

from ..db import get_session
from ..models import Guarantor
from ..services.claims.guarantees import guarantors
from ..services.claims.statements import guarantor_statement
from .authz import role_required
from .claims import STATUSES, bp
from .claims_forms import StatementForm
from .loan_base import today
from .report_base import MANAGERS

CODE = "<string(maxlength=32):code>"


@bp.get("/guarantors")
@role_required(*MANAGERS)
def guarantor_list() -> Any:
    """List the guarantors, each with a link to its statement."""
    return render_template("web/claims/guarantors.html", guarantors=guarantors(get_session()))


@bp.get(f"/guarantors/{CODE}")
@role_required(*MANAGERS)
def statement(code: str) -> Any:
    """Show a guarantor's statement for a period (default: this year up to today)."""
    session = get_session()
    guarantor = session.scalar(select(Guarantor).where(Guarantor.code == code.upper()))
    if guarantor is None:
        abort(404)
    form = StatementForm(request.args)
    end = today()
    if not request.args:
        form.start.data, form.end.data = date(end.year, 1, 1), end
    status, figures = 200, None
    if request.args and not form.validate():
        status = 422
    elif form.end.data < form.start.data:
        form.end.errors = [*form.end.errors, _("Must not be before the first day.")]
        status = 422
    else:
        figures = guarantor_statement(session, guarantor.id, form.start.data, form.end.data)
    return render_template(
        "web/claims/statement.html", g=guarantor, form=form, s=figures, statuses=STATUSES
    ), status
