"""``seed-demo``: programs, lenders, users, scored applications and loans replayed through the
loan services; idempotent, with ledgers that rebuild and no repayment before its money left."""

from __future__ import annotations

import calendar
import stat
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import Table, func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash

from creditapp.commands.demo import HISTORIC_APPLIED_MONTHS, HISTORIC_SEED_OFFSET
from creditapp.commands.demo_loans import WRITE_OFF_AFTER_DPD, _month_ends, pick_loans
from creditapp.models import (
    Application,
    Base,
    CreditProgram,
    Disbursement,
    GuaranteeClaim,
    GuaranteeCover,
    Installment,
    Lender,
    Loan,
    LoanMovement,
    LoanStatus,
    ProgramGuarantee,
    ProvisionRun,
    Repayment,
    ScoreRecord,
    User,
    WriteOff,
)
from creditapp.services.loans import rebuild_balances
from creditapp.services.outcomes import outcome_labels
from loanmath.dates import add_months

SEED = 5
HISTORIC = 150
ARGS = ["seed-demo", "--enterprises", "60", "--max-loans", "14", "--historic", str(HISTORIC),
        "--seed", str(SEED)]  # fmt: skip
AS_OF = date(2026, 10, 31)


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
    assert _count(session, Application) == 60 + HISTORIC
    assert _count(session, ScoreRecord) == 60 + HISTORIC
    live = select(Loan.id).join(Application).where(Application.reference.is_(None))
    assert len(session.scalars(live).all()) == 14
    assert "portfolio as of 2026-10-31:" in first.output
    assert _count(session, Installment) >= 14 * 6
    assert _count(session, Repayment) > 14
    assert _count(session, LoanStatus) > 14
    in_arrears = session.scalar(select(func.count()).where(LoanStatus.dpd > 30))
    assert in_arrears and in_arrears > 0
    # Loss provisioning at every month end aged, up to the demo date.
    assert session.scalar(select(func.max(ProvisionRun.as_of))) == AS_OF
    assert "provisions: " in first.output

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
    ends = _month_ends(date(2024, 1, 15), date(2024, 4, 10))
    assert ends == [date(2024, 1, 31), date(2024, 2, 29), date(2024, 3, 31), date(2024, 4, 10)]


def _month_end(d: date) -> date:
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])


def _next_month_end(d: date) -> date:
    return _month_end(_month_end(d) + timedelta(days=1))


def test_live_loans_are_disbursed_across_the_months_up_to_the_as_of(
    runner: FlaskCliRunner, session: Session
) -> None:
    result = runner.invoke(args=ARGS)
    assert result.exit_code == 0, result.output
    live = session.scalars(
        select(Disbursement.disbursed_on)
        .join(Loan, Loan.id == Disbursement.loan_id)
        .join(Application, Application.id == Loan.application_id)
        .where(Application.reference.is_(None), Disbursement.status == "confirmed")
    ).all()
    months = {(d.year, d.month) for d in live}
    assert len(live) == 14 and len(months) >= 8
    # young (under a year on book), seasoned and older loans all in the live book
    ages = sorted((AS_OF - d).days for d in live)
    assert ages[0] < 365 and ages[-1] > 540
    # every historic loan has ended before the as-of date: none is in its portfolio
    hist_open = session.scalar(
        select(func.count())
        .select_from(Loan)
        .join(Application, Application.id == Loan.application_id)
        .where(Application.reference.like("HIST-%"), Loan.status.in_(["approved", "active"]))
    )
    assert hist_open == 0
    last = session.scalar(select(func.max(LoanStatus.as_of)))
    hist_rows = session.scalar(
        select(func.count())
        .select_from(LoanStatus)
        .join(Loan, Loan.id == LoanStatus.loan_id)
        .join(Application, Application.id == Loan.application_id)
        .where(Application.reference.like("HIST-%"), LoanStatus.as_of == last)
    )
    assert last == AS_OF and hist_rows == 0


def test_write_offs_follow_the_policy(runner: FlaskCliRunner, session: Session) -> None:
    """Every approved write-off: Kol 5, past the policy's days at a month end (the first such),
    written off at the next month end by two different officers."""
    result = runner.invoke(args=ARGS)
    assert result.exit_code == 0, result.output
    offs = session.execute(
        select(
            WriteOff.loan_id, WriteOff.approved_on, WriteOff.requested_by, WriteOff.approved_by
        ).where(WriteOff.status == "approved")
    ).all()
    assert len(offs) >= 5
    for loan_id, approved_on, maker, checker in offs:
        assert maker != checker
        rows = session.execute(
            select(LoanStatus.as_of, LoanStatus.dpd, LoanStatus.collectibility)
            .where(LoanStatus.loan_id == loan_id)
            .order_by(LoanStatus.as_of)
        ).all()
        over = [r for r in rows if r.dpd > WRITE_OFF_AFTER_DPD]
        assert over and over[0].collectibility == 5
        assert approved_on == _next_month_end(over[0].as_of), loan_id
        assert rows[-1].as_of < approved_on
        loan = session.get(Loan, loan_id)
        assert loan is not None and loan.status == "written_off"
        assert loan.written_off_on == approved_on


