"""Restructuring, write-off with maker-checker, recovery, and the interest subsidy accrual."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from creditapp.errors import DomainError
from creditapp.models import (
    AuditEvent,
    Installment,
    LoanMovement,
    Restructuring,
    SubsidyAccrual,
)
from creditapp.services.loans import (
    accrue_subsidy,
    age_loans,
    approve_write_off,
    post_repayment,
    rebuild_balances,
    record_recovery,
    request_write_off,
    restructure_loan,
)
from tests.factories import loans as lf


def test_restructuring_capitalises_due_interest_and_keeps_the_old_schedule(
    session: Session,
) -> None:
    loan = lf.active_loan(session)
    officer = lf.user(session)
    effective = date(2027, 1, 10)  # installments of 3 Dec and 3 Jan unpaid
    item = restructure_loan(
        session,
        lf.SYSTEM,
        loan.id,
        effective_on=effective,
        grace_months=3,
        extension_months=6,
        reason="Covid relief",
        approved_by=officer.id,
    )
    capitalised = 250_000 + 240_170  # the two unpaid interest parts (see test_repayment)
    assert loan.outstanding_principal == 50_000_000 + capitalised
    assert (item.old_schedule_version, item.new_schedule_version) == (1, 2)
    rows = session.scalars(
        select(Installment)
        .where(Installment.loan_id == loan.id, Installment.superseded.is_(False))
        .order_by(Installment.number)
    ).all()
    assert len(rows) == 22 + 6  # 22 installments were still ahead, plus the extension
    assert [r.principal_due for r in rows[:3]] == [0, 0, 0]
    assert rows[0].due_on == date(2027, 2, 3)
    assert sum(r.principal_due for r in rows) == loan.outstanding_principal
    old = session.scalar(
        select(func.count()).where(Installment.loan_id == loan.id, Installment.superseded)
    )
    assert old == 24
    assert rebuild_balances(session, loan.id).consistent
    age_loans(session, effective)
    session.refresh(loan)
    # Current on the new schedule, but a restructured loan keeps the grade it had: on
    # 10 Jan the 3 Dec instalment was 38 days late, Kol 2 (POJK 40/2019, see test_grading).
    assert (loan.dpd, loan.collectibility) == (0, 2)
    assert (loan.restructured, loan.restructure_count, loan.restructure_floor_grade) == (
        True,
        1,
        2,
    )


def test_restructuring_needs_a_reason_and_an_active_loan(session: Session) -> None:
    loan = lf.approved_loan(session)
    with pytest.raises(DomainError) as err:
        restructure_loan(
            session,
            lf.SYSTEM,
            loan.id,
            effective_on=date(2027, 1, 1),
            grace_months=0,
            extension_months=1,
            reason="",
            approved_by=lf.user(session).id,
        )
    assert {"loan_id", "reason"} <= set(err.value.errors)
    assert session.scalar(select(func.count()).select_from(Restructuring)) == 0


def test_write_off_needs_a_second_person_then_recoveries_keep_principal_at_zero(
    session: Session,
) -> None:
    loan = lf.active_loan(session)
    maker, checker = lf.user(session), lf.user(session)
    with pytest.raises(DomainError) as err:
        record_recovery(session, lf.SYSTEM, loan.id, amount=1_000, recovered_on=date(2027, 8, 1))
    assert "loan_id" in err.value.errors
    item = request_write_off(
        session,
        lf.SYSTEM,
        loan.id,
        requested_by=maker.id,
        requested_on=date(2027, 7, 1),
        reason="Macet",
    )
    with pytest.raises(DomainError) as err:
        approve_write_off(
            session, lf.SYSTEM, item.id, approved_by=maker.id, approved_on=date(2027, 7, 2)
        )
    assert "approved_by" in err.value.errors
    assert loan.status == "active" and loan.outstanding_principal == 50_000_000
    approve_write_off(
        session, lf.SYSTEM, item.id, approved_by=checker.id, approved_on=date(2027, 7, 2)
    )
    assert loan.status == "written_off" and loan.outstanding_principal == 0
    assert item.amount == 50_000_000
    # Interest is written off too: the 7 instalments due by 2 Jul (3 Dec .. 3 Jun) and 29
    # of the 30 days of 3 Jun .. 3 Jul on the principal not yet due, at 0.5 % a month.
    rows = session.scalars(
        select(Installment)
        .where(Installment.loan_id == loan.id, Installment.superseded.is_(False))
        .order_by(Installment.number)
    ).all()
    not_due = sum(r.principal_due for r in rows[7:])
    accrued = (Decimal(not_due) * Decimal("0.005") * 29 / 30).quantize(Decimal(1), "ROUND_HALF_UP")
    assert item.interest_amount == sum(r.interest_due for r in rows[:7]) + int(accrued)
    assert item.grade == 5 and item.override_reason is None
    record_recovery(session, lf.SYSTEM, loan.id, amount=5_000_000, recovered_on=date(2027, 8, 1))
    kinds = session.scalars(
        select(LoanMovement.kind).where(LoanMovement.loan_id == loan.id).order_by(LoanMovement.id)
    ).all()
    assert kinds == ["disbursement", "write_off", "interest_write_off", "recovery"]
    assert loan.outstanding_principal == 0
    assert rebuild_balances(session, loan.id).consistent


def test_write_off_below_kol_5_needs_an_override_reason(session: Session) -> None:
    loan = lf.active_loan(session)
    maker = lf.user(session)
    with pytest.raises(DomainError) as err:
        request_write_off(
            session,
            lf.SYSTEM,
            loan.id,
            requested_by=maker.id,
            requested_on=date(2027, 1, 10),
            reason="Macet",
        )
    assert "Kol 2" in err.value.errors["override_reason"][0]
    item = request_write_off(
        session,
        lf.SYSTEM,
        loan.id,
        requested_by=maker.id,
        requested_on=date(2027, 1, 10),
        reason="Macet",
        override_reason="usaha tutup, debitur pindah",
    )
    assert (item.grade, item.override_reason) == (2, "usaha tutup, debitur pindah")
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "write_off.request"))
    assert event is not None and event.after is not None
    assert event.after["override"] == "usaha tutup, debitur pindah"


def test_subsidy_accrues_on_daily_balances_once_per_period(session: Session) -> None:
    loan = lf.active_loan(session)  # disbursed 3 Nov 2026, subsidy 10 %
    post_repayment(
        session,
        lf.SYSTEM,
        loan.id,
        lender_id=loan.lender_id,
        amount=2_216_031,
        paid_on=date(2026, 12, 3),
        idempotency_key="s1",
    )
    assert accrue_subsidy(session, date(2026, 11, 1), date(2026, 11, 30)) == 1
    assert accrue_subsidy(session, date(2026, 12, 1), date(2026, 12, 31)) == 1
    assert accrue_subsidy(session, date(2026, 12, 1), date(2026, 12, 31)) == 0
    nov, dec = session.scalars(select(SubsidyAccrual).order_by(SubsidyAccrual.period_start))
    # November: 3..30 = 28 days at 50 juta. December: 2 days at 50 juta, 29 after the payment.
    assert nov.amount == int(Decimal(50_000_000 * 28) * Decimal("0.10") / 360)
    dec_days = 50_000_000 * 2 + (50_000_000 - 1_966_031) * 29
    assert dec.amount == int(Decimal(dec_days) * Decimal("0.10") / 360)
    assert dec.average_outstanding == dec_days // 31
    assert dec.subsidy_rate == Decimal("0.10") and dec.program_id == loan.program_id


def test_ageing_runs_guarantee_claims_and_subsidy_accruals_are_audited(
    session: Session,
) -> None:
    loan = lf.active_loan(session)
    accrue_subsidy(session, date(2026, 11, 1), date(2026, 11, 30))
    age_loans(session, date(2027, 4, 3))  # 3 Dec + 121 days: Kol 4, a guarantee claim
    events = {
        e.action: e
        for e in session.scalars(select(AuditEvent).where(AuditEvent.actor_type == "system"))
    }
    run = events["loans.age"]
    assert run.as_of == date(2027, 4, 3) and run.after is not None
    assert run.after["by_collectibility"] == {"4": 1} and run.after["new_guarantee_claims"] == 1
    claims = events["guarantee_claims.submit"].after
    assert claims is not None and [c[1] for c in claims["claims"]] == [loan.id]
    # 70 % of the 50 jt outstanding (nothing was repaid).
    assert claims["total"] == 35_000_000
    subsidy = events["subsidy.accrue"].after
    assert subsidy is not None and subsidy["loans"] == 1
    assert subsidy["amount"] == int(Decimal(50_000_000 * 28) * Decimal("0.10") / 360)
