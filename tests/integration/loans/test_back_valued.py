"""Issue item 6: a back-valued payment re-ages the loan from its value date (penalties
recomputed, audited), or is refused beyond the program's back-value limit."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from creditapp.errors import DomainError
from creditapp.models import AuditEvent, CreditProgram, Installment, LoanStatus, Repayment
from creditapp.services.loans import age_loans, post_repayment
from creditapp.services.loans.settings import set_servicing_rules
from tests.factories import loans as lf
from tests.integration.loans.test_repayment import PAYMENT, assert_ledger

DEC_10, JAN_12 = date(2026, 12, 10), date(2027, 1, 12)


def post(
    session: Session, loan_id: int, lender_id: int, amount: int, on: date, today: date, key: str
) -> Repayment:
    return post_repayment(
        session,
        lf.SYSTEM,
        loan_id,
        lender_id=lender_id,
        amount=amount,
        paid_on=on,
        idempotency_key=key,
        business_date=today,
    ).repayment


def history(session: Session, loan_id: int) -> dict[date, tuple[int, int]]:
    rows = session.scalars(select(LoanStatus).where(LoanStatus.loan_id == loan_id))
    return {r.as_of: (r.dpd, r.collectibility) for r in rows}


def test_a_payment_35_days_back_re_ages_the_loan(session: Session) -> None:
    loan = lf.active_loan(session)  # first due 3 Dec 2026
    program = session.get(CreditProgram, loan.program_id)
    assert program is not None
    set_servicing_rules(session, lf.SYSTEM, program.code, back_value_days=40)
    age_loans(session, DEC_10)
    age_loans(session, JAN_12)
    assert history(session, loan.id) == {DEC_10: (7, 2), JAN_12: (40, 2)}
    post(session, loan.id, loan.lender_id, PAYMENT, date(2026, 12, 8), JAN_12, "bv-1")
    # Paid 8 Dec: on 10 Dec nothing is late; on 12 Jan the 3 Jan instalment is 9 days late.
    assert history(session, loan.id) == {DEC_10: (0, 1), JAN_12: (9, 2)}
    session.refresh(loan)
    assert (loan.dpd, loan.collectibility) == (9, 2)
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "loan.reage"))
    assert event is not None and event.as_of == date(2026, 12, 8)
    # Re-running the date changes nothing, as before: the history already holds the truth.
    age_loans(session, JAN_12)
    assert history(session, loan.id)[JAN_12] == (9, 2)
    assert_ledger(session, loan)


def test_penalties_charged_after_the_value_date_are_taken_back(session: Session) -> None:
    loan = lf.active_loan(session, penalty_daily_rate=Decimal("0.0005"))
    program = session.get(CreditProgram, loan.program_id)
    assert program is not None
    set_servicing_rules(session, lf.SYSTEM, program.code, back_value_days=40)
    age_loans(session, DEC_10)
    age_loans(session, JAN_12)
    # 0.05 % a day on the unpaid instalment, rounded down per run: Dec 3..10 (7 days), then
    # Dec 10..Jan 12 (33 days); instalment 2 (2,216,031 too) Jan 3..12 (9 days).
    per_day = Decimal(PAYMENT) * Decimal("0.0005")
    first = int(per_day * 7) + int(per_day * 33)
    second = int(per_day * 9)
    rows = sorted(loan_rows(session, loan.id), key=lambda r: r[0])
    assert [r[1] for r in rows[:2]] == [first, second]
    # Paid 5 Dec: every run that charged instalment 1 (10 Dec, 12 Jan) now sees it paid,
    # so it owes no penalty; the payment serves none, all of it goes to the instalment.
    r = post(session, loan.id, loan.lender_id, PAYMENT, date(2026, 12, 5), JAN_12, "bv-p")
    assert r.penalty_part == 0 and r.principal_part + r.interest_part == PAYMENT
    rows = sorted(loan_rows(session, loan.id), key=lambda r: r[0])
    assert [r[1] for r in rows[:2]] == [0, second]
    assert history(session, loan.id) == {DEC_10: (0, 1), JAN_12: (9, 2)}
    assert_ledger(session, loan)


def loan_rows(session: Session, loan_id: int) -> list[tuple[int, int]]:
    return [
        (r.number, r.penalty_due)
        for r in session.scalars(
            select(Installment).where(
                Installment.loan_id == loan_id, Installment.superseded.is_(False)
            )
        )
    ]


def test_beyond_the_back_value_limit_is_refused(session: Session) -> None:
    loan = lf.active_loan(session)  # default limit: 7 days
    age_loans(session, JAN_12)
    with pytest.raises(DomainError) as err:
        post(session, loan.id, loan.lender_id, PAYMENT, date(2027, 1, 4), JAN_12, "bv-2")
    assert "2027-01-05" in err.value.errors["paid_on"][0]
    post(session, loan.id, loan.lender_id, PAYMENT, date(2027, 1, 5), JAN_12, "bv-3")
    assert session.scalar(select(AuditEvent).where(AuditEvent.action == "loan.reage"))


def test_a_payment_posted_after_its_own_day_was_aged_corrects_that_day(
    session: Session,
) -> None:
    loan = lf.active_loan(session)
    day = date(2026, 12, 13)  # instalment 1 (3 Dec) is 10 days late at the run
    age_loans(session, day)
    assert history(session, loan.id) == {day: (10, 2)}
    repayment = post(session, loan.id, loan.lender_id, PAYMENT, day, day, "same-day")
    assert history(session, loan.id) == {day: (0, 1)}
    status = session.scalar(select(LoanStatus).where(LoanStatus.loan_id == loan.id))
    assert status is not None and status.arrears == 0
    assert status.outstanding_principal == 50_000_000 - (PAYMENT - 250_000)
    session.refresh(loan)
    assert (loan.dpd, loan.collectibility) == (0, 1)
    event = session.scalar(
        select(AuditEvent).where(
            AuditEvent.action == "repayment.post", AuditEvent.entity_id == repayment.id
        )
    )
    assert event is not None and event.after is not None
    assert event.after["reaged"] == {
        "as_of": "2026-12-13",
        "before": [10, 2, PAYMENT, 50_000_000],
        "after": [0, 1, 0, 50_000_000 - (PAYMENT - 250_000)],
    }
