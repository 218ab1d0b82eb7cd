"""``seed-demo``: programs, lenders, users, scored applications and loans replayed through the
loan services; idempotent, with ledgers that rebuild and no repayment before its money left."""

from __future__ import annotations

import stat
from pathlib import Path

import numpy as np
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import Table, func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash

from creditapp.commands.demo_loans import _month_ends, pick_loans
from creditapp.models import (
    Application,
    Base,
    CreditProgram,
    Installment,
    Lender,
    Loan,
    LoanMovement,
    LoanStatus,
    Repayment,
    ScoreRecord,
    User,
)
from creditapp.services.loans import rebuild_balances

ARGS = ["seed-demo", "--enterprises", "60", "--max-loans", "14", "--seed", "5"]


def _row_counts(session: Session) -> dict[str, int]:
    counts = {}
    for table in Base.metadata.sorted_tables:
        assert isinstance(table, Table)
        counts[table.name] = int(session.scalar(select(func.count()).select_from(table)) or 0)
    return counts


def _count(session: Session, model: type) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_seed_demo_fills_the_portfolio_once(
    runner: FlaskCliRunner, session: Session, app: Flask
) -> None:
    first = runner.invoke(args=ARGS)
    assert first.exit_code == 0, first.output
    assert "0 service refusals" in first.output
    # Passwords go to an owner-only file, never to the output (which reaches server logs).
    passwords = Path(app.config["DEMO_USERS_FILE"])
    lines = passwords.read_text().splitlines()
    assert stat.S_IMODE(passwords.stat().st_mode) == 0o600
    assert len(lines) == 9
    for line in lines:
        email, password, _role = line.split("\t", 2)
        assert password not in first.output
        user = session.scalar(select(User).where(User.email == email))
        assert user is not None and check_password_hash(user.password_hash, password)

    assert _count(session, CreditProgram) >= 3
    assert set(session.scalars(select(Lender.code))) >= {"BANK-DEMO", "KSP-DEMO"}
    roles = sorted(session.scalars(select(User.role)))
    assert roles == ["admin", "data_scientist"] + ["loan_officer"] * 6 + ["program_manager"]
    # one senior officer per demo lender
    seniors = session.execute(
        select(Lender.code, func.count(User.id))
        .join(User, User.lender_id == Lender.id)
        .where(User.senior.is_(True))
        .group_by(Lender.code)
    ).all()
    assert sorted(seniors) == [("BANK-DEMO", 1), ("KSP-DEMO", 1)]
    assert _count(session, Application) == 60
    assert _count(session, ScoreRecord) == 60
    assert _count(session, Loan) == 14
    assert _count(session, Installment) >= 14 * 6
    assert _count(session, Repayment) > 14
    assert _count(session, LoanStatus) > 14
    in_arrears = session.scalar(select(func.count()).where(LoanStatus.dpd > 30))
    assert in_arrears and in_arrears > 0

    before = _row_counts(session)
    second = runner.invoke(args=ARGS)
    assert second.exit_code == 0, second.output
    assert "password" not in second.output
    assert _row_counts(session) == before
    assert len(passwords.read_text().splitlines()) == 9


def test_seed_demo_ledgers_rebuild_and_payments_follow_disbursement(
    runner: FlaskCliRunner, session: Session
) -> None:
    result = runner.invoke(args=ARGS)
    assert result.exit_code == 0, result.output
    loan_ids = list(session.scalars(select(Loan.id)))
    assert loan_ids
    for loan_id in loan_ids:
        balances = rebuild_balances(session, loan_id)
        assert balances.consistent, (loan_id, balances)
    first_disbursed = (
        select(LoanMovement.loan_id, func.min(LoanMovement.posted_on).label("first"))
        .where(LoanMovement.kind == "disbursement")
        .group_by(LoanMovement.loan_id)
        .subquery()
    )
    early = session.scalar(
        select(func.count())
        .select_from(Repayment)
        .join(first_disbursed, first_disbursed.c.loan_id == Repayment.loan_id)
        .where(Repayment.paid_on < first_disbursed.c.first)
    )
    assert early == 0
    undisbursed_paid = session.scalar(
        select(func.count())
        .select_from(Repayment)
        .where(~Repayment.loan_id.in_(select(first_disbursed.c.loan_id)))
    )
    assert undisbursed_paid == 0


def test_pick_loans_keeps_every_outcome_when_capped() -> None:
    outcome = np.array([0] * 50 + [3] * 5 + [6] * 2 + [5], dtype=np.int8)
    picked = pick_loans(outcome, 8)
    assert len(picked) == len(set(picked)) == 8
    assert set(outcome[picked].tolist()) == {0, 3, 5, 6}
    assert pick_loans(outcome, None) == list(range(outcome.size))


def test_month_ends_run_to_the_as_of_date() -> None:
    from datetime import date

    ends = _month_ends(date(2024, 1, 15), date(2024, 4, 10))
    assert ends == [date(2024, 1, 31), date(2024, 2, 29), date(2024, 3, 31), date(2024, 4, 10)]
