"""Loan outcomes in SQL: the same definition as ``services.outcomes`` (bad = 90+ days past
due or written off within 12 months of the first disbursement; only loans whose whole window
is observed by the as-of date are labelled), as a subquery reports can group by."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Date, Integer, Subquery, and_, case, cast, func, literal, or_, select
from sqlalchemy.sql.elements import ColumnElement

from .scope import HIST, LOANS, MOVEMENTS, Scope

BAD_DPD = 90
WINDOW_MONTHS = 12


def plus_months(dialect: str, day: Any, months: int) -> ColumnElement[Any]:
    """``day`` + ``months`` as a date; PostgreSQL clamps to the month's end as loanmath does,
    SQLite rolls over (31 Jan + 1 month = 3 Mar), a day's difference at most."""
    if dialect == "postgresql":
        return cast(day + func.make_interval(0, cast(literal(months), Integer)), Date)
    return func.date(day, f"+{months} months")


def loan_outcomes(scope: Scope) -> Subquery:
    """(loan_id, application_id, observed, bad) for every loan disbursed by the as-of date."""
    first = (
        select(MOVEMENTS.c.loan_id, func.min(MOVEMENTS.c.posted_on).label("first_on"))
        .where(MOVEMENTS.c.kind == "disbursement", MOVEMENTS.c.posted_on <= scope.as_of)
        .group_by(MOVEMENTS.c.loan_id)
        .subquery("first_disbursed")
    )
    first_bad = (
        select(HIST.c.loan_id, func.min(HIST.c.as_of).label("bad_on"))
        .where(HIST.c.dpd >= BAD_DPD, HIST.c.dpd > 30, HIST.c.as_of <= scope.as_of)
        .group_by(HIST.c.loan_id)
        .subquery("first_bad")
    )
    end = plus_months(scope.dialect, first.c.first_on, WINDOW_MONTHS)
    written_off = and_(LOANS.c.written_off_on <= end, LOANS.c.written_off_on <= scope.as_of)
    bad = or_(first_bad.c.bad_on <= end, written_off)
    return (
        select(
            LOANS.c.id.label("loan_id"),
            LOANS.c.application_id,
            case((end <= scope.as_of, 1), else_=0).label("observed"),
            case((bad, 1), else_=0).label("bad"),
        )
        .select_from(
            first.join(LOANS, LOANS.c.id == first.c.loan_id).outerjoin(
                first_bad, first_bad.c.loan_id == first.c.loan_id
            )
        )
        .where(*scope.loan_filters())
        .subquery("outcomes")
    )
