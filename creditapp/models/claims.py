"""Claim cycles a channelling lender runs: the monthly interest-subsidy claim to the
government, and the credit guarantee (guarantor, IJP fee, cover per loan, subrogation).

Every amount here is whole Rupiah (BIGINT) and every change is audited by the services in
``services.claims``; a row is only ever moved forward in its status, never edited back.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal, get_args

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, check_in, check_non_negative, check_positive, money, utcnow
from .program import RATE

SubsidyClaimState = Literal["submitted", "verified", "paid"]
SUBSIDY_CLAIM_STATES: tuple[SubsidyClaimState, ...] = get_args(SubsidyClaimState)
ClaimLineState = Literal["claimed", "rejected"]
CLAIM_LINE_STATES: tuple[ClaimLineState, ...] = get_args(ClaimLineState)


class Guarantor(Base):
    """A credit guarantee company (KUR: Askrindo, Jamkrindo)."""

    __tablename__ = "guarantors"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ProgramGuarantee(Base):
    """Which guarantor covers a program's loans, and its IJP rate, from a date on.

    A loan takes the row in force on its approval date (the latest ``effective_from`` not
    after it), so a later rate never changes the cover of a loan already made.
    ``ijp_rate`` is the guarantee fee (IJP) as a share of the plafond, charged once when the
    cover opens (``services.claims.guarantees`` says why and how).
    """

    __tablename__ = "program_guarantees"
    __table_args__ = (
        UniqueConstraint("program_id", "effective_from"),
        CheckConstraint("ijp_rate >= 0 AND ijp_rate < 1", name="ijp_rate_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("credit_programs.id"))
    guarantor_id: Mapped[int] = mapped_column(ForeignKey("guarantors.id"), index=True)
    effective_from: Mapped[date] = mapped_column(Date)
    ijp_rate: Mapped[Decimal] = mapped_column(RATE)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class GuaranteeCover(Base):
    """One loan's guarantee, opened when the loan is first paid out, with its one-off IJP."""

    __tablename__ = "guarantee_covers"
    __table_args__ = (
        CheckConstraint("share > 0 AND share <= 1", name="share_range"),
        CheckConstraint("ijp_rate >= 0 AND ijp_rate < 1", name="ijp_rate_range"),
        *check_non_negative("covered_amount", "ijp_amount"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("loans.id"), unique=True)
    guarantor_id: Mapped[int] = mapped_column(ForeignKey("guarantors.id"), index=True)
    program_guarantee_id: Mapped[int] = mapped_column(ForeignKey("program_guarantees.id"))
    share: Mapped[Decimal] = mapped_column(RATE)  # the loss share covered (KUR: 70 %)
    ijp_rate: Mapped[Decimal] = mapped_column(RATE)
    covered_amount: Mapped[int] = money()  # principal x share, rounded down
    started_on: Mapped[date] = mapped_column(Date)
    ijp_amount: Mapped[int] = money()  # the fee owed to the guarantor for this cover
    ijp_paid_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SubrogationPayment(Base):
    """The guarantor's share of one recovery (``Recovery.guarantor_share``), paid over to it."""

    __tablename__ = "subrogation_payments"
    __table_args__ = (*check_positive("amount"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recovery_id: Mapped[int] = mapped_column(ForeignKey("recoveries.id"), unique=True)
    guarantor_id: Mapped[int] = mapped_column(ForeignKey("guarantors.id"), index=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("loans.id"))
    amount: Mapped[int] = money()
    paid_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SubsidyClaim(Base):
    """A lender's monthly interest-subsidy claim to the government for one program.

    ``accrued_total`` is the sum of all lines as claimed; ``verified_total`` the sum of the
    lines left after verification; ``paid_amount`` what arrived. A payment below the verified
    total is kept and shows as ``shortfall`` (money that arrived is a fact, not refused).
    """

    __tablename__ = "subsidy_claims"
    __table_args__ = (
        UniqueConstraint("program_id", "lender_id", "month"),
        check_in("status", SUBSIDY_CLAIM_STATES),
        *check_non_negative("accrued_total", "verified_total", "paid_amount"),
        CheckConstraint("verified_total <= accrued_total", name="verified_within_accrued"),
        CheckConstraint("paid_amount <= verified_total", name="paid_within_verified"),
        Index("ix_subsidy_claims_lender_month", "lender_id", "month"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("credit_programs.id"))
    lender_id: Mapped[int] = mapped_column(ForeignKey("lenders.id"))
    month: Mapped[date] = mapped_column(Date)  # the first day of the claimed month
    status: Mapped[SubsidyClaimState] = mapped_column(String(10), default="submitted")
    accrued_total: Mapped[int] = money()
    verified_total: Mapped[int] = money(default=0)
    paid_amount: Mapped[int] = money(default=0)
    submitted_on: Mapped[date] = mapped_column(Date)
    verified_on: Mapped[date | None] = mapped_column(Date)
    paid_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def shortfall(self) -> int:
        """Verified but not paid, once the payment is in (0 before)."""
        return self.verified_total - self.paid_amount if self.status == "paid" else 0


class SubsidyClaimLine(Base):
    """One loan's subsidy accrual in a claim; an accrual is claimed at most once."""

    __tablename__ = "subsidy_claim_lines"
    __table_args__ = (
        check_in("status", CLAIM_LINE_STATES),
        *check_non_negative("amount"),
        CheckConstraint(
            "(status = 'rejected') = (rejection_reason IS NOT NULL)", name="rejected_has_reason"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("subsidy_claims.id"), index=True)
    accrual_id: Mapped[int] = mapped_column(ForeignKey("subsidy_accruals.id"), unique=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("loans.id"))
    amount: Mapped[int] = money()
    status: Mapped[ClaimLineState] = mapped_column(String(10), default="claimed")
    rejection_reason: Mapped[str | None] = mapped_column(String(500))
    rejected_on: Mapped[date | None] = mapped_column(Date)
