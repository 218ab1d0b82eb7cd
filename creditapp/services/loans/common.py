"""Helpers shared by the loan services: lookups with row locks, schedule rows, snapshots.

The *current schedule* of a loan is the set of its installments that are not superseded.
A new schedule version (re-anchoring, prepayment, restructuring, payoff) supersedes only
the rows it replaces: installments already due keep their version, so their payment
history stays where it was posted.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from loanmath import schedule as sched

from ...errors import DomainError, NotFound
from ...models import Installment, Loan


def refuse(field: str, reason: str, message: str | None = None) -> DomainError:
    """A ``DomainError`` naming one field and its reason."""
    return DomainError(message or reason, {field: [reason]})


def get_loan(session: Session, loan_id: int, *, lock: bool = False) -> Loan:
    """Return the loan, optionally locked ``FOR UPDATE`` (PostgreSQL; SQLite serialises writers).

    Raises:
        NotFound: no loan with this id.
    """
    query = select(Loan).where(Loan.id == loan_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    loan = session.scalar(query)
    if loan is None:
        raise NotFound("no such loan", {"loan_id": [f"no loan {loan_id}"]})
    return loan


def require_positive_amount(amount: object, field: str = "amount") -> int:
    """Return ``amount`` if it is a whole-Rupiah int > 0, else refuse naming ``field``."""
    if not isinstance(amount, int) or isinstance(amount, bool):
        raise refuse(field, "must be a whole number of Rupiah")
    if amount <= 0:
        raise refuse(field, "must be greater than 0")
    return amount


def current_installments(session: Session, loan_id: int) -> list[Installment]:
    """The loan's current schedule (not superseded), by due date and number."""
    return list(
        session.scalars(
            select(Installment)
            .where(Installment.loan_id == loan_id, Installment.superseded.is_(False))
            .order_by(Installment.due_on, Installment.number)
        )
    )


def installment_rows(
    loan: Loan, version: int, schedule: Sequence[sched.Installment]
) -> list[Installment]:
    """Database rows for a loanmath schedule under ``version``."""
    return [
        Installment(
            loan_id=loan.id,
            schedule_version=version,
            number=row.number,
            due_on=row.due_date,
            principal_due=row.principal,
            interest_due=row.interest,
            penalty_due=0,
            principal_paid=0,
            interest_paid=0,
            penalty_paid=0,
            superseded=False,
        )
        for row in schedule
    ]


def as_schedule(rows: Sequence[Installment]) -> tuple[sched.Installment, ...]:
    """Unpaid remainder of current rows as loanmath installments (opening balances rebuilt).

    Only rows whose principal is unpaid belong here (rows not yet due), so the opening
    balance of each is the unpaid principal of it and every row after it.
    """
    remaining = [r.principal_due - r.principal_paid for r in rows]
    out: list[sched.Installment] = []
    balance = sum(remaining)
    for r, principal in zip(rows, remaining, strict=True):
        interest = r.interest_due - r.interest_paid
        out.append(
            sched.Installment(
                number=r.number,
                due_date=r.due_on,
                principal=principal,
                interest=interest,
                total=principal + interest,
                opening_balance=balance,
                closing_balance=balance - principal,
            )
        )
        balance -= principal
    return tuple(out)


def replace_schedule(
    session: Session,
    loan: Loan,
    superseded: Sequence[Installment],
    schedule: Sequence[sched.Installment],
) -> list[Installment]:
    """Supersede ``superseded`` and add ``schedule`` as the loan's next version.

    Returns:
        The new rows (flushed).
    """
    loan.schedule_version += 1
    for row in superseded:
        row.superseded = True
        row.superseded_in = loan.schedule_version
    rows = installment_rows(loan, loan.schedule_version, schedule)
    session.add_all(rows)
    session.flush()
    refresh_schedule_facts(session, loan)
    return rows


def refresh_schedule_facts(session: Session, loan: Loan) -> None:
    """Set the loan's tenor, first due and maturity from its current schedule."""
    rows = current_installments(session, loan.id)
    if rows:
        loan.tenor = len(rows)
        loan.first_due_on = rows[0].due_on
        loan.maturity_on = rows[-1].due_on


def snapshot(loan: Loan) -> dict[str, Any]:
    """The audited state of a loan."""
    return {
        "status": loan.status,
        "principal": loan.principal,
        "disbursed_amount": loan.disbursed_amount,
        "outstanding_principal": loan.outstanding_principal,
        "schedule_version": loan.schedule_version,
        "tenor": loan.tenor,
        "annual_rate": str(loan.annual_rate),
        "maturity_on": loan.maturity_on.isoformat() if loan.maturity_on else None,
        "collectibility": loan.collectibility,
        "restructured": loan.restructured,
        "restructure_count": loan.restructure_count,
        "restructure_floor_grade": loan.restructure_floor_grade,
        "credit_balance": loan.credit_balance,
    }


def iso(d: date | None) -> str | None:
    """ISO date or None, for audit payloads."""
    return d.isoformat() if d else None
