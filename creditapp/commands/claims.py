"""Claim cycle commands: ``creditapp subsidy-claims ...`` and ``creditapp guarantee ...``.

Each command opens one session and commits once (``command_session``); dates are options,
never the clock. Amounts may be typed as people write Rupiah (``1.250.000``).
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import select

from loanmath.rupiah import format_rupiah, parse_rupiah

from ..models import SubsidyClaim
from ..services import claims
from ..services.access import lender_by_code
from ..services.audit import Actor
from ..services.claims import statements
from ..services.claims.export import claims_csv
from ..services.claims.subsidy_claims import claim_lines, get_subsidy_claim
from ..services.programs import program_by_code
from .session import command_session, domain_errors

subsidy_cli = AppGroup("subsidy-claims", help="Monthly interest-subsidy claims to the government.")
guarantee_cli = AppGroup("guarantee", help="Guarantors, covers, IJP, claims and subrogation.")
SYSTEM = Actor.system()


def _day(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter("expected YYYY-MM-DD", param_hint=option) from exc


def _month(value: str, option: str) -> date:
    try:
        return datetime.strptime(value, "%Y-%m").date()
    except ValueError as exc:
        raise click.BadParameter("expected YYYY-MM", param_hint=option) from exc


def _amount(value: str, option: str) -> int:
    try:
        amount = parse_rupiah(value)
    except ValueError as exc:
        raise click.BadParameter(
            "expected whole Rupiah, e.g. 1.250.000", param_hint=option
        ) from exc
    if amount <= 0:
        raise click.BadParameter("must be greater than 0", param_hint=option)
    return amount


def _rp(amount: int) -> str:
    return format_rupiah(int(amount))


@subsidy_cli.command("build")
@click.option("--month", required=True, help="Claimed month YYYY-MM.")
@click.option("--on", "on", required=True, help="Submission date YYYY-MM-DD (after the month).")
@click.option("--program", "program_code", help="Only this program (code).")
@click.option("--lender", "lender_code", help="Only this lender (code).")
@domain_errors
def build_command(month: str, on: str, program_code: str | None, lender_code: str | None) -> None:
    """Submit one claim per program x lender from the month's subsidy accruals."""
    start, submitted = _month(month, "--month"), _day(on, "--on")
    with command_session() as session:
        program = program_by_code(session, program_code).id if program_code else None
        lender = lender_by_code(session, lender_code).id if lender_code else None
        built = claims.build_subsidy_claims(
            session, SYSTEM, start, submitted, program_id=program, lender_id=lender
        )
        for claim in built:
            click.echo(f"claim {claim.id}: {_rp(claim.accrued_total)} submitted")
    click.echo(f"{len(built)} claims submitted for {month}")


@subsidy_cli.command("list")
@click.option("--lender", "lender_code", help="Only this lender (code).")
@click.option("--status", type=click.Choice(["submitted", "verified", "paid"]))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@domain_errors
def list_command(lender_code: str | None, status: str | None, fmt: str) -> None:
    """List claims with their reconciliation (accrued, rejected, verified, paid, shortfall)."""
    with command_session() as session:
        lender = lender_by_code(session, lender_code).id if lender_code else None
        rows = statements.subsidy_claims_list(session, lender_id=lender, status=status)
    if fmt == "json":
        click.echo(json.dumps(rows, default=str))
        return
    for r in rows:
        click.echo(
            f"{r['id']:>5} {r['month']:%Y-%m} {r['program']:<12} {r['lender']:<10} "
            f"{r['status']:<9} lines {r['lines']:>4} accrued {_rp(r['accrued_total'])} "
            f"rejected {_rp(r['rejected'])} verified {_rp(r['verified_total'])} "
            f"paid {_rp(r['paid_amount'])} short {_rp(r['shortfall'])}"
        )


@subsidy_cli.command("verify")
@click.argument("claim_id", type=int)
@click.option("--on", "on", required=True, help="Verification date YYYY-MM-DD.")
@click.option(
    "--reject",
    "rejects",
    multiple=True,
    metavar="LINE=REASON",
    help="Reject a line with a reason before verifying (repeatable).",
)
@domain_errors
def verify_command(claim_id: int, on: str, rejects: tuple[str, ...]) -> None:
    """Reject lines (optional) and verify a submitted claim, in one commit."""
    when = _day(on, "--on")
    parsed: list[tuple[int, str]] = []
    for item in rejects:
        line, _, reason = item.partition("=")
        if not line.strip().isdigit() or not reason.strip():
            raise click.BadParameter(
                "expected LINE=REASON, e.g. 12=not in SIKP", param_hint="--reject"
            )
        parsed.append((int(line), reason))
    with command_session() as session:
        claim = get_subsidy_claim(session, claim_id)
        own = {line.id for line in claim_lines(session, claim.id)}
        for line_id, reason in parsed:
            if line_id not in own:
                raise click.BadParameter(
                    f"line {line_id} is not in claim {claim_id}", param_hint="--reject"
                )
            claims.reject_subsidy_claim_line(
                session, SYSTEM, line_id, reason=reason, rejected_on=when
            )
        claim = claims.verify_subsidy_claim(session, SYSTEM, claim_id, verified_on=when)
        click.echo(
            f"claim {claim.id} verified: {_rp(claim.verified_total)} ({len(parsed)} lines rejected)"
        )


