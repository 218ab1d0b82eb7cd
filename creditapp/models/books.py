"""The general ledger: chart of accounts, journal entries and their lines (double entry).

Lines are written only by ``services/books/journal.py``, which refuses an entry whose
debits and credits differ or that names an account the chart does not have; the CHECK
constraints below are the database's second line (exactly one side of a line is positive).
Per-loan accrued interest is kept in ``interest_accruals`` (signed amounts, append-only) so
an interest payment knows how much of it settles the receivable and how much is income.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal, get_args

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, check_in, check_non_negative, money, utcnow
from .loan import LoanMovement

AccountType = Literal["asset", "liability", "income", "expense", "equity"]
ACCOUNT_TYPES: tuple[AccountType, ...] = get_args(AccountType)
Side = Literal["debit", "credit"]
SIDES: tuple[Side, ...] = get_args(Side)
AccrualKind = Literal[
    "accrual", "payment", "payment_reversal", "npl_reversal", "write_off", "capitalised"
]
ACCRUAL_KINDS: tuple[AccrualKind, ...] = get_args(AccrualKind)


class Account(Base):
    """One account of the chart; ``role`` is how postings address it (with the program)."""

    __tablename__ = "gl_accounts"
    __table_args__ = (
        check_in("type", ACCOUNT_TYPES),
        check_in("normal_side", SIDES),
        # One account per role, per program for the roles kept per program; SQLite and
        # PostgreSQL treat NULLs as distinct, so the program-less case has its own index.
        UniqueConstraint("role", "program_id"),
        Index(
            "uq_gl_accounts_role_general",
            "role",
            unique=True,
            postgresql_where=text("program_id IS NULL"),
            sqlite_where=text("program_id IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name_id: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))
    type: Mapped[AccountType] = mapped_column(String(10))
    normal_side: Mapped[Side] = mapped_column(String(6))
    role: Mapped[str] = mapped_column(String(40))
    program_id: Mapped[int | None] = mapped_column(ForeignKey("credit_programs.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class JournalEntry(Base):
    """One balanced posting; its movement or ``source_ref`` is unique, so nothing posts twice."""

    __tablename__ = "journal_entries"
    __table_args__ = (Index("ix_journal_entries_date", "entry_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_date: Mapped[date] = mapped_column(Date)
    event: Mapped[str] = mapped_column(String(32))
    # What caused it: the loan movement, or a reference such as ``recovery:7``; each unique.
    movement_id: Mapped[int | None] = mapped_column(ForeignKey("loan_movements.id"), unique=True)
    source_ref: Mapped[str | None] = mapped_column(String(80), unique=True)
    loan_id: Mapped[int | None] = mapped_column(ForeignKey("loans.id"), index=True)
    program_id: Mapped[int | None] = mapped_column(ForeignKey("credit_programs.id"))
    lender_id: Mapped[int | None] = mapped_column(ForeignKey("lenders.id"))
    memo: Mapped[str | None] = mapped_column(String(200))
    reversal_of: Mapped[int | None] = mapped_column(ForeignKey("journal_entries.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    lines: Mapped[list[JournalLine]] = relationship(
        back_populates="entry", cascade="all, delete-orphan"
    )
    movement: Mapped[LoanMovement | None] = relationship()


class JournalLine(Base):
    """One side of an entry on one account: exactly one of debit and credit is positive."""

    __tablename__ = "journal_lines"
    __table_args__ = (
        *check_non_negative("debit", "credit"),
        CheckConstraint(
            "(debit > 0 AND credit = 0) OR (credit > 0 AND debit = 0)", name="one_side"
        ),
        Index("ix_journal_lines_account_entry", "account_id", "entry_id"),
        Index("ix_journal_lines_entry", "entry_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("journal_entries.id"))
    account_id: Mapped[int] = mapped_column(ForeignKey("gl_accounts.id"))
    debit: Mapped[int] = money(default=0)
    credit: Mapped[int] = money(default=0)

    entry: Mapped[JournalEntry] = relationship(back_populates="lines")


class InterestAccrualRun(Base):
    """One daily interest accrual of the whole portfolio; one per date (idempotent)."""

    __tablename__ = "interest_accrual_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    as_of: Mapped[date] = mapped_column(Date, unique=True)
    loans_accrued: Mapped[int] = mapped_column(Integer)
    amount: Mapped[int] = money()
    reversed_amount: Mapped[int] = money(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class InterestAccrual(Base):
    """A change of one loan's accrued-but-unpaid interest (signed; the sum is the balance)."""

    __tablename__ = "interest_accruals"
    __table_args__ = (
        check_in("kind", ACCRUAL_KINDS),
        Index("ix_interest_accruals_loan", "loan_id", "accrued_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("loans.id"))
    accrued_on: Mapped[date] = mapped_column(Date)
    kind: Mapped[AccrualKind] = mapped_column(String(16))
    amount: Mapped[int] = money()
