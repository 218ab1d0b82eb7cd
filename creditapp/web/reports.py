"""Program managers' report pages: portfolio quality, PAR by program and province, roll
rates, vintages, collection and write-offs, with CSV/XLSX downloads and the monthly PDF.

Filters come in the query string (a GET form: bookmarkable, no script). The as-of date
defaults to the last end-of-day run; a date after it (or after today) and an unknown program
or lender are shown as errors beside the form with 422 / 404, never a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import Blueprint, Response, abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..db import get_session
from ..errors import DomainError
from ..models import CreditProgram, Lender
from ..reports import REPORTS, Scope, resolve_scope, run_report
from ..reports.export import to_csv, to_xlsx
from ..reports.migration import ROLL_TO
from ..reports.scope import last_run
from .authz import role_required
from .i18n import percent, rupiah
from .report_charts import GRADE_COLOURS, bar_chart, line_chart

# "reports" is the API blueprint of /api/v1/reports; the nav and start page use this name.
bp = Blueprint("report_pages", __name__, url_prefix="/reports")
MANAGERS = ("program_manager", "admin")
SCIENTISTS = ("data_scientist", "admin")
MODEL_REPORTS = ("model-psi", "model-bands", "model-decisions", "champion-history")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Filters:
    as_of: date
    period_start: date | None
    program: str | None
    lender: str | None
    province: str | None

    def query(self) -> dict[str, str]:
        """The filters as query-string arguments (for download links)."""
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
    as_of = _date("as_of", errors) or last_run(get_session()) or date.today()
    text = {
        k: (request.args.get(k) or "").strip() or None for k in ("program", "lender", "province")
    }
    return Filters(as_of, _date("period_start", errors), **text), errors


def scope_of(filters: Filters) -> Scope:
    """Resolve the filters (DomainError on an unknown code or a date after the last run)."""
    return resolve_scope(
        get_session(), filters.as_of, today=date.today(), program=filters.program,
        lender=filters.lender, province=filters.province,
    )  # fmt: skip


def choices() -> dict[str, list[str]]:
    session = get_session()
    return {
        "programs": list(session.scalars(select(CreditProgram.code).order_by(CreditProgram.code))),
        "lenders": list(session.scalars(select(Lender.code).order_by(Lender.code))),
    }


def pdf_url(filters: Filters) -> str:
    """The monthly PDF of the as-of month, for the same program and lender."""
    args: dict[str, Any] = {"month": filters.as_of.strftime("%Y-%m")}
    args.update({k: v for k, v in filters.query().items() if k in ("program", "lender")})
    return url_for("report_pages.monthly_pdf", **args)


def bucket_names() -> dict[str, str]:
    return {
        "current": _("Current"), "1-30": _("1-30 days"), "31-60": _("31-60 days"),
        "61-90": _("61-90 days"), "91-180": _("91-180 days"), ">180": _("over 180 days"),
        "written_off": _("Written off"), "closed": _("Closed"),
    }  # fmt: skip


def _charts(figures: dict[str, Any], vintage_rows: list[dict[str, Any]]) -> dict[str, Any]:
    grades = [(f"Kol {g}", float(figures["collectibility"][str(g)])) for g in range(1, 6)]
    kol = bar_chart(
        grades, title=_("Outstanding by collectibility"), key="kol",
        desc=_("Outstanding principal in each OJK collectibility grade, Kol 1 to Kol 5."),
        label=lambda v: rupiah(int(v)), colours=GRADE_COLOURS,
    )  # fmt: skip
    par = bar_chart(
        [(name.upper(), float(figures[name])) for name in ("par1", "par30", "par60", "par90")]
        + [(_("NPL"), float(figures["npl_ratio"]))],
        title=_("Portfolio at risk"), key="par", label=percent,
        desc=_("Share of the gross portfolio held by loans more than 1, 30, 60 and 90 days late, "
               "and the NPL ratio."),
    )  # fmt: skip
    curves: dict[str, list[tuple[float, float]]] = {}
    for row in vintage_rows:
        curves.setdefault(row["cohort"], []).append((float(row["mob"]), float(row["dpd30"])))
    recent = dict(list(curves.items())[-6:])  # the six latest cohorts keep the chart legible
    vintage = line_chart(
        recent, title=_("Vintages: 30+ days past due"), key="vin",
        desc=_("Cumulative share of each disbursement month's amount that has been more than "
               "30 days late, by months on book."),
        x_label=_("months on book"), y_label=percent,
    )  # fmt: skip
    return {"kol": kol, "par": par, "vintage": vintage}


@bp.get("/")
@role_required(*MANAGERS)
def index() -> Any:
    """Show the portfolio report for the chosen date, period, program, lender and province."""
    filters, errors = read_filters()
    context: dict[str, Any] = {"filters": filters, "errors": errors, **choices()}
    status = 200
    if not errors:
        try:
            scope = scope_of(filters)
            session = get_session()
            figures = run_report(session, "portfolio", scope)
            vintage = run_report(session, "vintages", scope)
            context.update(
                figures=figures,
                par_rows=run_report(session, "par-by-program-province", scope)["rows"],
                roll=run_report(session, "roll-rates", scope),
                vintage_rows=vintage["rows"],
                collection=run_report(session, "collection-rate", scope,
                                      period_start=filters.period_start),
                write_offs=run_report(session, "write-offs", scope,
                                      period_start=filters.period_start),
                charts=_charts(figures, vintage["rows"]),
                query=filters.query(),
                roll_to=ROLL_TO,
                pdf_url=pdf_url(filters),
                bucket_names=bucket_names(),
            )  # fmt: skip
        except DomainError as exc:
            errors.update(exc.errors or {"as_of": [exc.message]})
            status = exc.status_code
    else:
        status = 422
    return render_template("web/reports/index.html", **context), status


@bp.get("/download/<name>.<fmt>")
@role_required(*MANAGERS, "data_scientist")
def download(name: str, fmt: str) -> Any:
    """Download one report with the page's filters as CSV or XLSX (numbers as numbers)."""
    if name not in REPORTS or fmt not in ("csv", "xlsx"):
        abort(404)
    allowed = SCIENTISTS if name in MODEL_REPORTS else MANAGERS
    if current_user.role not in allowed:
        abort(403)
    filters, errors = read_filters()
    if errors:
        abort(422)
    options = {"period_start": filters.period_start, "by": request.args.get("by") or None}
    report = run_report(get_session(), name, scope_of(filters), **options)
    stem = f"{name}-{filters.as_of.isoformat()}"
    if fmt == "csv":
        body, mimetype = to_csv(report).encode("utf-8"), "text/csv; charset=utf-8"
    else:
        body, mimetype = to_xlsx(report), XLSX
    return Response(
        body, mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{stem}.{fmt}"'},
    )  # fmt: skip
