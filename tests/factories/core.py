"""Small factories for arranging test data; each flushes and returns the object."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from itertools import count

from sqlalchemy.orm import Session

from creditapp.models import Application, CreditProgram, Enterprise, Lender, Loan

_seq = count(1)


def lender(session: Session, code: str | None = None) -> Lender:
    n = next(_seq)
    obj = Lender(code=code or f"L{n}", name=f"Lender {n}", kind="bank")
    session.add(obj)
    session.flush()
    return obj


def program(session: Session, code: str | None = None) -> CreditProgram:
    obj = CreditProgram(
        code=code or f"P{next(_seq)}",
        name="KUR Mikro",
        segment="mikro",
        plafond_min=10_000_001,
        plafond_max=100_000_000,
        rate_by_access=["0.06", "0.07", "0.08", "0.09"],
        subsidy_rate_by_access=["0.10", "0.09", "0.08", "0.07"],
        max_tenor_working_capital=36,
        max_tenor_investment=60,
        collateral_threshold=100_000_000,
        max_installment_share=Decimal("0.35"),
        guarantee_coverage=Decimal("0.70"),
        allocation_order=["penalty", "interest", "principal"],
        eligible_kbli_divisions=[],
        active_from=date(2024, 1, 1),
    )
    session.add(obj)
    session.flush()
    return obj


def enterprise(session: Session, lender_obj: Lender) -> Enterprise:
    obj = Enterprise(
        lender_id=lender_obj.id,
        name="UD Sumber Rejeki",
        owner_name="Siti Aminah",
        owner_nik=f"320123456789{next(_seq) % 10_000:04d}",  # one owner per enterprise
        owner_gender="F",
        kbli="10792",
        kbli_division=10,
        province="32",
        regency="3204",
        founded_on=date(2019, 3, 1),
        workers=3,
        assets=150_000_000,
        annual_sales=600_000_000,
    )
    session.add(obj)
    session.flush()
    return obj


def application(session: Session, lender_obj: Lender, program_obj: CreditProgram) -> Application:
    ent = enterprise(session, lender_obj)
    obj = Application(
        lender_id=lender_obj.id,
        enterprise_id=ent.id,
        program_id=program_obj.id,
        applied_on=date(2026, 11, 2),
        requested_amount=50_000_000,
        tenor_months=24,
        purpose="working_capital",
    )
    session.add(obj)
    session.flush()
    return obj


def loan(session: Session, app_obj: Application, principal: int = 50_000_000) -> Loan:
    obj = Loan(
        lender_id=app_obj.lender_id,
        application_id=app_obj.id,
        enterprise_id=app_obj.enterprise_id,
        program_id=app_obj.program_id,
        principal=principal,
        annual_rate=Decimal("0.06"),
        subsidy_rate=Decimal("0.10"),
        guarantee_coverage=Decimal("0.70"),
        interest_method="annuity",
        tenor=24,
        prepayment_mode="shorten_tenor",
        allocation_order="penalty,interest,principal",
        purpose="working_capital",
        approved_on=date(2026, 11, 3),
    )
    session.add(obj)
    session.flush()
    return obj
