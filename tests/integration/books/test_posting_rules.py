"""Each money event's entry, with amounts worked out by hand from the loan's terms.

The factory loan: Rp 50.000.000 at 6 % p.a., 24 monthly instalments, 30/360, disbursed
3 Nov 2026, first due 3 Dec 2026 (annuity Rp 2.216.031, first interest Rp 250.000).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from creditapp.models import GuaranteeClaim, JournalEntry
from creditapp.services.books.accrual import accrue_interest
from creditapp.services.loans import (
    age_loans,
    approve_reversal,
    approve_write_off,
    post_repayment,
    record_claim_payment,
    record_recovery,
    request_reversal,
    request_write_off,
)
from tests.factories import loans as lf

from .books_helpers import by_role, outstanding_principal, totals

PAYMENT = 2_216_031
FIRST_DUE = date(2026, 12, 3)


def pay(session: Session, loan_id: int, lender_id: int, amount: int, on: date) -> int:
    result = post_repayment(
        session,
        lf.SYSTEM,
        loan_id,
        lender_id=lender_id,
        amount=amount,
        paid_on=on,
        idempotency_key=f"k-{loan_id}-{on}-{amount}",
    )
    return result.repayment.id


def test_a_disbursement_debits_loans_receivable_and_credits_cash(session: Session) -> None:
    lf.active_loan(session)
    assert by_role(session) == {"loans_receivable": 50_000_000, "cash": -50_000_000}
    entry = session.scalar(select(JournalEntry).where(JournalEntry.event == "disbursement"))
    assert entry is not None and entry.movement_id is not None and entry.loan_id is not None


def test_accrued_interest_is_settled_first_and_the_rest_is_income(session: Session) -> None:
    loan = lf.active_loan(session)
    first = accrue_interest(session, date(2026, 11, 4))
    # 50.000.000 x 6 % / 360 = 8.333,33 -> 8.333 (one day, 30/360)
    assert (first.days, first.accrued, first.loans_accrued) == (1, 8_333, 1)
    second = accrue_interest(session, date(2026, 11, 10))
    # six days: 50.000.000 x 6 % x 6 / 360 = 50.000 exactly
    assert (second.days, second.accrued) == (6, 50_000)
    assert by_role(session)["interest_receivable"] == 58_333
    assert accrue_interest(session, date(2026, 11, 10)).loans_accrued == 0  # idempotent
    assert by_role(session)["interest_receivable"] == 58_333
    pay(session, loan.id, loan.lender_id, PAYMENT, FIRST_DUE)
    books = by_role(session)
    # The first instalment's interest is 250.000: 58.333 from the receivable, the rest income.
    assert "interest_receivable" not in books
    assert books["interest_income"] == -250_000
    assert books["loans_receivable"] == 50_000_000 - (PAYMENT - 250_000)
    assert books["cash"] == -50_000_000 + PAYMENT
    assert totals(session)[0] == totals(session)[1]


def test_non_performing_loans_lose_their_accrual_and_earn_on_cash(session: Session) -> None:
    loan = lf.active_loan(session)
    accrue_interest(session, date(2026, 11, 4))
    age_loans(session, date(2027, 3, 10))  # first due 3 Dec unpaid: 97 days, Kol 3
    session.refresh(loan)
    assert loan.collectibility == 3
    run = accrue_interest(session, date(2027, 3, 10))
    assert (run.loans_reversed, run.reversed, run.loans_accrued) == (1, 8_333, 0)
    assert "interest_receivable" not in by_role(session)
    assert "interest_income" not in by_role(session)  # 8.333 accrued, 8.333 reversed
    pay(session, loan.id, loan.lender_id, 100_000, date(2027, 3, 10))  # interest, cash basis
    assert by_role(session)["interest_income"] == -100_000


def test_a_reversed_repayment_restores_every_account(session: Session) -> None:
    loan = lf.active_loan(session)
    accrue_interest(session, date(2026, 11, 4))
    before = by_role(session)
    repayment_id = pay(session, loan.id, loan.lender_id, PAYMENT + 1_000_000, FIRST_DUE)
    assert by_role(session) != before
    maker, checker = lf.user(session), lf.user(session)
    item = request_reversal(
        session,
        lf.SYSTEM,
        repayment_id,
        requested_by=maker.id,
        requested_on=FIRST_DUE,
        reason="bounced",
    )
    approve_reversal(session, lf.SYSTEM, item.id, approved_by=checker.id, approved_on=FIRST_DUE)
    assert by_role(session) == before
    assert by_role(session)["loans_receivable"] == outstanding_principal(session)


def test_claim_write_off_and_recovery_with_the_guarantors_share(session: Session) -> None:
    loan = lf.active_loan(session)
    age_loans(session, date(2027, 4, 3))  # Kol 4: a claim of 70 % of 50 jt
    claim = session.scalar(select(GuaranteeClaim).where(GuaranteeClaim.loan_id == loan.id))
    assert claim is not None
    record_claim_payment(
        session, lf.SYSTEM, claim.id, paid_amount=35_000_000, paid_on=date(2027, 5, 1)
    )
    maker, checker = lf.user(session), lf.user(session)
    item = request_write_off(
        session,
        lf.SYSTEM,
        loan.id,
        requested_by=maker.id,
        requested_on=date(2027, 7, 1),
        reason="Macet",
    )
    approve_write_off(
        session, lf.SYSTEM, item.id, approved_by=checker.id, approved_on=date(2027, 7, 2)
    )
    record_recovery(session, lf.SYSTEM, loan.id, amount=10_000_000, recovered_on=date(2027, 8, 1))
    # share = principal part 10 jt x claim paid 35 jt / principal claimed 50 jt = 7 jt
    assert by_role(session) == {
        "cash": -50_000_000 + 35_000_000 + 10_000_000,
        "guarantee_claim_income": -35_000_000,
        "write_off_expense": 50_000_000,
        "guarantor_payable": -7_000_000,
        "recovery_income": -3_000_000,
    }
    assert outstanding_principal(session) == 0
