"""Small helpers of the claim services, kept apart from ``services.loans``: disbursement
opens a loan's cover through this package, so importing the loan services here would cycle."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...errors import DomainError, NotFound
from ...models import Loan

MAX_REASON = 500


def refuse(field: str, reason: str) -> DomainError:
    """A ``DomainError`` naming one field and its reason."""
    return DomainError(reason, {field: [reason]})


def require_positive_amount(amount: object, field: str) -> int:
    """Return ``amount`` if it is a whole-Rupiah int > 0, else refuse naming ``field``."""
    if not isinstance(amount, int) or isinstance(amount, bool):
        raise refuse(field, "must be a whole number of Rupiah")
    if amount <= 0:
        raise refuse(field, "must be greater than 0")
    return amount


def require_reason(reason: object) -> str:
    """The stripped reason (1 to 500 characters), else refuse naming ``reason``."""
    text = reason.strip() if isinstance(reason, str) else ""
    if not text:
        raise refuse("reason", "a reason is required")
    if len(text) > MAX_REASON:
        raise refuse("reason", f"at most {MAX_REASON} characters")
    return text


def lock_loan(session: Session, loan_id: int) -> Loan:
    """The loan locked ``FOR UPDATE`` (PostgreSQL), as the loan services lock it."""
    loan = session.scalar(
        select(Loan)
        .where(Loan.id == loan_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if loan is None:
        raise NotFound("no such loan", {"loan_id": [f"no loan {loan_id}"]})
    return loan
