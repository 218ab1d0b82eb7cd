"""Loan lifecycle commands: end-of-day ageing, subsidy accrual, approval, disbursement.

Each command opens one session and commits once (``command_session``). Business dates are
options, never the clock. Maker-checker steps name the acting user with ``--by EMAIL``.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import select
from sqlalchemy.orm import Session

from loanmath.dates import add_months

from ..errors import NotFound
from ..models import Application, Disbursement, Loan, Repayment, RepaymentReversal, User
from ..services import decisions, loans
from ..services.audit import Actor
from ..services.loans.settings import set_servicing_rules
from ..services.loans.value_dates import business_date
from .session import command_session, domain_errors


def _day(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter("expected YYYY-MM-DD", param_hint=option) from exc


def _user(session: Session, email: str) -> User:
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or not user.active:
        raise NotFound("no such user", {"by": [f"no active user {email!r}"]})
    return user


def _officer(session: Session, email: str, model: type[Any], object_id: int) -> User:
    """The acting user, who must be a loan officer of the lender owning the object."""
    obj = session.get(model, object_id)
    if model in (Disbursement, RepaymentReversal) and obj is not None:
        obj = session.get(Loan, obj.loan_id)
    if obj is None:
        raise NotFound("not found", {model.__tablename__: [f"no {model.__name__} {object_id}"]})
    return decisions.officer_of(session, _user(session, email), obj.lender_id)


@click.command("age-loans")
@with_appcontext
@click.option("--as-of", "as_of", required=True, help="Business date YYYY-MM-DD.")
@domain_errors
def age_loans_command(as_of: str) -> None:
    """Age every active loan as of a date (DPD, collectibility, penalties, claims)."""
    with command_session() as session:
        summary = loans.age_loans(session, _day(as_of, "--as-of"))
    click.echo(f"as of {summary.as_of}: {summary.loans_aged} loans aged")
    for grade in range(1, 6):
        click.echo(f"  collectibility {grade}: {summary.by_collectibility.get(grade, 0)}")
    click.echo(f"new guarantee claims: {summary.new_guarantee_claims}")
    click.echo(f"penalty charged: Rp{summary.penalty_charged}")


@click.command("accrue-subsidy")
@with_appcontext
@click.option("--month", required=True, help="Calendar month YYYY-MM.")
@domain_errors
def accrue_subsidy_command(month: str) -> None:
    """Accrue the interest subsidy of one calendar month (re-running is a no-op)."""
    try:
        start = datetime.strptime(month, "%Y-%m").date()
    except ValueError as exc:
        raise click.BadParameter("expected YYYY-MM", param_hint="--month") from exc
    end = add_months(start, 1) - timedelta(days=1)
    with command_session() as session:
        written = loans.accrue_subsidy(session, start, end)
    click.echo(f"subsidy accrued for {written} loans, {start}..{end}")


@click.command("approve-application")
@with_appcontext
@click.option("--application", "application_id", type=int, required=True)
@click.option("--amount", type=int, required=True, help="Approved principal, Rupiah.")
@click.option("--tenor", type=int, required=True, help="Months.")
@click.option("--by", "by", required=True, help="E-mail of the deciding officer.")
@click.option("--on", "on", required=True, help="Decision date YYYY-MM-DD.")
@click.option("--reason", default=None)
@click.option("--grace", type=int, default=0, show_default=True, help="Interest-only months.")
@domain_errors
def approve_application_command(
    application_id: int, amount: int, tenor: int, by: str, on: str, reason: str | None, grace: int
) -> None:
    """Approve an application: create the loan and its schedule."""
    with command_session() as session:
        officer = _officer(session, by, Application, application_id)
        application = session.get(Application, application_id)
        assert application is not None  # _officer found it
        decisions.may_decide(officer, application)
        loan = loans.approve_application(
            session,
            Actor("user", officer.id),
            application_id,
            amount=amount,
            tenor=tenor,
            decided_by=officer.id,
            decided_on=_day(on, "--on"),
            reason=reason,
            grace_principal=grace,
        )
        click.echo(f"loan {loan.id} approved: Rp{loan.principal} over {loan.tenor} months")


@click.command("request-disbursement")
@with_appcontext
@click.option("--loan", "loan_id", type=int, required=True)
@click.option("--amount", type=int, required=True, help="Rupiah.")
@click.option("--on", "on", required=True, help="Value date YYYY-MM-DD.")
@click.option("--by", "by", required=True, help="E-mail of the maker.")
@domain_errors
def request_disbursement_command(loan_id: int, amount: int, on: str, by: str) -> None:
    """Request a disbursement (maker); another user confirms it."""
    with command_session() as session:
        maker = _officer(session, by, Loan, loan_id)
        item = loans.request_disbursement(
            session,
            Actor("user", maker.id),
            loan_id,
            amount,
            _day(on, "--on"),
            requested_by=maker.id,
            business_date=business_date(current_app.config),
        )
        click.echo(f"disbursement {item.id} pending: Rp{item.amount}")


@click.command("confirm-disbursement")
@with_appcontext
@click.option("--disbursement", "disbursement_id", type=int, required=True)
@click.option("--by", "by", required=True, help="E-mail of the checker (not the maker).")
@click.option("--on", "on", required=True, help="Confirmation date YYYY-MM-DD.")
@domain_errors
def confirm_disbursement_command(disbursement_id: int, by: str, on: str) -> None:
    """Confirm a pending disbursement (checker): money moves, the loan becomes active."""
    with command_session() as session:
        checker = _officer(session, by, Disbursement, disbursement_id)
        item = loans.confirm_disbursement(
            session,
            Actor("user", checker.id),
            disbursement_id,
            checker.id,
            _day(on, "--on"),
            business_date=business_date(current_app.config),
        )
        click.echo(f"disbursement {item.id} confirmed: Rp{item.amount} to loan {item.loan_id}")


@click.command("request-reversal")
@with_appcontext
@click.option("--repayment", "repayment_id", type=int, required=True)
@click.option("--reason", required=True, help="Why the repayment is reversed (mandatory).")
@click.option("--by", "by", required=True, help="E-mail of the maker.")
@click.option("--on", "on", required=True, help="Business date YYYY-MM-DD.")
@domain_errors
def request_reversal_command(repayment_id: int, reason: str, by: str, on: str) -> None:
    """Ask to reverse a repayment (maker); another user approves it."""
    with command_session() as session:
        maker = _officer(session, by, Repayment, repayment_id)
        item = loans.request_reversal(
            session,
            Actor("user", maker.id),
            repayment_id,
            requested_by=maker.id,
            requested_on=_day(on, "--on"),
            reason=reason,
        )
        click.echo(f"reversal {item.id} of repayment {repayment_id} pending")


@click.command("approve-reversal")
@with_appcontext
@click.option("--reversal", "reversal_id", type=int, required=True)
@click.option("--by", "by", required=True, help="E-mail of the checker (not the maker).")
@click.option("--on", "on", required=True, help="Business date YYYY-MM-DD.")
@domain_errors
def approve_reversal_command(reversal_id: int, by: str, on: str) -> None:
    """Approve a pending reversal (checker): the repayment is undone, the loan re-aged."""
    with command_session() as session:
        checker = _officer(session, by, RepaymentReversal, reversal_id)
        item = loans.approve_reversal(
            session,
            Actor("user", checker.id),
            reversal_id,
            approved_by=checker.id,
            approved_on=_day(on, "--on"),
        )
        click.echo(f"repayment {item.repayment_id} reversed")


@click.command("refund-credit")
@with_appcontext
@click.option("--loan", "loan_id", type=int, required=True)
@click.option("--amount", type=int, required=True, help="Rupiah.")
@click.option("--on", "on", required=True, help="Value date YYYY-MM-DD.")
@click.option("--by", "by", required=True, help="E-mail of the officer paying it back.")
@domain_errors
def refund_credit_command(loan_id: int, amount: int, on: str, by: str) -> None:
    """Pay a borrower's credit balance (an overpayment) back."""
    with command_session() as session:
        officer = _officer(session, by, Loan, loan_id)
        loans.refund_credit(
            session,
            Actor("user", officer.id),
            loan_id,
            amount=amount,
            refunded_on=_day(on, "--on"),
            business_date=business_date(current_app.config),
        )
        click.echo(f"refunded Rp{amount} to the borrower of loan {loan_id}")


