"""``creditapp books seed-chart|accrue|trial-balance|statement|export-journal``.

Writers (seed-chart, accrue) commit once at the end; readers roll back, never commit.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import click
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select

from loanmath.rupiah import format_rupiah

from ..db import get_db
from ..models import CreditProgram
from ..services.books.accrual import accrue_interest
from ..services.books.chart import seed_chart
from ..services.books.statements import account_statement, journal_csv, trial_balance
from .session import command_session, domain_errors

books_cli = AppGroup("books", help="The general ledger: chart, accrual, trial balance, exports.")


def _day(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(f"expected YYYY-MM-DD, got {value!r}", param_hint=option) from exc


@books_cli.command("seed-chart")
@with_appcontext
@domain_errors
def seed_chart_command() -> None:
    """Create the default KUR chart of accounts (missing accounts only)."""
    with command_session() as session:
        created = seed_chart(session)
    click.echo(f"chart of accounts: {created} accounts created")


@books_cli.command("accrue")
@with_appcontext
@click.option("--as-of", "as_of", required=True, help="Business date YYYY-MM-DD.")
@domain_errors
def accrue_command(as_of: str) -> None:
    """Accrue the interest of performing loans to a date (a date already run is a no-op)."""
    day = _day(as_of, "--as-of")
    with command_session() as session:
        summary = accrue_interest(session, day)
    click.echo(
        f"interest accrued as of {day}: {summary.loans_accrued} loans, "
        f"{format_rupiah(summary.accrued, 'en')} for {summary.days} day(s); "
        f"reversed on {summary.loans_reversed} non-performing loans: "
        f"{format_rupiah(summary.reversed, 'en')}"
    )


def _program_id(session: object, code: str | None) -> int | None:
    if code is None:
        return None
    found = session.scalar(select(CreditProgram.id).where(CreditProgram.code == code))  # type: ignore[attr-defined]  # a Session
    if found is None:
        raise click.BadParameter(f"no program {code!r}", param_hint="--program")
    return int(found)


@books_cli.command("trial-balance")
@with_appcontext
@click.option("--as-of", "as_of", required=True, help="Date YYYY-MM-DD.")
@click.option("--program", help="Program code: that program's entries only.")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@domain_errors
def trial_balance_command(as_of: str, program: str | None, fmt: str) -> None:
    """Print the trial balance: debits, credits and balance per account."""
    day = _day(as_of, "--as-of")
    session = get_db().sessionmaker()
    try:
        rows = trial_balance(session, day, _program_id(session, program))
    finally:
        session.rollback()
        session.close()
    debits, credits = sum(r.debit for r in rows), sum(r.credit for r in rows)
    if fmt == "json":
        click.echo(
            json.dumps(
                {
                    "as_of": day.isoformat(),
                    "accounts": [
                        {
                            "code": r.code,
                            "name": r.name_en,
                            "type": r.type,
                            "debit": r.debit,
                            "credit": r.credit,
                            "balance": r.balance,
                        }
                        for r in rows
                    ],
                    "debit": debits,
                    "credit": credits,
                    "balanced": debits == credits,
                }
            )
        )
        return
    for r in rows:
        click.echo(
            f"{r.code:<22} {r.name_en[:44]:<44} {r.debit:>18,} {r.credit:>18,} {r.balance:>18,}"
        )
    click.echo(f"{'total':<67} {debits:>18,} {credits:>18,}")
    click.echo("balanced" if debits == credits else "NOT BALANCED")


@books_cli.command("statement")
@with_appcontext
@click.option("--account", required=True, help="Account code, e.g. 1201-KUR-MIKRO.")
@click.option("--from", "start", required=True, help="First date YYYY-MM-DD.")
@click.option("--to", "end", required=True, help="Last date YYYY-MM-DD.")
@domain_errors
def statement_command(account: str, start: str, end: str) -> None:
    """Print an account's lines in a date range with the running balance."""
    first, last = _day(start, "--from"), _day(end, "--to")
    if last < first:
        raise click.BadParameter("must not be before --from", param_hint="--to")
    session = get_db().sessionmaker()
    try:
        result = account_statement(session, account, first, last)
    finally:
        session.rollback()
        session.close()
    click.echo(f"{result.code} {result.name_en}: opening {result.opening:,}")
    for line in result.lines:
        click.echo(
            f"{line.entry_date} {line.entry_id:>8} {line.event:<24} "
            f"{line.debit:>16,} {line.credit:>16,} {line.balance:>18,}"
        )
    click.echo(f"closing {result.closing:,}")


@books_cli.command("export-journal")
@with_appcontext
@click.option("--from", "start", required=True, help="First date YYYY-MM-DD.")
@click.option("--to", "end", required=True, help="Last date YYYY-MM-DD.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="File (else stdout).")
@domain_errors
def export_journal_command(start: str, end: str, out: Path | None) -> None:
    """Write the journal lines of a date range as CSV for the bank's core ledger."""
    first, last = _day(start, "--from"), _day(end, "--to")
    if last < first:
        raise click.BadParameter("must not be before --from", param_hint="--to")
    session = get_db().sessionmaker()
    try:
        if out is None:
            for chunk in journal_csv(session, first, last):
                click.echo(chunk, nl=False)
        else:
            with out.open("w", encoding="utf-8", newline="") as handle:
                for chunk in journal_csv(session, first, last):
                    handle.write(chunk)
    finally:
        session.rollback()
        session.close()
