"""End-of-day ageing: DPD and OJK grades at the boundaries, idempotent re-runs, claims, penalty."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from creditapp.models import GuaranteeClaim, Installment, LoanMovement, LoanStatus
from creditapp.services.loan_views import last_ageing_date
from creditapp.services.loans import age_loans, post_repayment, rebuild_balances
from tests.factories import loans as lf

FIRST_DUE = date(2026, 12, 3)


def _count(session: Session, model: type) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


@pytest.mark.parametrize(
    ("days_late", "grade"),
    [(0, 1), (1, 2), (90, 2), (91, 3), (120, 3), (121, 4), (180, 4), (181, 5)],
)
def test_dpd_and_collectibility_at_the_ojk_boundaries(
    session: Session, days_late: int, grade: int
) -> None:
    loan = lf.active_loan(session)
    as_of = FIRST_DUE + timedelta(days=days_late)
    summary = age_loans(session, as_of)
    assert summary.loans_aged == 1 and summary.by_collectibility == {grade: 1}
    session.refresh(loan)
    assert (loan.dpd, loan.collectibility) == (days_late, grade)
    assert last_ageing_date(session) == as_of
    status = session.scalar(select(LoanStatus).where(LoanStatus.loan_id == loan.id))
    assert status is not None and status.dpd == days_late and status.collectibility == grade
    assert status.outstanding_principal == 50_000_000
    due = session.scalars(
        select(Installment).where(Installment.loan_id == loan.id, Installment.due_on < as_of)
    ).all()
    assert status.arrears == sum(r.principal_due + r.interest_due for r in due)
    assert (_count(session, GuaranteeClaim) == 1) == (grade >= 4)


def test_paid_installments_do_not_age_and_dpd_counts_from_the_oldest_unpaid(
    session: Session,
) -> None:
    loan = lf.active_loan(session)
    post_repayment(
        session,
        lf.SYSTEM,
        loan.id,
        lender_id=loan.lender_id,
        amount=2_216_031,
        paid_on=FIRST_DUE,
        idempotency_key="i1",
    )
    age_loans(session, date(2027, 1, 13))  # installment 2 (3 Jan) is 10 days late
    session.refresh(loan)
    assert (loan.dpd, loan.collectibility) == (10, 2)


def test_rerunning_a_date_changes_nothing(session: Session) -> None:
    loan = lf.active_loan(session, penalty_daily_rate=Decimal("0.001"))
    as_of = FIRST_DUE + timedelta(days=130)
    first = age_loans(session, as_of)
    counts = [_count(session, m) for m in (LoanStatus, GuaranteeClaim, LoanMovement)]
    penalties = session.scalar(select(func.sum(Installment.penalty_due)))
    second = age_loans(session, as_of)
    assert first.loans_aged == 1 and second.loans_aged == 0
    assert second.new_guarantee_claims == 0 and second.penalty_charged == 0
    assert second.by_collectibility == first.by_collectibility == {4: 1}
    assert [_count(session, m) for m in (LoanStatus, GuaranteeClaim, LoanMovement)] == counts
    assert session.scalar(select(func.sum(Installment.penalty_due))) == penalties
    assert rebuild_balances(session, loan.id).consistent


def test_penalty_accrues_once_per_day_also_across_skipped_days(session: Session) -> None:
    loan = lf.active_loan(session, penalty_daily_rate=Decimal("0.001"))
    s1 = age_loans(session, FIRST_DUE + timedelta(days=1))
    s2 = age_loans(session, FIRST_DUE + timedelta(days=4))  # days 2..4 skipped, charged once
    daily = 2_216_031 // 1000  # 0.1 % of the overdue installment, rounded down
    assert s1.penalty_charged == daily and s2.penalty_charged == 3 * 2_216_031 // 1000
    first = session.scalar(
        select(Installment).where(Installment.loan_id == loan.id).order_by(Installment.due_on)
    )
    assert first is not None and first.penalty_due == s1.penalty_charged + s2.penalty_charged
    assert rebuild_balances(session, loan.id).consistent


def test_guarantee_claim_is_made_once_at_collectibility_4(session: Session) -> None:
    loan = lf.active_loan(session)
    assert age_loans(session, FIRST_DUE + timedelta(days=120)).new_guarantee_claims == 0
    assert age_loans(session, FIRST_DUE + timedelta(days=121)).new_guarantee_claims == 1
    assert age_loans(session, FIRST_DUE + timedelta(days=200)).new_guarantee_claims == 0
    claim = session.scalar(select(GuaranteeClaim).where(GuaranteeClaim.loan_id == loan.id))
    assert claim is not None and claim.trigger == "collectibility_4"
    assert claim.claimed_on == FIRST_DUE + timedelta(days=121)
    assert claim.outstanding_principal == 50_000_000
    assert claim.amount == 35_000_000  # 70 % coverage
    assert claim.status == "submitted"


def test_arrears_at_maturity_triggers_a_claim(session: Session) -> None:
    loan = lf.active_loan(session, tenor=3, amount=12_000_000)
    rows = session.scalars(
        select(Installment).where(Installment.loan_id == loan.id).order_by(Installment.number)
    ).all()
    for row in rows[:2]:
        post_repayment(
            session,
            lf.SYSTEM,
            loan.id,
            lender_id=loan.lender_id,
            amount=row.principal_due + row.interest_due,
            paid_on=row.due_on,
            idempotency_key=f"m{row.number}",
        )
    assert age_loans(session, rows[2].due_on).new_guarantee_claims == 0
    summary = age_loans(session, rows[2].due_on + timedelta(days=1))
    assert summary.new_guarantee_claims == 1 and summary.by_collectibility == {2: 1}
    claim = session.scalar(select(GuaranteeClaim).where(GuaranteeClaim.loan_id == loan.id))
    assert claim is not None and claim.trigger == "arrears_at_maturity"
    assert claim.amount == rows[2].principal_due * 7 // 10


def test_only_active_loans_are_aged(session: Session) -> None:
    lf.approved_loan(session)  # not disbursed
    summary = age_loans(session, FIRST_DUE)
    assert summary.loans_aged == 0 and _count(session, LoanStatus) == 0
