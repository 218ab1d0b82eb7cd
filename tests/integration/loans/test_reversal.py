"""Issue item 8: a mistaken repayment is reversed under maker-checker and the loan re-aged
from its value date; an overpayment is held as credit and refunded."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from creditapp.errors import DomainError
from creditapp.models import AuditEvent, LoanMovement, LoanStatus
from creditapp.services.loans import (
    age_loans,
    approve_reversal,
    refund_credit,
    request_reversal,
)
from tests.factories import loans as lf
from tests.integration.loans.test_repayment import (
    FIRST_DUE,
    PAYMENT,
    assert_ledger,
    current,
    pay,
)


def test_a_reversed_repayment_is_undone_and_the_loan_re_aged(session: Session) -> None:
    loan = lf.active_loan(session)
    repayment = pay(session, loan, PAYMENT, FIRST_DUE)  # posted to the wrong loan, say
    age_loans(session, FIRST_DUE + timedelta(days=10))
    session.refresh(loan)
    assert (loan.dpd, loan.collectibility) == (0, 1)
    maker, checker = lf.user(session), lf.user(session)
    with pytest.raises(DomainError) as err:
        request_reversal(
            session,
            lf.SYSTEM,
            repayment.id,
            requested_by=maker.id,
            requested_on=date(2026, 12, 14),
            reason=" ",
        )
    assert "reason" in err.value.errors
    item = request_reversal(
        session,
        lf.SYSTEM,
        repayment.id,
        requested_by=maker.id,
        requested_on=date(2026, 12, 14),
        reason="salah rekening",
    )
    with pytest.raises(DomainError) as err:
        approve_reversal(
            session, lf.SYSTEM, item.id, approved_by=maker.id, approved_on=date(2026, 12, 14)
        )
    assert "approved_by" in err.value.errors
    approve_reversal(
        session, lf.SYSTEM, item.id, approved_by=checker.id, approved_on=date(2026, 12, 14)
    )
    assert repayment.reversed_on == date(2026, 12, 14)
    assert loan.outstanding_principal == 50_000_000
    first = current(session, loan)[0]
    assert (first.principal_paid, first.interest_paid, first.settled_on) == (0, 0, None)
    # Re-aged: on 13 Dec the first instalment (3 Dec) is 10 days late, Kol 2.
    status = session.scalar(select(LoanStatus).where(LoanStatus.loan_id == loan.id))
    assert status is not None and (status.dpd, status.collectibility) == (10, 2)
    assert status.arrears == PAYMENT
    assert (loan.dpd, loan.collectibility) == (10, 2)
    actions = set(session.scalars(select(AuditEvent.action)))
    assert {"repayment.reversal_request", "repayment.reverse", "loan.reage"} <= actions
    assert_ledger(session, loan)
    # The loan is not locked by the reversed repayment: a real one goes through.
    pay(session, loan, PAYMENT, FIRST_DUE + timedelta(days=11))
    assert_ledger(session, loan)


def test_a_prepayment_reversal_restores_the_schedule(session: Session) -> None:
    loan = lf.active_loan(session)
    pay(session, loan, PAYMENT, FIRST_DUE)
    before = [(r.due_on, r.principal_due, r.interest_due) for r in current(session, loan)]
    repayment = pay(session, loan, 5_000_000, FIRST_DUE + timedelta(days=3), apply_as="prepayment")
    assert repayment.excess_part > 0 and len(current(session, loan)) < 24
    maker, checker = lf.user(session), lf.user(session)
    item = request_reversal(
        session,
        lf.SYSTEM,
        repayment.id,
        requested_by=maker.id,
        requested_on=date(2026, 12, 7),
        reason="dobel",
    )
    approve_reversal(
        session, lf.SYSTEM, item.id, approved_by=checker.id, approved_on=date(2026, 12, 7)
    )
    after = [(r.due_on, r.principal_due, r.interest_due) for r in current(session, loan)]
    assert after == before
    assert loan.outstanding_principal == 50_000_000 - (PAYMENT - 250_000)
    assert_ledger(session, loan)


def test_reversals_go_last_in_first_out(session: Session) -> None:
    loan = lf.active_loan(session)
    first = pay(session, loan, PAYMENT, FIRST_DUE)
    pay(session, loan, PAYMENT, FIRST_DUE + timedelta(days=31))
    maker, checker = lf.user(session), lf.user(session)
    item = request_reversal(
        session,
        lf.SYSTEM,
        first.id,
        requested_by=maker.id,
        requested_on=date(2027, 1, 5),
        reason="salah",
    )
    with pytest.raises(DomainError) as err:
        approve_reversal(
            session, lf.SYSTEM, item.id, approved_by=checker.id, approved_on=date(2027, 1, 5)
        )
    assert "later repayment" in err.value.errors["repayment_id"][0]


def test_an_overpayment_is_held_as_credit_then_refunded(session: Session) -> None:
    loan = lf.active_loan(session, tenor=3, amount=12_000_000)
    rows = current(session, loan)
    for row in rows[:-1]:
        pay(session, loan, row.principal_due + row.interest_due, row.due_on)
    last = rows[-1]
    repayment = pay(session, loan, last.principal_due + last.interest_due + 7_500, last.due_on)
    assert repayment.credit_part == 7_500 and loan.status == "closed"
    assert loan.credit_balance == 7_500
    with pytest.raises(DomainError) as err:
        refund_credit(session, lf.SYSTEM, loan.id, amount=7_501, refunded_on=last.due_on)
    assert "amount" in err.value.errors
    refund_credit(session, lf.SYSTEM, loan.id, amount=7_500, refunded_on=last.due_on)
    assert loan.credit_balance == 0
    kinds = session.scalars(
        select(LoanMovement.kind).where(LoanMovement.loan_id == loan.id).order_by(LoanMovement.id)
    ).all()
    assert kinds[-2:] == ["credit_balance", "refund"]
    assert_ledger(session, loan)
