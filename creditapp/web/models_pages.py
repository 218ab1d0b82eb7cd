"""The data scientists' model page: score PSI by month against the champion's baseline,
realised bad rate per band against the expected one (traffic lights), approval and override
rates, champion history; each table downloadable as CSV or XLSX."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template
from flask_babel import gettext as _

from ..db import get_session
from ..errors import DomainError
from ..reports import run_report
from .authz import role_required
from .i18n import percent
from .report_charts import line_chart
from .reports import SCIENTISTS, choices, read_filters, scope_of

# "models" is the API blueprint of /api/v1/models; the nav and start page use this name.
bp = Blueprint("model_pages", __name__, url_prefix="/models")


@bp.get("/")
@role_required(*SCIENTISTS)
def index() -> Any:
    """Show how the champion model behaves in production."""
    filters, errors = read_filters()
    context: dict[str, Any] = {"filters": filters, "errors": errors, **choices()}
    status = 200 if not errors else 422
    if not errors:
        try:
            scope = scope_of(filters)
            session = get_session()
            psi = run_report(session, "model-psi", scope)
            points = [(float(i), float(r.get("psi_score", 0.0))) for i, r in enumerate(psi["rows"])]
            context.update(
                psi=psi,
                bands=run_report(session, "model-bands", scope),
                decisions=run_report(session, "model-decisions", scope, by="month")["rows"],
                reasons=run_report(session, "model-decisions", scope, by="reason")["rows"],
                history=run_report(session, "champion-history", scope)["rows"],
                query=filters.query(),
                psi_chart=line_chart(
                    {_("Score PSI"): points},
                    title=_("Score PSI by month"),
                    key="psi",
                    desc=_(
                        "Population stability index of the scores of each application "
                        "month against the baseline; 0.1 means watch, 0.25 act."
                    ),
                    x_label=_("months"),
                    y_label=lambda v: f"{v:.2f}",
                    thresholds=((0.1, _("watch")), (0.25, _("act"))),
                )
                if points
                else None,
                light_names={
                    "green": _("green"),
                    "amber": _("amber"),
                    "red": _("red"),
                    "grey": _("no data"),
                },
            )
        except DomainError as exc:
            errors.update(exc.errors or {"as_of": [exc.message]})
            status = exc.status_code
    context["percent"] = percent
    return render_template("web/reports/models.html", **context), status
