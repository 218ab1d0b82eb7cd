"""Each report table of the pages as CSV or XLSX, with the page's filters."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, request
from flask_login import current_user

from ..db import get_session
from ..errors import DomainError
from ..reports import BY_CHOICES, REPORTS, run_report
from ..reports.export import to_csv, to_xlsx
from .authz import role_required
from .report_base import MANAGERS, MODEL_REPORTS, SCIENTISTS, bp, read_filters, scope_of

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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
    by = request.args.get("by") or None
    if errors or (by is not None and by not in BY_CHOICES.get(name, (by,))):
        abort(422)
    options = {"period_start": filters.period_start, "by": by}
    try:
        report = run_report(get_session(), name, scope_of(filters), **options)
    except DomainError as exc:
        abort(exc.status_code)
    stem = "-".join(p for p in (name, by, filters.as_of.isoformat()) if p)
    if fmt == "csv":
        body, mimetype = to_csv(report).encode("utf-8"), "text/csv; charset=utf-8"
    else:
        body, mimetype = to_xlsx(report), XLSX
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{stem}.{fmt}"'},
    )
