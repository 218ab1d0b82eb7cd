"""Issue item 1: an instalment paid a few days early is settled (advance payment), never aged."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from creditapp.models import Installment, LoanStatus
from creditapp.services.loans import age_loans
from tests.factories import loans as lf
from tests.integration.loans.test_repayment import FIRST_DUE, PAYMENT, assert_ledger, current, pay


def test_an_instalment_paid_two_days_early_is_settled_and_never_late(session: Session) -> None:
    loan = lf.active_loan(session)  # 50 jt, 0.5 % a month, 24 months, first due 3 Dec 2026
    repayment = pay(session, loan, PAYMENT, FIRST_DUE - timedelta(days=2))
    # The whole instalment: 250,000 interest (50 jt * 0.5 %) and 1,966,031 principal.
    assert (repayment.interest_part, repayment.principal_part) == (250_000, 1_966_031)
    assert repayment.excess_part == 0
    rows = current(session, loan)
    assert len(rows) == 24 and loan.schedule_version == 1  # the tenor did not shrink
    assert rows[0].settled_on == FIRST_DUE - timedelta(days=2)
    age_loans(session, FIRST_DUE + timedelta(days=10))
    session.refresh(loan)
    assert (loan.dpd, loan.collectibility) == (0, 1)
    # DPD counts from the next unpaid due date (3 Jan 2027): 10 days after it, DPD 10.
    age_loans(session, date(2027, 1, 13))
    session.refresh(loan)
    assert (loan.dpd, loan.collectibility) == (10, 2)
    assert_ledger(session, loan)


def test_beyond_the_next_instalment_is_a_prepayment_unless_advance_is_asked(
    session: Session,
) -> None:
    early = FIRST_DUE - timedelta(days=5)
    auto = lf.active_loan(session)
    r = pay(session, auto, PAYMENT + 1_000_000, early)
    assert (r.interest_part, r.principal_part) == (250_000, 1_966_031)
    assert r.excess_part == 1_000_000  # no day of its period ran: no accrued interest
    assert current(session, auto)[0].settled_on == early
    both = lf.active_loan(session)
    r = pay(session, both, 2 * PAYMENT, early, apply_as="advance")
    rows = current(session, both)
    assert r.excess_part == 0 and both.schedule_version == 1
    # Instalment 2: interest on 48,033,969 is 240,169.85 -> 240,170; the rest principal.
    assert rows[0].settled_on == early and rows[1].interest_paid == 240_170
    assert rows[1].principal_paid == PAYMENT - 240_170 and rows[1].settled_on == early
    assert r.principal_part == 1_966_031 + PAYMENT - 240_170
    age_loans(session, date(2027, 1, 20))
    session.refresh(both)
    assert both.dpd == 0  # both instalments are settled; the third is due 3 Feb
    assert_ledger(session, auto)
    assert_ledger(session, both)


def test_dpd_never_counts_a_settled_instalment(session: Session) -> None:
    loan = lf.active_loan(session, tenor=6, amount=12_000_000)
    rows = current(session, loan)
    for row in rows[:3]:
        pay(session, loan, row.principal_due + row.interest_due, row.due_on - timedelta(days=3))
    age_loans(session, rows[3].due_on)
    late = session.scalar(select(func.max(LoanStatus.dpd)).where(LoanStatus.loan_id == loan.id))
    assert late == 0
    settled = session.scalar(
        select(func.count()).where(
            Installment.loan_id == loan.id, Installment.settled_on.isnot(None)
        )
    )
    assert settled == 3
