"""Issue item 3: a restructured loan keeps its grade (POJK 40/2019) until three on-time
instalments under the new terms, and then improves by one grade only."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from creditapp.models import Loan, LoanStatus
from creditapp.services.loans import age_loans, restructure_loan
from tests.factories import loans as lf
from tests.integration.loans.test_repayment import current, pay

DPD_100 = date(2027, 3, 13)  # first due 3 Dec 2026 + 100 days


def restructured_at_dpd_100(session: Session) -> Loan:
    loan = lf.active_loan(session)
    age_loans(session, DPD_100)
    session.refresh(loan)
    assert (loan.dpd, loan.collectibility) == (100, 3)  # 91..120 days: Kurang Lancar
    restructure_loan(
        session,
        lf.SYSTEM,
        loan.id,
        effective_on=DPD_100,
        grace_months=0,
        extension_months=6,
        reason="usaha terdampak banjir",
        approved_by=lf.user(session).id,
    )
    return loan


def graded(session: Session, loan: Loan, on: date) -> int:
    age_loans(session, on)
    session.refresh(loan)
    return loan.collectibility


def pay_on(session: Session, loan: Loan, number: int, on: date) -> None:
    row = current(session, loan)[number]
    pay(session, loan, row.principal_due + row.interest_due - row.interest_paid, on)


def test_restructuring_does_not_upgrade_the_grade(session: Session) -> None:
    loan = restructured_at_dpd_100(session)
    assert graded(session, loan, DPD_100 + timedelta(days=1)) == 3  # was Kol 1 before
    assert loan.dpd == 0
    history = session.scalars(
        select(LoanStatus).where(LoanStatus.loan_id == loan.id).order_by(LoanStatus.as_of)
    ).all()
    last = history[-1]
    assert (last.restructured, last.restructure_count, last.restructure_floor_grade) == (
        True,
        1,
        3,
    )
    assert (history[0].restructured, history[0].restructure_floor_grade) == (False, None)


def test_three_on_time_instalments_lift_the_grade_by_one_and_no_more(session: Session) -> None:
    loan = restructured_at_dpd_100(session)
    rows = current(session, loan)
    assert rows[0].due_on == date(2027, 4, 3)
    pay_on(session, loan, 0, date(2027, 4, 3))
    pay_on(session, loan, 1, date(2027, 5, 1))  # two days early counts as on time
    assert graded(session, loan, date(2027, 5, 20)) == 3  # two are not three
    pay_on(session, loan, 2, date(2027, 6, 3))
    assert graded(session, loan, date(2027, 6, 4)) == 2
    for k, on in ((3, date(2027, 7, 3)), (4, date(2027, 8, 3)), (5, date(2027, 9, 3))):
        pay_on(session, loan, k, on)
    assert graded(session, loan, date(2027, 9, 4)) == 2  # at most one grade better
    # Late again: the days past due decide when they are worse than the floor.
    assert graded(session, loan, date(2027, 10, 4)) == 2
    assert graded(session, loan, date(2028, 1, 10)) == 3  # 3 Oct + 99 days


def test_a_late_instalment_restarts_the_count(session: Session) -> None:
    loan = restructured_at_dpd_100(session)
    pay_on(session, loan, 0, date(2027, 4, 3))
    pay_on(session, loan, 1, date(2027, 5, 10))  # a week late
    pay_on(session, loan, 2, date(2027, 6, 3))
    pay_on(session, loan, 3, date(2027, 7, 3))
    assert graded(session, loan, date(2027, 7, 4)) == 3
    pay_on(session, loan, 4, date(2027, 8, 3))
    assert graded(session, loan, date(2027, 8, 4)) == 2


def test_a_second_restructuring_keeps_the_worse_floor(session: Session) -> None:
    loan = restructured_at_dpd_100(session)
    restructure_loan(
        session,
        lf.SYSTEM,
        loan.id,
        effective_on=date(2027, 4, 1),
        grace_months=1,
        extension_months=0,
        reason="perpanjangan",
        approved_by=lf.user(session).id,
    )
    assert (loan.restructure_count, loan.restructure_floor_grade) == (2, 3)
    assert graded(session, loan, date(2027, 4, 2)) == 3


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(lateness=st.lists(st.integers(-3, 20), min_size=3, max_size=7))
def test_the_grade_never_beats_the_floor_until_three_on_time_instalments(
    session: Session, lateness: list[int]
) -> None:
    example = session.begin_nested()  # ageing runs are portfolio-wide: undo them per example
    try:
        loan = restructured_at_dpd_100(session)
        streak, lifted = 0, False
        for k, late in enumerate(lateness):
            row = current(session, loan)[k]
            on = row.due_on + timedelta(days=late)
            pay_on(session, loan, k, on)
            if not lifted:
                streak = streak + 1 if late <= 0 else 0
                lifted = streak == 3
            # Paid on the day aged: no days past due, so the grade is the floor exactly.
            assert graded(session, loan, on) == (2 if lifted else 3)
    finally:
        example.rollback()
