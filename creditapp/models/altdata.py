"""Alternative data submitted with an application: the evidence the score is built on.

Every row belongs to the application it came with, so a past score can be reproduced from
exactly the data it saw, even when the enterprise later applies again with newer data.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, check_in, check_non_negative, check_positive, money

CHANNELS = ("bank_transfer", "qris", "ewallet", "cash_deposit")
DIRECTIONS = ("in", "out")
CERTIFICATION_KINDS = ("PIRT", "HALAL", "SNI", "BPOM")
SAVINGS_STATUSES = ("on_time", "late", "missed")
COOP_LOAN_STATUSES = ("repaid_on_time", "repaid_late", "defaulted", "active")
PARTNER_SIZES = ("medium", "large")


class Transaction(Base):
    """One dated inflow or outflow on an account of the enterprise."""

    __tablename__ = "transactions"
    __table_args__ = (
        check_in("direction", DIRECTIONS),
        check_in("channel", CHANNELS),
        *check_positive("amount"),
        Index("ix_transactions_application_date", "application_id", "occurred_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"))
    occurred_on: Mapped[date] = mapped_column(Date)
    amount: Mapped[int] = money()
    direction: Mapped[str] = mapped_column(String(3))
    channel: Mapped[str] = mapped_column(String(16))


class MarketplaceMonth(Base):
    """A month of sales on an online marketplace store."""

    __tablename__ = "marketplace_months"
    __table_args__ = (
        *check_non_negative("gmv", "orders"),
        Index("ix_marketplace_months_application_month", "application_id", "month", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"))
    month: Mapped[date] = mapped_column(Date)  # first day of the month
    gmv: Mapped[int] = money()
    orders: Mapped[int] = mapped_column(Integer)
    rating: Mapped[float | None] = mapped_column(Float)
    return_rate: Mapped[float] = mapped_column(Float)


class CooperativeMembership(Base):
    """Membership of a cooperative (koperasi), with its savings record and earlier loans."""

    __tablename__ = "cooperative_memberships"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), unique=True
    )
    cooperative_name: Mapped[str | None] = mapped_column(String(200))
    member_since: Mapped[date] = mapped_column(Date)


class CooperativeSaving(Base):
    """One month of mandatory savings (simpanan wajib): paid on time, late or missed."""

    __tablename__ = "cooperative_savings"
    __table_args__ = (
        check_in("status", SAVINGS_STATUSES),
        Index("ix_cooperative_savings_membership_month", "membership_id", "month", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    membership_id: Mapped[int] = mapped_column(
        ForeignKey("cooperative_memberships.id", ondelete="CASCADE")
    )
    month: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(8))


class CooperativeLoan(Base):
    """An earlier loan from the cooperative and how it was repaid."""

    __tablename__ = "cooperative_loans"
    __table_args__ = (
        check_in("status", COOP_LOAN_STATUSES),
        *check_positive("amount"),
        *check_non_negative("max_dpd"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    membership_id: Mapped[int] = mapped_column(
        ForeignKey("cooperative_memberships.id", ondelete="CASCADE"), index=True
    )
    disbursed_on: Mapped[date] = mapped_column(Date)
    amount: Mapped[int] = money()
    status: Mapped[str] = mapped_column(String(16))
    max_dpd: Mapped[int] = mapped_column(Integer, default=0)


class Certification(Base):
    """A product or business certification (PIRT, halal, SNI, BPOM)."""

    __tablename__ = "certifications"
    __table_args__ = (check_in("kind", CERTIFICATION_KINDS),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(8))
    issued_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date)


class Partnership(Base):
    """A partnership (off-take, supply, plasma) with a medium or large firm."""

    __tablename__ = "partnerships"
    __table_args__ = (check_in("partner_size", PARTNER_SIZES), *check_non_negative("annual_value"))

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    partner_name: Mapped[str | None] = mapped_column(String(200))
    partner_size: Mapped[str] = mapped_column(String(8))
    since: Mapped[date] = mapped_column(Date)
    until: Mapped[date | None] = mapped_column(Date)
    annual_value: Mapped[int] = money()


class ExportRecord(Base):
    """Export sales in one month."""

    __tablename__ = "export_records"
    __table_args__ = (*check_positive("value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    month: Mapped[date] = mapped_column(Date)
    destination: Mapped[str | None] = mapped_column(String(2))  # ISO country code
    value: Mapped[int] = money()
