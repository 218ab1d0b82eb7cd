"""What every report page shares: the blueprint, the filter form, the sub-navigation and the
way a page turns its filters into figures (or into errors named beside the form).

Filters come in the query string (a GET form: bookmarkable, no script). The as-of date
defaults to the last end-of-day run; a date after it (or after today) is shown as an error
beside the form with 422, an unknown program or lender with 404, never a traceback.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import Blueprint, current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..db import get_session
from ..errors import DomainError
from ..models import CreditProgram, Lender
from ..reports import Scope, resolve_scope
from ..reports.scope import last_run
from ..services.loans.value_dates import business_date
from .report_labels import DIMENSIONS, PROVINCES

# "reports" is the API blueprint of /api/v1/reports; the nav and start page use this name.
bp = Blueprint("report_pages", __name__, url_prefix="/reports")
MANAGERS = ("program_manager", "admin")
SCIENTISTS = ("data_scientist", "admin")
MODEL_REPORTS = ("model-psi", "model-bands", "model-decisions", "champion-history")
# The managers' pages, in the order of the sub-navigation: (endpoint, label).
SECTIONS = (
    ("report_pages.index", _l("Portfolio quality")),
    ("report_pages.volume", _l("Volume and quota")),
    ("report_pages.cost", _l("Subsidy and guarantee")),
    ("report_pages.graduation", _l("Graduation")),
    ("report_pages.inclusion", _l("Inclusion")),
    ("report_pages.provisions_page", _l("Loss allowance")),
)


@dataclass
class Filters:
    as_of: date
    period_start: date | None
    program: str | None
    lender: str | None
    province: str | None

    def query(self) -> dict[str, str]:
        """The filters as query-string arguments (for download links and the other pages)."""
        out = {"as_of": self.as_of.isoformat()}
        if self.period_start:
            out["period_start"] = self.period_start.isoformat()
        for key in ("program", "lender", "province"):
            if getattr(self, key):
                out[key] = getattr(self, key)
        return out


def _date(name: str, errors: dict[str, list[str]]) -> date | None:
    raw = (request.args.get(name) or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors.setdefault(name, []).append(_("Enter a date as YYYY-MM-DD."))
        return None


def read_filters() -> tuple[Filters, dict[str, list[str]]]:
    """The filters of this request and the errors found in them."""
    errors: dict[str, list[str]] = {}
    as_of = _date("as_of", errors) or last_run(get_session()) or business_date(current_app.config)
    text = {
        k: (request.args.get(k) or "").strip() or None for k in ("program", "lender", "province")
    }
    return Filters(as_of, _date("period_start", errors), **text), errors


def read_by(choices: Sequence[str], errors: dict[str, list[str]]) -> str:
    """The ``by`` grouping of this request (default: the first choice); another is an error."""
    by = (request.args.get("by") or "").strip() or choices[0]
    if by not in choices:
        names = ", ".join(str(DIMENSIONS.get(c, c)) for c in choices)
        errors.setdefault("by", []).append(_("Choose one of: %(names)s.", names=names))
        return choices[0]
    return by


def scope_of(filters: Filters) -> Scope:
    """Resolve the filters (DomainError on an unknown code or a date after the last run)."""
    return resolve_scope(
        get_session(),
        filters.as_of,
        today=business_date(current_app.config),
        program=filters.program,
        lender=filters.lender,
        province=filters.province,
    )


def choices() -> dict[str, Any]:
    """The programs, lenders and provinces the filter form offers."""
    session = get_session()
    return {
        "programs": list(session.scalars(select(CreditProgram.code).order_by(CreditProgram.code))),
        "lenders": list(session.scalars(select(Lender.code).order_by(Lender.code))),
        "provinces": PROVINCES,
    }


def sections(filters: Filters) -> list[dict[str, Any]]:
    """The sub-navigation, each link keeping the filters of this page."""
    query: dict[str, Any] = filters.query()
    return [
        {"url": url_for(endpoint, **query), "label": label, "current": request.endpoint == endpoint}
        for endpoint, label in SECTIONS
    ]


Build = Callable[[Session, Scope, Filters, str], dict[str, Any]]


def report_page(
    template: str, build: Build, *, by_choices: Sequence[str] = (), **form: Any
) -> tuple[str, int]:
    """Render a managers' page: read and check the filters, let ``build`` compute the page's
    figures from the reports, and show errors beside the form (422 / 404) instead.

    ``form`` tells the shared filter form which fields this page has (``with_period``...).
    """
    filters, errors = read_filters()
    by = read_by(by_choices, errors) if by_choices else ""
    context: dict[str, Any] = {
        "filters": filters, "errors": errors, "by": by, "sections": sections(filters),
        "by_choices": [(c, DIMENSIONS.get(c, c)) for c in by_choices],
        "action": url_for(str(request.endpoint)), "with_province": True, **form, **choices(),
    }  # fmt: skip
    status = 422 if errors else 200
    if not errors:
        try:
            scope = scope_of(filters)
            context.update(build(get_session(), scope, filters, by), query=filters.query())
        except DomainError as exc:
            errors.update(exc.errors or {"as_of": [exc.message]})
            status = exc.status_code
    return render_template(template, **context), status