@subsidy_cli.command("pay")
@click.argument("claim_id", type=int)
@click.option("--amount", required=True, help="Amount received, Rupiah.")
@click.option("--on", "on", required=True, help="Value date YYYY-MM-DD.")
@domain_errors
def pay_command(claim_id: int, amount: str, on: str) -> None:
    """Record the government's payment of a verified claim (less than verified: short-paid)."""
    paid = _amount(amount, "--amount")
    with command_session() as session:
        claim = claims.record_subsidy_claim_payment(
            session, SYSTEM, claim_id, paid_amount=paid, paid_on=_day(on, "--on")
        )
        short = claim.shortfall
    click.echo(
        f"claim {claim_id} paid {_rp(paid)}" + (f", short-paid by {_rp(short)}" if short else "")
    )


@subsidy_cli.command("export")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--claim", "claim_ids", type=int, multiple=True, help="Claim id (repeatable).")
@click.option("--month", help="Every claim of this month YYYY-MM.")
@domain_errors
def export_command(out: Path, claim_ids: tuple[int, ...], month: str | None) -> None:
    """Write the claim file (CSV, one row per line; layout in README.md)."""
    if not claim_ids and not month:
        raise click.UsageError("give --claim ID (repeatable) or --month YYYY-MM")
    with command_session() as session:
        ids = list(claim_ids)
        if month:
            start = _month(month, "--month")
            ids += list(session.scalars(select(SubsidyClaim.id).where(SubsidyClaim.month == start)))
        for claim_id in claim_ids:
            get_subsidy_claim(session, claim_id)  # 404 for a wrong id
        text = claims_csv(session, sorted(set(ids)))
    out.write_text(text, encoding="utf-8")
    click.echo(f"{text.count(chr(10)) - 1} lines of {len(set(ids))} claims written to {out}")


