"""Loan outcomes as training labels: bad = 90+ days past due or written off within 12 months.

A loan is labelled only when its whole outcome window is observed by the as-of date: the
window starts at the first confirmed disbursement and ends ``window_months`` later (same day
of month, clamped to the month's end). Loans disbursed more recently are EXCLUDED, never
counted good: a loan three months old has simply not had the time to go bad.

Three aggregate queries (first disbursement, first day at ``bad_dpd`` or worse, first approved
write-off, each grouped by loan), then vectorised comparisons: no query or object per loan.
Only facts dated on or before the as-of date are read, so a label never uses the future.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import Disbursement, Loan, LoanStatus, WriteOff

EPOCH = date(1970, 1, 1).toordinal()
NO_DAY = np.iinfo(np.int32).max  # "never happened": later than any window end


class Outcomes(NamedTuple):
    """Labels of the loans whose outcome window is fully observed, by application id."""

    application_ids: NDArray[np.int64]
    bad: NDArray[np.int8]
    observed_until: NDArray[np.int32]  # window end per row (day number, inclusive)


@dataclass(frozen=True)
class OutcomeCounts:
    """How the disbursed loans split at an as-of date (for reports and sanity checks)."""

    disbursed: int  # loans with a confirmed disbursement on or before as_of
    observed: int  # whole window observed: labelled
    excluded: int  # disbursed too recently: not labelled
    bad: int


def _day(d: date) -> int:
    return d.toordinal() - EPOCH


def _per_loan(session: Session, stmt: Any) -> dict[int, int]:
    return {int(loan_id): _day(day) for loan_id, day in session.execute(stmt)}


def _disbursed(session: Session, as_of: date) -> tuple[NDArray[np.int64], ...]:
    """(loan id, application id, first confirmed disbursement day) of loans disbursed by as_of."""
    first = func.min(Disbursement.disbursed_on)
    stmt = (
        select(Loan.id, Loan.application_id, first)
        .join(Disbursement, Disbursement.loan_id == Loan.id)
        .where(Disbursement.status == "confirmed", Disbursement.disbursed_on <= as_of)
        .group_by(Loan.id, Loan.application_id)
        .order_by(Loan.application_id)
    )
    rows = session.execute(stmt).all()
    loan_ids = np.array([r[0] for r in rows], dtype=np.int64)
    app_ids = np.array([r[1] for r in rows], dtype=np.int64)
    first_day = np.array([_day(r[2]) for r in rows], dtype=np.int64)
    return loan_ids, app_ids, first_day


def window_end(first_days: NDArray[np.int64], months: int) -> NDArray[np.int64]:
    """``loanmath.dates.add_months(first, months)`` per row, vectorised: same day of month,
    clamped to the last day of the target month (31 Jan + 1 month = 28/29 Feb)."""
    days = first_days.astype("datetime64[D]")
    month = days.astype("datetime64[M]")
    day_of_month = (days - month.astype("datetime64[D]")).astype(np.int64)
    target = month + months
    last = ((target + 1).astype("datetime64[D]") - target.astype("datetime64[D]")).astype(np.int64)
    end = target.astype("datetime64[D]") + np.minimum(day_of_month, last - 1)
    out: NDArray[np.int64] = end.astype(np.int64)
    return out


def _split(
    session: Session, as_of: date, bad_dpd: int, window_months: int
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.bool_], NDArray[np.int8]]:
    if window_months < 1:
        raise ValueError("window_months must be at least 1")
    if bad_dpd < 1:
        raise ValueError("bad_dpd must be at least 1")
    loan_ids, app_ids, first = _disbursed(session, as_of)
    end = window_end(first, window_months)
    observed = end <= _day(as_of)
    first_bad = _per_loan(
        session,
        select(LoanStatus.loan_id, func.min(LoanStatus.as_of))
        .where(LoanStatus.dpd >= bad_dpd, LoanStatus.as_of <= as_of)
        .group_by(LoanStatus.loan_id),
    )
    first_write_off = _per_loan(
        session,
        select(WriteOff.loan_id, func.min(WriteOff.approved_on))
        .where(WriteOff.status == "approved", WriteOff.approved_on <= as_of)
        .group_by(WriteOff.loan_id),
    )
    ids = loan_ids.tolist()
    bad_day = np.array([first_bad.get(i, NO_DAY) for i in ids], dtype=np.int64)
    write_off_day = np.array([first_write_off.get(i, NO_DAY) for i in ids], dtype=np.int64)
    bad = ((bad_day <= end) | (write_off_day <= end)).astype(np.int8)
    return app_ids, end, observed, bad


def outcome_labels(
    session: Session, as_of: date, *, bad_dpd: int = 90, window_months: int = 12
) -> Outcomes:
    """Label every loan whose outcome window ended on or before ``as_of``.

    Args:
        session: an open session (only read).
        as_of: the observation date; nothing dated later is read.
        bad_dpd: days past due that make a loan bad.
        window_months: the outcome window after the first confirmed disbursement.

    Returns:
        ``Outcomes(application_ids, bad, observed_until)`` sorted by application id; loans
        disbursed less than ``window_months`` before ``as_of`` are left out.
    """
    app_ids, end, observed, bad = _split(session, as_of, bad_dpd, window_months)
    return Outcomes(app_ids[observed], bad[observed], end[observed].astype(np.int32))


def outcome_counts(
    session: Session, as_of: date, *, bad_dpd: int = 90, window_months: int = 12
) -> OutcomeCounts:
    """Count disbursed, observed (labelled), excluded (too recent) and bad loans.

    Args:
        session: an open session (only read).
        as_of: the observation date.
        bad_dpd: days past due that make a loan bad.
        window_months: the outcome window.

    Returns:
        The counts; ``observed + excluded == disbursed``.
    """
    _, _, observed, bad = _split(session, as_of, bad_dpd, window_months)
    return OutcomeCounts(
        disbursed=int(observed.size),
        observed=int(observed.sum()),
        excluded=int((~observed).sum()),
        bad=int(bad[observed].sum()),
    )
