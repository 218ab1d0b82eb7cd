"""Disbursement: maker-checker, tranches within the principal, schedule re-anchoring."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from creditapp.errors import DomainError
from creditapp.models import AuditEvent, Installment, LoanMovement
from creditapp.services.loans import (
    confirm_disbursement,
    rebuild_balances,
    reject_disbursement,
    request_disbursement,
)
from tests.factories import loans as lf

DAY = lf.DECIDED_ON


def test_maker_cannot_confirm_own_disbursement_and_nothing_moves(session: Session) -> None:
    loan = lf.approved_loan(session)
    maker = lf.user(session)
    pending = request_disbursement(
        session, lf.SYSTEM, loan.id, loan.principal, DAY, requested_by=maker.id
    )
    with pytest.raises(DomainError) as err:
        confirm_disbursement(session, lf.SYSTEM, pending.id, maker.id, DAY)
    assert "second person" in err.value.errors["confirmed_by"][0]
    session.refresh(loan)
    assert loan.status == "approved" and loan.outstanding_principal == 0
    assert session.scalars(select(LoanMovement)).all() == []


def test_checker_confirms_and_the_loan_becomes_active(session: Session) -> None:
    loan = lf.approved_loan(session)
    maker, checker = lf.user(session), lf.user(session)
    pending = request_disbursement(
        session, lf.SYSTEM, loan.id, loan.principal, DAY, requested_by=maker.id
    )
    confirm_disbursement(session, lf.SYSTEM, pending.id, checker.id, DAY)
    assert pending.status == "confirmed" and pending.confirmed_by == checker.id
    assert loan.status == "active"
    assert loan.disbursed_amount == loan.outstanding_principal == 50_000_000
    assert loan.schedule_version == 1  # disbursed on the decision date: plan unchanged
    assert rebuild_balances(session, loan.id).consistent
    actions = session.scalars(select(AuditEvent.action)).all()
    assert "disbursement.request" in actions and "disbursement.confirm" in actions


def test_amount_above_the_approved_principal_and_early_date_are_refused(
    session: Session,
) -> None:
    loan = lf.approved_loan(session)
    maker = lf.user(session)
    with pytest.raises(DomainError) as err:
        request_disbursement(session, lf.SYSTEM, loan.id, 50_000_001, DAY, requested_by=maker.id)
    assert "amount" in err.value.errors
    request_disbursement(session, lf.SYSTEM, loan.id, 30_000_000, DAY, requested_by=maker.id)
    with pytest.raises(DomainError) as err:
        request_disbursement(session, lf.SYSTEM, loan.id, 20_000_001, DAY, requested_by=maker.id)
    assert err.value.errors["amount"] == [
        "exceeds the approved principal: at most Rp20000000 is left"
    ]
    with pytest.raises(DomainError) as err:
        request_disbursement(
            session, lf.SYSTEM, loan.id, 1_000, date(2026, 11, 2), requested_by=maker.id
        )
    assert "disbursed_on" in err.value.errors


def test_late_disbursement_re_anchors_the_schedule_and_keeps_version_1(
    session: Session,
) -> None:
    loan = lf.active_loan(session, disbursed_on=date(2026, 11, 20))
    assert loan.schedule_version == 2
    current = session.scalars(
        select(Installment)
        .where(Installment.loan_id == loan.id, Installment.superseded.is_(False))
        .order_by(Installment.number)
    ).all()
    old = session.scalars(
        select(Installment).where(Installment.loan_id == loan.id, Installment.superseded)
    ).all()
    assert len(current) == len(old) == 24
    assert current[0].due_on == date(2026, 12, 20) and current[0].schedule_version == 2
    assert {r.schedule_version for r in old} == {1}
    assert sum(r.principal_due for r in current) == 50_000_000


def test_tranches_amortise_only_what_was_paid_out(session: Session) -> None:
    loan = lf.approved_loan(session)
    maker, checker = lf.user(session), lf.user(session)
    first = request_disbursement(
        session, lf.SYSTEM, loan.id, 20_000_000, DAY, requested_by=maker.id
    )
    confirm_disbursement(session, lf.SYSTEM, first.id, checker.id, DAY)
    rows = session.scalars(
        select(Installment).where(Installment.loan_id == loan.id, Installment.superseded.is_(False))
    ).all()
    assert sum(r.principal_due for r in rows) == 20_000_000
    second = request_disbursement(
        session, lf.SYSTEM, loan.id, 30_000_000, date(2026, 11, 10), requested_by=maker.id
    )
    confirm_disbursement(session, lf.SYSTEM, second.id, checker.id, date(2026, 11, 10))
    rows = session.scalars(
        select(Installment).where(Installment.loan_id == loan.id, Installment.superseded.is_(False))
    ).all()
    assert sum(r.principal_due for r in rows) == 50_000_000 == loan.outstanding_principal
    assert rebuild_balances(session, loan.id).consistent


def test_rejected_disbursement_moves_nothing_and_frees_the_amount(session: Session) -> None:
    loan = lf.approved_loan(session)
    maker = lf.user(session)
    pending = request_disbursement(
        session, lf.SYSTEM, loan.id, loan.principal, DAY, requested_by=maker.id
    )
    reject_disbursement(session, lf.SYSTEM, pending.id, lf.user(session).id, DAY, "wrong account")
    assert pending.status == "rejected" and loan.outstanding_principal == 0
    again = request_disbursement(
        session, lf.SYSTEM, loan.id, loan.principal, DAY, requested_by=maker.id
    )
    assert again.status == "pending"


def test_idempotent_disbursement_request(session: Session) -> None:
    loan = lf.approved_loan(session)
    maker = lf.user(session)
    first = request_disbursement(
        session, lf.SYSTEM, loan.id, 10_000_000, DAY, idempotency_key="k1", requested_by=maker.id
    )
    same = request_disbursement(
        session, lf.SYSTEM, loan.id, 10_000_000, DAY, idempotency_key="k1", requested_by=maker.id
    )
    assert same.id == first.id
    with pytest.raises(DomainError) as err:
        request_disbursement(
            session,
            lf.SYSTEM,
            loan.id,
            9_000_000,
            DAY,
            idempotency_key="k1",
            requested_by=maker.id,
        )
    assert "Idempotency-Key" in err.value.errors


def test_a_tranche_accrues_interest_from_its_own_value_date(session: Session) -> None:
    """Issue item 4: 25 jt on day 0 and 25 jt on day 25 of a 30-day first period."""
    loan = lf.approved_loan(session)  # 6 % a year, annuity, 24 months
    maker, checker = lf.user(session), lf.user(session)
    for amount, on in ((25_000_000, DAY), (25_000_000, date(2026, 11, 28))):
        item = request_disbursement(session, lf.SYSTEM, loan.id, amount, on, requested_by=maker.id)
        confirm_disbursement(session, lf.SYSTEM, item.id, checker.id, on)
    rows = session.scalars(
        select(Installment)
        .where(Installment.loan_id == loan.id, Installment.superseded.is_(False))
        .order_by(Installment.number)
    ).all()
    assert rows[0].due_on == date(2026, 12, 3)  # 3 Nov .. 3 Dec: 30 days
    # 25 jt * 0.5 % for the whole period + 25 jt * 0.5 % * 5/30 (28 Nov .. 3 Dec)
    # = 125,000 + 20,833.33 -> 145,833 (not 250,000 on 50 jt for the whole period).
    assert rows[0].interest_due == 145_833
    # From instalment 2 on, the whole 50 jt accrues: 0.5 % of the balance after instalment 1.
    assert rows[1].interest_due == round((50_000_000 - rows[0].principal_due) * 0.005)
    assert sum(r.principal_due for r in rows) == 50_000_000
    assert rebuild_balances(session, loan.id).consistent
