"""Volume and quota: what went out and to whom (by program, segment, lender, province, KBLI
sector, owner gender, size class or month), and the year's quota used and left."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from ..reports import BY_CHOICES, Scope, run_report
from .authz import role_required
from .i18n import percent, rupiah
from .report_base import MANAGERS, Filters, bp, report_page
from .report_charts import bar_chart, column_chart, short_rupiah, stacked_bar_chart
from .report_labels import DIMENSIONS, value_name

# A by-dimension chart shows the largest groups only (38 provinces would be a wall of bars);
# the table below it lists every group.
CHART_GROUPS = 15


def volume_totals(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The all-groups line: each loan is in exactly one group, so loans, disbursed and
    outstanding add up; the average and the first-time share are recomputed from the sums.
    Debtors do not add up (one enterprise may borrow in two groups) and are left out."""
    loans = sum(r["loans"] for r in rows)
    disbursed = sum(r["disbursed"] for r in rows)
    first_time = sum(round(r["first_time_share"] * r["loans"]) for r in rows)
    return {
        "loans": loans,
        "disbursed": disbursed,
        "outstanding": sum(r["outstanding"] for r in rows),
        "average_loan": round(disbursed / loans) if loans else 0,
        "first_time_share": first_time / loans if loans else 0.0,
    }


def month_series(rows: list[dict[str, Any]]) -> list[tuple[str, int]]:
    """Disbursed per month from the first to the last month with a disbursement, months
    without one shown as 0 (a time axis without gaps)."""
    amounts = {r["month"]: int(r["disbursed"]) for r in rows}
    if not amounts:
        return []
    year, month = (int(p) for p in min(amounts).split("-"))
    last, out = max(amounts), []
    while True:
        key = f"{year:04d}-{month:02d}"
        out.append((key, amounts.get(key, 0)))
        if key >= last:
            return out
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def _charts(
    rows: list[dict[str, Any]], months: list[dict[str, Any]], by: str, quota: list[dict[str, Any]]
) -> dict[str, Any]:
    series = month_series(months)
    charts: dict[str, Any] = {}
    if series:
        charts["months"] = column_chart(
            [m for m, _v in series],
            {_("Disbursed"): [float(v) for _m, v in series]},
            title=_("Disbursed by month"),
            key="vm",
            label=short_rupiah,
            caption=True,
            desc=_(
                "Amount disbursed in each month from %(first)s to %(last)s.",
                first=series[0][0],
                last=series[-1][0],
            ),
        )
    if rows and by != "month":
        largest = sorted(rows, key=lambda r: -r["disbursed"])[:CHART_GROUPS]
        charts["by"] = bar_chart(
            [(value_name(by, r[by]), float(r["disbursed"])) for r in largest],
            title=_("Disbursed by %(dimension)s", dimension=str(DIMENSIONS[by]).lower()),
            desc=_(
                "Amount disbursed up to the as-of date in each group (the %(n)d largest).",
                n=len(largest),
            ),
            caption=True,
            key="vb",
            label=lambda v: rupiah(int(v)),
        )
    with_quota = [r for r in quota if r["quota"] is not None]
    if with_quota:
        charts["quota"] = stacked_bar_chart(
            [
                (
                    f"· {r['lender']}" if r["lender"] else r["program"],
                    (float(r["used"]), float(r["left"])),
                )
                for r in with_quota
            ],
            (_("Used"), _("Left")),
            title=_("Quota used and left"),
            key="qt",
            label=short_rupiah,
            caption=True,
            desc=_(
                "For each program, and each lender's allotment in it (the lines starting "
                "with a dot, below their program), the quota of the year used by approved "
                "loans and what is left."
            ),
        )
    return charts


def volume_figures(session: Session, scope: Scope, _filters: Filters, by: str) -> dict[str, Any]:
    """The volume of the chosen grouping, the months, and the quota of the as-of year."""
    rows = run_report(session, "volume", scope, by=by)["rows"]
    months = rows if by == "month" else run_report(session, "volume", scope, by="month")["rows"]
    quota = run_report(session, "quota", scope)["rows"]
    return {
        "rows": [{**r, "name": value_name(by, r[by])} for r in rows],
        "totals": volume_totals(rows),
        "quota_rows": quota,
        "year": scope.as_of.year,
        "snapshot": scope.snapshot,
        "charts": _charts(rows, months, by, quota),
        "dimension": DIMENSIONS[by],
        "percent": percent,
    }


@bp.get("/volume")
@role_required(*MANAGERS)
def volume() -> Any:
    """Show disbursed, outstanding and debtors by a grouping, and the quota used and left."""
    return report_page("web/reports/volume.html", volume_figures, by_choices=BY_CHOICES["volume"])
