"""Graduation, the reason the program exists: do financed enterprises move up a size class
(micro -> small -> medium) more often than the comparison group (applicants never financed)?
Rates within 12 and 24 months by sales and by workers, the size-class transition matrix and
the strategy indicators before and after. Descriptive, not causal: the page says so."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from ..reports import BY_CHOICES, Scope, run_report
from ..reports.graduation import BASES, CLASSES, WINDOWS
from .authz import role_required
from .i18n import lang, percent
from .report_base import MANAGERS, Filters, bp, report_page
from .report_charts import grouped_bar_chart
from .report_labels import DIMENSIONS, GROUPS, INDICATORS, SIZE_CLASSES, value_name

GROUP_ORDER = ("financed", "comparison")
CHART_KEYS = 12  # the chart by grouping shows the latest / first 12 groups; the table has all
GROWTH = ("sales_growth_mean", "workers_change_mean")


def signed(value: float) -> str:
    """A change with its sign and one decimal in the language's notation: ``+1,5``."""
    text = f"{value:+.1f}"
    return text.replace(".", ",") if lang() == "id" else text


def side_by_side(rows: list[dict[str, Any]], by: str) -> list[dict[str, Any]]:
    """One line per value of the grouping with the financed and the comparison row beside
    each other (None where a group has no enterprise with that value)."""
    lines: dict[Any, dict[str, Any]] = {}
    for row in rows:
        line = lines.setdefault(row[by], {"key": row[by], "name": value_name(by, row[by])})
        line[row["group"]] = row
    return [lines[k] for k in sorted(lines, key=lambda k: (k is None, str(k)))]


def overall(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """All values of the grouping together, per group: every enterprise is in exactly one
    value, so enterprises, followed and graduated add up; rate = graduated / followed."""
    out: dict[str, dict[str, Any]] = {}
    for group in GROUP_ORDER:
        mine = [r for r in rows if r["group"] == group]
        total: dict[str, Any] = {"enterprises": sum(r["enterprises"] for r in mine)}
        for months in WINDOWS:
            followed = sum(r[f"followed_{months}"] for r in mine)
            total[f"followed_{months}"] = followed
            for basis in BASES:
                graduated = sum(r[f"graduated_{months}_{basis}"] for r in mine)
                total[f"graduated_{months}_{basis}"] = graduated
                total[f"rate_{months}_{basis}"] = graduated / followed if followed else 0.0
        out[group] = total
    return out


Lines = list[dict[str, Any]]


def indicator_lines(rows: list[dict[str, Any]]) -> tuple[Lines, Lines]:
    """The strategy indicators and the growth figures, financed and comparison side by side."""
    lines: dict[str, dict[str, Any]] = {}
    for row in rows:
        name = row["indicator"]
        line = lines.setdefault(name, {"indicator": name, "name": INDICATORS.get(name, name)})
        line[row["group"]] = row
    shares = [v for k, v in lines.items() if k not in GROWTH]
    return shares, [lines[k] for k in GROWTH if k in lines]


def _charts(
    total: dict[str, dict[str, Any]],
    pairs: list[dict[str, Any]],
    by: str,
    shares: list[dict[str, Any]],
) -> dict[str, Any]:
    names = {g: str(GROUPS[g]) for g in GROUP_ORDER}
    categories: list[str] = []
    values: dict[str, list[float]] = {names[g]: [] for g in GROUP_ORDER}
    for months in WINDOWS:
        for basis in BASES:
            word = _("sales") if basis == "sales" else _("workers")
            categories.append(_("%(n)d months, %(basis)s", n=months, basis=word))
            for g in GROUP_ORDER:
                values[names[g]].append(total[g][f"rate_{months}_{basis}"])
    charts: dict[str, Any] = {
        "overall": grouped_bar_chart(
            categories,
            values,
            title=_("Graduation rate, financed and comparison group"),
            caption=True,
            key="gr",
            label=percent,
            top=max(max(v) for v in values.values()) or 1.0,
            desc=_(
                "Share of the enterprises followed up that moved to a larger size class "
                "within 12 and 24 months, by sales and by workers, for financed enterprises "
                "and the comparison group."
            ),
        )
    }
    followed = [p for p in pairs if any(p.get(g, {}).get("followed_12") for g in GROUP_ORDER)]
    shown = followed[-CHART_KEYS:] if by == "cohort" else followed[:CHART_KEYS]
    if shown:
        charts["by"] = grouped_bar_chart(
            [p["name"] for p in shown],
            {
                names[g]: [p.get(g, {}).get("rate_12_sales", 0.0) for p in shown]
                for g in GROUP_ORDER
            },
            title=_(
                "Graduation within 12 months by sales, by %(dimension)s",
                dimension=str(DIMENSIONS[by]).lower(),
            ),
            caption=True,
            key="grb",
            label=percent,
            desc=_(
                "For each group with enterprises followed up for 12 months, the share that "
                "moved to a larger size class by sales (PP 7/2021)."
            ),
        )
    if shares:

        def share(line: dict[str, Any], g: str) -> float:
            row = line.get(g) or {}
            value = row.get("share_new_after")
            return float(row.get("share_after") or 0.0) if value is None else float(value)

        charts["indicators"] = grouped_bar_chart(
            [str(line["name"]) for line in shares],
            {names[g]: [share(line, g) for line in shares] for g in GROUP_ORDER},
            title=_("New after the reference date"),
            key="si",
            label=percent,
            caption=True,
            desc=_(
                "Share of enterprises that gained each certificate, partnership, export or "
                "digital sales after the first disbursement (comparison group: first "
                "application), and that later reported commercial credit."
            ),
        )
    return charts


def graduation_figures(
    session: Session, scope: Scope, _filters: Filters, by: str
) -> dict[str, Any]:
    """Graduation by the chosen grouping, the transition matrix and the strategy indicators."""
    rows = run_report(session, "graduation", scope, by=by)["rows"]
    pairs = side_by_side(rows, by)
    total = overall(rows)
    transitions = run_report(session, "size-transitions", scope)["rows"]
    shares, growth = indicator_lines(run_report(session, "strategy-indicators", scope)["rows"])
    return {
        "pairs": pairs,
        "total": total,
        "groups": GROUP_ORDER,
        "group_names": GROUPS,
        "windows": WINDOWS,
        "transitions": {b: [r for r in transitions if r["basis"] == b] for b in BASES},
        "classes": CLASSES,
        "class_names": SIZE_CLASSES,
        "shares": shares,
        "growth": growth,
        "dimension": DIMENSIONS[by],
        "charts": _charts(total, pairs, by, shares),
        "signed": signed,
    }


@bp.get("/graduation")
@role_required(*MANAGERS)
def graduation() -> Any:
    """Show graduation rates, size transitions and strategy indicators, financed against the
    comparison group."""
    return report_page(
        "web/reports/graduation.html", graduation_figures, by_choices=BY_CHOICES["graduation"]
    )