@subsidy_cli.command("reconcile")
@click.option("--from", "month_from", required=True, help="First month YYYY-MM.")
@click.option("--to", "month_to", required=True, help="Last month YYYY-MM.")
@click.option("--lender", "lender_code", help="Only this lender (code).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@domain_errors
def reconcile_command(month_from: str, month_to: str, lender_code: str | None, fmt: str) -> None:
    """Per program: subsidy accrued against claimed, rejected, verified, paid, unclaimed."""
    first, last = _month(month_from, "--from"), _month(month_to, "--to")
    if last < first:
        raise click.BadParameter("must not be before --from", param_hint="--to")
    with command_session() as session:
        lender = lender_by_code(session, lender_code).id if lender_code else None
        rows = statements.subsidy_reconciliation_by_program(session, first, last, lender_id=lender)
    if fmt == "json":
        click.echo(json.dumps(rows))
        return
    for r in rows:
        click.echo(
            f"{r['program']:<12} accrued {_rp(r['accrued'])} claimed {_rp(r['claimed'])} "
            f"rejected {_rp(r['rejected'])} verified {_rp(r['verified'])} paid {_rp(r['paid'])} "
            f"short {_rp(r['shortfall'])} unclaimed {_rp(r['unclaimed'])}"
        )


@guarantee_cli.command("create-guarantor")
@click.option("--code", required=True)
@click.option("--name", required=True)
@domain_errors
def create_guarantor_command(code: str, name: str) -> None:
    """Register a guarantor (e.g. ASKRINDO)."""
    with command_session() as session:
        g = claims.create_guarantor(session, SYSTEM, code, name)
        click.echo(f"guarantor {g.code} created (id {g.id})")


@guarantee_cli.command("set-ijp")
@click.option("--program", "program_code", required=True)
@click.option("--guarantor", "guarantor_code", required=True)
@click.option("--rate", required=True, help="IJP as a fraction of the plafond, e.g. 0.015.")
@click.option("--from", "effective_from", required=True, help="Effective from YYYY-MM-DD.")
@domain_errors
def set_ijp_command(program_code: str, guarantor_code: str, rate: str, effective_from: str) -> None:
    """Set a program's guarantor and IJP rate from a date (loans approved earlier keep theirs)."""
    try:
        value = Decimal(rate)
    except InvalidOperation as exc:
        raise click.BadParameter("expected a decimal, e.g. 0.015", param_hint="--rate") from exc
    with command_session() as session:
        row = claims.set_program_guarantee(
            session,
            SYSTEM,
            program_id=program_by_code(session, program_code).id,
            guarantor_id=claims.guarantor_by_code(session, guarantor_code).id,
            ijp_rate=value,
            effective_from=_day(effective_from, "--from"),
        )
        click.echo(
            f"{program_code}: {guarantor_code} at IJP {row.ijp_rate} from {row.effective_from}"
        )


@guarantee_cli.command("statement")
@click.option("--guarantor", "guarantor_code", required=True)
@click.option("--from", "start", required=True, help="First day YYYY-MM-DD.")
@click.option("--to", "end", required=True, help="Last day YYYY-MM-DD.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@domain_errors
def statement_command(guarantor_code: str, start: str, end: str, fmt: str) -> None:
    """The guarantor's statement: covers, IJP, claims by status, subrogation owed and paid."""
    first, last = _day(start, "--from"), _day(end, "--to")
    if last < first:
        raise click.BadParameter("must not be before --from", param_hint="--to")
    with command_session() as session:
        g = claims.guarantor_by_code(session, guarantor_code)
        s = statements.guarantor_statement(session, g.id, first, last)
    if fmt == "json":
        click.echo(json.dumps(s))
        return
    click.echo(_statement_text(s))


def _statement_text(s: dict[str, Any]) -> str:
    lines = [
        f"{s['guarantor']} ({s['guarantor_name']}) {s['period_start']}..{s['period_end']}",
        f"  covers opened {s['covers_opened']} ({_rp(s['covered_amount_opened'])} covered), "
        f"in force at the end {s['covers_in_force']}",
        f"  IJP charged {_rp(s['ijp_charged'])}, paid {_rp(s['ijp_paid'])}, "
        f"unpaid at the end {_rp(s['ijp_unpaid'])}",
    ]
    for c in s["claims"]:
        lines.append(
            f"  claims {c['status']}: {c['claims']}, claimed {_rp(c['amount'])}, "
            f"paid {_rp(c['paid_amount'])}"
        )
    lines += [
        f"  claims paid in the period: {s['claims_paid_in_period']}, "
        f"{_rp(s['claims_paid_amount'])}",
        f"  subrogation owed {_rp(s['subrogation_owed'])}, paid {_rp(s['subrogation_paid'])}, "
        f"still owed at the end {_rp(s['subrogation_outstanding'])}",
    ]
    return "\n".join(lines)


@guarantee_cli.command("reject-claim")
@click.argument("claim_id", type=int)
@click.option("--reason", required=True)
@click.option("--on", "on", required=True, help="Date of the guarantor's refusal YYYY-MM-DD.")
@domain_errors
def reject_claim_command(claim_id: int, reason: str, on: str) -> None:
    """Record that the guarantor rejected a submitted claim."""
    with command_session() as session:
        claims.reject_guarantee_claim(
            session, SYSTEM, claim_id, reason=reason, rejected_on=_day(on, "--on")
        )
    click.echo(f"guarantee claim {claim_id} rejected")


@guarantee_cli.command("pay-claim")
@click.argument("claim_id", type=int)
@click.option("--amount", required=True, help="Amount the guarantor paid, Rupiah.")
@click.option("--on", "on", required=True, help="Value date YYYY-MM-DD.")
@domain_errors
def pay_claim_command(claim_id: int, amount: str, on: str) -> None:
    """Record the guarantor's payment of a submitted claim (at most the amount claimed)."""
    from ..services.loans import record_claim_payment

    paid = _amount(amount, "--amount")
    with command_session() as session:
        record_claim_payment(session, SYSTEM, claim_id, paid_amount=paid, paid_on=_day(on, "--on"))
    click.echo(f"guarantee claim {claim_id} paid {_rp(paid)}")


@guarantee_cli.command("pay-ijp")
@click.option("--guarantor", "guarantor_code", required=True)
@click.option("--started-to", required=True, help="Covers opened up to YYYY-MM-DD.")
@click.option("--on", "on", required=True, help="Value date YYYY-MM-DD.")
@domain_errors
def pay_ijp_command(guarantor_code: str, started_to: str, on: str) -> None:
    """Record the IJP paid to a guarantor for every unpaid cover opened by a date."""
    with command_session() as session:
        g = claims.guarantor_by_code(session, guarantor_code)
        n, total = claims.record_ijp_payment(
            session,
            SYSTEM,
            g.id,
            started_to=_day(started_to, "--started-to"),
            paid_on=_day(on, "--on"),
        )
    click.echo(f"IJP of {n} covers paid to {guarantor_code}: {_rp(total)}")


@guarantee_cli.command("pay-subrogation")
@click.argument("recovery_id", type=int)
@click.option("--on", "on", required=True, help="Value date YYYY-MM-DD.")
@domain_errors
def pay_subrogation_command(recovery_id: int, on: str) -> None:
    """Pay the guarantor its share of a recovery (subrogation)."""
    with command_session() as session:
        p = claims.pay_subrogation_share(session, SYSTEM, recovery_id, paid_on=_day(on, "--on"))
        click.echo(f"subrogation of recovery {recovery_id} paid: {_rp(p.amount)}")


def init_app(app: Flask) -> None:
    """Register the claim commands."""
    app.cli.add_command(subsidy_cli)
    app.cli.add_command(guarantee_cli)
