"""Money that moved in a period: collection rate, write-offs and recoveries.

A period runs from ``period_start`` (default: the first day of the as-of month) to the as-of
date, both inclusive.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from ..errors import DomainError
from .scope import ALLOCATIONS, HIST, INST, LOANS, MOVEMENTS, REPAYMENTS, RUNS, Scope, ratio


def period_of(scope: Scope, period_start: date | None) -> date:
    """The period's first day; it may not come after the as-of date."""
    start = period_start or scope.as_of.replace(day=1)
    if start > scope.as_of:
        raise DomainError(
            "period_start is after as_of",
            {"period_start": [f"{start.isoformat()} is after as_of {scope.as_of.isoformat()}"]},
        )
    return start


def collection_rate(
    session: Session, scope: Scope, period_start: date | None = None
) -> dict[str, Any]:
    """Collected / fallen due, for instalments due in the period, on time and late apart.

    fallen_due = sum(principal_due + interest_due) of current-schedule instalments due in
        [period_start, as_of]
    collected_on_time = principal + interest allocated to them by repayments paid on or
        before the instalment's due date; collected_late = paid after it, up to as_of;
        repayments reversed on or before as_of count as never collected
    collection_rate = (on time + late) / fallen_due; on_time_rate, late_rate likewise
    """
    start = period_of(scope, period_start)
    in_period = and_(
        INST.c.superseded.is_(False), INST.c.due_on >= start, INST.c.due_on <= scope.as_of
    )
    due_q = select(func.coalesce(func.sum(INST.c.principal_due + INST.c.interest_due), 0))
    due_q = due_q.select_from(INST.join(LOANS, LOANS.c.id == INST.c.loan_id))
    fallen_due = int(session.scalar(due_q.where(in_period, *scope.loan_filters())) or 0)
    amount = ALLOCATIONS.c.principal + ALLOCATIONS.c.interest
    joined = (
        ALLOCATIONS.join(REPAYMENTS, REPAYMENTS.c.id == ALLOCATIONS.c.repayment_id)
        .join(INST, INST.c.id == ALLOCATIONS.c.installment_id)
        .join(LOANS, LOANS.c.id == INST.c.loan_id)
    )
    paid_q = (
        select(
            func.coalesce(func.sum(amount).filter(REPAYMENTS.c.paid_on <= INST.c.due_on), 0).label(
                "on_time"
            ),
            func.coalesce(func.sum(amount).filter(REPAYMENTS.c.paid_on > INST.c.due_on), 0).label(
                "late"
            ),
        )
        .select_from(joined)
        .where(
            in_period,
            REPAYMENTS.c.paid_on <= scope.as_of,
            # a repayment reversed by the as-of date was never collected (its allocation rows
            # stay, marked by the repayment's reversed_on)
            or_(REPAYMENTS.c.reversed_on.is_(None), REPAYMENTS.c.reversed_on > scope.as_of),
            *scope.loan_filters(),
        )
    )
    on_time, late = (int(v) for v in session.execute(paid_q).one())
    return {
        **scope.describe(),
        "period_start": start.isoformat(),
        "fallen_due": fallen_due,
        "collected_on_time": on_time,
        "collected_late": late,
        "collection_rate": ratio(on_time + late, fallen_due),
        "on_time_rate": ratio(on_time, fallen_due),
        "late_rate": ratio(late, fallen_due),
    }


def _moved(session: Session, scope: Scope, kind: str, start: date | None) -> int:
    query = select(func.coalesce(func.sum(MOVEMENTS.c.amount), 0)).select_from(
        MOVEMENTS.join(LOANS, LOANS.c.id == MOVEMENTS.c.loan_id)
    )
    query = query.where(MOVEMENTS.c.kind == kind, MOVEMENTS.c.posted_on <= scope.as_of)
    if start is not None:
        query = query.where(MOVEMENTS.c.posted_on >= start)
    return int(session.scalar(query.where(*scope.loan_filters())) or 0)


def average_gross(session: Session, scope: Scope, start: date) -> float:
    """Mean gross portfolio over the end-of-day runs of the period, the last run before it
    counted as the opening balance (month-end runs: the mean of opening and closing)."""
    opening = session.scalar(select(func.max(RUNS.c.as_of)).where(RUNS.c.as_of < start))
    first = opening or start
    per_run = (
        select(HIST.c.as_of, func.sum(HIST.c.outstanding_principal).label("gross"))
        .select_from(HIST.join(LOANS, LOANS.c.id == HIST.c.loan_id))
        .where(HIST.c.as_of >= first, HIST.c.as_of <= scope.as_of, *scope.loan_filters())
        .group_by(HIST.c.as_of)
        .subquery()
    )
    runs = select(func.count()).where(RUNS.c.as_of >= first, RUNS.c.as_of <= scope.as_of)
    n_runs = int(session.scalar(runs) or 0)
    total = session.scalar(select(func.coalesce(func.sum(per_run.c.gross), 0)))
    # A run with no loans of the filter is a gross of 0, so divide by the runs, not the rows.
    return ratio(int(total or 0), n_runs)


def write_off_ratio(
    session: Session, scope: Scope, period_start: date | None = None
) -> dict[str, Any]:
    """Write-offs and recoveries of the period.

    write_off_ratio = principal written off in the period / average gross portfolio
    recovery_rate = recovered up to as_of / principal written off up to as_of (cumulative)
    """
    start = period_of(scope, period_start)
    written = _moved(session, scope, "write_off", start)
    avg = average_gross(session, scope, start)
    written_total = _moved(session, scope, "write_off", None)
    recovered_total = _moved(session, scope, "recovery", None)
    return {
        **scope.describe(),
        "period_start": start.isoformat(),
        "written_off": written,
        "average_gross": round(avg),
        "write_off_ratio": ratio(written, avg),
        "recovered": _moved(session, scope, "recovery", start),
        "written_off_total": written_total,
        "recovered_total": recovered_total,
        "recovery_rate": ratio(recovered_total, written_total),
    }
