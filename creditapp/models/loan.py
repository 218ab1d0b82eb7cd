"""Loans, their schedules and every movement of money on them.

Balances kept on the loan (``outstanding_principal`` and the paid amounts on installments)
are caches of the ledger: each change to them is written together with a ``LoanMovement``,
so the ledger alone can rebuild them.
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
    Integer,
    SmallInteger,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from loanmath.allocation import PREPAYMENT_MODES, PrepaymentMode
from loanmath.dates import FREQUENCIES, Frequency
from loanmath.schedule import DAY_COUNTS, DayCount, Method

from .base import Base, check_in, check_non_negative, check_positive, money, utcnow
from .program import INTEREST_METHODS, RATE

LoanState = Literal["approved", "active", "closed", "written_off"]
LOAN_STATUSES: tuple[LoanState, ...] = get_args(LoanState)
MovementKind = Literal[
    "disbursement",
    "principal_repayment",
    "interest_repayment",
    "penalty_repayment",
    "penalty_charge",
    "write_off",
    "recovery",
    "restructure",
    "repayment_reversal",  # undoes a repayment; principal_delta gives its principal back
    "credit_balance",  # an overpayment held for the borrower (no principal change)
    "refund",  # credit balance paid back to the borrower
    "interest_write_off",  # accrued interest written off with the principal
    "penalty_correction",  # penalty taken back when a back-valued posting re-ages the loan
]
MOVEMENT_KINDS: tuple[MovementKind, ...] = get_args(MovementKind)
ApplyAs = Literal["auto", "advance", "prepayment"]
REPAYMENT_APPLY_AS: tuple[ApplyAs, ...] = get_args(ApplyAs)
DisbursementState = Literal["pending", "confirmed", "rejected"]


class Loan(Base):
    """A loan made under a program, with the terms copied from the program at approval."""

    __tablename__ = "loans"
    __table_args__ = (
        check_in("status", LOAN_STATUSES),
        check_in("interest_method", INTEREST_METHODS),
        check_in("frequency", FREQUENCIES),
        check_in("prepayment_mode", PREPAYMENT_MODES),
        check_in("day_count", DAY_COUNTS),
        *check_positive("principal", "tenor"),
        *check_non_negative(
            "disbursed_amount",
            "outstanding_principal",
            "dpd",
            "credit_balance",
            "restructure_count",
        ),
        CheckConstraint(
            "restructure_floor_grade IS NULL OR restructure_floor_grade BETWEEN 1 AND 5",
            name="restructure_floor_range",
        ),
        CheckConstraint("disbursed_amount <= principal", name="disbursed_within_principal"),
        CheckConstraint("collectibility BETWEEN 1 AND 5", name="collectibility_range"),
        Index("ix_loans_lender_status", "lender_id", "status"),
        Index("ix_loans_program_status", "program_id", "status"),
        # Vintages and roll rates: the few written-off loans (migration 0005_reports).
        Index(
            "ix_loans_written_off_on",
            "written_off_on",
            postgresql_where=text("written_off_on IS NOT NULL"),
            sqlite_where=text("written_off_on IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    lender_id: Mapped[int] = mapped_column(ForeignKey("lenders.id"))
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), unique=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("credit_programs.id"))
    # The program's terms version in force on the approval date (None: made before versions,
    # or outside approval; such loans read the program's servicing defaults).
    program_terms_id: Mapped[int | None] = mapped_column(ForeignKey("program_terms.id"))
    principal: Mapped[int] = money()
    annual_rate: Mapped[Decimal] = mapped_column(RATE)
    subsidy_rate: Mapped[Decimal] = mapped_column(RATE)
    guarantee_coverage: Mapped[Decimal] = mapped_column(RATE)
    penalty_daily_rate: Mapped[Decimal] = mapped_column(RATE, default=Decimal(0))
    interest_method: Mapped[Method] = mapped_column(String(16))
    frequency: Mapped[Frequency] = mapped_column(String(8), default="monthly")
    tenor: Mapped[int] = mapped_column(SmallInteger)  # installments in the current schedule
    grace_principal: Mapped[int] = mapped_column(SmallInteger, default=0)
    prepayment_mode: Mapped[PrepaymentMode] = mapped_column(String(20))
    allocation_order: Mapped[str] = mapped_column(String(64))  # e.g. "penalty,interest,principal"
    purpose: Mapped[str] = mapped_column(String(16))
    approved_on: Mapped[date] = mapped_column(Date)
    first_due_on: Mapped[date | None] = mapped_column(Date)
    maturity_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[LoanState] = mapped_column(String(12), default="approved")
    schedule_version: Mapped[int] = mapped_column(SmallInteger, default=1)
    disbursed_amount: Mapped[int] = money(default=0)
    outstanding_principal: Mapped[int] = money(default=0)
    dpd: Mapped[int] = mapped_column(Integer, default=0)
    collectibility: Mapped[int] = mapped_column(SmallInteger, default=1)
    last_aged_on: Mapped[date | None] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    written_off_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # POJK 40/2019 restructured grade: the best grade the loan may show (None: no floor),
    # and the instalments paid on time in a row under the new terms since the last lift.
    restructured: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    restructure_count: Mapped[int] = mapped_column(SmallInteger, default=0, server_default="0")
    restructure_floor_grade: Mapped[int | None] = mapped_column(SmallInteger)
    on_time_streak: Mapped[int] = mapped_column(SmallInteger, default=0, server_default="0")
    # Overpayments held for the borrower (ledger: credit_balance minus refund movements).
    credit_balance: Mapped[int] = money(default=0, server_default="0")
    # Copied from the program's servicing rules at approval: "30/360" or "actual/365".
    day_count: Mapped[DayCount] = mapped_column(
        String(12), default="30/360", server_default="30/360"
    )
    # The KUR access (earlier KUR loans) the rate and subsidy were set by: the higher of the
    # application's declared snapshot and the platform's own loans for the owner's NIK.
    kur_access_count: Mapped[int | None] = mapped_column(SmallInteger)
    kur_access_mismatch: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")


class Installment(Base):
    """One due date of a schedule version; superseded versions stay for history."""

    __tablename__ = "installments"
    __table_args__ = (
        UniqueConstraint("loan_id", "schedule_version", "number"),
        *check_non_negative(
            "principal_due",
            "interest_due",
            "penalty_due",
            "principal_paid",
            "interest_paid",
            "penalty_paid",
        ),
        CheckConstraint("principal_paid <= principal_due", name="principal_not_overpaid"),
        CheckConstraint("interest_paid <= interest_due", name="interest_not_overpaid"),
        CheckConstraint("penalty_paid <= penalty_due", name="penalty_not_overpaid"),
        Index("ix_installments_due", "due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("loans.id"))
    schedule_version: Mapped[int] = mapped_column(SmallInteger)
    number: Mapped[int] = mapped_column(SmallInteger)
    due_on: Mapped[date] = mapped_column(Date)
    principal_due: Mapped[int] = money()
    interest_due: Mapped[int] = money()
    penalty_due: Mapped[int] = money(default=0)
    principal_paid: Mapped[int] = money(default=0)
    interest_paid: Mapped[int] = money(default=0)
    penalty_paid: Mapped[int] = money(default=0)
    # Interest of interest-grace periods, deferred and repaid with later installments.
    deferred_interest: Mapped[int] = money(default=0, server_default="0")
    settled_on: Mapped[date | None] = mapped_column(Date)
    superseded: Mapped[bool] = mapped_column(Boolean, default=False)
    superseded_in: Mapped[int | None] = mapped_column(SmallInteger)  # the version replacing it


class Disbursement(Base):
    """Money paid out to the borrower; a second person must confirm it (maker-checker)."""

    __tablename__ = "disbursements"
    __table_args__ = (
        check_in("status", get_args(DisbursementState)),
        *check_positive("amount"),
        CheckConstraint(
            "confirmed_by IS NULL OR requested_by IS NULL OR confirmed_by <> requested_by",
            name="maker_is_not_checker",
        ),
        UniqueConstraint("loan_id", "idempotency_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("loans.id"), index=True)
    amount: Mapped[int] = money()
    disbursed_on: Mapped[date] = mapped_column(Date)
    status: Mapped[DisbursementState] = mapped_column(String(10), default="pending")
    idempotency_key: Mapped[str | None] = mapped_column(String(128))
    requested_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    requested_by_api_key: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"))
    confirmed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column()


class Repayment(Base):
    """A payment received from the borrower, with how it was allocated."""

    __tablename__ = "repayments"
    __table_args__ = (
        *check_positive("amount"),
        *check_non_negative(
            "principal_part", "interest_part", "penalty_part", "excess_part", "credit_part"
        ),
        CheckConstraint(
            "principal_part + interest_part + penalty_part + excess_part + credit_part = amount",
            name="parts_add_up_to_amount",
        ),
        check_in("apply_as", REPAYMENT_APPLY_AS),
        Index("uq_repayments_lender_key", "lender_id", "idempotency_key", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("loans.id"), index=True)
    lender_id: Mapped[int] = mapped_column(ForeignKey("lenders.id"))
    idempotency_key: Mapped[str] = mapped_column(String(128))
    amount: Mapped[int] = money()
    paid_on: Mapped[date] = mapped_column(Date)
    channel: Mapped[str | None] = mapped_column(String(16))
    principal_part: Mapped[int] = money(default=0)
    interest_part: Mapped[int] = money(default=0)
    penalty_part: Mapped[int] = money(default=0)
    excess_part: Mapped[int] = money(default=0)  # applied as prepayment of principal
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # What the payer asked for: "auto" (advance the next instalment, prepay the rest),
    # "advance" (settle later instalments in order) or "prepayment" (prepay all beyond dues).
    apply_as: Mapped[ApplyAs] = mapped_column(String(12), default="auto", server_default="auto")
    credit_part: Mapped[int] = money(default=0, server_default="0")  # held as credit balance
    reversed_on: Mapped[date | None] = mapped_column(Date)  # set when a reversal is approved
    # The loan's schedule version before this repayment: a reversal restores it.
    schedule_version_before: Mapped[int | None] = mapped_column(SmallInteger)


class RepaymentAllocation(Base):
    """The part of a repayment applied to one installment."""

    __tablename__ = "repayment_allocations"
    __table_args__ = (*check_non_negative("principal", "interest", "penalty"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    repayment_id: Mapped[int] = mapped_column(ForeignKey("repayments.id"), index=True)
    installment_id: Mapped[int] = mapped_column(ForeignKey("installments.id"), index=True)
    principal: Mapped[int] = money()
    interest: Mapped[int] = money()
    penalty: Mapped[int] = money()


class LoanMovement(Base):
    """The ledger: every change of a loan's money, append-only.

    ``principal_delta`` is the signed change of outstanding principal (a disbursement adds,
    a principal repayment or a write-off subtracts), so the balance is the sum of deltas.
    """

    __tablename__ = "loan_movements"
    __table_args__ = (
        check_in("kind", MOVEMENT_KINDS),
        *check_non_negative("amount"),
        Index("ix_loan_movements_loan_date", "loan_id", "posted_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("loans.id"))
    kind: Mapped[MovementKind] = mapped_column(String(20))
    amount: Mapped[int] = money()
    principal_delta: Mapped[int] = money()
    posted_on: Mapped[date] = mapped_column(Date)
    repayment_id: Mapped[int | None] = mapped_column(ForeignKey("repayments.id"))
    disbursement_id: Mapped[int | None] = mapped_column(ForeignKey("disbursements.id"))
    # The installment a penalty charge or payment part belongs to, when there is one.
    installment_id: Mapped[int | None] = mapped_column(ForeignKey("installments.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LoanStatus(Base):
    """A loan's state at the end of one business day; one row per loan and as-of date."""

    __tablename__ = "loan_status_history"
    __table_args__ = (
        UniqueConstraint("loan_id", "as_of"),
        *check_non_negative("dpd", "outstanding_principal", "arrears"),
        CheckConstraint("collectibility BETWEEN 1 AND 5", name="collectibility_range"),
        # One run's rows in loan order with what roll rates and PAR read, from the index alone
        # (migration 0007_status_cover, measured there).
        Index(
            "ix_loan_status_history_as_of_loan",
            "as_of",
            "loan_id",
            postgresql_include=["dpd", "outstanding_principal"],
        ),
        # Vintages: each loan's first run > 30 dpd (migration 0005_reports, measured there).
        Index(
            "ix_loan_status_history_late",
            "loan_id",
            "as_of",
            "dpd",
            postgresql_where=text("dpd > 30"),
            sqlite_where=text("dpd > 30"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("loans.id"))
    as_of: Mapped[date] = mapped_column(Date)
    dpd: Mapped[int] = mapped_column(Integer)
    collectibility: Mapped[int] = mapped_column(SmallInteger)
    outstanding_principal: Mapped[int] = money()
    arrears: Mapped[int] = money()
    status: Mapped[str] = mapped_column(String(12))
    restructured: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    restructure_count: Mapped[int] = mapped_column(SmallInteger, default=0, server_default="0")
    restructure_floor_grade: Mapped[int | None] = mapped_column(SmallInteger)


class AgeingRun(Base):
    """One end-of-day ageing of the whole portfolio; runs only move forward in time."""

    __tablename__ = "ageing_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    as_of: Mapped[date] = mapped_column(Date, unique=True)
    loans_aged: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
