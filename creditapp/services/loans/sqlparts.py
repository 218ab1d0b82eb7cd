"""Dialect-specific SQL expressions, isolated so the set-based jobs stay dialect-neutral."""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, Date, Integer, cast, func
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

MICRO = 1_000_000  # rates are NUMERIC(9, 6): rate * 10^6 is an exact integer


def dialect_name(session: Session) -> str:
    """``postgresql`` or ``sqlite`` (the two databases the app supports)."""
    return session.get_bind().dialect.name


def days_between(dialect: str, later: Any, earlier: Any) -> ColumnElement[int]:
    """Whole days from ``earlier`` to ``later`` (dates); negative when ``later`` is earlier.

    PostgreSQL subtracts dates to an integer; SQLite has no date type and subtracts
    Julian day numbers (exact for dates, which are stored as ISO strings).
    """
    if dialect == "postgresql":
        return cast(cast(later, Date) - cast(earlier, Date), Integer)
    return cast(func.julianday(later) - func.julianday(earlier), Integer)


def later_of(dialect: str, a: Any, b: Any) -> ColumnElement[Any]:
    """The later of two non-null dates (``greatest`` on PostgreSQL, ``max`` on SQLite)."""
    if dialect == "postgresql":
        return func.greatest(a, b)
    return func.max(a, b)


def micro(rate: Any) -> ColumnElement[int]:
    """A NUMERIC(9, 6) rate as an exact integer of millionths.

    Money times a rate is then integer arithmetic; integer division truncates, which for
    non-negative values is the round-down loanmath uses for penalties and claims.
    """
    return cast(func.round(rate * MICRO), BigInteger)
