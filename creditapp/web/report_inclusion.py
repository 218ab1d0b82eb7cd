"""Inclusion: who gets credit and how it goes, by owner gender and by province: approval
rate, average PD, bad rate, average loan, and the four-fifths ratio with a visible flag when a
group's approval rate is below 0.8 of the highest group's."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from ..reports import Scope, run_report
from ..reports.inclusion import FOUR_FIFTHS
from .authz import role_required
from .charts import BAD, NEUTRAL
from .i18n import lang, percent
from .report_base import MANAGERS, Filters, bp, report_page
from .report_charts import bar_chart
from .report_labels import value_name

CHART_GROUPS = 15  # provinces in the chart: the lowest ratios; the table lists every one


def ratio_text(value: float) -> str:
    """A ratio with two decimals and the language's decimal mark: ``0,75`` / ``0.75``."""
    text = f"{value:.2f}"
    return text.replace(".", ",") if lang() == "id" else text


def _ratio_chart(rows: list[dict[str, Any]], by: str, key: str, title: str) -> Any:
    shown = sorted(rows, key=lambda r: r["four_fifths_ratio"])[:CHART_GROUPS]
    return bar_chart(
        [(value_name(by, r[by]), float(r["four_fifths_ratio"])) for r in shown],
        title=title,
        key=key,
        label=ratio_text,
        caption=True,
        colours=[BAD if r["below_four_fifths"] else NEUTRAL for r in shown],
        threshold=(FOUR_FIFTHS, _("four-fifths line (0.8)")),
        desc=_(
            "Each group's approval rate divided by the highest group's; below the dashed "
            "line at 0.8 the difference needs a look."
        ),
    )


def inclusion_figures(
    session: Session, scope: Scope, _filters: Filters, _by: str
) -> dict[str, Any]:
    """The inclusion report by owner gender and by province."""
    tables: dict[str, list[dict[str, Any]]] = {}
    for by in ("gender", "province"):
        rows = run_report(session, "inclusion", scope, by=by)["rows"]
        tables[by] = [{**r, "name": value_name(by, r[by])} for r in rows]
    charts: dict[str, Any] = {}
    if tables["gender"]:
        charts["gender"] = _ratio_chart(
            tables["gender"], "gender", "ffg", _("Four-fifths ratio by owner gender")
        )
    if tables["province"]:
        charts["province"] = _ratio_chart(
            tables["province"],
            "province",
            "ffp",
            _(
                "Four-fifths ratio by province (the %(n)d lowest)",
                n=min(len(tables["province"]), CHART_GROUPS),
            ),
        )
    return {"tables": tables, "charts": charts, "percent": percent, "ratio_text": ratio_text,
            "threshold": FOUR_FIFTHS}  # fmt: skip


@bp.get("/inclusion")
@role_required(*MANAGERS)
def inclusion() -> Any:
    """Show approval, PD, bad rate and loan size by owner gender and by province."""
    return report_page("web/reports/inclusion.html", inclusion_figures)
