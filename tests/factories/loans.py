"""Factories for loan lifecycle tests: users, approved and disbursed loans via the services."""

from __future__ import annotations

from datetime import date
from itertools import count

from sqlalchemy.orm import Session

from creditapp.models import CreditProgram, Lender, Loan, User
from creditapp.services.audit import Actor
from creditapp.services.loans import (
    approve_application,
    confirm_disbursement,
    request_disbursement,
)
from tests.factories import core

_seq = count(1)
SYSTEM = Actor.system()
DECIDED_ON = date(2026, 11, 3)


def user(session: Session, lender_obj: Lender | None = None) -> User:
    n = next(_seq)
    obj = User(
        email=f"officer{n}@bank.id",
        name=f"Officer {n}",
        password_hash="x",  # never signs in
        role="loan_officer",
        lender_id=lender_obj.id if lender_obj else None,
    )
    session.add(obj)
    session.flush()
    return obj


def approved_loan(
    session: Session,
    *,
    amount: int = 50_000_000,
    tenor: int = 24,
    program_obj: CreditProgram | None = None,
    lender_obj: Lender | None = None,
    decided_on: date = DECIDED_ON,
    **terms: object,
) -> Loan:
    """An application approved through ``approve_application`` (status ``approved``)."""
    lender_obj = lender_obj or core.lender(session)
    program_obj = program_obj or core.program(session)
    for name, value in terms.items():
        setattr(program_obj, name, value)
    session.flush()
    application = core.application(session, lender_obj, program_obj)
    officer = user(session, lender_obj)
    return approve_application(
        session,
        SYSTEM,
        application.id,
        amount=amount,
        tenor=tenor,
        decided_by=officer.id,
        decided_on=decided_on,
    )


def active_loan(session: Session, *, disbursed_on: date = DECIDED_ON, **kwargs: object) -> Loan:
    """An approved loan fully disbursed on ``disbursed_on`` (maker and checker differ)."""
    loan = approved_loan(session, **kwargs)  # type: ignore[arg-type]
    maker, checker = user(session), user(session)
    pending = request_disbursement(
        session, SYSTEM, loan.id, loan.principal, disbursed_on, requested_by=maker.id
    )
    confirm_disbursement(session, SYSTEM, pending.id, checker.id, disbursed_on)
    return loan
