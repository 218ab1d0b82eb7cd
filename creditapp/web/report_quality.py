"""Portfolio quality: gross portfolio, PAR, NPL and collectibility, PAR by program and
province, collection and write-offs of the period, roll rates and vintages."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from ..reports import Scope, run_report
from ..reports.migration import ROLL_TO
from .authz import role_required
from .i18n import percent, rupiah
from .report_base import MANAGERS, Filters, bp, report_page
from .report_charts import GRADE_COLOURS, bar_chart, line_chart


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
        grades,
        title=_("Outstanding by collectibility"),
        key="kol",
        desc=_("Outstanding principal in each OJK collectibility grade, Kol 1 to Kol 5."),
        label=lambda v: rupiah(int(v)),
        colours=GRADE_COLOURS,
    )
    par = bar_chart(
        [(name.upper(), float(figures[name])) for name in ("par1", "par30", "par60", "par90")]
        + [(_("NPL"), float(figures["npl_ratio"]))],
        title=_("Portfolio at risk"),
        key="par",
        label=percent,
        desc=_(
            "Share of the gross portfolio held by loans more than 1, 30, 60 and 90 days late, "
            "and the NPL ratio."
        ),
    )
    curves: dict[str, list[tuple[float, float]]] = {}
    for row in vintage_rows:
        curves.setdefault(row["cohort"], []).append((float(row["mob"]), float(row["dpd30"])))
    recent = dict(list(curves.items())[-6:])  # the six latest cohorts keep the chart legible
    vintage = line_chart(
        recent,
        title=_("Vintages: 30+ days past due"),
        key="vin",
        desc=_(
            "Cumulative share of each disbursement month's amount that has been more than "
            "30 days late, by months on book."
        ),
        x_label=_("months on book"),
        y_label=percent,
    )
    return {"kol": kol, "par": par, "vintage": vintage}


def quality_figures(session: Session, scope: Scope, filters: Filters, _by: str) -> dict[str, Any]:
    """Every figure of the quality page, as the reports compute them."""
    figures = run_report(session, "portfolio", scope)
    vintage = run_report(session, "vintages", scope)
    period = {"period_start": filters.period_start}
    return {
        "figures": figures,
        "par_rows": run_report(session, "par-by-program-province", scope)["rows"],
        "roll": run_report(session, "roll-rates", scope),
        "vintage_rows": vintage["rows"],
        "collection": run_report(session, "collection-rate", scope, **period),
        "write_offs": run_report(session, "write-offs", scope, **period),
        "charts": _charts(figures, vintage["rows"]),
        "roll_to": ROLL_TO,
        "pdf_url": pdf_url(filters),
        "bucket_names": bucket_names(),
    }


@bp.get("/")
@role_required(*MANAGERS)
def index() -> Any:
    """Show the portfolio quality for the chosen date, period, program, lender and province."""
    hint = _("Empty: from the 1st of the as-of month.")
    return report_page(
        "web/reports/index.html", quality_figures, with_period=True, period_hint=hint
    )
