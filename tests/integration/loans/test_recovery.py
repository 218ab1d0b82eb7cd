"""Issue item 5: recoveries are bounded by what was written off (plus documented costs),
split into costs, principal and interest, with the guarantor's share when a claim was paid."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from creditapp.errors import DomainError
from creditapp.models import GuaranteeClaim, Loan, Recovery, WriteOff
from creditapp.services.loans import (
    age_loans,
    approve_write_off,
    record_claim_payment,
    record_recovery,
    request_write_off,
)
from tests.factories import loans as lf

WRITTEN_OFF = date(2027, 7, 2)


def written_off(session: Session, *, claim_paid: int = 0) -> tuple[Loan, WriteOff]:
    loan = lf.active_loan(session)
    age_loans(session, date(2027, 4, 3))  # Kol 4: a claim of 70 % of 50 jt
    if claim_paid:
        claim = session.scalar(select(GuaranteeClaim).where(GuaranteeClaim.loan_id == loan.id))
        assert claim is not None and claim.amount == 35_000_000
        record_claim_payment(
            session, lf.SYSTEM, claim.id, paid_amount=claim_paid, paid_on=date(2027, 5, 1)
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
    approve_write_off(session, lf.SYSTEM, item.id, approved_by=checker.id, approved_on=WRITTEN_OFF)
    return loan, item


def test_a_recovery_above_what_was_written_off_is_refused(session: Session) -> None:
    loan, item = written_off(session)
    assert item.amount == 50_000_000 and item.interest_amount > 0
    with pytest.raises(DomainError) as err:
        record_recovery(
            session, lf.SYSTEM, loan.id, amount=999_000_000_000, recovered_on=date(2027, 8, 1)
        )
    assert f"Rp{50_000_000 + item.interest_amount}" in err.value.errors["amount"][0]
    with pytest.raises(DomainError) as err:
        record_recovery(
            session,
            lf.SYSTEM,
            loan.id,
            amount=1_000_000,
            recovered_on=date(2027, 8, 1),
            costs=200_000,
        )
    assert "cost_note" in err.value.errors
    assert session.scalars(select(Recovery)).all() == []


def test_recoveries_pay_costs_then_principal_then_interest(session: Session) -> None:
    loan, item = written_off(session)
    first = record_recovery(
        session,
        lf.SYSTEM,
        loan.id,
        amount=30_000_000,
        recovered_on=date(2027, 8, 1),
        costs=500_000,
        cost_note="biaya lelang agunan",
    )
    assert (first.cost_part, first.principal_part, first.interest_part) == (500_000, 29_500_000, 0)
    rest = 20_500_000 + item.interest_amount  # what is left of principal and interest
    second = record_recovery(
        session, lf.SYSTEM, loan.id, amount=rest, recovered_on=date(2027, 9, 1)
    )
    assert (second.principal_part, second.interest_part) == (20_500_000, item.interest_amount)
    with pytest.raises(DomainError):
        record_recovery(session, lf.SYSTEM, loan.id, amount=1, recovered_on=date(2027, 9, 2))
    assert loan.outstanding_principal == 0 and first.guarantor_share == 0


def test_the_guarantor_gets_its_share_of_recovered_principal(session: Session) -> None:
    loan, _ = written_off(session, claim_paid=35_000_000)
    recovery = record_recovery(
        session, lf.SYSTEM, loan.id, amount=10_000_000, recovered_on=date(2027, 8, 1)
    )
    # The guarantor paid 35 jt of the 50 jt claimed on: 70 % of the 10 jt principal.
    assert recovery.guarantor_share == 7_000_000
