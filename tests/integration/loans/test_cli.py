"""The loan commands: maker-checker from the command line, ageing and subsidy summaries."""

from __future__ import annotations

from datetime import date

from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from creditapp.models import (
    AuditEvent,
    Disbursement,
    Lender,
    Loan,
    RepaymentReversal,
    SubsidyAccrual,
)
from creditapp.services.loans import post_repayment, request_disbursement
from tests.factories import core
from tests.factories import loans as lf


def test_approve_then_maker_checker_disbursement(runner: FlaskCliRunner, session: Session) -> None:
    lender, program = core.lender(session), core.program(session)
    application = core.application(session, lender, program)
    maker, checker = lf.user(session, lender), lf.user(session, lender)
    session.commit()
    result = runner.invoke(
        args=[
            "approve-application",
            "--application",
            str(application.id),
            "--amount",
            "50000000",
            "--tenor",
            "24",
            "--by",
            maker.email,
            "--on",
            "2026-11-03",
            "--reason",
            "good history",
        ]
    )
    assert result.exit_code == 0, result.output
    loan = session.scalar(select(Loan).where(Loan.application_id == application.id))
    assert loan is not None and loan.tenor == 24
    result = runner.invoke(
        args=[
            "request-disbursement",
            "--loan",
            str(loan.id),
            "--amount",
            "50000000",
            "--on",
            "2026-11-03",
            "--by",
            maker.email,
        ]
    )
    assert result.exit_code == 0, result.output
    pending = session.scalar(select(Disbursement).where(Disbursement.loan_id == loan.id))
    assert pending is not None
    confirm = ["confirm-disbursement", "--disbursement", str(pending.id), "--on", "2026-11-03"]
    result = runner.invoke(args=[*confirm, "--by", maker.email])
    assert result.exit_code == 1 and "second person" in result.output
    result = runner.invoke(args=[*confirm, "--by", checker.email])
    assert result.exit_code == 0, result.output
    session.refresh(loan)
    assert loan.status == "active" and loan.outstanding_principal == 50_000_000


def test_deciding_commands_check_the_users_role_and_lender(
    runner: FlaskCliRunner, session: Session
) -> None:
    lender, other, program = core.lender(session), core.lender(session), core.program(session)
    application = core.application(session, lender, program)
    foreign = lf.user(session, other)
    manager = lf.user(session, lender)
    manager.role = "program_manager"
    session.commit()
    approve = ["approve-application", "--application", str(application.id), "--amount",
               "50000000", "--tenor", "24", "--on", "2026-11-03"]  # fmt: skip
    for user in (foreign, manager):
        result = runner.invoke(args=[*approve, "--by", user.email])
        assert result.exit_code == 1 and "only a loan officer" in result.output, result.output
    assert session.scalar(select(Loan).where(Loan.application_id == application.id)) is None


def test_age_loans_prints_the_summary(runner: FlaskCliRunner, session: Session) -> None:
    lf.active_loan(session)
    session.commit()
    result = runner.invoke(args=["age-loans", "--as-of", "2027-04-03"])  # 121 days late
    assert result.exit_code == 0, result.output
    assert "1 loans aged" in result.output
    assert "collectibility 4: 1" in result.output
    assert "new guarantee claims: 1" in result.output
    again = runner.invoke(args=["age-loans", "--as-of", "2027-04-03"])
    assert "0 loans aged" in again.output and "new guarantee claims: 0" in again.output
    bad = runner.invoke(args=["age-loans", "--as-of", "03/04/2027"])
    assert bad.exit_code == 2 and "YYYY-MM-DD" in bad.output


def test_accrue_subsidy_for_a_month(runner: FlaskCliRunner, session: Session) -> None:
    lf.active_loan(session)
    session.commit()
    result = runner.invoke(args=["accrue-subsidy", "--month", "2026-12"])
    assert result.exit_code == 0 and "1 loans" in result.output, result.output
    accrual = session.scalar(select(SubsidyAccrual))
    assert accrual is not None
    assert (accrual.period_start, accrual.period_end) == (date(2026, 12, 1), date(2026, 12, 31))


