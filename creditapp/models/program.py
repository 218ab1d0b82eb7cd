"""Government-backed credit programs (KUR is the model): configuration, not code."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal, get_args

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    SmallInteger,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from loanmath.allocation import PREPAYMENT_MODES, PrepaymentMode
from loanmath.schedule import DAY_COUNTS, METHODS, DayCount, Method

from .base import Base, check_in, check_non_negative, money, utcnow

Segment = Literal["super_mikro", "mikro", "kecil", "other"]
SEGMENTS: tuple[Segment, ...] = get_args(Segment)
# The loan arithmetic declares the methods and modes it implements; the database checks them.
INTEREST_METHODS = METHODS

RATE = Numeric(9, 6)


class CreditProgram(Base):
    """A credit program's rules. Loans copy the terms they need when they are made, so a
    later change to the program never rewrites a loan already made under it."""

    __tablename__ = "credit_programs"
    __table_args__ = (
        check_in("segment", SEGMENTS),
        check_in("interest_method", INTEREST_METHODS),
        check_in("prepayment_mode", PREPAYMENT_MODES),
        *check_non_negative("plafond_min", "plafond_max", "collateral_threshold"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    segment: Mapped[Segment] = mapped_column(String(16))
    plafond_min: Mapped[int] = money()
    plafond_max: Mapped[int] = money()
    # Effective annual rates as decimal strings, for the 1st, 2nd, 3rd and 4th+ access.
    rate_by_access: Mapped[list[str]] = mapped_column(JSON)
    subsidy_rate_by_access: Mapped[list[str]] = mapped_column(JSON)
    max_tenor_working_capital: Mapped[int] = mapped_column(Integer)
    max_tenor_investment: Mapped[int] = mapped_column(Integer)
    max_grace_months: Mapped[int] = mapped_column(Integer, default=0)
    min_business_age_months: Mapped[int] = mapped_column(Integer, default=6)
    min_business_age_months_trained: Mapped[int] = mapped_column(Integer, default=3)
    allow_other_productive_credit: Mapped[bool] = mapped_column(Boolean, default=False)
    eligible_kbli_divisions: Mapped[list[int]] = mapped_column(JSON, default=list)
    collateral_threshold: Mapped[int] = money()
    max_installment_share: Mapped[Decimal] = mapped_column(RATE)
    guarantee_coverage: Mapped[Decimal] = mapped_column(RATE)
    interest_method: Mapped[Method] = mapped_column(String(16), default="annuity")
    allocation_order: Mapped[list[str]] = mapped_column(JSON)
    prepayment_mode: Mapped[PrepaymentMode] = mapped_column(String(20), default="shorten_tenor")
    penalty_daily_rate: Mapped[Decimal] = mapped_column(RATE, default=Decimal(0))
    quota_total: Mapped[int | None] = money(nullable=True)
    active_from: Mapped[date] = mapped_column(Date)
    active_to: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ProgramLenderQuota(Base):
    """A lender's annual quota under a program for one segment and calendar year.

    Used = the principal of the lender's loans under the program approved in that year whose
    amount falls in the segment (``services.program_quotas``): approval is the commitment,
    so a loan counts from its approval, disbursed or not.
    """

    __tablename__ = "program_lender_quotas"
    __table_args__ = (
        UniqueConstraint("program_id", "lender_id", "segment", "year"),
        check_in("segment", SEGMENTS),
        CheckConstraint("year BETWEEN 2000 AND 2100", name="year_range"),
        *check_non_negative("quota"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("credit_programs.id"))
    lender_id: Mapped[int] = mapped_column(ForeignKey("lenders.id"), index=True)
    segment: Mapped[Segment] = mapped_column(String(16))
    year: Mapped[int] = mapped_column(SmallInteger)
    quota: Mapped[int] = money()


SubsidyBasis = Literal["average_outstanding"]
SUBSIDY_BASES: tuple[SubsidyBasis, ...] = get_args(SubsidyBasis)
SubsidyFrequency = Literal["monthly"]
SUBSIDY_FREQUENCIES: tuple[SubsidyFrequency, ...] = get_args(SubsidyFrequency)


class ProgramTerms(Base):
    """One version of a program's terms, in force from ``effective_from`` until the next one.

    A loan points at the version in force on its approval date (``Loan.program_terms_id``),
    so a later version never changes a loan already made. Versions are never edited once in
    force (``services.program_admin``). The servicing terms (day count, subsidy grade, claim
    trigger) live here too, so ageing and the subsidy run read the loan's own version.
    """

    __tablename__ = "program_terms"
    __table_args__ = (
        UniqueConstraint("program_id", "effective_from"),
        check_in("interest_method", INTEREST_METHODS),
        check_in("prepayment_mode", PREPAYMENT_MODES),
        check_in("day_count", DAY_COUNTS),
        check_in("subsidy_basis", SUBSIDY_BASES),
        check_in("subsidy_frequency", SUBSIDY_FREQUENCIES),
        *check_non_negative("plafond_min", "plafond_max", "collateral_threshold"),
        CheckConstraint("plafond_min <= plafond_max", name="plafond_ordered"),
        CheckConstraint("subsidy_max_grade BETWEEN 1 AND 5", name="subsidy_max_grade_range"),
        CheckConstraint("claim_grade BETWEEN 2 AND 5", name="claim_grade_range"),
        CheckConstraint("write_off_grade BETWEEN 2 AND 5", name="write_off_grade_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("credit_programs.id"), index=True)
    effective_from: Mapped[date] = mapped_column(Date)
    plafond_min: Mapped[int] = money()
    plafond_max: Mapped[int] = money()
    rate_by_access: Mapped[list[str]] = mapped_column(JSON)
    subsidy_rate_by_access: Mapped[list[str]] = mapped_column(JSON)
    max_tenor_working_capital: Mapped[int] = mapped_column(Integer)
    max_tenor_investment: Mapped[int] = mapped_column(Integer)
    max_grace_months: Mapped[int] = mapped_column(Integer)
    min_business_age_months: Mapped[int] = mapped_column(Integer)
    min_business_age_months_trained: Mapped[int] = mapped_column(Integer)
    allow_other_productive_credit: Mapped[bool] = mapped_column(Boolean)
    eligible_kbli_divisions: Mapped[list[int]] = mapped_column(JSON)
    collateral_threshold: Mapped[int] = money()
    max_installment_share: Mapped[Decimal] = mapped_column(RATE)
    guarantee_coverage: Mapped[Decimal] = mapped_column(RATE)
    interest_method: Mapped[Method] = mapped_column(String(16))
    allocation_order: Mapped[list[str]] = mapped_column(JSON)
    prepayment_mode: Mapped[PrepaymentMode] = mapped_column(String(20))
    penalty_daily_rate: Mapped[Decimal] = mapped_column(RATE)
    # Servicing terms: formerly code constants or ProgramServicing's defaults.
    day_count: Mapped[DayCount] = mapped_column(String(12))
    subsidy_max_grade: Mapped[int] = mapped_column(SmallInteger)
    subsidy_after_maturity: Mapped[bool] = mapped_column(Boolean)
    subsidy_basis: Mapped[SubsidyBasis] = mapped_column(String(24))
    subsidy_frequency: Mapped[SubsidyFrequency] = mapped_column(String(12))
    claim_grade: Mapped[int] = mapped_column(SmallInteger)  # guarantee claimable from Kol N
    claim_on_arrears_at_maturity: Mapped[bool] = mapped_column(Boolean)
    write_off_grade: Mapped[int] = mapped_column(SmallInteger)  # below it: override needed
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
