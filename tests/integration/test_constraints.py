"""Constraints that protect money are enforced by the database itself."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from creditapp.models import AuditEvent, Disbursement, Installment, Repayment, Transaction
from creditapp.services.audit import Actor, record
from tests.factories import core


@pytest.fixture
def loan(session: Session):
    lender = core.lender(session)
    program = core.program(session)
    return core.loan(session, core.application(session, lender, program))


def repayment(loan, key: str, amount: int = 1_000) -> Repayment:
    return Repayment(
        loan_id=loan.id,
        lender_id=loan.lender_id,
        idempotency_key=key,
        amount=amount,
        paid_on=date(2026, 11, 20),
        principal_part=amount,
    )


def test_idempotency_key_is_unique_per_lender(session: Session, loan) -> None:
    session.add(repayment(loan, "k-1"))
    session.flush()
    session.add(repayment(loan, "k-1"))
    with pytest.raises(IntegrityError):
        session.flush()


def test_same_key_is_allowed_for_another_lender(session: Session, loan) -> None:
    other = core.lender(session)
    session.add(repayment(loan, "k-1"))
    rep = repayment(loan, "k-1")
    rep.lender_id = other.id
    session.add(rep)
    session.flush()


@pytest.mark.parametrize("amount", [0, -5])
def test_repayment_amount_must_be_positive(session: Session, loan, amount: int) -> None:
    session.add(repayment(loan, "k-neg", amount))
    with pytest.raises(IntegrityError):
        session.flush()


def test_repayment_parts_must_sum_to_the_amount(session: Session, loan) -> None:
    rep = repayment(loan, "k-parts", 1_000)
    rep.principal_part = 999
    session.add(rep)
    with pytest.raises(IntegrityError):
        session.flush()


def test_installment_cannot_be_overpaid(session: Session, loan) -> None:
    session.add(
        Installment(
            loan_id=loan.id,
            schedule_version=1,
            number=1,
            due_on=date(2026, 12, 3),
            principal_due=100,
            interest_due=10,
            principal_paid=101,
        )
    )
    with pytest.raises(IntegrityError):
        session.flush()


def test_disbursement_maker_cannot_be_checker(session: Session, loan) -> None:
    from creditapp.models import User

    user = User(email="m@x.id", name="M", password_hash="x", role="loan_officer")
    session.add(user)
    session.flush()
    session.add(
        Disbursement(
            loan_id=loan.id,
            amount=1_000,
            disbursed_on=date(2026, 11, 5),
            requested_by=user.id,
            confirmed_by=user.id,
        )
    )
    with pytest.raises(IntegrityError):
        session.flush()


def test_foreign_keys_are_enforced(session: Session) -> None:
    session.add(
        Transaction(
            application_id=987654,
            occurred_on=date(2026, 1, 1),
            amount=10,
            direction="in",
            channel="qris",
        )
    )
    with pytest.raises(IntegrityError):
        session.flush()


def test_unknown_channel_is_refused(session: Session, loan) -> None:
    session.add(
        Transaction(
            application_id=loan.application_id,
            occurred_on=date(2026, 1, 1),
            amount=10,
            direction="in",
            channel="carrier_pigeon",
        )
    )
    with pytest.raises(IntegrityError):
        session.flush()


def test_audit_log_is_append_only(session: Session) -> None:
    ev = record(session, Actor.system(), "test.action", "thing", 1, after={"a": 1})
    session.flush()
    ev.action = "rewritten"
    with pytest.raises(PermissionError):
        session.flush()
    session.rollback()
    ev2 = session.get(AuditEvent, ev.id)
    assert ev2 is None or ev2.action == "test.action"
