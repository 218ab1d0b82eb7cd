"""GET /reports/...: a lender's own portfolio reports (never another lender's loans)."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask.views import MethodView
from marshmallow import Schema

from ..db import get_session
from ..reports import run_report
from ..reports.scope import resolve_scope
from ..schemas import report as s
from ..schemas.common import ErrorSchema
from ..services.loans.value_dates import business_date
from .auth import current_lender_id, protect
from .parsing import ApiBlueprint

blp = protect(
    ApiBlueprint(
        "reports",
        __name__,
        url_prefix="/api/v1/reports",
        description="Portfolio reports of your own loans as of a past end-of-day run.",
    ),
    "loans",
)

# (path, report name, arguments, body, summary)
ROUTES: tuple[tuple[str, str, type[Schema], type[Schema], str], ...] = (
    ("portfolio", "portfolio", s.ReportArgsSchema, s.PortfolioSchema,
     "Gross portfolio, PAR1/30/60/90, NPL ratio and collectibility."),
    ("collectibility", "collectibility", s.ReportArgsSchema, s.RowsSchema,
     "Collectibility Kol 1-5 by balance and count."),
    ("par-by-program-province", "par-by-program-province", s.ReportArgsSchema, s.RowsSchema,
     "PAR and NPL per program and province."),
    ("collection-rate", "collection-rate", s.PeriodArgsSchema, s.CollectionRateSchema,
     "Collected / fallen due in a period, on time and late."),
    ("write-offs", "write-offs", s.PeriodArgsSchema, s.WriteOffSchema,
     "Write-off ratio and recovery rate."),
    ("roll-rates", "roll-rates", s.ReportArgsSchema, s.RollRatesSchema,
     "Month-to-month roll rates of balances between DPD buckets."),
    ("vintages", "vintages", s.ReportArgsSchema, s.RowsSchema,
     "Cumulative 30+/90+ DPD and write-off share by disbursement month."),
    ("volume", "volume", s.VolumeArgsSchema, s.VolumeSchema,
     "Disbursed, outstanding and debtors by one dimension."),
    ("quota", "quota", s.ReportArgsSchema, s.RowsSchema, "Quota used and left this year."),
    ("subsidy", "subsidy", s.ReportArgsSchema, s.RowsSchema,
     "Interest subsidy accrued by month and program."),
    ("guarantee", "guarantee", s.ReportArgsSchema, s.GuaranteeSchema,
     "Guarantee cover exposure and claims by status."),
)  # fmt: skip


def _report(name: str, args: dict[str, Any]) -> dict[str, Any]:
    session = get_session()
    scope = resolve_scope(
        session,
        args["as_of"],
        today=business_date(current_app.config),  # the edge reads the clock; reports never do
        program=args.get("program"),
        lender_id=current_lender_id(),
    )
    options = {k: v for k, v in args.items() if k not in ("as_of", "program")}
    return run_report(session, name, scope, **options)


def _register(path: str, name: str, args: type[Schema], body: type[Schema], summary: str) -> None:
    def get(self: MethodView, query: dict[str, Any]) -> dict[str, Any]:
        return _report(name, query)

    get.__doc__ = summary
    view = type(f"Report_{name.replace('-', '_')}", (MethodView,), {"get": get})
    decorated = blp.arguments(args, location="query")(get)
    decorated = blp.response(200, body)(decorated)
    decorated = blp.alt_response(404, schema=ErrorSchema, description="Unknown program")(decorated)
    decorated = blp.alt_response(
        422, schema=ErrorSchema, description="Bad argument, or as_of after the last run or today"
    )(decorated)
    view.get = decorated  # type: ignore[attr-defined]  # a MethodView built at run time
    blp.route(f"/{path}", endpoint=name)(view)


for _route in ROUTES:
    _register(*_route)
