"""Restructuring requests (maker-checker) and the index the collection sheet reads by.

A restructuring changes what a borrower owes, so, like a write-off or a disbursement, one
officer asks and a different officer of the same lender approves; only the approval calls
the restructuring service. The request keeps the proposed terms and who decided.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal, get_args

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, SmallInteger, String, text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, check_in, utcnow
from .loan import Installment
from .program import RATE

RequestState = Literal["pending", "approved", "rejected"]
REQUEST_STATUSES: tuple[RequestState, ...] = get_args(RequestState)
UNPAID_PARTS = ("principal_due", "principal_paid", "interest_due", "interest_paid",
                "penalty_due", "penalty_paid")  # fmt: skip


class RestructuringRequest(Base):
    """A proposed restructuring awaiting a second officer's decision."""

    __tablename__ = "restructuring_requests"
    __table_args__ = (
        check_in("status", REQUEST_STATUSES),
        CheckConstraint("grace_months >= 0", name="grace_months_non_negative"),
        CheckConstraint("extension_months >= 0", name="extension_months_non_negative"),
        CheckConstraint(
            "decided_by IS NULL OR decided_by <> requested_by", name="maker_is_not_checker"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("loans.id"), index=True)
    status: Mapped[RequestState] = mapped_column(String(10), default="pending")
    effective_on: Mapped[date] = mapped_column(Date)
    grace_months: Mapped[int] = mapped_column(SmallInteger, default=0)
    extension_months: Mapped[int] = mapped_column(SmallInteger, default=0)
    new_rate: Mapped[Decimal | None] = mapped_column(RATE)
    reason: Mapped[str] = mapped_column(String(500))
    requested_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    requested_on: Mapped[date] = mapped_column(Date)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_on: Mapped[date | None] = mapped_column(Date)
    decision_note: Mapped[str | None] = mapped_column(String(500))
    restructuring_id: Mapped[int | None] = mapped_column(ForeignKey("restructurings.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


# The collection sheet asks for the unsettled installments due on or before a date. Only
# arrears and today's dues are unsettled and due, a small slice of millions of rows, so a
# partial index keeps that query independent of how many installments were ever paid.
# The amounts are included (PostgreSQL) so the sheet is an index-only scan.
Index(
    "ix_installments_unsettled_due",
    Installment.due_on,
    Installment.loan_id,
    postgresql_include=[*UNPAID_PARTS],
    postgresql_where=text("settled_on IS NULL AND NOT superseded"),
    sqlite_where=text("settled_on IS NULL AND NOT superseded"),
)
