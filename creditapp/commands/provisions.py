"""``creditapp provisions run|report|set|settings``: the monthly loss allowance (CKPN).

``run`` and ``set`` commit once (``command_session``); ``report`` and ``settings`` only read.
Dates are options, never the clock (the report refuses a date after today, at this edge).
"""

from __future__ import annotations

import json
import sys
from datetime import date
from typing import Any

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from loanmath.rupiah import format_rupiah

from ..db import get_db
from ..reports import resolve_scope
from ..reports.export import to_csv
from ..reports.provisions import provisions
from ..services import provisioning
from ..services.audit import Actor
from ..services.loans.value_dates import business_date
from ..services.provisioning.run import STEPS
from .session import command_session, domain_errors

provisions_cli = AppGroup("provisions", help="Loss allowance (CKPN): monthly runs and reports.")


def _day(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(f"expected YYYY-MM-DD, got {value!r}", param_hint=option) from exc


@provisions_cli.command("run")
@click.option("--as-of", "as_of", required=True, help="Month end YYYY-MM-DD.")
@with_appcontext
@domain_errors
def run_command(as_of: str) -> None:
    """Provision every active loan as of a month end (re-running a date changes nothing)."""
    day = _day(as_of, "--as-of")
    with (
        command_session() as session,
        click.progressbar(length=STEPS, label="provisioning", file=sys.stderr) as bar,
    ):
        summary = provisioning.run_provisioning(session, day, progress=lambda _step: bar.update(1))
    state = "run" if summary.created else "already run (nothing changed)"
    click.echo(f"provisions as of {summary.as_of} {state}: {summary.loans} loans")
    click.echo(f"  ageing run read: {summary.snapshot}")
    for stage, amount in sorted(summary.by_stage.items()):
        click.echo(f"  stage {stage}: {format_rupiah(amount)}")
    click.echo(f"  allowance: {format_rupiah(summary.total)}")


def _table(report: dict[str, Any]) -> str:
    """The report as aligned text: program x stage, by stage, movements."""
    lines = [f"run {report['run'] or '(none)'} (ageing run {report['run_snapshot'] or '-'})"]
    header = f"{'program':<16}{'stage':>6}{'loans':>10}{'EAD':>24}{'cover':>24}{'allowance':>22}"
    lines.append(header)
    for r in report["rows"]:
        lines.append(
            f"{r['program']:<16}{r['stage']:>6}{r['loans']:>10}{format_rupiah(r['ead']):>24}"
            f"{format_rupiah(r['cover']):>24}{format_rupiah(r['allowance']):>22}"
        )
    for r in report["by_stage"]:
        lines.append(
            f"{'all':<16}{r['stage']:>6}{r['loans']:>10}{format_rupiah(r['ead']):>24}"
            f"{format_rupiah(r['cover']):>24}{format_rupiah(r['allowance']):>22}"
        )
    lines.append(f"allowance: {format_rupiah(report['total_allowance'])}")
    lines.append(f"{'program':<16}{'opening':>22}{'closing':>22}{'change':>22}")
    for m in report["movements"]:
        lines.append(
            f"{m['program']:<16}{format_rupiah(m['opening']):>22}"
            f"{format_rupiah(m['closing']):>22}{format_rupiah(m['change']):>22}"
        )
    return "\n".join(lines)


@provisions_cli.command("report")
@click.option("--as-of", "as_of", required=True, help="Report date YYYY-MM-DD.")
@click.option("--program", help="Program code.")
@click.option("--lender", help="Lender code.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
)
@with_appcontext
@domain_errors
def report_command(as_of: str, program: str | None, lender: str | None, fmt: str) -> None:
    """Allowance by stage and program, and its movement, from the run on or before a date."""
    day = _day(as_of, "--as-of")
    session = get_db().sessionmaker()
    try:
        scope = resolve_scope(
            session, day, today=business_date(current_app.config), program=program, lender=lender
        )
        report = provisions(session, scope)
    finally:
        session.rollback()
        session.close()
    if fmt == "json":
        click.echo(json.dumps(report, ensure_ascii=False))
    elif fmt == "csv":
        click.echo(to_csv(report).rstrip("\n"))
    else:
        click.echo(_table(report))


@provisions_cli.command("set")
@click.option("--program", required=True, help="Program code.")
@click.option("--lgd", required=True, help="Loss given default, a fraction 0..1 (e.g. 0.45).")
@click.option("--from", "effective_from", required=True, help="Effective from YYYY-MM-DD.")
@click.option("--unscored-pd", default=None, help="12-month PD of loans without a score.")
@with_appcontext
@domain_errors
def set_command(program: str, lgd: str, effective_from: str, unscored_pd: str | None) -> None:
    """Set a program's LGD (and unscored PD) for runs from a date on; audited."""
    day = _day(effective_from, "--from")
    with command_session() as session:
        row = provisioning.set_provisioning(
            session, Actor.system(), program, lgd=lgd, effective_from=day, unscored_pd=unscored_pd
        )
        click.echo(
            f"{program}: LGD {row.lgd}, unscored PD {row.unscored_pd} from {row.effective_from}"
        )


@provisions_cli.command("settings")
@click.option("--as-of", "as_of", required=True, help="Date YYYY-MM-DD.")
@with_appcontext
@domain_errors
def settings_command(as_of: str) -> None:
    """List each program's LGD and unscored PD in force on a date."""
    day = _day(as_of, "--as-of")
    session = get_db().sessionmaker()
    try:
        found = provisioning.settings_in_force(session, day)
    finally:
        session.rollback()
        session.close()
    for s in found:
        since = s.effective_from.isoformat() if s.effective_from else "default"
        click.echo(f"{s.program}: LGD {s.lgd}, unscored PD {s.unscored_pd} ({since})")
