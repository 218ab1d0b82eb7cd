"""Program administration from the command line: list, show, create, new version, quota.

``creditapp programs create --from-json FILE`` and ``new-version --from-json FILE`` read the
same terms as the web form (``program_terms.TERM_FIELDS``, every one required); ``show
--json`` prints a program's versions in that shape, so the usual edit is: show, change the
file, new-version. Every change is audited; each command commits once.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from loanmath.rupiah import format_rupiah

from ..models import CreditProgram, ProgramTerms
from ..services import program_admin, program_quotas
from ..services.audit import Actor
from ..services.loans.value_dates import business_date
from ..services.program_terms import as_plain, terms_in_force, versions_of
from ..services.programs import program_by_code
from .session import command_session, domain_errors

programs_cli = AppGroup("programs", help="Credit programs: terms by date and annual quotas.")


def _today(value: str | None) -> date:
    """The business date: ``--today`` or today in Jakarta (the edge reads the clock)."""
    if value is None:
        return business_date(current_app.config)
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter("expected YYYY-MM-DD", param_hint="--today") from exc


def _json_file(path: str) -> dict[str, Any]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise click.BadParameter(f"cannot read: {exc}", param_hint="--from-json") from exc
    except json.JSONDecodeError as exc:
        raise click.BadParameter(f"not JSON: {exc}", param_hint="--from-json") from exc
    if not isinstance(data, dict):
        raise click.BadParameter("must hold one JSON object", param_hint="--from-json")
    return data


TODAY = click.option("--today", default=None, help="Business date YYYY-MM-DD (default: today).")


@programs_cli.command("list")
@click.option("--on", "on", default=None, help="Date whose terms to show (default: today).")
@domain_errors
def list_command(on: str | None) -> None:
    """List programs with the version in force and its plafond."""
    day = _today(on)
    with command_session() as session:
        for program in session.scalars(select(CreditProgram).order_by(CreditProgram.code)):
            version = terms_in_force(session, program.id, day)
            since = version.effective_from.isoformat() if version else "-"
            terms: CreditProgram | ProgramTerms = version or program
            click.echo(
                f"{program.code:<16} {program.segment:<12} terms since {since}  plafond "
                f"{format_rupiah(terms.plafond_min)}..{format_rupiah(terms.plafond_max)}"
            )


@programs_cli.command("show")
@click.argument("code")
@domain_errors
def show_command(code: str) -> None:
    """Print a program, every version of its terms and its quotas as JSON."""
    with command_session() as session:
        program = program_by_code(session, code)
        out = {
            "code": program.code,
            "name": program.name,
            "segment": program.segment,
            "active_from": program.active_from.isoformat(),
            "active_to": program.active_to.isoformat() if program.active_to else None,
            "quota_total": program.quota_total,
            "versions": [
                {"effective_from": v.effective_from.isoformat(), "terms": as_plain(v)}
                for v in versions_of(session, program.id)
            ],
            "quotas": program_quotas.quotas_of(session, program.id),
        }
        click.echo(json.dumps(out, indent=2, ensure_ascii=False))


@programs_cli.command("create")
@click.option("--from-json", "path", required=True, help="Program with its first terms.")
@TODAY
@domain_errors
def create_command(path: str, today: str | None) -> None:
    """Create a program and its first version of terms (audited)."""
    raw = _json_file(path)
    with command_session() as session:
        program = program_admin.create_program(session, Actor.system(), raw, today=_today(today))
        click.echo(f"program {program.code} created, terms from {program.active_from}")


@programs_cli.command("new-version")
@click.option("--from-json", "path", required=True, help='{"program", "effective_from", "terms"}')
@TODAY
@domain_errors
def new_version_command(path: str, today: str | None) -> None:
    """Add a version of a program's terms from a date (never touching existing loans)."""
    raw = _json_file(path)
    unknown = sorted(set(raw) - {"program", "effective_from", "terms"})
    if unknown:
        raise click.BadParameter(f"unknown keys {', '.join(unknown)}", param_hint="--from-json")
    if not isinstance(raw.get("program"), str) or not isinstance(raw.get("terms"), dict):
        raise click.BadParameter(
            'needs "program" (a code) and "terms" (an object)', param_hint="--from-json"
        )
    with command_session() as session:
        version = program_admin.add_version(
            session,
            Actor.system(),
            raw["program"],
            raw.get("effective_from"),
            raw["terms"],
            today=_today(today),
        )
        click.echo(f"{raw['program']}: terms from {version.effective_from} saved")


@programs_cli.command("set-quota")
@click.option("--program", "program_code", required=True, help="Program code.")
@click.option("--lender", "lender_code", required=True, help="Lender code.")
@click.option("--segment", required=True, help="super_mikro, mikro, kecil or other.")
@click.option("--year", type=int, required=True, help="Calendar year.")
@click.option("--quota", type=int, required=True, help="Whole Rupiah.")
@domain_errors
def set_quota_command(
    program_code: str, lender_code: str, segment: str, year: int, quota: int
) -> None:
    """Set a lender's annual quota; refused below what is already approved (audited)."""
    with command_session() as session:
        row = program_quotas.set_quota(
            session, Actor.system(), program_code, lender_code, segment, year, quota
        )
        used = program_quotas.quota_used(session, row.program_id, row.lender_id, segment, year)
        click.echo(
            f"{program_code} {lender_code} {segment} {year}: quota {format_rupiah(row.quota)}, "
            f"used {format_rupiah(used)}"
        )
