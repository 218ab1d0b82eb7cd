"""``creditapp reports NAME --as-of YYYY-MM-DD [--program CODE] [--lender CODE] --format ...``.

Reports only read: the session is rolled back, never committed. The clock is read here, at
the edge, to refuse an as-of date in the future; the reports themselves never read it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from ..db import get_db
from ..reports import BY_CHOICES, OPTIONS, REPORTS, resolve_scope, run_report
from ..reports.export import to_csv, to_json, to_xlsx
from ..services.loans.value_dates import business_date
from .session import domain_errors

reports_cli = AppGroup("reports", help="Portfolio reports (read-only) as JSON, CSV or XLSX.")


def _day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(f"expected YYYY-MM-DD, got {value!r}", param_hint=option) from exc


def _write(report: dict[str, Any], fmt: str, out: str | None) -> None:
    if fmt == "xlsx":
        if not out:
            raise click.UsageError("--format xlsx needs --out PATH (a workbook is binary)")
        Path(out).write_bytes(to_xlsx(report))
        return
    text = to_json(report) if fmt == "json" else to_csv(report)
    if out:
        Path(out).write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    else:
        click.echo(text.rstrip("\n"))


def _make_command(name: str) -> click.Command:
    def command(
        as_of: str,
        program: str | None,
        lender: str | None,
        fmt: str,
        out: str | None,
        **options: Any,
    ) -> None:
        day = _day(as_of, "--as-of")
        assert day is not None
        if "period_start" in options:
            options["period_start"] = _day(options["period_start"], "--period-start")
        session = get_db().sessionmaker()
        try:
            scope = resolve_scope(
                session,
                day,
                today=business_date(current_app.config),
                program=program,
                lender=lender,
            )
            report = run_report(session, name, scope, **options)
        finally:
            session.rollback()
            session.close()
        _write(report, fmt, out)

    command.__name__ = name.replace("-", "_")
    doc = (REPORTS[name].__doc__ or name).strip().splitlines()[0]
    fn: Callable[..., None] = with_appcontext(domain_errors(command))
    params: list[click.Parameter] = [
        click.Option(["--as-of", "as_of"], required=True, help="Report date YYYY-MM-DD."),
        click.Option(["--program"], help="Program code (e.g. KUR-MIKRO)."),
        click.Option(["--lender"], help="Lender code."),
        click.Option(
            ["--format", "fmt"],
            type=click.Choice(["json", "csv", "xlsx"]),
            default="json",
            show_default=True,
        ),
        click.Option(["--out"], help="Write to this file instead of standard output."),
    ]
    if "period_start" in OPTIONS.get(name, ()):
        params.append(
            click.Option(
                ["--period-start"],
                help="First day of the period (default: the 1st of the as-of month; "
                "subsidy: every month).",
            )
        )
    if "by" in OPTIONS.get(name, ()):
        params.append(
            click.Option(
                ["--by"],
                type=click.Choice(BY_CHOICES[name]),
                default=BY_CHOICES[name][0],
                show_default=True,
            )
        )
    return click.Command(name, callback=fn, params=params, help=doc)


for _name in REPORTS:
    reports_cli.add_command(_make_command(_name))