def test_future_value_dates_are_refused_by_the_commands(
    app: Flask, runner: FlaskCliRunner, session: Session
) -> None:
    app.config["BUSINESS_DATE"] = "2026-11-03"
    loan = lf.approved_loan(session)
    lender = session.get(Lender, loan.lender_id)  # the commands check the officers' lender
    maker, checker = lf.user(session, lender), lf.user(session, lender)
    session.commit()
    far = runner.invoke(
        args=[
            "request-disbursement",
            "--loan",
            str(loan.id),
            "--amount",
            "50000000",
            "--on",
            "9999-12-31",
            "--by",
            maker.email,
        ]
    )
    assert far.exit_code == 1 and "disbursed_on" in far.output and "2026-11-04" in far.output
    assert session.scalar(select(Disbursement).where(Disbursement.loan_id == loan.id)) is None
    # A request stored before this rule (no business date) cannot be confirmed either.
    pending = request_disbursement(
        session, lf.SYSTEM, loan.id, 50_000_000, date(9999, 12, 31), requested_by=maker.id
    )
    session.commit()
    confirm = runner.invoke(
        args=[
            "confirm-disbursement",
            "--disbursement",
            str(pending.id),
            "--on",
            "2026-11-03",
            "--by",
            checker.email,
        ]
    )
    assert confirm.exit_code == 1 and "disbursed_on" in confirm.output, confirm.output
    assert "out of range" not in confirm.output
    session.refresh(loan)
    assert loan.status == "approved" and loan.disbursed_amount == 0


def test_program_servicing_rules_are_set_and_audited(
    runner: FlaskCliRunner, session: Session
) -> None:
    program = core.program(session)
    session.commit()
    command = ["program-servicing", "--program", program.code]
    result = runner.invoke(args=[*command, "--back-value-days", "30", "--day-count", "actual/365"])
    assert result.exit_code == 0, result.output
    assert "back-value 30 days" in result.output and "actual/365" in result.output
    bad = runner.invoke(args=[*command, "--back-value-days", "-1"])
    assert bad.exit_code == 1 and "back_value_days" in bad.output
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "program.servicing_rules"))
    assert event is not None and event.after is not None
    assert event.after["back_value_days"] == 30


def test_reversal_from_the_command_line_needs_two_people(
    runner: FlaskCliRunner, session: Session
) -> None:
    loan = lf.active_loan(session)
    repayment = post_repayment(
        session,
        lf.SYSTEM,
        loan.id,
        lender_id=loan.lender_id,
        amount=2_216_031,
        paid_on=date(2026, 12, 3),
        idempotency_key="cli-r",
    ).repayment
    lender = session.get(Lender, loan.lender_id)
    maker, checker = lf.user(session, lender), lf.user(session, lender)
    outsider = lf.user(session)  # a loan officer of no lender: may not act on this loan
    session.commit()
    foreign = runner.invoke(
        args=[
            "request-reversal",
            "--repayment",
            str(repayment.id),
            "--reason",
            "x",
            "--by",
            outsider.email,
            "--on",
            "2026-12-04",
        ]
    )
    assert foreign.exit_code == 1 and "officer" in foreign.output
    asked = runner.invoke(
        args=[
            "request-reversal",
            "--repayment",
            str(repayment.id),
            "--reason",
            "salah input",
            "--by",
            maker.email,
            "--on",
            "2026-12-04",
        ]
    )
    assert asked.exit_code == 0, asked.output
    reversal = session.scalar(select(RepaymentReversal))
    assert reversal is not None
    approve = ["approve-reversal", "--reversal", str(reversal.id), "--on", "2026-12-04"]
    same = runner.invoke(args=[*approve, "--by", maker.email])
    assert same.exit_code == 1 and "approved_by" in same.output
    assert runner.invoke(args=[*approve, "--by", outsider.email]).exit_code == 1
    done = runner.invoke(args=[*approve, "--by", checker.email])
    assert done.exit_code == 0, done.output
    session.refresh(loan)
    assert loan.outstanding_principal == 50_000_000