@click.command("program-servicing")
@with_appcontext
@click.option("--program", "program_code", required=True, help="Program code, e.g. KUR-MIKRO.")
@click.option("--back-value-days", type=int, default=None, help="Oldest value date accepted.")
@click.option("--day-count", type=click.Choice(["30/360", "actual/365"]), default=None)
@click.option("--subsidy-max-grade", type=int, default=None, help="Worst grade earning subsidy.")
@click.option("--subsidy-after-maturity/--no-subsidy-after-maturity", default=None)
@domain_errors
def program_servicing_command(
    program_code: str,
    back_value_days: int | None,
    day_count: str | None,
    subsidy_max_grade: int | None,
    subsidy_after_maturity: bool | None,
) -> None:
    """Show or change a program's servicing rules (audited)."""
    with command_session() as session:
        rules = set_servicing_rules(
            session,
            Actor.system(),
            program_code,
            back_value_days=back_value_days,
            day_count=day_count,
            subsidy_max_grade=subsidy_max_grade,
            subsidy_after_maturity=subsidy_after_maturity,
        )
        click.echo(
            f"{program_code}: back-value {rules.back_value_days} days, day count "
            f"{rules.day_count}, subsidy up to Kol {rules.subsidy_max_grade}"
            f"{' and after maturity' if rules.subsidy_after_maturity else ''}"
        )


COMMANDS = (
    age_loans_command,
    accrue_subsidy_command,
    approve_application_command,
    request_disbursement_command,
    confirm_disbursement_command,
    program_servicing_command,
    request_reversal_command,
    approve_reversal_command,
    refund_credit_command,
)


def init_app(app: Flask) -> None:
    """Register the loan commands."""
    for command in COMMANDS:
        app.cli.add_command(command)
