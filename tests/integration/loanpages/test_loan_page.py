"""The loan page's data: schedule paid/unpaid, balances, ledger with running balance, history."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from creditapp.errors import NotFound
from creditapp.models import Installment, Loan
from creditapp.services.loan_page import loan_page, status_history
from creditapp.services.loans import age_loans, post_repayment, request_disbursement
from creditapp.services.loans.requests import request_restructuring
from tests.factories import core
from tests.factories import loans as lf

PAYMENT = 2_216_031  # 50 juta, 24 months, 6 % annuity: 50e6 * .005 / (1 - 1.005**-24), rounded


def pay(session: Session, loan: Loan, amount: int, on: date) -> None:
    post_repayment(
        session,
        lf.SYSTEM,
        loan.id,
        lender_id=loan.lender_id,
        amount=amount,
        paid_on=on,
        idempotency_key=f"p-{loan.id}-{on}",
    )


def test_schedule_states_and_balances_after_one_payment(session: Session) -> None:
    loan = lf.active_loan(session)
    pay(session, loan, PAYMENT, date(2026, 12, 3))  # the first installment, on its due date
    as_of = date(2027, 2, 3)  # the 3 Jan installment is late, the 3 Feb one due today
    page = loan_page(session, loan.lender_id, loan.id, as_of)
    states = [line.state for line in page.schedule[:4]]
    assert states == ["paid", "overdue", "due_today", "upcoming"]
    first, second, third = page.schedule[:3]
    assert (first.paid, first.unpaid, first.settled_on) == (PAYMENT, 0, date(2026, 12, 3))
    assert second.paid == 0 and second.unpaid == second.total_due
    # by hand: principal repaid is the first installment's principal, 2,216,031 - 250,000
    b = page.balances
    assert (b.paid_principal, b.paid_interest, b.paid_penalty) == (PAYMENT - 250_000, 250_000, 0)
    assert b.outstanding_principal == 50_000_000 - (PAYMENT - 250_000)
    assert b.arrears == second.total_due + third.total_due  # due on or before as_of, unpaid
    assert b.next_due_on == date(2027, 3, 3) and b.next_due_amount == page.schedule[3].total_due
    assert page.enterprise_name == "UD Sumber Rejeki" and page.regency == "3204"


def test_movements_carry_the_running_principal_balance_newest_first(session: Session) -> None:
    loan = lf.active_loan(session)
    pay(session, loan, PAYMENT, date(2026, 12, 3))
    pay(session, loan, PAYMENT, date(2027, 1, 3))
    page = loan_page(session, loan.lender_id, loan.id, date(2027, 1, 3))
    kinds = [(m.posted_on, m.kind) for m in page.movements]
    assert kinds[-1] == (date(2026, 11, 3), "disbursement")
    assert page.movements[-1].balance_after == 50_000_000
    # Newest first; the balance after the newest line is the loan's outstanding principal.
    assert page.movements[0].posted_on == date(2027, 1, 3)
    assert page.movements[0].balance_after == loan.outstanding_principal
    principal_lines = [m for m in page.movements if m.kind == "principal_repayment"]
    assert [m.amount for m in principal_lines] == [-m.principal_delta for m in principal_lines]
    # after the first payment 50,000,000 - 1,966,031 = 48,033,969 is left; the second
    # installment's interest is .5 % of it, 240,169.8 -> 240,170
    assert principal_lines[0].amount == PAYMENT - 240_170
    assert page.movements[0].balance_after == 48_033_969 - (PAYMENT - 240_170)


def test_history_comes_from_the_ageing_runs(session: Session) -> None:
    loan = lf.active_loan(session)
    for day in (date(2026, 12, 3), date(2026, 12, 4), date(2027, 1, 10), date(2027, 3, 5)):
        age_loans(session, day)
    points = status_history(session, loan.id)
    # 3 Dec due today (not late); 4 Dec one day late; 10 Jan: 38 days since 3 Dec;
    # 5 Mar: 92 days since 3 Dec -> Kol 3 (91-120)
    assert [(p.as_of, p.dpd, p.collectibility) for p in points] == [
        (date(2026, 12, 3), 0, 1),
        (date(2026, 12, 4), 1, 2),
        (date(2027, 1, 10), 38, 2),
        (date(2027, 3, 5), 92, 3),
    ]
    page = loan_page(session, loan.lender_id, loan.id, date(2027, 1, 10))
    assert [p.as_of for p in page.history][-1] == date(2027, 1, 10)  # nothing after the page date


def test_pending_requests_name_their_maker(session: Session) -> None:
    loan = lf.approved_loan(session)
    maker = lf.user(session)
    request_disbursement(
        session, lf.SYSTEM, loan.id, 20_000_000, date(2026, 11, 3), requested_by=maker.id
    )
    page = loan_page(session, loan.lender_id, loan.id, date(2026, 11, 3))
    [item] = page.pending
    assert (item.kind, item.amount, item.requested_by, item.requested_by_name) == (
        "disbursement",
        20_000_000,
        maker.id,
        maker.name,
    )
    assert [line.state for line in page.schedule[:1]] == ["upcoming"]


def test_pending_restructuring_is_listed(session: Session) -> None:
    loan = lf.active_loan(session)
    maker = lf.user(session)
    request_restructuring(
        session,
        lf.SYSTEM,
        loan.id,
        lender_id=loan.lender_id,
        requested_by=maker.id,
        requested_on=date(2027, 1, 10),
        effective_on=date(2027, 1, 10),
        grace_months=3,
        extension_months=0,
        new_rate=None,
        reason="Banjir",
    )
    page = loan_page(session, loan.lender_id, loan.id, date(2027, 1, 10))
    assert [(p.kind, p.detail) for p in page.pending] == [("restructuring", "Banjir")]


def test_another_lenders_loan_is_not_found(session: Session) -> None:
    loan = lf.active_loan(session)
    other = core.lender(session)
    with pytest.raises(NotFound):
        loan_page(session, other.id, loan.id, date(2026, 12, 1))
    with pytest.raises(NotFound):
        loan_page(session, loan.lender_id, loan.id + 10_000, date(2026, 12, 1))
    rows = session.scalars(select(Installment).where(Installment.loan_id == loan.id)).all()
    assert rows  # the loan exists: the 404 is about the lender
