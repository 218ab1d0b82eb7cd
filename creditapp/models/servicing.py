"""Restructurings, write-offs, recoveries, guarantee claims and interest subsidy."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal, get_args

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    SmallInteger,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from loanmath.schedule import DAY_COUNTS, DayCount

from .base import Base, check_in, check_non_negative, check_positive, money, utcnow
from .program import RATE


class Restructuring(Base):
    """A change of a loan's schedule; the old schedule version stays in ``installments``."""

    __tablename__ = "restructurings"

    id: Mapped[int] = mapped_column(primary_key=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("loans.id"), index=True)
    effective_on: Mapped[date] = mapped_column(Date)
    old_schedule_version: Mapped[int] = mapped_column(SmallInteger)
    new_schedule_version: Mapped[int] = mapped_column(SmallInteger)
    grace_months: Mapped[int] = mapped_column(SmallInteger, default=0)
    extension_months: Mapped[int] = mapped_column(SmallInteger, default=0)
    old_rate: Mapped[Decimal] = mapped_column(RATE)
    new_rate: Mapped[Decimal] = mapped_column(RATE)
    reason: Mapped[str] = mapped_column(String(500))
    approved_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


# Maker-checker requests (write-offs, repayment reversals): asked, then decided by another.
CheckerState = Literal["pending", "approved", "rejected"]
ClaimTrigger = Literal["collectibility_4", "arrears_at_maturity"]
ClaimState = Literal["submitted", "paid", "rejected"]


class WriteOff(Base):
    """Writing a loan off the books; needs a second person (maker-checker)."""

    __tablename__ = "write_offs"
    __table_args__ = (
        check_in("status", get_args(CheckerState)),
        *check_positive("amount"),
        CheckConstraint(
            "approved_by IS NULL OR approved_by <> requested_by", name="maker_is_not_checker"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("loans.id"), index=True)
    amount: Mapped[int] = money()
    requested_on: Mapped[date] = mapped_column(Date)
    requested_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    approved_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[CheckerState] = mapped_column(String(10), default="pending")
    reason: Mapped[str] = mapped_column(String(500))
    # Interest written off with the principal (unpaid due interest + interest accrued).
    interest_amount: Mapped[int] = money(default=0, server_default="0")
    grade: Mapped[int | None] = mapped_column(SmallInteger)  # collectibility when requested
    override_reason: Mapped[str | None] = mapped_column(String(500))  # needed below Kol 5


class Recovery(Base):
    """Money recovered on a written-off loan, split into costs, principal and interest.

    ``guarantor_share`` is the part owed to the guarantor whose claim was paid
    (subrogation); it is included in the principal part, not added to it.
    """

    __tablename__ = "recoveries"
    __table_args__ = (
        *check_positive("amount"),
        *check_non_negative("principal_part", "interest_part", "cost_part", "guarantor_share"),
        CheckConstraint(
            "cost_part + principal_part + interest_part = amount", name="parts_add_up_to_amount"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("loans.id"), index=True)
    amount: Mapped[int] = money()
    recovered_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    principal_part: Mapped[int] = money(default=0, server_default="0")
    interest_part: Mapped[int] = money(default=0, server_default="0")
    cost_part: Mapped[int] = money(default=0, server_default="0")
    cost_note: Mapped[str | None] = mapped_column(String(500))  # what the costs were
    guarantor_share: Mapped[int] = money(default=0, server_default="0")


class GuaranteeClaim(Base):
    """A claim on the credit guarantee (Askrindo/Jamkrindo) for a loan's loss."""

    __tablename__ = "guarantee_claims"
    __table_args__ = (
        check_in("trigger", get_args(ClaimTrigger)),
        check_in("status", get_args(ClaimState)),
        *check_non_negative("outstanding_principal", "amount", "paid_amount"),
        UniqueConstraint("loan_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("loans.id"))
    trigger: Mapped[ClaimTrigger] = mapped_column(String(24))
    claimed_on: Mapped[date] = mapped_column(Date)
    outstanding_principal: Mapped[int] = money()
    coverage: Mapped[Decimal] = mapped_column(RATE)
    amount: Mapped[int] = money()
    status: Mapped[ClaimState] = mapped_column(String(10), default="submitted")
    paid_amount: Mapped[int] = money(default=0)
    paid_on: Mapped[date | None] = mapped_column(Date)
    # Set when the guarantor refuses the claim (services.claims.guarantees).
    rejection_reason: Mapped[str | None] = mapped_column(String(500))
    rejected_on: Mapped[date | None] = mapped_column(Date)


class SubsidyAccrual(Base):
    """Interest subsidy the government owes on one loan for one period."""

    __tablename__ = "subsidy_accruals"
    __table_args__ = (
        UniqueConstraint("loan_id", "period_start"),
        *check_non_negative("average_outstanding", "amount"),
        CheckConstraint("period_end >= period_start", name="period_ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("loans.id"))
    program_id: Mapped[int] = mapped_column(ForeignKey("credit_programs.id"), index=True)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    average_outstanding: Mapped[int] = money()
    subsidy_rate: Mapped[Decimal] = mapped_column(RATE)
    amount: Mapped[int] = money()


class RepaymentReversal(Base):
    """Undoing a mistaken repayment: a maker asks with a reason, a second person approves."""

    __tablename__ = "repayment_reversals"
    __table_args__ = (
        check_in("status", get_args(CheckerState)),
        CheckConstraint(
            "approved_by IS NULL OR approved_by <> requested_by", name="maker_is_not_checker"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    repayment_id: Mapped[int] = mapped_column(ForeignKey("repayments.id"), index=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("loans.id"), index=True)
    reason: Mapped[str] = mapped_column(String(500))
    requested_on: Mapped[date] = mapped_column(Date)
    requested_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    approved_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[CheckerState] = mapped_column(String(10), default="pending")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ProgramServicing(Base):
    """Servicing rules of one program (a program without a row gets the defaults here).

    Kept beside ``CreditProgram`` rather than in it so servicing rules change on their own,
    audited (``services.loans.settings``).
    """

    __tablename__ = "program_servicing"
    __table_args__ = (
        check_in("day_count", DAY_COUNTS),
        *check_non_negative("back_value_days"),
        CheckConstraint("subsidy_max_grade BETWEEN 1 AND 5", name="subsidy_max_grade_range"),
    )

    program_id: Mapped[int] = mapped_column(ForeignKey("credit_programs.id"), primary_key=True)
    # A repayment value-dated more than this many days before the business date is refused;
    # within it, the loan is re-aged from the value date.
    back_value_days: Mapped[int] = mapped_column(SmallInteger, default=7)
    day_count: Mapped[DayCount] = mapped_column(String(12), default="30/360")
    # Interest subsidy accrues only while the loan's grade is at most this (Kol 1-2) and,
    # unless allowed, never after maturity; never on capitalised interest.
    subsidy_max_grade: Mapped[int] = mapped_column(SmallInteger, default=2)
    subsidy_after_maturity: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
