"""What the web workspace stores: failed sign-ins (throttling) and four-eyes approvals."""

from __future__ import annotations

from datetime import datetime
from typing import Literal, get_args

from sqlalchemy import ForeignKey, Index, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, check_in, check_positive, money, utcnow

ApprovalState = Literal["pending", "confirmed", "rejected"]
APPROVAL_REQUEST_STATUSES: tuple[ApprovalState, ...] = get_args(ApprovalState)


class SignInFailure(Base):
    """One failed sign-in, counted per account and per client address within a window.

    Kept in the database, not in process memory: gunicorn runs several workers, and an
    attacker's guesses spread over them must still add up to one count.
    """

    __tablename__ = "sign_in_failures"
    __table_args__ = (
        Index("ix_sign_in_failures_account_at", "account", "at"),
        Index("ix_sign_in_failures_client_at", "client", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account: Mapped[str] = mapped_column(String(254))  # the e-mail as typed, lower-cased
    client: Mapped[str] = mapped_column(String(64))  # the client's IP address
    at: Mapped[datetime] = mapped_column(default=utcnow)


class ApprovalRequest(Base):
    """An approval above the lender's four-eyes amount, waiting for a second officer.

    The loan and the decision are only made when another officer of the same lender
    confirms; until then the application stays in the queue, marked as waiting.
    """

    __tablename__ = "approval_requests"
    __table_args__ = (
        check_in("status", APPROVAL_REQUEST_STATUSES),
        *check_positive("amount", "tenor"),
        Index("ix_approval_requests_application", "application_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"))
    lender_id: Mapped[int] = mapped_column(ForeignKey("lenders.id"), index=True)
    requested_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    amount: Mapped[int] = money()
    tenor: Mapped[int] = mapped_column(SmallInteger)
    grace_principal: Mapped[int] = mapped_column(SmallInteger, default=0)
    override_reason_code: Mapped[str | None] = mapped_column(String(32))
    reason_text: Mapped[str | None] = mapped_column(String(1000))
    status: Mapped[ApprovalState] = mapped_column(String(10), default="pending")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolved_at: Mapped[datetime | None] = mapped_column()