def _expected_labels(pop: Any) -> tuple[int, int]:
    """(loans, bads) of the historic population, worked out per loan from the fixture's
    payments: bad when a month end within 12 months of disbursement finds an installment due
    before it and not yet paid in full, 90 or more days late (a prepaid loan owes nothing after
    its payoff installment)."""
    lo, lp = pop.loans, pop.loan_payments
    bads = 0
    for i in range(lo.loan_id.size):
        start = date(1970, 1, 1) + timedelta(days=int(lo.disbursed[i]))
        n = int(lo.tenor_months[i]) + int(lo.extension_months[i])
        r, g = int(lo.restructured_at_installment[i]), int(lo.grace_months[i])
        dues = [add_months(start, j + (g if 0 < r <= j else 0)) for j in range(1, n + 1)]
        if lo.prepaid_at_installment[i] > 0:  # paid off with this installment: nothing after
            dues = dues[: int(lo.prepaid_at_installment[i])]
        paid: dict[int, list[tuple[date, float]]] = {}
        for k in np.flatnonzero(lp.loan_id == lo.loan_id[i]):
            day = date(1970, 1, 1) + timedelta(days=int(lp.paid_day[k]))
            paid.setdefault(int(lp.installment_no[k]), []).append((day, float(lp.fraction[k])))
        end, e = add_months(start, 12), _month_end(start)
        while e <= end:
            for j, due in enumerate(dues, start=1):
                if due >= e:
                    break
                if sum(f for d, f in paid.get(j, []) if d <= e) < 0.999:
                    if (e - due).days >= 90:
                        bads += 1
                        e = end  # stop: this loan is bad
                    break
            e = _next_month_end(e)
    return int(lo.loan_id.size), bads


def test_historic_book_labels_match_the_fixture(runner: FlaskCliRunner, session: Session) -> None:
    from fixtures import generate_population

    result = runner.invoke(args=ARGS)
    assert result.exit_code == 0, result.output
    pop = generate_population(
        HISTORIC, SEED + HISTORIC_SEED_OFFSET, AS_OF, applied_months=HISTORIC_APPLIED_MONTHS
    )
    loans, bads = _expected_labels(pop)
    assert bads >= 3
    labels = outcome_labels(session, AS_OF)
    hist = set(session.scalars(select(Application.id).where(Application.reference.like("HIST-%"))))
    mine = np.isin(labels.application_ids, list(hist))
    assert int(mine.sum()) == loans
    assert int(labels.bad[mine].sum()) == bads
    # historic score records come from the champion, one per application, with reasons
    records = session.execute(
        select(ScoreRecord.model_name, ScoreRecord.reasons, ScoreRecord.input_hash).where(
            ScoreRecord.application_id.in_(hist)
        )
    ).all()
    assert len(records) == HISTORIC
    assert {r.model_name for r in records} == {"imk-demo"}
    assert all(r.reasons and len(r.input_hash) == 64 for r in records)


def test_historic_loans_have_their_guarantee_covers(
    runner: FlaskCliRunner, session: Session
) -> None:
    result = runner.invoke(args=ARGS)
    assert result.exit_code == 0, result.output
    historic = session.execute(
        select(Loan, Disbursement.disbursed_on)
        .join(Application, Application.id == Loan.application_id)
        .join(Disbursement, Disbursement.loan_id == Loan.id)
        .where(Application.reference.like("HIST-%"))
    ).all()
    assert historic
    covers = {c.loan_id: c for c in session.scalars(select(GuaranteeCover))}
    for loan, disbursed_on in historic:
        cover = covers[loan.id]  # every historic loan is covered (demo rows from 2019)
        terms = session.get(ProgramGuarantee, cover.program_guarantee_id)
        assert terms is not None and terms.program_id == loan.program_id
        assert terms.effective_from <= loan.approved_on and cover.started_on == disbursed_on
        # KUR: 70% of the plafond covered; IJP once, on at most a year of the tenor
        assert cover.share == loan.guarantee_coverage
        assert cover.covered_amount == loan.principal * cover.share // 1
        months = min(loan.tenor, 12)
        assert cover.ijp_amount == int(loan.principal * terms.ijp_rate * months / 12)
    # so every guarantee claim of the book belongs to a cover of its guarantor, and the
    # claim calendar has paid the IJP of every quarter ended 20 days before the demo date
    claimed = set(session.scalars(select(GuaranteeClaim.loan_id)))
    assert claimed and claimed <= set(covers)
    unpaid = [
        c for c in covers.values() if c.ijp_paid_on is None and c.started_on < date(2026, 7, 1)
    ]
    assert unpaid == []
