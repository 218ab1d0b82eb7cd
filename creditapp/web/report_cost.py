"""Cost and cover: the interest subsidy accrued by month and program, and the guarantee's
cover exposure and claims by status."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from ..reports import Scope, run_report
from .authz import role_required
from .i18n import rupiah
from .report_base import MANAGERS, Filters, bp, report_page
from .report_charts import column_chart, grouped_bar_chart, short_rupiah
from .report_labels import CLAIM_STATUSES


def subsidy_by_program(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Σ accrued per program over the months shown, largest first (the page's own sum)."""
    totals: dict[str, int] = {}
    for row in rows:
        totals[row["program"]] = totals.get(row["program"], 0) + int(row["accrued"])
    return [{"program": p, "accrued": a} for p, a in sorted(totals.items(), key=lambda t: -t[1])]


def claim_totals(claims: list[dict[str, Any]]) -> dict[str, int]:
    """All statuses together: count, claimed, paid."""
    return {k: sum(int(c[k]) for c in claims) for k in ("claims", "amount", "paid_amount")}


def _charts(subsidy: list[dict[str, Any]], claims: list[dict[str, Any]]) -> dict[str, Any]:
    charts: dict[str, Any] = {}
    months = sorted({r["month"] for r in subsidy})
    programs = sorted({r["program"] for r in subsidy})
    if months:
        amounts = {(r["month"], r["program"]): float(r["accrued"]) for r in subsidy}
        charts["subsidy"] = column_chart(
            months,
            {p: [amounts.get((m, p), 0.0) for m in months] for p in programs},
            title=_("Interest subsidy accrued by month"),
            key="sub",
            label=short_rupiah,
            caption=True,
            desc=_(
                "Subsidy accrued for each month from %(first)s to %(last)s, stacked by program.",
                first=months[0],
                last=months[-1],
            ),
        )
    if claims:
        charts["claims"] = grouped_bar_chart(
            [str(CLAIM_STATUSES.get(c["status"], c["status"])) for c in claims],
            {
                _("Claimed"): [float(c["amount"]) for c in claims],
                _("Paid"): [float(c["paid_amount"]) for c in claims],
            },
            title=_("Guarantee claims by status"),
            key="clm",
            label=short_rupiah,
            caption=True,
            desc=_("Amount claimed from the guarantor and amount it paid, for each claim status."),
        )
    return charts


def cost_figures(session: Session, scope: Scope, filters: Filters, _by: str) -> dict[str, Any]:
    """The subsidy rows (from the period start, when given) and the guarantee report."""
    subsidy = run_report(session, "subsidy", scope, period_start=filters.period_start)["rows"]
    guarantee = run_report(session, "guarantee", scope)
    return {
        "subsidy_rows": subsidy,
        "subsidy_programs": subsidy_by_program(subsidy),
        "subsidy_total": sum(int(r["accrued"]) for r in subsidy),
        "guarantee": guarantee,
        "claim_totals": claim_totals(guarantee["claims"]),
        "status_names": CLAIM_STATUSES,
        "charts": _charts(subsidy, guarantee["claims"]),
        "rupiah": rupiah,
    }


@bp.get("/cost")
@role_required(*MANAGERS)
def cost() -> Any:
    """Show the interest subsidy by month and program and the guarantee cover and claims."""
    hint = _("Empty: every month up to the as-of date.")
    return report_page("web/reports/cost.html", cost_figures, with_period=True, period_hint=hint)
