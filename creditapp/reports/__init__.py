"""Portfolio reports for program managers: one function per report, SQL does the aggregation.

``REPORTS`` maps the report names of the CLI and API to functions taking a session and a
``Scope`` (plus the report's own options) and returning one JSON-ready dict.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from . import flows, graduation, inclusion, migration, monitoring, portfolio, volume
from .scope import Scope, resolve_scope


def _rows(fn: Callable[..., list[dict[str, Any]]]) -> Callable[..., dict[str, Any]]:
    def report(session: Session, scope: Scope, **options: Any) -> dict[str, Any]:
        return {**scope.describe(), **_echo(options), "rows": fn(session, scope, **options)}

    report.__doc__ = fn.__doc__
    return report


def _echo(options: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in options.items()}


REPORTS: dict[str, Callable[..., dict[str, Any]]] = {
    "portfolio": portfolio.portfolio,
    "collectibility": _rows(portfolio.collectibility),
    "par-by-program-province": _rows(portfolio.par_by_program_province),
    "collection-rate": flows.collection_rate,
    "write-offs": flows.write_off_ratio,
    "roll-rates": migration.roll_rates,
    "vintages": migration.vintages,
    "volume": _rows(volume.volume),
    "quota": _rows(volume.quota),
    "subsidy": _rows(volume.subsidy),
    "guarantee": volume.guarantee,
    "graduation": _rows(graduation.graduation_rate),
    "size-transitions": graduation.size_transitions,
    "strategy-indicators": graduation.strategy_indicators,
    "inclusion": _rows(inclusion.inclusion),
    "model-psi": monitoring.psi_by_month,
    "model-bands": monitoring.band_performance,
    "model-decisions": _rows(monitoring.decision_rates),
    "champion-history": _rows(monitoring.champion_history),
}
# The options each report accepts beyond the scope (CLI flags / API query parameters).
OPTIONS: dict[str, tuple[str, ...]] = {
    "collection-rate": ("period_start",),
    "write-offs": ("period_start",),
    "volume": ("by",),
    "subsidy": ("period_start",),
    "inclusion": ("by",),
    "graduation": ("by",),
    "model-decisions": ("by",),
}
# The groupings of the reports that take ``by`` (the first is the default).
BY_CHOICES: dict[str, tuple[str, ...]] = {
    "volume": volume.VOLUME_DIMENSIONS,
    "inclusion": tuple(inclusion.GROUPS),
    "graduation": graduation.GRADUATION_GROUPS,
    "model-decisions": ("month", "reason", "officer"),
}


def run_report(session: Session, name: str, scope: Scope, **options: Any) -> dict[str, Any]:
    """Run the report ``name``; options it does not take are ignored."""
    accepted = {k: v for k, v in options.items() if k in OPTIONS.get(name, ()) and v is not None}
    return REPORTS[name](session, scope, **accepted)


__all__ = ["BY_CHOICES", "OPTIONS", "REPORTS", "Scope", "resolve_scope", "run_report"]
