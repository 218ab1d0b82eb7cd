"""Loss allowance (CKPN): allowance by stage (chart) and by program x stage, its movement per
program against the previous run, and the downloads of the report as CSV or XLSX."""

from __future__ import annotations

from typing import Any

from flask import Response, abort
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from ..db import get_session
from ..errors import DomainError
from ..reports import Scope
from ..reports.export import to_csv, to_xlsx
from ..reports.provisions import provisions
from .authz import role_required
from .i18n import percent
from .report_base import MANAGERS, Filters, bp, read_filters, report_page, scope_of
from .report_charts import grouped_bar_chart, short_rupiah
from .report_downloads import XLSX

STAGE_NAMES = {
    1: _l("Stage 1: performing (12-month loss)"),
    2: _l("Stage 2: more than 30 days late or restructured (lifetime loss)"),
    3: _l("Stage 3: non-performing, Kol 3-5"),
}


def _chart(by_stage: list[dict[str, Any]]) -> Any:
    return grouped_bar_chart(
        [_("Stage %(n)d", n=r["stage"]) for r in by_stage],
        {
            _("Exposure net of cover"): [float(r["ead"] - r["cover"]) for r in by_stage],
            _("Allowance"): [float(r["allowance"]) for r in by_stage],
        },
        title=_("Loss allowance by stage"),
        key="ckpn",
        label=short_rupiah,
        caption=True,
        desc=_(
            "For each stage, the outstanding principal not covered by the guarantee and the "
            "allowance held against it."
        ),
    )


def provision_figures(
    session: Session, scope: Scope, _filters: Filters, _by: str
) -> dict[str, Any]:
    """The provisions report and its chart."""
    report = provisions(session, scope)
    chart = _chart(report["by_stage"]) if report["run"] else None
    return {"report": report, "chart": chart, "stage_names": STAGE_NAMES, "percent": percent}


@bp.get("/provisions")
@role_required(*MANAGERS)
def provisions_page() -> Any:
    """Show the loss allowance by stage and program and its movement per program."""
    return report_page("web/reports/provisions.html", provision_figures)


@bp.get("/provisions.<fmt>")
@role_required(*MANAGERS)
def provisions_download(fmt: str) -> Any:
    """Download the provisions report with the page's filters as CSV or XLSX."""
    if fmt not in ("csv", "xlsx"):
        abort(404)
    filters, errors = read_filters()
    if errors:
        abort(422)
    try:
        report = provisions(get_session(), scope_of(filters))
    except DomainError as exc:
        abort(exc.status_code)
    stem = f"provisions-{filters.as_of.isoformat()}"
    if fmt == "csv":
        body, mimetype = to_csv(report).encode("utf-8"), "text/csv; charset=utf-8"
    else:
        body, mimetype = to_xlsx(report), XLSX
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{stem}.{fmt}"'},
    )
