"""Government-backed credit programs (KUR is the model): configuration, not code."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal, get_args

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from loanmath.allocation import PREPAYMENT_MODES, PrepaymentMode
from loanmath.schedule import METHODS, Method

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
    """The share of a program's quota allotted to one lender."""

    __tablename__ = "program_lender_quotas"
    __table_args__ = (
        UniqueConstraint("program_id", "lender_id"),
        *check_non_negative("quota"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("credit_programs.id"))
    lender_id: Mapped[int] = mapped_column(ForeignKey("lenders.id"), index=True)
    quota: Mapped[int] = money()
