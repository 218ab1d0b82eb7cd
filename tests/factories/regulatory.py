"""A small book of two lenders for the regulatory files, made through the loan services.

Lender ``BANK-A`` and ``BANK-B``; program ``KUR-MIKRO-T`` (a KUR Mikro) and ``PROD-T`` (a
non-KUR productive program that allows other credit). Owners by NIK:

- NIK1 ``3273014107900011`` (a woman: day 41 = 1 + 40): at A a KUR loan L1 of Rp 20 juta
  paid out 1 Aug 2026 and never repaid, and a PROD loan L2 of Rp 15 juta paid out 5 Dec
  2026 through another enterprise record; at B a PROD loan L4 of Rp 12 juta paid out
  3 Dec 2026.
- NIK2 ``3204011203850002`` (a man): at A a KUR loan L3 of Rp 50 juta over 24 months paid
  out 10 Dec 2026.

Every loan is approved and paid out on the same day (so its first due date is one month
later), and the book is aged once, on 31 Dec 2026.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from creditapp.models import Application, CreditProgram, Enterprise, Lender, Loan
from creditapp.services.loans import (
    age_loans,
    approve_application,
    confirm_disbursement,
    request_disbursement,
)
from tests.factories import core
from tests.factories import loans as lf

NIK1 = "3273014107900011"
NIK2 = "3204011203850002"
MONTH_END = date(2026, 12, 31)


def application_for(
    session: Session, lender: Lender, program: CreditProgram, nik: str, gender: str = "F"
) -> Application:
    """An application whose owner has ``nik`` (a new enterprise record each time)."""
    application = core.application(session, lender, program)
    enterprise = session.get(Enterprise, application.enterprise_id)
    assert enterprise is not None
    enterprise.owner_nik, enterprise.owner_gender = nik, gender
    session.flush()
    return application


def paid_out_loan(
    session: Session,
    lender: Lender,
    program: CreditProgram,
    nik: str,
    amount: int,
    tenor: int,
    on: date,
    gender: str = "F",
) -> Loan:
    """Approve and pay out in full on ``on`` through the services (maker and checker)."""
    application = application_for(session, lender, program, nik, gender)
    officer, maker, checker = (lf.user(session, lender) for _ in range(3))
    loan = approve_application(
        session, lf.SYSTEM, application.id, amount=amount, tenor=tenor,
        decided_by=officer.id, decided_on=on,
    )  # fmt: skip
    pending = request_disbursement(session, lf.SYSTEM, loan.id, amount, on, requested_by=maker.id)
    confirm_disbursement(session, lf.SYSTEM, pending.id, checker.id, on)
    return loan


@dataclass
class Book:
    a: Lender
    b: Lender
    kur: CreditProgram
    prod: CreditProgram
    l1: Loan
    l2: Loan
    l3: Loan
    l4: Loan


def two_lender_book(session: Session) -> Book:
    """The book described in the module docstring, aged on 31 Dec 2026."""
    a, b = core.lender(session, "BANK-A"), core.lender(session, "BANK-B")
    kur = core.program(session, "KUR-MIKRO-T")
    prod = core.program(session, "PROD-T")
    prod.segment, prod.allow_other_productive_credit = "other", True
    session.flush()
    l1 = paid_out_loan(session, a, kur, NIK1, 20_000_000, 12, date(2026, 8, 1))
    l2 = paid_out_loan(session, a, prod, NIK1, 15_000_000, 12, date(2026, 12, 5))
    l3 = paid_out_loan(session, a, kur, NIK2, 50_000_000, 24, date(2026, 12, 10), gender="M")
    l4 = paid_out_loan(session, b, prod, NIK1, 12_000_000, 12, date(2026, 12, 3))
    age_loans(session, MONTH_END)
    return Book(a, b, kur, prod, l1, l2, l3, l4)
