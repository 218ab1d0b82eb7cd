"""``creditapp regulatory debtors|disbursements|outstanding|slik --lender CODE --month YYYY-MM
--out FILE`` and ``creditapp regulatory layouts`` (the columns of every file, as Markdown).

A file is written beside its target and renamed into place when complete, so a failure
part-way leaves no half file; the export is audited (who, which file, lender, month, rows:
never a NIK). The clock is read here, at the edge, to refuse a month that has not started.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from ..errors import DomainError
from ..regulatory.files import count_rows, csv_chunks, parse_month, prepare
from ..regulatory.layouts import LAYOUTS, markdown_table
from ..services.audit import Actor, record
from ..services.loans.value_dates import business_date
from .session import command_session, domain_errors

regulatory_cli = AppGroup(
    "regulatory", help="Regulatory files (SIKP-like debtors, disbursements, outstanding; SLIK)."
)


def _make_command(kind: str) -> click.Command:
    def command(lender: str, month: str, out: str) -> None:
        try:
            parse_month(month)
        except DomainError as exc:  # a malformed value is a usage error (exit code 2)
            raise click.BadParameter(exc.errors["month"][0], param_hint="--month") from None
        target = Path(out)
        partial = target.with_name(target.name + ".part")
        with command_session() as session:
            req = prepare(session, kind, lender, month, today=business_date(current_app.config))
            total = count_rows(session, req)
            written = 0
            try:
                bar = click.progressbar(
                    length=total,
                    label=f"{kind} {lender} {month}",
                    file=sys.stderr,
                )
                with partial.open("w", encoding="utf-8", newline="") as f, bar:
                    for text, rows in csv_chunks(session, req):
                        f.write(text)
                        written += rows
                        bar.update(rows)
                os.replace(partial, target)
            finally:
                partial.unlink(missing_ok=True)
            record(
                session,
                Actor.system(),
                "regulatory.export",
                "lender",
                req.lender_id,
                after={"file": kind, "month": month, "rows": written, "via": "cli"},
            )
        click.echo(f"{kind}: {written} rows written to {target}")

    command.__name__ = kind
    params: list[click.Parameter] = [
        click.Option(["--lender"], required=True, help="Lender code, e.g. BANK-DEMO."),
        click.Option(["--month"], required=True, help="Reporting month YYYY-MM."),
        click.Option(["--out"], required=True, help="The CSV file to write."),
    ]
    layout = LAYOUTS[kind]
    return click.Command(
        kind,
        callback=with_appcontext(domain_errors(command)),
        params=params,
        help=f"{layout.title}: {layout.row}.",
    )


for _kind in LAYOUTS:
    regulatory_cli.add_command(_make_command(_kind))


@regulatory_cli.command("layouts")
def layouts() -> None:
    """Print every file's columns as Markdown (the README's tables are this output)."""
    click.echo("\n\n".join(markdown_table(layout) for layout in LAYOUTS.values()))
