"""Read models of loans for the API and the web UI, scoped to one lender."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from loanmath.ageing import COLLECTIBILITY

from ..errors import NotFound
from ..models import AgeingRun, CreditProgram, Installment, Loan


def owned_loan(session: Session, lender_id: int, loan_id: int) -> Loan:
    """Return the lender's loan; another lender's loan is reported exactly as a missing one."""
    loan = session.scalar(select(Loan).where(Loan.id == loan_id, Loan.lender_id == lender_id))
    if loan is None:
        raise NotFound("loan not found", {"loan_id": [f"no loan {loan_id}"]})
    return loan


def collectibility_label(grade: int, lang: str) -> dict[str, Any]:
    info = COLLECTIBILITY[grade - 1]
    return {"grade": grade, "name": info.name_id if lang == "id" else info.name_en}


def last_ageing_date(session: Session) -> date | None:
    """The date of the latest end-of-day ageing run (it ages every active loan)."""
    last: date | None = session.scalar(select(func.max(AgeingRun.as_of)))
    return last


def loan_detail(session: Session, loan: Loan, lang: str, as_of: date) -> dict[str, Any]:
    """The loan with its current schedule, arrears as of ``as_of`` and collectibility."""
    rows = session.scalars(
        select(Installment)
        .where(Installment.loan_id == loan.id, Installment.superseded.is_(False))
        .order_by(Installment.number)
    ).all()
    arrears = sum(
        (r.principal_due - r.principal_paid)
        + (r.interest_due - r.interest_paid)
        + (r.penalty_due - r.penalty_paid)
        for r in rows
        if r.due_on <= as_of
    )
    program = session.scalar(select(CreditProgram.code).where(CreditProgram.id == loan.program_id))
    return {
        **{c.key: getattr(loan, c.key) for c in Loan.__table__.columns},
        "program": program,
        "annual_rate": str(loan.annual_rate),
        "arrears": arrears,
        "collectibility": collectibility_label(loan.collectibility, lang),
        "last_aged_on": as_of if loan.status == "active" else loan.last_aged_on,
        "schedule": rows,
    }


def list_loans(
    session: Session, lender_id: int, *, after_id: int | None, limit: int, status: str | None
) -> list[Loan]:
    """A page of the lender's loans, newest first."""
    stmt = select(Loan).where(Loan.lender_id == lender_id)
    if after_id is not None:
        stmt = stmt.where(Loan.id < after_id)
    if status:
        stmt = stmt.where(Loan.status == status)
    return list(session.scalars(stmt.order_by(Loan.id.desc()).limit(limit)))
